"""Benchmark the DuckDB mirror against reading the attached SQLite file directly.

    python bench/run.py --rows 1000000 10000000 --runs 5       # the full benchmark
    python bench/run.py --check --rows 20000                    # correctness only (CI, ~10 s)

For each size, in its own subprocess (so peak RSS is per size), on an Axiom-shaped database
made by bench/generate.py (kept in --db-dir and reused while its row count matches):

* cold load: `open_mirrored_source(db)` (the mirror build) and then the catalog and prices,
  the first page's data;
* one filter change = `usage_report(...)`, everything the Token Usage page shows, for every
  preset (today, yesterday, 7d, 30d, 90d, this-month, last-month) without a filter, with a
  provider, and with provider + model: 21 states, `--runs` times on the mirror and
  `--baseline-runs` times on the attached SQLite (the baseline), each state checked equal;
* Refresh after appending 10,000 rows to the SQLite file (and a Refresh with nothing new);
* peak RSS (VmHWM) after the mirror's part, and at the end.

Prints a table and writes bench/results/bench-<time>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import generate  # noqa: E402  (bench/generate.py)
from queries import load_dataset  # noqa: E402
from queries.dates import DateRange, preset_range  # noqa: E402
from queries.mirror import open_mirrored_source  # noqa: E402
from queries.sources import open_source  # noqa: E402
from queries.usage import Filters, UsageReport, usage_report  # noqa: E402

PRESETS = ("today", "yesterday", "7d", "30d", "90d", "this-month", "last-month")
PROVIDER, MODEL = "anthropic", "claude-sonnet-4-20250514"  # the busiest pair of generate.MODEL_MIX
RESULTS = ROOT / "bench" / "results"
APPEND_ROWS = 10_000


# --- comparing reports ---------------------------------------------------------------------

def _close(a: object, b: object, path: str, out: list[str]) -> None:
    """Append to `out` where a and b differ: ints, strings, days exactly; floats to 1e-9 relative."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9):
            out.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            out.append(f"{path}: keys {sorted(a)} != {sorted(b)}")
        for key in a.keys() & b.keys():
            _close(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} rows != {len(b)} rows")
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")


def compare_reports(mirror: UsageReport, direct: UsageReport, label: str = "") -> list[str]:
    """Differences between two reports of one filter state (empty when they agree).

    Counts and tokens must be equal; costs may differ in the last bits only, because the
    mirror's rollup sums a model's tokens before pricing them instead of pricing each row.
    """
    out: list[str] = []
    a, b = mirror.as_json(), direct.as_json()
    _close(a, b, label or "report", out)
    _close(mirror.previous_totals.__dict__, direct.previous_totals.__dict__, f"{label}.previous_totals", out)
    return out


def filter_states(today: date, tz: str = "UTC") -> list[Filters]:
    """The benchmark's series: every preset, plain, with a provider, with provider + model."""
    states = []
    for preset in PRESETS:
        rng = preset_range(preset, today, tz)
        for provider, model in ((None, None), (PROVIDER, None), (PROVIDER, MODEL)):
            states.append(Filters(rng, provider, model))
    return states


def _label(f: Filters) -> str:
    return f"{f.range.start}..{f.range.end} {f.range.tz} {f.provider or '*'}/{f.model or '*'}"


def last_day(db: Path) -> date:
    """The UTC day of the newest row: presets are anchored there, so "today" has data."""
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (stamp,) = con.execute("SELECT timestamp FROM token_usage ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return date.fromisoformat(stamp[:10])


# --- correctness (CI) --------------------------------------------------------------------

def check(rows: int = 20_000, workdir: Path | None = None) -> list[str]:
    """The benchmark's correctness part on a small generated database: the mirror's reports
    equal the direct ones for every filter state (also in Europe/Berlin, on the rollup, and
    Asia/Kolkata, on the rows), after appends, a session changing type, rewritten and
    deleted rows. Returns the differences found (empty = correct)."""
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="bench-check-")) if own else workdir
    db = workdir / "check.db"
    generate.generate(db, rows, days=120)
    problems: list[str] = []
    mirror = open_mirrored_source(db)
    try:
        def compare(stage: str, full: bool = False) -> None:
            direct = open_source(db)
            try:
                data = load_dataset(direct, None, True)
                mdata = load_dataset(mirror, None, True)
                mcat, dcat = mdata.catalog, data.catalog  # (the unreadable example is any one: any_value)
                if (mcat.pairs, mcat.unparseable_timestamps) != (dcat.pairs, dcat.unparseable_timestamps):
                    problems.append(f"{stage}: catalogs differ")
                today = last_day(db)
                states = filter_states(today) if full else [f for f in filter_states(today) if not f.provider]
                states += [f for f in filter_states(today, "Europe/Berlin")
                           if f.model and (full or f.range.days == 30)] + [
                    Filters(DateRange(today - timedelta(days=29), today, "Asia/Kolkata")),
                    Filters(DateRange(today - timedelta(days=29), today, "Asia/Kolkata"), PROVIDER, MODEL),
                    Filters(DateRange(today - timedelta(days=400), today, "UTC")),
                ]
                for f in states:
                    problems.extend(compare_reports(usage_report(mirror, f, data.prices, data.catalog),
                                                    usage_report(direct, f, data.prices, data.catalog),
                                                    f"{stage} {_label(f)}"))
            finally:
                direct.close()

        compare("first build", full=True)
        generate.append_rows(db, 1_000)
        stats = mirror.refresh()
        if stats.appended != 1_000 or stats.rebuilt:
            problems.append(f"append: {stats}")
        compare("after appending")
        con = sqlite3.connect(db)
        try:
            con.execute("UPDATE sessions SET type = CASE type WHEN 'heartbeat' THEN 'interactive' ELSE 'heartbeat' END "
                        "WHERE id = (SELECT session_id FROM token_usage WHERE session_id LIKE 's%' "
                        "ORDER BY id DESC LIMIT 1)")
            con.commit()
        finally:
            con.close()
        stats = mirror.refresh()
        if stats.sessions_changed < 1 or stats.rebuilt:
            problems.append(f"session type change: {stats}")
        compare("after a session changed type")
        con = sqlite3.connect(db)
        try:
            con.execute("UPDATE token_usage SET prompt_tokens = prompt_tokens + 7, estimated_cost = 0.5 "
                        "WHERE id % 97 = 0")
            con.commit()
        finally:
            con.close()
        stats = mirror.refresh()
        if not stats.rebuilt:
            problems.append(f"rewrite not noticed: {stats}")
        compare("after rewriting rows")
        con = sqlite3.connect(db)
        try:
            con.execute("DELETE FROM token_usage WHERE id % 50 = 3")
            con.commit()
        finally:
            con.close()
        stats = mirror.refresh()
        if not stats.rebuilt:
            problems.append(f"delete not noticed: {stats}")
        compare("after deleting rows")
        stats = mirror.refresh()
        if stats.appended or stats.rebuilt:
            problems.append(f"refresh with nothing new: {stats}")
    finally:
        mirror.close()
        if own:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()
    return problems


# --- timing one size (runs in its own process) --------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, math.ceil(q * len(ordered)) - 1)
    return ordered[rank]


def _summary(ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(ms), 1), "p95_ms": round(_percentile(ms, 0.95), 1),
            "min_ms": round(min(ms), 1), "max_ms": round(max(ms), 1), "n": len(ms)}


def _vm(key: str) -> int:
    """VmHWM / VmRSS of this process in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _cpu_pressure() -> str | None:
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None


def prepare_db(db_dir: Path, rows: int) -> tuple[Path, dict[str, object]]:
    """The database for `rows` rows: generated once, reused while it has exactly those rows
    (rows a previous run's Refresh appended are deleted first)."""
    db = db_dir / f"axiom-{rows}.db"
    info: dict[str, object] = {"path": str(db), "generated": False, "journal_mode": "wal"}
    if db.exists():
        con = sqlite3.connect(db)
        try:
            con.execute("DELETE FROM token_usage WHERE id > ?", (rows,))
            con.commit()
            (n,) = con.execute("SELECT count(*) FROM token_usage").fetchone()
            con.execute("PRAGMA journal_mode = WAL")  # files made before generate.py switched to WAL
        finally:
            con.close()
        if n == rows:
            return db, info
    made = generate.generate(db, rows, days=365)
    info.update(generated=True, generate_seconds=made["seconds"])
    return db, info


def run_size(rows: int, runs: int, baseline_runs: int, db_dir: Path) -> dict[str, object]:
    db, db_info = prepare_db(db_dir, rows)
    result: dict[str, object] = {"rows": rows, "db": db_info, "cpu_pressure_before": _cpu_pressure()}
    today = last_day(db)
    states = filter_states(today)

    # Cold load: the mirror build, then what the first page needs.
    progress: list[tuple[float, int, int]] = []
    started = time.perf_counter()
    mirror = open_mirrored_source(db,
                                  progress=lambda done, total: progress.append((time.perf_counter() - started, done, total)))
    built = time.perf_counter() - started
    data = load_dataset(mirror, None, True)
    catalog_ready = time.perf_counter() - started
    usage_report(mirror, states[0], data.prices, data.catalog)
    first_page = time.perf_counter() - started
    result["cold_load"] = {
        "mirror_build_s": round(built, 2), "build_phases_s": mirror.build_phases,
        "with_catalog_s": round(catalog_ready, 2), "first_page_s": round(first_page, 2),
        "progress_calls": len(progress),
        "progress_monotonic": all(a[1] <= b[1] for a, b in zip(progress, progress[1:])),
        "progress_last": progress[-1][1:] if progress else None,
    }

    # Filter changes on the mirror.
    mirror_ms: dict[str, list[float]] = {_label(f): [] for f in states}
    for _ in range(runs):
        for f in states:
            t0 = time.perf_counter()
            usage_report(mirror, f, data.prices, data.catalog)
            mirror_ms[_label(f)].append((time.perf_counter() - t0) * 1000)

    # Refresh: nothing new, then after each append of 10,000 rows.
    t0 = time.perf_counter()
    idle = mirror.refresh()
    idle_s = time.perf_counter() - t0
    refreshes, appended_ok = [], True
    for _ in range(max(1, min(runs, 3))):
        generate.append_rows(db, APPEND_ROWS)
        stats = mirror.refresh()
        refreshes.append(stats.seconds)
        appended_ok &= stats.appended == APPEND_ROWS and not stats.rebuilt
    result["refresh"] = {"no_change_s": round(idle_s, 3), "no_change_appended": idle.appended,
                         "after_10k_s": [round(s, 3) for s in refreshes],
                         "after_10k_median_s": round(statistics.median(refreshes), 3),
                         "appended_10k_each": appended_ok}
    result["peak_rss_mirror_bytes"] = _vm("VmHWM")
    result["rss_mirror_bytes"] = _vm("VmRSS")

    # Baseline: the same states on the attached SQLite; every state compared with the mirror.
    direct = open_source(db)
    ddata = load_dataset(direct, None, True)
    base_ms: dict[str, list[float]] = {_label(f): [] for f in states}
    mismatches: list[str] = []
    for run in range(baseline_runs):
        for f in states:
            t0 = time.perf_counter()
            rep = usage_report(direct, f, ddata.prices, ddata.catalog)
            base_ms[_label(f)].append((time.perf_counter() - t0) * 1000)
            if run == 0:
                mismatches += compare_reports(usage_report(mirror, f, ddata.prices, ddata.catalog), rep, _label(f))
    direct.close()
    mirror.close()

    all_mirror = [v for vs in mirror_ms.values() for v in vs]
    all_base = [v for vs in base_ms.values() for v in vs]
    result["mirror"] = _summary(all_mirror)
    result["baseline"] = _summary(all_base)
    result["ratio_median"] = round(statistics.median(all_base) / statistics.median(all_mirror), 1)
    result["per_state"] = {
        k: {"mirror_median_ms": round(statistics.median(mirror_ms[k]), 1),
            "baseline_median_ms": round(statistics.median(base_ms[k]), 1)} for k in mirror_ms}
    result["mismatches"] = mismatches[:20]
    result["mismatch_count"] = len(mismatches)
    result["peak_rss_bytes"] = _vm("VmHWM")
    result["cpu_pressure_after"] = _cpu_pressure()
    return result


# --- the command ---------------------------------------------------------------------------

def machine() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import duckdb

    return {"cores": os.cpu_count(), "cpu": cpu, "memory_bytes": mem, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "sqlite": sqlite3.sqlite_version, "platform": platform.platform()}


def print_table(results: list[dict[str, object]]) -> None:
    head = ("rows", "mirror med", "mirror p95", "baseline med", "baseline p95", "ratio", "cold load",
            "refresh 10k", "refresh idle", "peak RSS", "equal")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in results:
        m, b = r["mirror"], r["baseline"]
        print(" | ".join([
            f"{r['rows']:,}", f"{m['median_ms']} ms", f"{m['p95_ms']} ms", f"{b['median_ms']} ms",
            f"{b['p95_ms']} ms", f"{r['ratio_median']}x", f"{r['cold_load']['mirror_build_s']} s",
            f"{r['refresh']['after_10k_median_s']} s", f"{r['refresh']['no_change_s']} s",
            f"{r['peak_rss_bytes'] / 2**20:.0f} MiB", "yes" if r["mismatch_count"] == 0 else f"NO ({r['mismatch_count']})",
        ]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=5, help="timed passes over the filter states on the mirror")
    parser.add_argument("--baseline-runs", type=int, default=2,
                        help="passes on the attached SQLite (slow: ~4 s a state at 10M rows)")
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "bench")
    parser.add_argument("--check", action="store_true", help="correctness only, on a small database")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child process: one size
    args = parser.parse_args(argv)

    if args.check:
        failures = 0
        for rows in args.rows:
            t0 = time.perf_counter()
            problems = check(rows)
            print(f"check {rows:,} rows: {'ok' if not problems else f'{len(problems)} differences'} "
                  f"({time.perf_counter() - t0:.1f} s)")
            for p in problems[:20]:
                print("  " + p)
            failures += bool(problems)
        return 1 if failures else 0

    if args.one:
        result = run_size(args.rows[0], args.runs, args.baseline_runs, args.db_dir)
        print(json.dumps(result))
        return 0

    args.db_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in args.rows:
        print(f"== {rows:,} rows", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, __file__, "--one", "--rows", str(rows), "--runs", str(args.runs),
                               "--baseline-runs", str(args.baseline_runs), "--db-dir", str(args.db_dir)],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
              "runs": args.runs, "baseline_runs": args.baseline_runs, "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2))
    print_table(results)
    print(f"\n{report['machine']['cores']} cores, {report['machine']['cpu']}; saved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
