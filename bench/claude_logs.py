"""Claude Code logs at scale (issue 12, item 4): 4 GB of seeded, realistic logs in 1,000 files,
then the figures the issue sets targets for, on this machine:

- first load (every line parsed into the store)   target <= 90 s
- refresh after 1,000 new lines in 10 files        target <= 1 s
- a filter change (the Token Usage report)         target <= 100 ms, median of several runs
- peak RSS of the process that does all of it      target <= 1.5 GB

    .venv/bin/python bench/claude_logs.py [--dir /tmp/cc-bench] [--gb 4] [--files 1000] [--runs 7]

The logs are generated once per (seed, size, files) into --dir and reused. Measuring runs in a
fresh child process so its peak RSS is its own (not the generator's). The store goes to a fresh
cache directory each run (a first load, not a restart).

Realistic shape (from real ~/.claude/projects logs): per exchange a user line (a prompt or a
tool result, the big ones), then the assistant's response written on 1-3 lines (one per
content block, same message id + request id, usage repeated), now and then a summary or
system line; sidechain turns in subagent files; cache reads and 5-minute / 1-hour writes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261201
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001",
          "claude-sonnet-4-20250514")
WORDS = ("the", "function", "returns", "a", "list", "of", "tokens", "and", "cost", "per", "model", "session",
         "file", "read", "write", "test", "passes", "error", "line", "value", "import", "duckdb", "query")


def _text(rng: random.Random, pool: str, n: int) -> str:
    start = rng.randrange(0, len(pool) - n - 1)
    return pool[start:start + n]


def generate(root: Path, total_bytes: int, n_files: int, seed: int = SEED) -> None:
    """Write `n_files` session logs (a fifth of them subagent files) of about total_bytes in all."""
    rng = random.Random(seed)
    pool = " ".join(rng.choice(WORDS) for _ in range(400_000))
    per_file = total_bytes // n_files
    start_day = datetime(2026, 9, 1, tzinfo=timezone.utc)
    n_main = n_files - n_files // 5
    sessions = []
    for i in range(n_files):
        project = f"-home-dev-project{i % 40}"
        if i < n_main:
            session = f"{i:08d}-{rng.randrange(16 ** 8):08x}-4000-8000-{rng.randrange(16 ** 12):012x}"
            sessions.append((project, session))
            path = root / project / f"{session}.jsonl"
            sidechain = False
        else:
            project, session = sessions[rng.randrange(len(sessions))]
            path = root / project / session / "subagents" / f"agent-{i:05d}.jsonl"
            sidechain = True
        path.parent.mkdir(parents=True, exist_ok=True)
        cwd = "/home/dev/" + project.rsplit("-", 1)[-1]
        moment = start_day + timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
        written, n = 0, 0
        with path.open("w", encoding="utf-8") as handle:
            while written < per_file:
                n += 1
                moment += timedelta(seconds=rng.randrange(2, 400))
                stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
                size = int(rng.paretovariate(1.2) * 400) if rng.random() < 0.5 else rng.randrange(20, 400)
                user = {"parentUuid": None, "isSidechain": sidechain, "userType": "external", "cwd": cwd,
                        "sessionId": session, "version": "2.0.31", "gitBranch": "main", "type": "user",
                        "message": {"role": "user", "content": [{"tool_use_id": f"toolu_{n}", "type": "tool_result",
                                                                 "content": _text(rng, pool, min(size, 60_000))}]},
                        "uuid": f"u-{i}-{n}", "timestamp": stamp}
                lines = [json.dumps(user)]
                model = MODELS[rng.randrange(len(MODELS))] if not sidechain else MODELS[2]
                usage = {"input_tokens": rng.randrange(1, 60), "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": rng.randrange(0, 180_000),
                         "output_tokens": rng.randrange(1, 2_500), "service_tier": "standard"}
                write = rng.randrange(0, 30_000) if rng.random() < 0.6 else 0
                one_hour = write if rng.random() < 0.2 else 0
                usage["cache_creation_input_tokens"] = write
                usage["cache_creation"] = {"ephemeral_5m_input_tokens": write - one_hour,
                                           "ephemeral_1h_input_tokens": one_hour}
                msg_id, req_id = f"msg_{seed}_{i}_{n}", f"req_{seed}_{i}_{n}"
                for block in range(rng.randrange(1, 4)):  # one line per content block, usage repeated
                    content = ([{"type": "text", "text": _text(rng, pool, rng.randrange(50, 1_500))}] if block == 0 else
                               [{"type": "tool_use", "id": f"toolu_{n}_{block}", "name": "Bash",
                                 "input": {"command": _text(rng, pool, rng.randrange(10, 200))}}])
                    record = {"parentUuid": f"u-{i}-{n}", "isSidechain": sidechain, "userType": "external",
                              "cwd": cwd, "sessionId": session, "version": "2.0.31", "gitBranch": "main",
                              "message": {"id": msg_id, "type": "message", "role": "assistant", "model": model,
                                          "content": content, "stop_reason": None, "usage": usage},
                              "requestId": req_id, "type": "assistant", "uuid": f"a-{i}-{n}-{block}",
                              "timestamp": stamp}
                    lines.append(json.dumps(record))
                if rng.random() < 0.01:
                    lines.append(json.dumps({"type": "summary", "summary": "Work on the dashboard",
                                             "leafUuid": f"a-{i}-{n}-0"}))
                text = "\n".join(lines) + "\n"
                handle.write(text)
                written += len(text)


def append_lines(root: Path, n_files: int, per_file: int, seed: int) -> int:
    """Append `per_file` new assistant lines to each of `n_files` logs (the newest day); lines written."""
    rng = random.Random(seed)
    files = sorted(root.glob("*/*.jsonl"))[:n_files]
    for k, path in enumerate(files):
        session = path.stem
        with path.open("a", encoding="utf-8") as handle:
            for n in range(per_file):
                record = {"type": "assistant", "sessionId": session, "cwd": "/home/dev/x",
                          "timestamp": f"2026-12-01T00:{n % 60:02d}:00.000Z", "requestId": f"req_new_{seed}_{k}_{n}",
                          "message": {"id": f"msg_new_{seed}_{k}_{n}", "model": MODELS[0], "role": "assistant",
                                      "content": [{"type": "text", "text": "x" * rng.randrange(50, 800)}],
                                      "usage": {"input_tokens": 10, "output_tokens": 20,
                                                "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 0}}}
                handle.write(json.dumps(record) + "\n")
    return n_files * per_file


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds this process has used (user + system, all threads): a figure the other
    processes on a shared machine do not inflate, unlike the wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    return round(os.getloadavg()[0], 1)


def measure(root: Path, runs: int) -> dict[str, object]:
    """The four figures, in this process (call in a fresh child)."""
    from queries.sources.claude_code import acquire_store, release_store

    shown = {"last": 0.0}

    def progress(done: int, total: int) -> None:
        if total and done / total - shown["last"] >= 0.1:
            shown["last"] = done / total
            print(f"  first load {done / total:4.0%}  {time.perf_counter() - t0:6.1f} s  rss {peak_rss_mb():6.0f} MB",
                  flush=True)

    load_before = load_average()
    t0, c0 = time.perf_counter(), cpu_s()
    store = acquire_store(root, progress)
    first_load, first_load_cpu = time.perf_counter() - t0, cpu_s() - c0
    counts = store.counts()
    print(f"  first load {first_load:.1f} s: {counts}", flush=True)

    refreshes, refresh_cpu = [], []
    for k in range(3):
        append_lines(root, 10, 100, seed=int(time.time()) + k)
        t, c = time.perf_counter(), cpu_s()
        store.refresh()
        refreshes.append(time.perf_counter() - t)
        refresh_cpu.append(cpu_s() - c)
    idle = []
    for _ in range(3):
        t = time.perf_counter()
        store.refresh()
        idle.append(time.perf_counter() - t)

    c = cpu_s()
    filter_times = filter_change_times(store, runs)
    filter_cpu = (cpu_s() - c) / runs
    result = {
        "bytes": sum(p.stat().st_size for p in root.rglob("*.jsonl")),
        "files": counts["files"], "turns": counts["turns"],
        "load_average_1min_before": load_before, "load_average_1min_after": load_average(), "cores": os.cpu_count(),
        "first_load_s": round(first_load, 1), "first_load_cpu_s": round(first_load_cpu, 1),
        "refresh_1000_lines_s": [round(x, 3) for x in refreshes],
        "refresh_1000_lines_cpu_s": [round(x, 3) for x in refresh_cpu],
        "refresh_nothing_new_s": [round(x, 3) for x in idle],
        "filter_change_ms": [round(x * 1000, 1) for x in filter_times],
        "filter_change_median_ms": round(statistics.median(filter_times) * 1000, 1),
        "filter_change_mean_cpu_ms": round(filter_cpu * 1000, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    release_store(store)
    return result


def filter_change_times(store, runs: int) -> list[float]:
    """Seconds per Token Usage report (totals, previous totals, days, breakdown) over the store,
    one filter state after another (ranges, a model), as the page computes it."""
    from queries.dates import DateRange
    from queries.sources.claude_code import open_claude_code
    from queries.usage import Filters, catalog, usage_report

    source = open_claude_code(store.root)
    try:
        cat = catalog(source)
        prices = source.kind.price_book(source, cat, None, True, None)
        models = [m for _p, m, _n in cat.pairs]
        states = [Filters(DateRange(date(2026, 9, 1), date(2026, 11, 29), "UTC")),
                  Filters(DateRange(date(2026, 10, 1), date(2026, 10, 31), "UTC")),
                  Filters(DateRange(date(2026, 9, 1), date(2026, 11, 29), "Europe/Berlin")),
                  Filters(DateRange(date(2026, 9, 1), date(2026, 11, 29), "UTC"), "anthropic", models[0])]
        times = []
        for k in range(runs):
            t = time.perf_counter()
            usage_report(source, states[k % len(states)], prices, cat)
            times.append(time.perf_counter() - t)
        return times
    finally:
        source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="/tmp/cc-bench")
    parser.add_argument("--gb", type=float, default=4.0)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.dir) / f"projects-{SEED}-{args.gb:g}gb-{args.files}"
    if args.measure:
        print("RESULT " + json.dumps(measure(root, args.runs)), flush=True)
        return 0
    marker = root / ".complete"
    if not marker.exists():
        t = time.perf_counter()
        print(f"generating {args.gb:g} GB in {args.files} files under {root} ...", flush=True)
        generate(root, int(args.gb * 1024 ** 3), args.files)
        marker.write_text("ok")
        print(f"  generated in {time.perf_counter() - t:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        child = subprocess.run([sys.executable, __file__, "--measure", "--dir", args.dir, "--gb", str(args.gb),
                                "--files", str(args.files), "--runs", str(args.runs)], env=env,
                               capture_output=True, text=True)
    sys.stdout.write(child.stdout)
    sys.stderr.write(child.stderr)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
