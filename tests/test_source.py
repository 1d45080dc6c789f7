"""Opening the agent's SQLite file: read-only, never blocking the agent, clear errors."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from factories import run_python
from queries.sources import SourceError, open_source
from queries.sqlite import sqlite_extension_path
from queries.dates import DateRange
from queries.usage import Filters, catalog, totals
import pricing

MARCH = Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31)))
NO_PRICES = pricing.PriceBook({}, [], [])


def fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_size


def requests_in_march(path: Path) -> int:
    source = open_source(path)
    try:
        return totals(source, MARCH, NO_PRICES).requests
    finally:
        source.close()


def test_axiom_tables_select_the_axiom_adapter(axiom_db):
    source = open_source(axiom_db.path)
    try:
        assert source.adapter == "axiom"
    finally:
        source.close()


def test_requests_view_has_the_canonical_shape(axiom_db):
    axiom_db.session("tg", type="interactive", source="telegram")
    axiom_db.session("cron", type="task", source="task")
    axiom_db.task("t1", "cron", "cronjob")
    axiom_db.usage("2026-03-20T10:00:00.250Z", "openai", "gpt-4o", 11, 22, cost=0.5, session_id="cron")
    axiom_db.usage("2026-03-20 11:00:00", "anthropic", "claude-opus-4-7", 3, 4, session_id="tg")
    source = open_source(axiom_db.path)
    try:
        cur = source.cursor()
        cur.execute("SELECT * FROM requests ORDER BY request_id")
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    finally:
        source.close()
    assert columns == ["request_id", "ts", "raw_ts", "provider", "model", "initiator", "task_kind", "channel",
                       "session_id", "prompt_tokens", "completion_tokens", "stored_cost", "cache_read_tokens",
                       "cache_write_tokens", "cache_write_1h_tokens", "project"]
    assert {(r["cache_read_tokens"], r["cache_write_tokens"], r["cache_write_1h_tokens"], r["project"])
            for r in rows} == {(0, 0, 0, None)}  # Axiom records no cache tokens and no project
    first, second = rows
    assert (first["ts"].isoformat(), first["initiator"], first["task_kind"], first["channel"]) == (
        "2026-03-20T10:00:00.250000", "task", "cronjob", "task")
    assert (first["prompt_tokens"], first["completion_tokens"], first["stored_cost"]) == (11, 22, 0.5)
    assert (second["ts"].isoformat(), second["initiator"], second["task_kind"], second["channel"]) == (
        "2026-03-20T11:00:00", "main", None, "telegram")


def test_reading_leaves_the_database_file_byte_for_byte_unchanged(random_db):
    before = fingerprint(random_db.path)
    files_before = sorted(p.name for p in random_db.path.parent.iterdir())
    assert requests_in_march(random_db.path) > 0
    assert fingerprint(random_db.path) == before
    assert sorted(p.name for p in random_db.path.parent.iterdir()) == files_before


def test_read_works_while_the_agent_holds_an_open_write_transaction_in_wal_mode(axiom_db):
    from factories import WriteLockHolder

    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    con = sqlite3.connect(axiom_db.path)
    assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    con.close()
    # The agent is another process (SQLite's locks never conflict within one process).
    with WriteLockHolder(axiom_db.path, seconds=60, begin="IMMEDIATE") as agent:
        assert requests_in_march(axiom_db.path) == 1  # its uncommitted row is invisible; no waiting
        assert agent.release() == 0
    assert requests_in_march(axiom_db.path) == 2


def test_an_open_reader_does_not_block_the_agents_writes(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    source = open_source(axiom_db.path)
    try:
        assert totals(source, MARCH, NO_PRICES).requests == 1
        # The agent, in another process, writes with a short busy timeout while our source is open.
        done = run_python(
            "import sqlite3, sys\n"
            f"con = sqlite3.connect({str(axiom_db.path)!r}, timeout=0.5)\n"
            "con.execute(\"INSERT INTO token_usage (timestamp, provider, model) VALUES ('2026-03-21 10:00:00', 'p', 'm')\")\n"
            "con.commit()\n")
        assert done.returncode == 0, done.stderr
        # The same open source sees the new row on the next read (what Refresh does).
        assert totals(source, MARCH, NO_PRICES).requests == 2
    finally:
        source.close()


def test_path_with_a_quote_in_it_is_attached(make_axiom_db):
    db = make_axiom_db("it's here.db")
    db.usage("2026-03-20 10:00:00", prompt=1)
    assert requests_in_march(db.path) == 1


def test_queries_from_several_threads_agree(random_db):
    source = open_source(random_db.path)
    results: list[int] = []
    try:
        threads = [threading.Thread(target=lambda: results.append(totals(source, MARCH, NO_PRICES).prompt_tokens))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        source.close()
    assert len(results) == 4 and len(set(results)) == 1 and results[0] > 0


def test_utc_timestamps_do_not_depend_on_the_machines_time_zone(axiom_db):
    # A DuckDB cursor falls back to the host zone unless told otherwise; Tokyo is UTC+9.
    axiom_db.usage("2026-03-20 02:00:00", prompt=1)
    axiom_db.usage("2026-03-20T23:00:00.000Z", prompt=10)
    code = ("import sys; from datetime import date; from queries.sources import open_source; "
            "from queries.dates import DateRange; from queries.usage import Filters, totals; import pricing; "
            f"s = open_source({str(axiom_db.path)!r}); "
            "print(totals(s, Filters(DateRange(date(2026, 3, 20), date(2026, 3, 20))), "
            "pricing.PriceBook({}, [], [])).prompt_tokens)")
    done = run_python(code, env=dict(os.environ, TZ="Asia/Tokyo"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "11"


def test_catalog_lists_every_provider_model_pair_with_its_requests(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o")
    axiom_db.usage("2020-01-01 10:00:00", "openai", "gpt-4o")
    axiom_db.usage("2026-03-20 10:00:00", "anthropic", "claude-opus-4-7")
    axiom_db.usage("bad", "ollama", "local")
    source = open_source(axiom_db.path)
    try:
        cat = catalog(source)
    finally:
        source.close()
    assert sorted(cat.pairs) == [("anthropic", "claude-opus-4-7", 1), ("ollama", "local", 1), ("openai", "gpt-4o", 2)]
    assert cat.providers() == ["anthropic", "ollama", "openai"]
    assert cat.models("openai") == ["gpt-4o"]
    assert cat.models() == ["claude-opus-4-7", "gpt-4o", "local"]
    assert (cat.total_requests, cat.unparseable_timestamps, cat.unparseable_example) == (4, 1, "bad")


# --- bad databases --------------------------------------------------------------------------

def test_missing_database_is_a_clear_error_and_creates_nothing(tmp_path):
    path = tmp_path / "nowhere" / "openagent.db"
    with pytest.raises(SourceError, match="No database at"):
        open_source(path)
    assert not path.exists() and not path.parent.exists()


def test_wal_database_in_a_read_only_directory_says_how_to_fix_it(tmp_path, read_only_dir):
    from factories import wal_axiom_db

    db = wal_axiom_db(tmp_path / "ro")
    read_only_dir.lock(db.path.parent)
    with pytest.raises(SourceError, match="WAL mode and has no -shm file") as raised:
        open_source(db.path)
    assert "point the dashboard at a copy" in str(raised.value)
    assert str(db.path.parent) not in raised.value.public_message()
    read_only_dir.unlock(db.path.parent)
    assert requests_in_march(db.path) == 1  # once the directory is writable, it reads


def test_a_database_locked_past_the_wait_says_so_and_to_try_again(axiom_db, monkeypatch):
    import queries.sqlite
    from factories import WriteLockHolder

    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    monkeypatch.setattr(queries.sqlite, "LOCK_BUDGET_S", 0.3)
    with WriteLockHolder(axiom_db.path, seconds=60) as agent:  # a rollback-journal agent mid-commit
        with pytest.raises(SourceError, match="locked by a writer .* Try again in a moment"):
            open_source(axiom_db.path)
        assert agent.release() == 0
    assert requests_in_march(axiom_db.path) == 2


def test_text_file_is_not_a_sqlite_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n" * 10)
    before = fingerprint(path)
    with pytest.raises(SourceError, match="not a SQLite database"):
        open_source(path)
    assert fingerprint(path) == before


def test_directory_is_not_a_database(tmp_path):
    with pytest.raises(SourceError, match="directory"):
        open_source(tmp_path)


def test_damaged_sqlite_file_is_a_clear_error(tmp_path):
    path = tmp_path / "damaged.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(SourceError, match="could not be read as a SQLite database"):
        open_source(path)


def test_sqlite_without_known_tables_names_expected_and_found_tables(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE invoices (id INTEGER); CREATE TABLE customers (id INTEGER);")
    con.close()
    with pytest.raises(SourceError) as caught:
        open_source(path)
    message = str(caught.value)
    for table in ("token_usage", "sessions", "tasks", "invoices", "customers"):
        assert table in message


def test_empty_sqlite_file_says_it_found_no_tables(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    with pytest.raises(SourceError, match="no tables at all"):
        open_source(path)


def test_forced_adapter_names_the_tables_it_lacks(tmp_path):
    path = tmp_path / "half.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE token_usage (id INTEGER); CREATE TABLE tasks (id TEXT);")
    con.close()
    with pytest.raises(SourceError, match="sessions"):
        open_source(path, "axiom")


def test_unknown_adapter_name_is_a_clear_error(axiom_db):
    with pytest.raises(SourceError, match="Unknown source 'hermes'"):
        open_source(axiom_db.path, "hermes")


def test_sqlite_extension_ships_with_the_installed_duckdb():
    assert sqlite_extension_path().is_file()
