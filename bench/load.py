"""Load: many browser sessions changing filters at once on one server, checked for errors,
correct numbers and server memory (issue 6, item 5).

One command, from the repository root with the venv active (Debian's chromium installed):

    python bench/load.py --rows 1000000 --sessions 20 --seconds 60

It writes a fresh Axiom-shaped database (bench/generate.py, data ending now), starts
`streamlit run app.py` on it exactly as the browser tests do (tests/browser/live_server.py),
and opens `--sessions` browser contexts in one headless chromium (each context is its own
Streamlit session). One session signs in first, so the mirror is built (the cold load is
bench/run.py's figure); then the others arrive half a second apart. Every session logs in,
then for `--seconds` picks a random date
preset or provider in the toolbar, the way a person would, and waits for the Requests,
Total Tokens and Estimated Cost cards to show the CLI's numbers for that state (the CLI
reads the SQLite file directly; the server reads its DuckDB mirror). A card that does not
reach the expected value within `--answer-timeout` seconds, an exception box, an error
alert or a traceback in the server log counts as an error.

The server's resident memory is sampled every second; after the warm-up (every session
logged in and `--warmup` more seconds) it should stay flat. Printed as a table, saved to
bench/results/load-<UTC time>.json. The suite runs a short version
(tests/browser/test_load.py) for errors and numbers only; its timings are not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import platform
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import generate  # noqa: E402  (bench/generate.py)
from queries.dates import preset_range, today_in  # noqa: E402
from queries.formatting import fmt_usd  # noqa: E402

# The toolbar's labels (pages/common/filters.py) and the link values they stand for.
PRESET_LABELS = {"today": "Today", "yesterday": "Yesterday", "7d": "Last 7 days", "30d": "Last 30 days",
                 "90d": "Last 90 days", "this-month": "This month", "last-month": "Last month"}
ALL_PROVIDERS = "All providers"
# A first view includes loading Streamlit's page (~40 s with 20 pages opening at once in one
# chromium on the 2 cores it shares with the server: measured) and, for the warm-up session,
# the mirror build; then the login.
FIRST_VIEW_TIMEOUT_S = 240
STAGGER_S = 0.5  # sessions arrive half a second apart, not in the same millisecond
RESULTS = ROOT / "bench" / "results"
SHOTS = ROOT / "artifacts" / "load"  # git-ignored: a screenshot and the page text of each failed check


def browser_helpers():
    """tests/browser/live_server.py: the browser tests' server (`running_server`) and chromium
    settings, so the load runs on exactly the same setup."""
    folder = str(ROOT / "tests" / "browser")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import live_server

    return live_server


@dataclass
class SessionLog:
    """What one browser session did: filter changes checked, their answer times, errors."""

    changes: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: page opened, form shown, first view
    answer_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def expected_totals(db: Path, presets: list[str], providers: list[str | None]) -> dict[tuple[str, str | None], dict]:
    """The CLI's totals (direct reads of the SQLite file) for every state the sessions may pick."""
    import cli

    today = today_in("UTC")
    out: dict[tuple[str, str | None], dict] = {}
    for preset in presets:
        rng = preset_range(preset, today)
        for provider in providers:
            args = ["report", "--db", str(db), "--format", "json", "--from", str(rng.start), "--until", str(rng.end)]
            if provider:
                args += ["--provider", provider]
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                assert cli.main(args) == 0, f"cli.py {' '.join(args)} failed"
            out[(preset, provider)] = json.loads(buffer.getvalue())["totals"]
    return out


def card_texts(totals: dict) -> dict[str, str]:
    """The three KPI values as the page writes them (same rule as tests/browser's expect_kpis)."""
    cost = totals["estimated_cost"]
    return {"Requests": f"{totals['requests']:,}", "Total Tokens": f"{totals['total_tokens']:,}",
            "Estimated Cost": fmt_usd(cost)}


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def one_session(browser, url: str, password: str, seconds: float, expected: dict, providers: list[str | None],
                      seed: int, answer_timeout: float, logged_in: asyncio.Event | None,
                      shots: Path | None = None, delay: float = 0.0, min_changes: int = 0) -> SessionLog:
    """A person with the dashboard open: log in through a link, then keep changing filters for
    `seconds`, and at least `min_changes` times (each change then checked)."""
    from playwright.async_api import expect

    log, rng = SessionLog(), random.Random(seed)
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(answer_timeout * 1000)
    page = await context.new_page()
    preset, provider = "7d", None

    def metric(label: str):
        card = page.get_by_test_id("stMetric").filter(
            has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        return card.get_by_test_id("stMetricValue")

    async def choose(label: str, option: str) -> None:
        await page.get_by_test_id("stSelectbox").get_by_role("combobox", name=label, exact=True).click()
        await page.get_by_role("option", name=option, exact=True).click()

    async def check() -> None:
        started = time.monotonic()
        want = card_texts(expected[(preset, provider)])
        try:
            for label, text in want.items():
                await expect(metric(label)).to_have_text(text, timeout=answer_timeout * 1000)
        except AssertionError:
            seen = {label: await metric(label).all_inner_texts() for label in want}
            log.errors.append(f"{preset}/{provider or '*'}: expected {want}, page shows {seen}")
            if shots:
                await page.screenshot(path=str(shots / f"load-error-{seed}-{len(log.errors)}.png"))
                (shots / f"load-error-{seed}-{len(log.errors)}.txt").write_text(await page.inner_text("body"))
            return
        if await page.get_by_test_id("stException").count():
            log.errors.append(f"{preset}/{provider or '*'}: an exception box is shown")
        elif await page.get_by_test_id("stAlertContentError").count():
            log.errors.append(f"{preset}/{provider or '*'}: an error alert is shown")
        log.answer_seconds.append(time.monotonic() - started)
        log.changes += 1

    SHOTS.mkdir(parents=True, exist_ok=True)
    opened = time.monotonic()
    try:
        await page.goto(f"{url}/?range={preset}", timeout=FIRST_VIEW_TIMEOUT_S * 1000)
        log.phases["page_loaded"] = round(time.monotonic() - opened, 2)
        # As a person would: wait for the form, type, press Sign in, wait for the page. (Pressing
        # again while the server is busy would restart the run that is loading the data.)
        await page.get_by_label("Admin password").wait_for(timeout=FIRST_VIEW_TIMEOUT_S * 1000)
        log.phases["form_shown"] = round(time.monotonic() - opened, 2)
        await page.wait_for_timeout(750)
        await page.get_by_label("Admin password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await metric("Requests").wait_for(timeout=FIRST_VIEW_TIMEOUT_S * 1000)
        await check()
        log.phases["first_view"] = round(time.monotonic() - opened, 2)
        if logged_in:
            logged_in.set()
        deadline, made = time.monotonic() + seconds, 0
        while time.monotonic() < deadline or made < min_changes:
            made += 1
            if rng.random() < 0.6:
                preset = rng.choice(list(PRESET_LABELS))
                await choose("Date range", PRESET_LABELS[preset])
            else:
                provider = rng.choice(providers)
                await choose("Provider", provider or ALL_PROVIDERS)
            await check()
    except Exception as exc:  # a timeout or a vanished element: this session's error, the run goes on
        log.errors.append(f"{preset}/{provider or '*'}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
    finally:
        await context.close()
    return log


async def drive(url: str, password: str, sessions: int, seconds: float, expected: dict,
                providers: list[str | None], answer_timeout: float,
                min_changes: int = 0) -> tuple[list[SessionLog], float | None]:
    """Run every session in one chromium; returns their logs and when (time.monotonic()) the last
    one had logged in, or None if some never did."""
    helpers = browser_helpers()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=helpers.CHROMIUM, headless=True,
                                             args=helpers.CHROMIUM_ARGS)
        try:
            # Warm-up: one session signs in first, so the mirror is built before the crowd arrives.
            warm = await one_session(browser, url, password, 0, expected, providers, -1, answer_timeout, None, SHOTS)
            if warm.errors:
                return [warm], None
            events = [asyncio.Event() for _ in range(sessions)]
            tasks = [asyncio.create_task(one_session(browser, url, password, seconds, expected, providers, seed,
                                                     answer_timeout, events[seed], SHOTS, seed * STAGGER_S,
                                                     min_changes))
                     for seed in range(sessions)]
            try:
                await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), FIRST_VIEW_TIMEOUT_S + 60)
                all_in: float | None = time.monotonic()
            except asyncio.TimeoutError:
                all_in = None
            logs = await asyncio.gather(*tasks)
            return list(logs), all_in
        finally:
            await browser.close()


def run(rows: int, sessions: int, seconds: float, workdir: Path, warmup: float = 10.0,
        answer_timeout: float = 60.0, min_changes: int = 0) -> dict[str, object]:
    """Generate, serve, load; returns the figures (see the module doc). Each session changes
    filters for `seconds` and at least `min_changes` times (a test: a count, not a time)."""
    db = workdir / "data" / "db" / "openagent.db"
    made = generate.generate(db, rows)
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [p for (p,) in con.execute("SELECT provider FROM token_usage GROUP BY provider "
                                           "ORDER BY count(*) DESC LIMIT 3")]
    finally:
        con.close()
    providers: list[str | None] = [None, *names]
    expected = expected_totals(db, list(PRESET_LABELS), providers)

    with browser_helpers().running_server(workdir, {"USAGE_DB": str(db)}) as server:
        samples: list[tuple[float, int]] = []
        stop = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while not stop.is_set():
                samples.append((time.monotonic() - started, rss_bytes(server.process.pid)))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            logs, all_in = asyncio.run(drive(server.url, server.password, sessions, seconds, expected,
                                                   providers, answer_timeout, min_changes))
        finally:
            stop.set()
            sampler.join()
        log = server.log_text()

    warm_from = ((all_in - started) if all_in else seconds) + warmup
    warm = [rss for t, rss in samples if t >= warm_from]
    answers = sorted(s for entry in logs for s in entry.answer_seconds)
    errors = [e for entry in logs for e in entry.errors]
    if "Traceback" in log:
        errors.append("the server log holds a traceback")
    mib = 1024 * 1024
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "rows": rows, "db_generate_seconds": made.get("seconds"),
        "sessions": sessions, "seconds": seconds, "providers": providers,
        "filter_changes_checked": sum(entry.changes for entry in logs),
        "per_session_changes": [entry.changes for entry in logs],
        "session_phases_s": [entry.phases for entry in logs],
        "errors": len(errors), "error_examples": errors[:10],
        "answer_p50_s": round(statistics.median(answers), 3) if answers else None,
        "answer_p95_s": round(answers[int(0.95 * (len(answers) - 1))], 3) if answers else None,
        "all_logged_in_after_s": round(all_in - started, 1) if all_in else None,
        "rss_peak_mib": round(max(r for _, r in samples) / mib, 1) if samples else None,
        "rss_after_warmup_first_mib": round(warm[0] / mib, 1) if warm else None,
        "rss_after_warmup_last_mib": round(warm[-1] / mib, 1) if warm else None,
        "rss_after_warmup_max_mib": round(max(warm) / mib, 1) if warm else None,
        "rss_samples": [(round(t, 1), round(r / mib, 1)) for t, r in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds after the last login before RSS counts")
    parser.add_argument("--answer-timeout", type=float, default=60.0,
                        help="seconds a filter change may take before it counts as an error")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        result = run(args.rows, args.sessions, args.seconds, Path(tmp), args.warmup, args.answer_timeout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2))
    rows = [("rows", f"{result['rows']:,}"), ("sessions x seconds", f"{result['sessions']} x {result['seconds']:.0f}"),
            ("filter changes checked", f"{result['filter_changes_checked']:,}"), ("errors", str(result["errors"])),
            ("answer p50 / p95", f"{result['answer_p50_s']} s / {result['answer_p95_s']} s"),
            ("all logged in after", f"{result['all_logged_in_after_s']} s"),
            ("server RSS after warm-up: first / last / max",
             f"{result['rss_after_warmup_first_mib']} / {result['rss_after_warmup_last_mib']} / "
             f"{result['rss_after_warmup_max_mib']} MiB"),
            ("server RSS peak", f"{result['rss_peak_mib']} MiB")]
    for name, value in rows:
        print(f"{name:<46} {value}")
    for example in result["error_examples"]:
        print("error:", example)
    print(f"saved {out.relative_to(ROOT)}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
