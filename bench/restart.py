"""Benchmark a server restart: reopening an existing mirror against building it cold.

    python bench/restart.py --rows 10000000 --runs 5

On an Axiom-shaped database made by bench/generate.py (shared with bench/run.py: --db-dir,
reused while its row count matches), each run starts fresh Python processes, as a restarted
server does, and times what stands between the server's start and the Token Usage page:
`open_mirrored_source(db)`, then the catalog and prices, then the default range's report.

* cold: the cache file removed first, so the mirror is built (the baseline, in the same run);
* restart: the cache file the previous process left (the same checks as a Refresh: row count,
  largest id, 16 sampled checksums, the session map re-read; must copy nothing);
* restart +10k: 10,000 rows appended to the database while "the server was down" (appended,
  not rebuilt).

The modes alternate within each run, so machine load hits them alike; medians over the runs.
Python's own start and imports are timed apart (`imports_s`): they come before any page.
The mirror lives in a temp cache dir (USAGE_CACHE_DIR), never the user's. Prints a table and
writes bench/results/restart-<time>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

RESULTS = ROOT / "bench" / "results"
APPEND_ROWS = 10_000
MODES = ("cold", "restart", "restart +10k")


def child(db: Path) -> dict[str, object]:
    """One server start: open (reuse or build) the mirror, read the catalog, draw the default range."""
    from queries import load_dataset
    from queries.dates import DEFAULT_PRESET, preset_range
    from queries.mirror import open_mirrored_source
    from queries.usage import Filters, usage_report
    from run import last_day

    imports = time.perf_counter() - STARTED
    calls: list[int] = []
    t0 = time.perf_counter()
    source = open_mirrored_source(db, progress=lambda done, total: calls.append(done))
    opened = time.perf_counter() - t0
    data = load_dataset(source, None, True)
    catalog = time.perf_counter() - t0
    report = usage_report(source, Filters(preset_range(DEFAULT_PRESET, last_day(db))), data.prices, data.catalog)
    page = time.perf_counter() - t0
    reused = source.opened_from_cache
    out = {"imports_s": round(imports, 3), "open_s": round(opened, 3), "catalog_s": round(catalog, 3),
           "page_s": round(page, 3), "progress_calls": len(calls), "rows": source.rows,
           "requests_on_page": report.totals.requests, "private": source.private,
           "reused": reused is not None and not reused.rebuilt,
           "appended": reused.appended if reused else None, "build_phases_s": source.build_phases}
    source.close()
    return out


def run_child(db: Path, cache: Path) -> dict[str, object]:
    env = dict(os.environ, USAGE_CACHE_DIR=str(cache))
    proc = subprocess.run([sys.executable, __file__, "--child", str(db)], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "bench")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0

    import generate
    from queries.mirror import mirror_file_for
    from run import _cpu_pressure, machine, prepare_db

    args.db_dir.mkdir(parents=True, exist_ok=True)
    db, db_info = prepare_db(args.db_dir, args.rows)
    cache = Path(tempfile.mkdtemp(prefix="bench-restart-cache-"))
    file = mirror_file_for(db, cache)
    samples: dict[str, list[dict[str, object]]] = {mode: [] for mode in MODES}
    problems: list[str] = []
    pressure_before = _cpu_pressure()
    try:
        for run in range(args.runs):
            for mode in MODES:
                if mode == "cold":
                    for path in (file, Path(f"{file}.wal")):
                        path.unlink(missing_ok=True)
                if mode == "restart +10k":
                    generate.append_rows(db, APPEND_ROWS)
                got = run_child(db, cache)
                print(f"run {run + 1} {mode}: page in {got['page_s']} s (open {got['open_s']} s)", file=sys.stderr)
                samples[mode].append(got)
                want_reused = mode != "cold"
                if got["reused"] != want_reused or (want_reused and got["progress_calls"]) or got["private"]:
                    problems.append(f"run {run + 1} {mode}: {got}")
                if mode == "restart +10k" and got["appended"] != APPEND_ROWS:
                    problems.append(f"run {run + 1} {mode}: appended {got['appended']}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def med(mode: str, key: str) -> float:
        return round(statistics.median(float(s[key]) for s in samples[mode]), 3)

    summary = {mode: {key: med(mode, key) for key in ("imports_s", "open_s", "catalog_s", "page_s")}
               for mode in MODES}
    for mode in MODES:
        summary[mode]["page_s_all"] = [s["page_s"] for s in samples[mode]]
    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
              "rows": args.rows, "runs": args.runs, "db": db_info, "summary": summary,
              "cold_over_restart": round(summary["cold"]["page_s"] / summary["restart"]["page_s"], 1),
              "samples": samples, "problems": problems,
              "cpu_pressure_before": pressure_before, "cpu_pressure_after": _cpu_pressure()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"restart-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2))
    print("rows | mode | open (median) | catalog | page (median) | page, each run | imports")
    print("---|---|---|---|---|---|---")
    for mode in MODES:
        s = summary[mode]
        print(f"{args.rows:,} | {mode} | {s['open_s']} s | {s['catalog_s']} s | {s['page_s']} s | "
              f"{', '.join(map(str, s['page_s_all']))} | {s['imports_s']} s")
    print(f"\ncold / restart: {report['cold_over_restart']}x; problems: {len(problems)}; saved {out.relative_to(ROOT)}")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
