"""The DuckDB mirror (queries/mirror.py): the same numbers as the direct read, kept up to date.

The reference is the direct path (the attached SQLite file through the adapter's view), which
test_usage/test_cli check against the plain-Python oracle; here the oracle also checks the
mirror directly on randomised data.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import threading
import time
from pathlib import Path
from datetime import date, datetime

import pytest

from factories import (RANDOM_SETTINGS, ROOT, AxiomDB, Usage, axiom_price_table, oracle_report, random_axiom,
                       sqlite_form)
from queries import load_dataset
from queries.dates import DateRange
from queries.mirror import MirroredSource, open_mirrored_source
from queries.sources import open_source
from queries.usage import Filters, usage_report

sys.path.insert(0, str(ROOT / "bench"))
from run import check, compare_reports  # noqa: E402  (bench/run.py)

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
STATES = [
    Filters(MARCH),
    Filters(DateRange(date(2026, 3, 10), date(2026, 3, 16))),
    Filters(DateRange(date(2026, 3, 20), date(2026, 3, 20))),
    Filters(MARCH, "openai"),
    Filters(MARCH, "openai", "gpt-4o"),
    Filters(MARCH, None, "gpt-4o"),
    Filters(DateRange(date(2026, 2, 1), date(2026, 4, 30), "Europe/Berlin")),   # DST change: rollup
    Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), "Asia/Kolkata")),   # +5:30: rows
    Filters(DateRange(date(2026, 3, 5), date(2026, 3, 25), "America/St_Johns"), "anthropic"),  # -3:30
]


def mismatches(db: AxiomDB, mirror: MirroredSource, settings=None) -> list[str]:
    """Every difference between the mirror's reports and the direct ones, over STATES."""
    direct = open_source(db.path)
    try:
        data = load_dataset(direct, settings, True)
        cat = load_dataset(mirror, settings, True).catalog
        # The example of an unreadable timestamp is any one of them (any_value), on both paths.
        assert (cat.pairs, cat.unparseable_timestamps) == (data.catalog.pairs, data.catalog.unparseable_timestamps)
        assert (cat.unparseable_example is None) == (data.catalog.unparseable_example is None)
        out: list[str] = []
        for f in STATES:
            out += compare_reports(usage_report(mirror, f, data.prices, data.catalog),
                                   usage_report(direct, f, data.prices, data.catalog), str(f))
        return out
    finally:
        direct.close()


@pytest.fixture
def filled(tmp_path) -> AxiomDB:
    return random_axiom(seed=7, n_rows=1500).write(AxiomDB(tmp_path / "openagent.db"))


@pytest.fixture
def mirror(filled):
    source = open_mirrored_source(filled.path)
    yield source
    source.close()


def run_sql(db: AxiomDB, statement: str, params: tuple = ()) -> None:
    con = sqlite3.connect(db.path)
    try:
        con.execute(statement, params)
        con.commit()
    finally:
        con.close()


# --- same numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mirror_reports_equal_the_direct_ones_on_random_data(tmp_path, write_settings, seed):
    db = random_axiom(seed=seed, n_rows=1200).write(AxiomDB(tmp_path / f"r{seed}.db"))
    settings = write_settings(RANDOM_SETTINGS)
    source = open_mirrored_source(db.path)
    try:
        assert source.rollup  # the page's blocks run on the rollup here
        assert mismatches(db, source, settings) == []
    finally:
        source.close()


def test_mirror_matches_the_plain_python_oracle(filled, mirror, write_settings):
    settings = write_settings(RANDOM_SETTINGS)
    data = load_dataset(mirror, settings, False)
    rows, sessions = filled.read()
    for tz in ("UTC", "Asia/Kolkata"):
        rep = usage_report(mirror, Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), tz)), data.prices,
                           data.catalog).as_json()
        want = oracle_report(rows, sessions, axiom_price_table(RANDOM_SETTINGS), date(2026, 3, 1),
                             date(2026, 3, 31), tz)
        assert rep["totals"]["requests"] == want["totals"]["requests"]
        assert rep["totals"]["total_tokens"] == want["totals"]["total_tokens"]
        assert rep["totals"]["estimated_cost"] == pytest.approx(want["totals"]["estimated_cost"])
        assert rep["by_initiator"] == want["by_initiator"]
        assert rep["unpriced_models"] == want["unpriced_models"]


def test_requests_view_keeps_the_canonical_columns(mirror):
    cur = mirror.cursor()
    cur.execute("SELECT * FROM requests LIMIT 1")
    assert [d[0] for d in cur.description] == [
        "request_id", "ts", "raw_ts", "provider", "model", "initiator", "task_kind", "channel",
        "session_id", "prompt_tokens", "completion_tokens", "stored_cost", "cache_read_tokens", "cache_write_tokens",
        "cache_write_1h_tokens", "project"]


def test_unreadable_timestamps_keep_their_text_and_are_counted(filled, mirror):
    direct = open_source(filled.path)
    try:
        q = "SELECT request_id, raw_ts FROM requests WHERE ts IS NULL ORDER BY request_id"
        assert mirror.cursor().execute(q).fetchall() == direct.cursor().execute(q).fetchall() != []
    finally:
        direct.close()


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_odd_values_in_typed_columns_read_exactly_like_the_direct_view(make_axiom_db, journal):
    """Text, reals, blobs and NULLs where Axiom writes integers (a hand-edited database): a WAL
    file's fast typed copy stops at them and the mirror is copied as text, like the direct view
    reads it (a rollback-journal file is always copied as text, in id ranges)."""
    db = make_axiom_db("loose.db", loose=True)
    run_sql(db, f"PRAGMA journal_mode = {journal}")
    db.session("s1", type="task")
    odd = [("12abc", 5, 0.0), (1.5, 2, "0.5x"), (None, None, None), (b"\x00blob", 3, 0.1), ("42", "7", "0.25"),
           (1e30, 1, 0.3), (-5, 10, -0.2), (100, 200, 0.1 + 0.2)]
    db.usages([Usage(f"2026-03-{10 + i:02d} 10:00:00", "openai", "gpt-4o", p, c, cost, "s1" if i % 2 else None)
               for i, (p, c, cost) in enumerate(odd)])
    source = open_mirrored_source(db.path)
    try:
        assert source.rows == len(odd)
        assert mismatches(db, source) == []
        db.usages([Usage("2026-03-25 10:00:00", "openai", "gpt-4o", "9x", 1.25, "abc", "s1")])
        stats = source.refresh()
        assert (stats.appended, stats.rebuilt) == (1, False)
        assert mismatches(db, source) == []
        assert source.refresh().rebuilt is False  # the checksums agree with what was copied
    finally:
        source.close()


def test_fast_timestamp_reading_equals_the_adapters_cast(mirror):
    """axiom_ts takes the plain TIMESTAMP cast for Axiom's two shapes; on mutated strings of those
    shapes it must equal TRY_CAST(x AS TIMESTAMPTZ) AT TIME ZONE 'UTC' exactly."""
    rng = random.Random(5)
    alphabet = "0123456789" * 3 + "-: T.Z+/aAzZ"
    values = {"2024-02-29 10:00:00", "2026-02-29 10:00:00", "2026-03-20 24:00:00", "2026-12-31 23:59:60",
              "0000-01-01 00:00:00", "2026-03-20T24:00:00.000Z", "2026-03-20 10:00+05:0"}
    for base in ("2026-03-20 10:00:00", "2026-03-20T10:00:00.250Z"):
        for _ in range(20_000):
            chars = list(base)
            for _ in range(rng.randint(1, 3)):
                chars[rng.randrange(len(chars))] = rng.choice(alphabet)
            values.add("".join(chars))
    cur = mirror.cursor()
    cur.execute("CREATE TEMP TABLE stamps (x VARCHAR)")
    cur.executemany("INSERT INTO stamps VALUES (?)", [[v] for v in values])
    differ = cur.execute("SELECT x FROM stamps WHERE axiom_ts(x) IS DISTINCT FROM "
                         "(TRY_CAST(x AS TIMESTAMPTZ) AT TIME ZONE 'UTC')").fetchall()
    assert differ == []
    assert cur.execute("SELECT count(*) FROM stamps WHERE axiom_ts(x) IS NOT NULL").fetchone()[0] > 1000


# --- refresh ----------------------------------------------------------------------------------

def test_refresh_with_nothing_new_appends_nothing(mirror):
    stats = mirror.refresh()
    assert (stats.appended, stats.rebuilt, stats.sessions_changed) == (0, False, 0)
    assert stats.rows == 1500


def test_refresh_appends_new_rows_only(filled, mirror):
    extra = random_axiom(seed=99, n_rows=300)
    filled.sessions_rows([("new-s", "heartbeat", "task")])
    filled.usages(extra.usage + [Usage("2026-03-20 10:00:00", "openai", "gpt-4o", 5, 5, 0.0, "new-s")])
    stats = mirror.refresh()
    assert (stats.appended, stats.rebuilt, stats.rows) == (301, False, 1801)
    assert stats.sessions_changed == 1  # the new session
    assert mismatches(filled, mirror) == []


@pytest.mark.parametrize("journal", ["delete", "wal"])  # sessions read in rowid ranges / in one scan
def test_a_session_changing_type_moves_its_tokens_without_a_rebuild(filled, journal):
    run_sql(filled, f"PRAGMA journal_mode = {journal}")
    mirror = open_mirrored_source(filled.path)
    try:
        _a_session_changes_type(filled, mirror)
    finally:
        mirror.close()


def _a_session_changes_type(filled, mirror):
    cur = sqlite3.connect(filled.path)
    (sid,) = cur.execute("SELECT session_id FROM token_usage t JOIN sessions s ON s.id = t.session_id "
                         "WHERE s.type = 'interactive' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
    cur.close()
    run_sql(filled, "UPDATE sessions SET type = 'heartbeat' WHERE id = ?", (sid,))
    stats = mirror.refresh()
    assert (stats.appended, stats.rebuilt, stats.sessions_changed) == (0, False, 1)
    assert mismatches(filled, mirror) == []
    # ...and a task for an orphaned session id gives its rows a task kind.
    run_sql(filled, "INSERT INTO tasks (id, name, prompt, trigger_type, session_id) "
                    "VALUES ('t-orphan', 'n', 'p', 'cronjob', 'orphan-1')")
    assert mirror.refresh().sessions_changed == 1
    assert mismatches(filled, mirror) == []


def test_rewritten_tokens_and_costs_are_noticed_and_rebuilt(filled, mirror):
    run_sql(filled, "UPDATE token_usage SET prompt_tokens = prompt_tokens + 1000, estimated_cost = 0.25 "
                    "WHERE id % 40 = 0")
    stats = mirror.refresh()
    assert stats.rebuilt and stats.reason
    assert mismatches(filled, mirror) == []


def test_a_rewrite_among_the_newest_rows_is_always_noticed(filled, mirror):
    run_sql(filled, "UPDATE token_usage SET completion_tokens = 77777 WHERE id = (SELECT max(id) - 3 FROM token_usage)")
    assert mirror.refresh().rebuilt
    assert mismatches(filled, mirror) == []


def test_deleted_rows_are_noticed_and_rebuilt(filled, mirror):
    run_sql(filled, "DELETE FROM token_usage WHERE id % 7 = 0")
    stats = mirror.refresh()
    assert stats.rebuilt and stats.rows == 1500 - 1500 // 7
    assert mismatches(filled, mirror) == []


def test_refresh_waits_out_the_agents_commit_on_a_rollback_journal_file(filled, mirror):
    from factories import WriteLockHolder

    with WriteLockHolder(filled.path, seconds=0.5) as agent:  # readers must wait (rollback journal)
        stats = mirror.refresh()  # retried in short steps until the commit is done
        assert agent.wait() == 0
    assert stats.appended == 1 and not stats.rebuilt


def test_a_lock_held_past_the_budget_fails_the_refresh_and_keeps_the_mirror(filled, mirror, monkeypatch):
    import duckdb

    import queries.sqlite
    from factories import WriteLockHolder

    monkeypatch.setattr(queries.sqlite, "LOCK_BUDGET_S", 0.2)
    with WriteLockHolder(filled.path, seconds=60) as agent:
        with pytest.raises(duckdb.Error, match="locked"):
            mirror.refresh()
        assert mirror.rows == 1500
        assert mirror.cursor().execute("SELECT count(*) FROM requests").fetchone()[0] == 1500
        assert agent.release() == 0
    assert mirror.refresh().appended == 1  # once the agent is done, the next Refresh catches up


def _agent_adds_rows_and_sessions(db: AxiomDB, rows: int, sessions: int) -> None:
    """New sessions (one of them a task) and `rows` new requests spread over them, as the agent writes."""
    for k in range(sessions):
        db.session(f"new-{k}", type="task" if k == 0 else "interactive")
    db.usages([Usage(f"2026-03-{1 + i % 28:02d} 10:00:00", "openai", "gpt-4o", 10 + i, 1, 0.0, f"new-{i % sessions}")
               for i in range(rows)])
    run_sql(db, "UPDATE sessions SET type = 'heartbeat' WHERE id = 'new-1'")  # a session changing type


def test_every_read_of_the_agents_file_lets_go_of_sqlites_lock_when_it_returns(filled, mirror, monkeypatch):
    """On a rollback-journal file our SHARED lock holds back the agent's commit, so it must end with
    each statement. A result read with fetchone() kept it until the cursor's next statement, which
    chained statements into one long hold. Another process looks at the lock after every read of a
    refresh (counts, checksums, sessions, new rows) and of a rebuild: a state, no clock involved."""
    import os

    import queries.mirror
    from soak import SharedLockProbe

    _agent_adds_rows_and_sessions(filled, rows=30, sessions=3)
    holders: list[int | None] = []
    real = queries.mirror.read_source
    with SharedLockProbe(filled.path) as probe:
        assert probe.holder() is None
        cursor = mirror.cursor()  # the probe does see our lock while a statement's result is open
        cursor.execute("SELECT id FROM src.token_usage")
        assert probe.holder() == os.getpid()
        cursor.close()

        def read_and_look(cur, statement, params=None):
            row = real(cur, statement, params)
            holders.append(probe.holder())
            return row

        monkeypatch.setattr(queries.mirror, "read_source", read_and_look)
        stats = mirror.refresh()
        reads_in_refresh = len(holders)
        mirror.rebuild()
    assert (stats.appended, stats.rebuilt, stats.sessions_changed) == (30, False, 3)
    assert reads_in_refresh >= 8 and len(holders) > reads_in_refresh
    assert holders == [None] * len(holders)
    assert mismatches(filled, mirror) == []


def test_a_read_in_progress_keeps_its_lock_through_a_refresh_that_looks_at_the_files_header(filled, mirror):
    """SQLite's locks are POSIX locks: closing any descriptor of the file drops all of this
    process's locks on it. Reading the header to tell WAL from rollback journal opened and closed
    the file, which silently dropped the SHARED lock of a read in progress on another cursor."""
    import os

    from soak import SharedLockProbe

    reading = mirror.cursor()
    reading.execute("SELECT id FROM src.token_usage")  # a read in progress: its result is open
    with SharedLockProbe(filled.path) as probe:
        assert probe.holder() == os.getpid()
        stats = mirror.refresh()  # looks at the header (is_wal_file) several times
        assert probe.holder() == os.getpid()
    assert reading.fetchone() is not None
    reading.close()
    assert (stats.appended, stats.rebuilt) == (0, False)


def test_a_refresh_and_a_rebuild_read_the_agents_file_in_bounded_ranges(filled, mirror, monkeypatch):
    """Each statement that reads the agent's file reads at most a chunk of ids (or rowids): a
    statement that read a whole table (the sessions, the copy) or every new row at once held the
    agent's commit back as long as it ran. The sizes are made tiny here, so any statement outside
    the ranges shows; what is read is then checked against the direct path."""
    import queries.mirror
    from queries.sql import sql

    limits = {"COUNT_CHUNK": 100, "ROW_CHUNK": 40, "SESSION_CHUNK": 5, "SAMPLE_WIDTH": 20}
    for name, value in limits.items():
        monkeypatch.setattr(queries.mirror, name, value, raising=False)
    from queries.sources.axiom import KIND

    blocks = dict(KIND.mirror.blocks)
    # Statements that read no range: lookups at the ends of primary keys (min and max), no scan.
    lookups = {sql(blocks["bounds"]), sql(blocks.get("session_bounds", blocks["bounds"]))}
    limit_of = {sql(blocks["count"]): 100, sql(blocks["fetch_new"]): 40, sql(blocks["copy_range"]): 40,
                sql(blocks["checksum"]): 20}
    for name in ("sessions_chunk", "tasks_chunk"):
        if name in blocks:
            limit_of[sql(blocks[name])] = 5
    reads: list[tuple[str, dict | None]] = []
    real = queries.mirror.read_source
    monkeypatch.setattr(queries.mirror, "read_source",
                        lambda cur, statement, params=None: reads.append((statement, params))
                        or real(cur, statement, params))

    _agent_adds_rows_and_sessions(filled, rows=300, sessions=12)
    stats = mirror.refresh()
    assert (stats.appended, stats.rebuilt) == (300, False)
    assert mismatches(filled, mirror) == []
    mirror.rebuild()
    assert mirror.rows == 1800 and mismatches(filled, mirror) == []

    unbounded = [statement[:120] for statement, params in reads
                 if statement not in lookups and statement not in limit_of]
    assert unbounded == []
    too_wide = [(statement[:60], params) for statement, params in reads if statement in limit_of
                and params["hi"] - params["lo"] > limit_of[statement]]
    assert too_wide == []
    assert sum(statement == sql(blocks["fetch_new"]) for statement, _ in reads) == 300 // 40 + 1


def test_rows_counted_in_short_id_ranges_still_notice_one_deleted_row(filled, mirror, monkeypatch):
    import queries.mirror

    monkeypatch.setattr(queries.mirror, "COUNT_CHUNK", 7)  # 1500 ids: 215 statements, ranges of 7
    monkeypatch.setattr(queries.mirror, "SAMPLE_RANGES", 0)  # only the count can notice it
    monkeypatch.setattr(queries.mirror, "SAMPLE_WIDTH", 1)
    assert mirror.refresh().rebuilt is False
    run_sql(filled, "DELETE FROM token_usage WHERE id = 700")
    stats = mirror.refresh()
    assert stats.rebuilt and stats.rows == 1499
    assert mismatches(filled, mirror) == []


def test_a_wal_file_is_counted_in_one_statement_and_still_notices_one_deleted_row(filled, monkeypatch):
    import queries.mirror

    run_sql(filled, "PRAGMA journal_mode = WAL")
    monkeypatch.setattr(queries.mirror, "COUNT_CHUNK", 1)  # the ranges would take 1,500 statements
    monkeypatch.setattr(queries.mirror, "SAMPLE_RANGES", 0)
    monkeypatch.setattr(queries.mirror, "SAMPLE_WIDTH", 1)
    source = open_mirrored_source(filled.path)
    try:
        statements: list[str] = []
        real = queries.mirror.read_source
        monkeypatch.setattr(queries.mirror, "read_source",
                            lambda cur, text, params=None: statements.append(text) or real(cur, text, params))
        assert source.refresh().rebuilt is False
        from queries.sql import sql

        assert statements.count(sql("axiom_source_state")) == 1 and sql("axiom_source_count") not in statements
        run_sql(filled, "DELETE FROM token_usage WHERE id = 700")
        stats = source.refresh()
        assert stats.rebuilt and stats.rows == 1499
    finally:
        source.close()


def test_deleting_the_newest_rows_and_adding_as_many_is_rebuilt(filled, mirror):
    run_sql(filled, "DELETE FROM token_usage WHERE id > 1490")
    filled.usages([Usage(sqlite_form(datetime(2026, 3, 2, 8)), "openai", "gpt-4o", 1, 1)] * 10)
    stats = mirror.refresh()
    assert stats.rebuilt and stats.rows == 1500
    assert mismatches(filled, mirror) == []


def test_emptied_source_gives_an_empty_mirror(filled, mirror):
    run_sql(filled, "DELETE FROM token_usage")
    stats = mirror.refresh()
    assert stats.rebuilt and stats.rows == 0
    assert mismatches(filled, mirror) == []


def test_an_empty_database_can_be_mirrored_and_filled_later(axiom_db):
    source = open_mirrored_source(axiom_db.path)
    try:
        assert source.rows == 0
        axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 20)
        stats = source.refresh()
        assert (stats.appended, stats.rows) == (1, 1)
        assert mismatches(axiom_db, source) == []
    finally:
        source.close()


# --- progress, concurrency, lifecycle -----------------------------------------------------------

def test_progress_rises_monotonically_to_the_total(filled):
    calls: list[tuple[int, int]] = []
    source = open_mirrored_source(filled.path, progress=lambda done, total: calls.append((done, total)))
    try:
        assert calls[0] == (0, 1500) and calls[-1] == (1500, 1500)
        assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
        assert all(total == 1500 and 0 <= done <= total for done, total in calls)
    finally:
        source.close()


def test_readers_see_the_old_or_the_new_mirror_while_it_refreshes(filled, mirror):
    f, prices = Filters(DateRange(date(2026, 1, 1), date(2026, 12, 31))), load_dataset(mirror, None, True).prices
    before = usage_report(mirror, f, prices).totals.requests
    filled.usages([Usage("2026-03-15 12:00:00", "openai", "gpt-4o", 1, 1)] * 500)
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                seen.add(usage_report(mirror, f, prices).totals.requests)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    time.sleep(0.2)
    assert mirror.refresh().appended == 500
    run_sql(filled, "DELETE FROM token_usage WHERE id % 3 = 0")
    assert mirror.refresh().rebuilt
    time.sleep(0.2)
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    after = usage_report(mirror, f, prices).totals.requests
    assert seen <= {before, before + 500, after}


def test_twenty_concurrent_sessions_get_the_same_numbers(filled, mirror):
    prices = load_dataset(mirror, None, True).prices
    want = {str(f): usage_report(mirror, f, prices) for f in STATES}
    got: list[bool] = []
    errors: list[BaseException] = []

    def session(offset: int) -> None:
        try:
            for f in STATES[offset % len(STATES):] + STATES[:offset % len(STATES)]:
                got.append(compare_reports(usage_report(mirror, f, prices), want[str(f)]) == [])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(got) == 20 * len(STATES) and all(got)


def test_concurrent_refreshes_run_one_at_a_time(filled, mirror):
    filled.usages([Usage("2026-03-15 12:00:00", "openai", "gpt-4o", 1, 1)] * 50)
    results = []
    threads = [threading.Thread(target=lambda: results.append(mirror.refresh())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.appended for r in results) == [0, 0, 50]
    assert mismatches(filled, mirror) == []


def test_close_keeps_the_cache_file_and_leaves_the_source_unchanged(filled, isolated_environment):
    before = filled.path.read_bytes()
    source = open_mirrored_source(filled.path)
    file = source.mirror_file
    assert not source.private and file is not None and file.is_relative_to(isolated_environment / "token-usage")
    source.close()
    assert file.exists()  # the next start finds it (tests of that: "survives a restart" below)
    assert filled.path.read_bytes() == before


def test_whole_utc_hour_ranges():
    assert DateRange(date(2026, 3, 1), date(2026, 3, 31), "UTC").whole_utc_hours()
    assert DateRange(date(2026, 3, 1), date(2026, 4, 30), "Europe/Berlin").whole_utc_hours()
    assert not DateRange(date(2026, 3, 1), date(2026, 3, 1), "Asia/Kolkata").whole_utc_hours()
    assert not DateRange(date(2026, 3, 1), date(2026, 3, 2), "Asia/Kathmandu").whole_utc_hours()


# --- the benchmark's correctness part --------------------------------------------------------

def test_benchmark_check_on_a_small_database(tmp_path):
    assert check(20_000, tmp_path) == []  # how long it takes is bench/run.py's business, not a test's


def test_a_journal_left_by_an_agent_that_died_mid_write_is_waited_out_until_the_agent_rolls_it_back(filled, mirror):
    """A read-only reader cannot roll back a hot journal (SQLite: "attempt to write a readonly
    database"); the agent does as soon as it opens the file again. bench/soak.py met the same
    error for a moment between a live agent's steps (2 of 309 refreshes failed before the retry)."""
    from factories import run_python

    died = run_python(f"""
import os, sqlite3
con = sqlite3.connect({str(filled.path)!r})
con.execute("PRAGMA cache_size = 1")  # spill the change into the file: the journal becomes hot
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE token_usage SET prompt_tokens = prompt_tokens + 1")
os._exit(0)  # killed mid-write
""")
    assert died.returncode == 0 and Path(f"{filled.path}-journal").stat().st_size > 0

    def agent_restarts() -> None:
        time.sleep(0.3)
        con = sqlite3.connect(filled.path)  # a writer's first read rolls the hot journal back
        con.execute("SELECT count(*) FROM token_usage").fetchone()
        con.close()

    restart = threading.Thread(target=agent_restarts)
    restart.start()
    try:
        stats = mirror.refresh()
    finally:
        restart.join()
    assert not stats.rebuilt and stats.rows == 1500 and stats.appended == 0
    assert mismatches(filled, mirror) == []


# --- the mirror survives a restart ------------------------------------------------------------
# The mirror is a DuckDB file in the cache dir (tests: the isolated XDG_CACHE_HOME of conftest's
# autouse fixture). Opening it again runs a Refresh's checks against the source instead of copying.

def reopen(db: AxiomDB | Path) -> tuple[MirroredSource, list[tuple[int, int]]]:
    """Open `db` mirrored as a restarted server does; also returns the copy's progress calls."""
    calls: list[tuple[int, int]] = []
    source = open_mirrored_source(db.path if isinstance(db, AxiomDB) else db, progress=lambda done, total: calls.append((done, total)))
    return source, calls


@pytest.fixture
def restarted(filled):
    """The mirror of `filled` built once and closed, as a server that stopped; reopen it with reopen()."""
    source, calls = reopen(filled)
    assert calls and getattr(source, "opened_from_cache", None) is None  # built: the copy reported progress
    source.close()
    return filled


def test_a_restart_with_no_change_reuses_the_file_without_copying(restarted):
    source, calls = reopen(restarted)
    try:
        assert calls == []  # no row copied
        stats = source.opened_from_cache
        assert stats is not None and (stats.rebuilt, stats.appended, stats.sessions_changed) == (False, 0, 0)
        assert source.rows == 1500 and source.rollup
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def test_the_cache_dir_setting_and_a_relative_path_name_the_same_file(restarted, tmp_path, monkeypatch):
    monkeypatch.chdir(restarted.path.parent)
    source, calls = reopen(Path(restarted.path.name))  # another spelling of the same file
    source.close()
    assert calls == []
    monkeypatch.setenv("USAGE_CACHE_DIR", str(tmp_path / "elsewhere"))
    source, calls = reopen(restarted)
    try:
        assert calls and source.mirror_file.is_relative_to(tmp_path / "elsewhere" / "mirrors")
    finally:
        source.close()


def test_rows_appended_while_the_server_was_down_are_appended(restarted):
    restarted.session("down-s", type="heartbeat")
    restarted.usages(random_axiom(seed=99, n_rows=250).usage
                     + [Usage("2026-03-20 10:00:00", "openai", "gpt-4o", 5, 5, 0.0, "down-s")])
    source, calls = reopen(restarted)
    try:
        assert calls == []
        stats = source.opened_from_cache
        assert (stats.rebuilt, stats.appended, stats.sessions_changed) == (False, 251, 1)
        assert source.rows == 1751
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def test_a_session_that_changed_type_while_down_moves_its_tokens(restarted):
    con = sqlite3.connect(restarted.path)
    (sid,) = con.execute("SELECT session_id FROM token_usage t JOIN sessions s ON s.id = t.session_id "
                         "WHERE s.type = 'interactive' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
    con.close()
    run_sql(restarted, "UPDATE sessions SET type = 'heartbeat' WHERE id = ?", (sid,))
    source, calls = reopen(restarted)
    try:
        assert calls == [] and source.opened_from_cache.sessions_changed == 1
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def test_rows_rewritten_while_down_are_caught_and_rebuilt(restarted):
    run_sql(restarted, "UPDATE token_usage SET prompt_tokens = prompt_tokens + 1000 WHERE id % 40 = 0")
    source, calls = reopen(restarted)
    try:
        assert source.opened_from_cache.rebuilt and "changed" in source.opened_from_cache.reason
        assert calls and calls[-1] == (1500, 1500)  # the rebuild shows its progress like a first build
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def test_a_row_deleted_while_down_is_caught_and_rebuilt(restarted, monkeypatch):
    import queries.mirror

    monkeypatch.setattr(queries.mirror, "SAMPLE_RANGES", 0)  # only the row count can notice it
    monkeypatch.setattr(queries.mirror, "SAMPLE_WIDTH", 1)
    run_sql(restarted, "DELETE FROM token_usage WHERE id = 700")
    source, _ = reopen(restarted)
    try:
        assert source.opened_from_cache.rebuilt and source.rows == 1499
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def test_a_database_replaced_while_down_is_rebuilt(restarted):
    random_axiom(seed=3, n_rows=1500).write(AxiomDB(restarted.path.with_suffix(".new")))
    restarted.path.with_suffix(".new").replace(restarted.path)  # as many rows, other values
    source, _ = reopen(restarted)
    try:
        assert source.opened_from_cache.rebuilt
        assert mismatches(restarted, source) == []
    finally:
        source.close()


def _cache_file(db: AxiomDB) -> Path:
    from queries.mirror import mirror_file_for

    return mirror_file_for(db.path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "flipped"])
def test_a_corrupt_cache_file_is_rebuilt_with_a_log_line(restarted, damage, caplog):
    file = _cache_file(restarted)
    data = file.read_bytes()
    if damage == "garbage":
        file.write_bytes(b"not a duckdb file" * 1000)
    elif damage == "truncated":
        file.write_bytes(data[: len(data) // 3])
    elif damage == "empty":
        file.write_bytes(b"")
    else:  # every byte of the blocks after the headers inverted
        file.write_bytes(data[:12288] + bytes(b ^ 0xFF for b in data[12288:]))
    with caplog.at_level("WARNING", logger="queries.mirror"):
        source, calls = reopen(restarted)
    try:
        assert calls and source.rows == 1500  # copied again
        assert any("is rebuilt" in r.getMessage() for r in caplog.records)
        assert mismatches(restarted, source) == []
    finally:
        source.close()
    source, calls = reopen(restarted)  # ...and the rebuilt file is good for the next start
    source.close()
    assert calls == []


def test_a_foreign_duckdb_file_in_its_place_is_rebuilt(restarted):
    import duckdb

    file = _cache_file(restarted)
    file.unlink()
    con = duckdb.connect(str(file))
    con.execute("CREATE TABLE something_else AS SELECT 42 AS answer")
    con.close()
    source, calls = reopen(restarted)
    try:
        assert calls and mismatches(restarted, source) == []
    finally:
        source.close()


def test_a_file_of_another_mirror_format_is_rebuilt(restarted, monkeypatch):
    import queries.mirror

    monkeypatch.setattr(queries.mirror, "MIRROR_FORMAT", queries.mirror.MIRROR_FORMAT + 1)
    source, calls = reopen(restarted)
    source.close()
    assert calls  # our format changed: copied again
    source, calls = reopen(restarted)
    source.close()
    assert calls == []  # stamped with the new format


def test_a_server_killed_without_closing_leaves_a_usable_mirror(filled):
    """The server is killed (no close, no checkpoint) right after a Refresh appended rows."""
    from factories import run_python

    filled.usages([Usage("2026-03-21 10:00:00", "openai", "gpt-4o", 7, 7)] * 30)
    killed = run_python(f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from queries.mirror import open_mirrored_source
source = open_mirrored_source({str(filled.path)!r})
assert source.rows == 1530
import sqlite3
con = sqlite3.connect({str(filled.path)!r})
con.executemany("INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens, estimated_cost) "
                "VALUES ('2026-03-22 10:00:00', 'openai', 'gpt-4o', 3, 3, 0)", [()] * 20)
con.commit()
con.close()
assert source.refresh().appended == 20
os._exit(0)
""")
    assert killed.returncode == 0, killed.stderr
    source, calls = reopen(filled)
    try:
        assert calls == [] and source.opened_from_cache.appended == 0 and source.rows == 1550
        assert mismatches(filled, source) == []
    finally:
        source.close()


def test_a_second_open_of_the_same_source_gets_a_private_mirror(restarted):
    first, calls = reopen(restarted)
    try:
        assert calls == [] and not first.private
        second, calls = reopen(restarted)  # DuckDB lets one writer have the file: the second copies its own
        try:
            assert calls and second.private and second.mirror_file != first.mirror_file
            assert mismatches(restarted, second) == []
        finally:
            second.close()
        assert not second.mirror_dir.exists()  # a private mirror is removed on close
        assert mismatches(restarted, first) == []
    finally:
        first.close()
    third, calls = reopen(restarted)
    third.close()
    assert calls == [] and not third.private  # the cache file is free again


def test_another_server_process_on_the_same_cache_gets_a_private_mirror(restarted):
    from factories import run_python

    first, _ = reopen(restarted)
    try:
        other = run_python(f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from queries.mirror import open_mirrored_source
source = open_mirrored_source({str(restarted.path)!r})
print(source.private, source.rows, source.cursor().execute("SELECT count(*) FROM requests").fetchone()[0])
source.close()
""")
        assert other.returncode == 0, other.stderr
        assert other.stdout.split() == ["True", "1500", "1500"]
        assert mismatches(restarted, first) == []
    finally:
        first.close()


def test_the_apps_first_snapshot_does_not_check_a_mirror_that_opening_just_checked(filled, monkeypatch):
    """A restarted server opens the mirror (a Refresh's checks) and draws the page: the first
    snapshot must not run the same checks again; the next one (Refresh) does."""
    from pages.common import data

    calls: list[int] = []
    real = MirroredSource.refresh
    monkeypatch.setattr(MirroredSource, "refresh", lambda self: calls.append(1) or real(self))
    key = (str(filled.path), None, False, True)
    try:
        source = data._source(*key)
        data._snapshot(*key, None, True)
        assert calls == []
        data.refresh()
        data._snapshot(*key, None, True)
        assert calls == [1]
    finally:
        data._forget_sources()
        source.close()


def test_the_mirror_of_a_source_that_is_gone_is_removed_from_the_cache(make_axiom_db, isolated_environment):
    """Yesterday's demo database (or a moved file) leaves its mirror behind; the next open of any
    source removes it, and keeps every mirror whose source is still there."""
    gone, kept = make_axiom_db("gone.db"), make_axiom_db("kept.db")
    for db in (gone, kept):
        db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 20)
        open_mirrored_source(db.path).close()
    mirrors = isolated_environment / "token-usage" / "mirrors"
    assert len(list(mirrors.glob("*.duckdb"))) == 2
    gone_file = _cache_file(gone)
    gone.path.unlink()
    source, calls = reopen(kept)
    source.close()
    assert calls == []
    assert sorted(p.name for p in mirrors.iterdir() if p.name.startswith(gone_file.stem)) == []
    assert _cache_file(kept).exists()


def test_the_mirror_of_the_demo_database_reads_exactly_like_the_direct_view():
    """Axiom's conversion is written once (sources/axiom.sql's macros), for the direct view and the
    mirror: on the demo database the two give the same rows, column by column."""
    from types import SimpleNamespace

    from queries.sources.axiom_demo import demo_paths

    db, settings = demo_paths()
    mirror, direct = open_mirrored_source(db), open_source(db)
    try:
        q = "SELECT * FROM requests ORDER BY request_id"
        want = direct.cursor().execute(q).fetchall()
        got = mirror.cursor().execute(q).fetchall()
        # the mirror keeps raw_ts only where ts could not be read (column 2)
        assert [r[:2] + r[3:] for r in got] == [r[:2] + r[3:] for r in want] and len(want) > 1000
        assert [r[2] for r in got] == [r[2] if r[1] is None else None for r in want]
        assert mismatches(SimpleNamespace(path=db), mirror, settings) == []  # and every report over STATES
    finally:
        mirror.close()
        direct.close()
