"""The issue's own setup for reads stalling the agent's commits, with the real page as the reader.

bench/soak.py drives the query layer from a process; this drives the app itself: a signed-in
chromium page on the real server presses Refresh every `--every` seconds while an independent
writer (bench/soak.py's `writer_main`, Python's sqlite3 with SQLite's default busy handler,
one row per transaction) writes at `--rate` rows/s into a rollback-journal (or WAL) database
that the server reads. It prints the writer's summary: writes over 100 ms, and of those the
ones that were not waiting for a CPU (on tmpfs nothing else than a lock makes a write wait).

    python bench/page_soak.py --prefill 20000 --seconds 40          # the issue's setup
    python bench/page_soak.py --prefill 1000000 --journal delete --dir /dev/shm

Loopback only; every loop is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "browser")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import soak  # noqa: E402  (bench/soak.py)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rate", type=int, default=150, help="rows per second (the issue: about 150)")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between two presses of Refresh")
    parser.add_argument("--prefill", type=int, default=20_000)
    parser.add_argument("--journal", choices=("delete", "wal"), default="delete")
    parser.add_argument("--dir", default=None, help="where the database goes (/dev/shm: no fsync in the writer)")
    args = parser.parse_args(argv)

    import live_server
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="page-soak-", dir=args.dir) as tmp:
        db = Path(tmp) / "openagent.db"
        soak.make_database(db, args.journal, args.prefill)
        ctx = mp.get_context("spawn")
        ready, start, results = ctx.Event(), ctx.Event(), ctx.Queue()
        writer = ctx.Process(target=soak.writer_main, daemon=True,
                             args=(str(db), args.journal, args.rate, args.seconds, ready, start, results, "sqlite3"))
        writer.start()
        ready.wait(60)
        server_dir = Path(tmp) / "server"
        server_dir.mkdir()
        presses = 0
        with live_server.running_server(server_dir, {"USAGE_DB": str(db)}) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=live_server.CHROMIUM, headless=True,
                                         args=live_server.CHROMIUM_ARGS)
            page = browser.new_page(viewport=live_server.VIEWPORT)
            page.goto(srv.url + "/")
            page.get_by_label("Admin password").fill(srv.password)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Estimated Cost").first).to_be_visible(timeout=240_000)  # the mirror is built
            start.set()
            end = time.monotonic() + args.seconds
            refresh = page.get_by_role("button", name="Refresh")
            while time.monotonic() < end:
                refresh.click()
                presses += 1
                page.wait_for_timeout(args.every * 1000)
            browser.close()
            log = srv.log_text()
        writer.join(args.seconds + 60)
        summary = results.get(timeout=10)
    keep = ("rows_written", "writes", "failures", "slow_writes", "slow_lock_waits", "max_lock_wait", "p50", "p99",
            "max", "slowest")
    print(json.dumps({"journal": args.journal, "prefill": args.prefill, "rate": args.rate, "seconds": args.seconds,
                      "refresh_presses": presses, "tracebacks_in_server_log": log.count("Traceback"),
                      **{k: summary.get(k) for k in keep}}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
