"""The Claude Code source's store: logs parsed once, then only the bytes appended to each file.

Expected turns come from `oracle_claude_turns` (the logs read with Python's json), never from the
store itself.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from factories import ClaudeProjects, Turn, oracle_claude_turns, random_claude_projects, user_line
from queries.sources.claude_code import acquire_store, release_store, store_path


def store_turns(store) -> list[tuple]:
    """(session, model, input, output, cache read, cache write, 1h write, subagent) of every turn, sorted."""
    rows = store.connection.execute(
        "SELECT session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
        "cache_write_1h_tokens, subagent FROM claude_turns").fetchall()
    return sorted(rows)


def oracle_turns(root: Path) -> list[tuple]:
    sessions, _malformed = oracle_claude_turns(root)
    return sorted((t["session_id"], t["model"], t["input_tokens"], t["output_tokens"], t["cache_read_tokens"],
                   t["cache_write_tokens"], t["cache_write_1h_tokens"], t["subagent"])
                  for turns in sessions.values() for t in turns)


@pytest.fixture
def store_of():
    opened = []

    def refreshed(projects: ClaudeProjects):
        store = acquire_store(projects.root)
        opened.append(store)
        return store

    yield refreshed
    for store in opened:
        release_store(store)


def turn(n: int, output: int = 10, session: str = "s1", request: str | None = None) -> str:
    return Turn(f"msg_{n}", request or f"req_{n}", f"2026-03-20T10:{n:02d}:00Z", "claude-opus-4-7", 100 + n,
                output).line(session)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_a_store_equals_the_oracle_on_random_logs(claude_projects, store_of):
    random_claude_projects(11, claude_projects, n_sessions=20)
    store = store_of(claude_projects)
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert store.counts()["malformed_lines"] == oracle_claude_turns(claude_projects.root)[1]


def test_appended_lines_show_up_after_a_refresh_and_only_they_are_read(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    size_before = path.stat().st_size
    append(path, turn(3) + "\n" + user_line("s1", "2026-03-20T10:04:00Z") + "\n")
    result = store.refresh()
    assert result.bytes_read == path.stat().st_size - size_before  # the appended bytes, nothing before
    assert [r[2] for r in store_turns(store)] == [101, 102, 103]


def test_a_half_written_line_waits_until_it_is_complete(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1)])
    store = store_of(claude_projects)
    line = turn(2)
    append(path, line[:40])  # Claude Code is mid-write
    store.refresh()
    assert len(store_turns(store)) == 1 and store.counts()["malformed_lines"] == 0
    append(path, line[40:] + "\n")
    store.refresh()
    assert [r[2] for r in store_turns(store)] == [101, 102]
    assert store.counts()["malformed_lines"] == 0


def test_a_response_completed_in_a_later_refresh_keeps_its_final_usage(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1, output=5)])
    store = store_of(claude_projects)
    append(path, turn(1, output=50) + "\n")  # the same message id + request id, more output
    store.refresh()
    assert [(r[3]) for r in store_turns(store)] == [50]
    assert store.counts()["duplicate_lines"] == 1


def test_a_truncated_file_loses_its_old_turns(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2), turn(3)])
    store = store_of(claude_projects)
    inode = path.stat().st_ino
    with path.open("r+", encoding="utf-8") as handle:  # same inode, fewer bytes
        handle.truncate(0)
        handle.write(turn(7) + "\n")
    assert path.stat().st_ino == inode
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert [r[2] for r in store_turns(store)] == [107]


def test_a_replaced_file_is_read_again_from_the_start(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    replacement = path.with_suffix(".tmp")
    replacement.write_text("".join(t + "\n" for t in (turn(1, output=99), turn(4), turn(5), turn(6))), encoding="utf-8")
    os.replace(replacement, path)  # another inode, and longer than before: not an append
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert sorted(r[3] for r in store_turns(store)) == [10, 10, 10, 99]


def test_a_deleted_file_takes_its_turns_with_it(claude_projects, store_of):
    keep = claude_projects.session_file("p", "s1", [turn(1)])
    gone = claude_projects.subagent_file("p", "s1", "agent-1", [turn(2), turn(3)])
    store = store_of(claude_projects)
    assert len(store_turns(store)) == 3
    gone.unlink()
    store.refresh()
    assert [r[2] for r in store_turns(store)] == [101]
    assert store.counts()["files"] == 1 and keep.exists()


def test_a_file_rewritten_in_place_is_read_again(claude_projects, store_of):
    """Seen through the last TAIL_BYTES before the offset (a change further back in an append-only
    log is not looked for: that would mean reading the file again on every refresh)."""
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    text = path.read_text(encoding="utf-8").replace('"text": "ok"}], "usage": {"input_tokens": 102',
                                                    '"text": "ok"}], "usage": {"input_tokens": 555')
    assert '"input_tokens": 555' in text
    path.write_text(text + turn(3) + "\n", encoding="utf-8")  # same inode, longer, earlier bytes changed
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)


def test_a_restart_reads_only_what_changed_while_it_was_down(claude_projects):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = acquire_store(claude_projects.root)
    release_store(store)  # the server stops; its store stays in the cache directory
    assert store_path(claude_projects.root).exists()
    append(path, turn(3) + "\n")
    store = acquire_store(claude_projects.root)
    try:
        assert store.last_refresh.bytes_read == len(turn(3)) + 1
        assert [r[2] for r in store_turns(store)] == [101, 102, 103]
    finally:
        release_store(store)


def test_random_appends_in_random_pieces_end_equal_to_the_oracle(claude_projects, tmp_path, store_of):
    """Seeded logs written into the projects directory in random byte pieces, a refresh after each."""
    source = random_claude_projects(5, ClaudeProjects(tmp_path / "full"), n_sessions=8)
    files = sorted(p for p in source.root.rglob("*.jsonl"))
    contents = {p: p.read_bytes() for p in files}
    written = {p: 0 for p in files}
    rng = random.Random(5)
    store = store_of(claude_projects)
    while any(written[p] < len(contents[p]) for p in files):
        for p in rng.sample(files, k=3):
            target = claude_projects.root / p.relative_to(source.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            piece = contents[p][written[p]:written[p] + rng.randrange(1, 900)]
            with target.open("ab") as handle:
                handle.write(piece)
            written[p] += len(piece)
        store.refresh()
    assert store_turns(store) == oracle_turns(source.root)
    assert store.counts()["malformed_lines"] == oracle_claude_turns(source.root)[1]


# ---------------------------------------------------------------------------------------
# Token Usage on the logs: cost with cache tokens, the initiator split, the canonical view.

from datetime import date  # noqa: E402

from queries.dates import DateRange  # noqa: E402
from queries.sources.claude_code import open_claude_code  # noqa: E402
from queries.usage import Filters, usage_report  # noqa: E402

MARCH = Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), "UTC"))


def report_of(projects: ClaudeProjects, settings: Path | None = None, use_library: bool = False):
    source = open_claude_code(projects.root)
    try:
        cat = source.kind.catalog(source)
        prices = source.kind.price_book(source, cat, settings, use_library)
        return usage_report(source, MARCH, prices, cat)
    finally:
        source.close()


def custom_json(tmp_path: Path, rates: dict) -> Path:
    path = tmp_path / "custom.json"
    path.write_text(__import__("json").dumps(rates), encoding="utf-8")
    return path


def test_one_request_is_priced_with_its_cache_reads_and_both_kinds_of_cache_writes(claude_projects, tmp_path):
    # input 1,000 x $3 + output 2,000 x $15 + cache read 10,000 x $0.30 + 5-minute writes 4,000 x $3.75
    # + 1-hour writes 3,000 x $6 (2 x input: custom.json names no 1-hour rate) = $69,000 / 1M = $0.069
    claude_projects.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "house-model", 1_000, 2_000,
                                                   7_000, 10_000, cache_write_1h_tokens=3_000).line("s1")])
    settings = custom_json(tmp_path, {"house-model": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheCreate": 3.75}})
    report = report_of(claude_projects, settings)
    assert report.totals.estimated_cost == pytest.approx(0.069, abs=1e-12)
    assert (report.totals.prompt_tokens, report.totals.completion_tokens) == (1_000, 2_000)


def test_a_request_above_200k_input_tokens_with_cache_takes_the_library_long_context_tier(claude_projects):
    # Anthropic's published claude-sonnet-4-5 prices above 200k input tokens (cache included):
    # input $6, output $22.50, cache read $0.60, 5-minute write $7.50, 1-hour write $12 per 1M.
    # 1,000 x 6 + 1,000 x 22.5 + 190,000 x 0.6 + 8,000 x 7.5 + 2,000 x 12 = 226,500 / 1M = $0.2265
    claude_projects.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "claude-sonnet-4-5", 1_000,
                                                   1_000, 10_000, 190_000, cache_write_1h_tokens=2_000).line("s1")])
    report = report_of(claude_projects, use_library=True)
    assert report.totals.estimated_cost == pytest.approx(0.2265, abs=1e-12)


def test_the_token_usage_report_matches_the_sessions_page_on_random_logs(claude_projects, tmp_path):
    from factories import RANDOM_AGENTX_RATES

    random_claude_projects(3, claude_projects, n_sessions=16)
    rates = {m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
             for m, r in RANDOM_AGENTX_RATES.items()}
    settings = custom_json(tmp_path, rates)
    report = report_of(claude_projects, settings)
    sessions, _ = oracle_claude_turns(claude_projects.root)
    from factories import claude_turn_cost
    turns = [t for ts in sessions.values() for t in ts if t["timestamp"] and t["timestamp"].startswith("2026-03")]
    expected = sum(claude_turn_cost(t, RANDOM_AGENTX_RATES.get(t["model"])) for t in turns)
    assert report.totals.estimated_cost == pytest.approx(expected, rel=1e-12)
    assert report.totals.requests == len(turns)
    assert report.totals.prompt_tokens == sum(t["input_tokens"] for t in turns)


def test_subagent_files_are_the_task_side_of_the_initiator_split(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "m", 100, 10).line("s1")])
    claude_projects.subagent_file("p", "s1", "agent-a", [Turn("m2", "r2", "2026-03-20T11:00:00Z", "m", 40, 2,
                                                              sidechain=True).line("s1")])
    day = next(d for d in report_of(claude_projects).daily if d.day == date(2026, 3, 20))
    assert (day.main_tokens, day.task_tokens, day.heartbeat_tokens) == (110, 42, 0)


def test_the_canonical_view_carries_cache_tokens_project_and_provider(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "m", 1, 2, 700, 900,
                                                   cache_write_1h_tokens=300).line("s1", cwd="/work/app")])
    source = open_claude_code(claude_projects.root)
    try:
        row = source.cursor().execute(
            "SELECT provider, initiator, prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens, "
            "cache_write_1h_tokens, project, stored_cost FROM requests").fetchall()
    finally:
        source.close()
    assert row == [("anthropic", "main", 1, 2, 900, 400, 300, "/work/app", 0.0)]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
@pytest.mark.parametrize("use_library", [True, False])
def test_the_hourly_rollup_gives_the_per_request_report_to_the_cent(claude_projects, tmp_path, zone, use_library):
    """The page reads the hourly rollup; it must give exactly what pricing every request gives."""
    from factories import RANDOM_AGENTX_RATES
    from queries.usage import requests_usage_report

    random_claude_projects(9, claude_projects, n_sessions=30)
    rates = {m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
             for m, r in RANDOM_AGENTX_RATES.items()}
    settings = None if use_library else custom_json(tmp_path, rates)
    filters = Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), zone))
    source = open_claude_code(claude_projects.root)
    try:
        cat = source.kind.catalog(source)
        prices = source.kind.price_book(source, cat, settings, use_library)
        from_rollup = usage_report(source, filters, prices, cat)
        assert source.rollup  # every threshold is 200,000: the rollup was read
        source.rollup = False
        per_request = requests_usage_report(source, filters, prices, cat)
    finally:
        source.close()
    assert from_rollup.as_json() == per_request.as_json()
    assert from_rollup.totals.estimated_cost > 0


def test_the_cli_reports_a_projects_directory_given_as_db(run_cli, claude_projects, tmp_path):
    from factories import RANDOM_AGENTX_RATES, claude_turn_cost

    random_claude_projects(4, claude_projects, n_sessions=10)
    rates = {m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
             for m, r in RANDOM_AGENTX_RATES.items()}
    settings = custom_json(tmp_path, rates)
    result = run_cli("report", "--db", claude_projects.root, "--settings", settings, "--no-price-library",
                     "--from", "2026-03-01", "--until", "2026-03-31", "--format", "json")
    assert result.code == 0, result.err
    sessions, _ = oracle_claude_turns(claude_projects.root)
    turns = [t for ts in sessions.values() for t in ts if t["timestamp"].startswith("2026-03")]
    totals = result.json()["totals"]
    assert totals["requests"] == len(turns)
    assert totals["estimated_cost"] == pytest.approx(
        sum(claude_turn_cost(t, RANDOM_AGENTX_RATES.get(t["model"])) for t in turns), rel=1e-12)
    listing = run_cli("sessions", "--db", claude_projects.root, "--format", "json")
    assert listing.code == 0, listing.err
    assert listing.json()["total"] == len(sessions)


def test_the_first_read_reports_its_progress_in_bytes_up_to_all_of_them(claude_projects):
    random_claude_projects(2, claude_projects, n_sessions=6)
    total = sum(p.stat().st_size for p in claude_projects.root.rglob("*.jsonl"))
    calls: list[tuple[int, int]] = []
    store = acquire_store(claude_projects.root, lambda done, of: calls.append((done, of)))
    release_store(store)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_the_hourly_rollup_kept_by_refreshes_equals_one_built_afresh(claude_projects, tmp_path, store_of):
    """Appends in random pieces, a deleted file, a truncated one and a replaced one, a refresh after each
    step: the rollup the refreshes kept equals the one aggregated from all turns at the end."""
    source = random_claude_projects(6, ClaudeProjects(tmp_path / "full"), n_sessions=10)
    files = sorted(source.root.rglob("*.jsonl"))
    contents = {p: p.read_bytes() for p in files}
    written = {p: 0 for p in files}
    rng = random.Random(6)
    store = store_of(claude_projects)
    targets = {p: claude_projects.root / p.relative_to(source.root) for p in files}
    while any(written[p] < len(contents[p]) for p in files):
        for p in rng.sample(files, k=4):
            targets[p].parent.mkdir(parents=True, exist_ok=True)
            piece = contents[p][written[p]:written[p] + rng.randrange(1, 1_500)]
            with targets[p].open("ab") as handle:
                handle.write(piece)
            written[p] += len(piece)
        store.refresh()
    targets[files[0]].unlink()
    store.refresh()
    with targets[files[1]].open("r+b") as handle:
        handle.truncate(len(contents[files[1]]) // 3)
    store.refresh()
    replacement = targets[files[2]].with_suffix(".new")
    replacement.write_bytes(contents[files[3]])
    os.replace(replacement, targets[files[2]])
    store.refresh()
    kept = store.connection.execute("SELECT * FROM cc.hourly ORDER BY ALL").fetchall()
    fresh = store.connection.execute("SELECT * FROM cc_hourly_rows(200000) ORDER BY ALL").fetchall()
    assert kept == fresh and kept
    assert store_turns(store) == oracle_turns(claude_projects.root)


def test_a_first_load_stopped_midway_is_finished_by_the_next_start(claude_projects, monkeypatch):
    """A kill during the first load (here: the third batch fails): the batches committed stay, and
    the next start reads the files not reached yet and rebuilds the turns."""
    from queries.sources import claude_code

    random_claude_projects(12, claude_projects, n_sessions=12)
    monkeypatch.setattr(claude_code, "BATCH_BYTES", 2_000)  # many small batches
    real_ingest, calls = claude_code.ClaudeCodeStore._ingest, []

    def failing_ingest(self, batch, first_line_id, copy_all=False):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        return real_ingest(self, batch, first_line_id, copy_all)

    monkeypatch.setattr(claude_code.ClaudeCodeStore, "_ingest", failing_ingest)
    with pytest.raises(KeyboardInterrupt):
        acquire_store(claude_projects.root)
    monkeypatch.setattr(claude_code.ClaudeCodeStore, "_ingest", real_ingest)
    store = acquire_store(claude_projects.root)
    try:
        assert store_turns(store) == oracle_turns(claude_projects.root)
        assert store.counts()["malformed_lines"] == oracle_claude_turns(claude_projects.root)[1]
    finally:
        release_store(store)
