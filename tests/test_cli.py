"""cli.py: the scripting interface. JSON keys, Axiom parity, output formats, bad input, demo data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from factories import (RANDOM_SETTINGS, AxiomDB, run_cli_subprocess, as_tokens, axiom_price_table, initiator_of, oracle_report,
                       parse_timestamp, read_axiom)

MARCH = ("--from", "2026-03-01", "--until", "2026-03-30")
ONE_DAY = ("--from", "2026-03-20", "--until", "2026-03-20")

TOP_KEYS = {"range", "totals", "daily", "by_initiator", "breakdown", "unpriced_models", "prices"}
RANGE_KEYS = {"from", "until", "days", "tz"}
TOTALS_KEYS = {"requests", "prompt_tokens", "completion_tokens", "total_tokens", "estimated_cost"}
DAILY_KEYS = {"day", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "estimated_cost"}
BY_INITIATOR_KEYS = {"day", "main_tokens", "task_tokens", "heartbeat_tokens"}
BREAKDOWN_KEYS = {"provider", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens",
                  "estimated_cost", "cost_share", "price_source", "stored_requests", "unpriced_requests",
                  "stored_cost", "recomputed_cost", "stored_difference"}
PRICE_KEYS = {"model", "input", "output", "source"}


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def assert_documented_json_shape(data: dict) -> None:
    assert TOP_KEYS <= set(data)
    assert set(data["range"]) == RANGE_KEYS
    assert set(data["totals"]) == TOTALS_KEYS
    assert data["daily"] and all(set(d) == DAILY_KEYS for d in data["daily"])
    assert data["by_initiator"] and all(set(d) == BY_INITIATOR_KEYS for d in data["by_initiator"])
    assert data["breakdown"] and all(set(b) == BREAKDOWN_KEYS for b in data["breakdown"])
    assert isinstance(data["unpriced_models"], list) and all(isinstance(m, str) for m in data["unpriced_models"])
    assert data["prices"] and all(set(p) == PRICE_KEYS for p in data["prices"])


@pytest.fixture
def small_db(axiom_db: AxiomDB) -> AxiomDB:
    axiom_db.session("hb", type="heartbeat")
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    axiom_db.usage("2026-03-20T12:00:00.000Z", "ollama", "local", 10, 5, session_id="hb")
    return axiom_db


# --- JSON ----------------------------------------------------------------------------------------

def test_json_report_has_the_documented_keys_when_run_as_a_program(small_db):
    done = run_cli_subprocess("report", "--db", small_db.path, *ONE_DAY, "--format", "json", "--no-price-library")
    assert done.returncode == 0, done.stderr
    assert_documented_json_shape(json.loads(done.stdout))


def test_json_report_has_the_documented_keys_through_main(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--format", "json")
    assert result.code == 0
    assert_documented_json_shape(result.json())


def test_json_report_is_exactly_one_object_on_stdout(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--format", "json")
    assert isinstance(json.loads(result.out), dict)  # json.loads rejects anything after the object


def test_json_values_of_a_hand_worked_day(run_cli, small_db):
    data = run_cli("report", "--db", small_db.path, *ONE_DAY, "--format", "json", "--no-price-library").json()
    assert data["range"] == {"from": "2026-03-20", "until": "2026-03-20", "days": 1, "tz": "UTC"}
    # gpt-4o: 1M prompt at 2.50 = 2.50; the local model is unpriced.
    assert data["totals"] == {"requests": 2, "prompt_tokens": 1_000_010, "completion_tokens": 5,
                              "total_tokens": 1_000_015, "estimated_cost": pytest.approx(2.5)}
    assert data["by_initiator"] == [{"day": "2026-03-20", "main_tokens": 1_000_000, "task_tokens": 0,
                                     "heartbeat_tokens": 15}]
    assert [(b["model"], b["cost_share"]) for b in data["breakdown"]] == [("gpt-4o", 1.0), ("local", 0.0)]
    assert data["unpriced_models"] == ["local"]
    assert data["prices"] == [{"model": "gpt-4o", "input": 2.5, "output": 10.0, "source": "axiom-default"}]


def test_json_range_reports_the_zone_asked_for(run_cli, small_db):
    data = run_cli("report", "--db", small_db.path, *ONE_DAY, "--tz", "America/Denver", "--format", "json").json()
    assert data["range"] == {"from": "2026-03-20", "until": "2026-03-20", "days": 1, "tz": "America/Denver"}


# --- parity with Axiom ------------------------------------------------------------------------------

def test_cli_report_gives_axioms_numbers_on_random_axiom_data(random_db, write_settings):
    settings = write_settings(RANDOM_SETTINGS)
    done = run_cli_subprocess("report", "--db", random_db.path, "--settings", settings, *MARCH,
                              "--format", "json", "--no-price-library")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    rows, sessions = random_db.read()
    table = axiom_price_table(RANDOM_SETTINGS)
    want = oracle_report(rows, sessions, table, date(2026, 3, 1), date(2026, 3, 30))
    assert want["totals"]["requests"] > 1500  # the data really is ~2,000 rows, most of them in range

    approx = dict(rel=1e-9, abs=1e-9)
    assert got["totals"] == {**want["totals"], "estimated_cost": pytest.approx(want["totals"]["estimated_cost"], **approx)}
    assert [{**d, "estimated_cost": pytest.approx(d["estimated_cost"], **approx)} for d in want["daily"]] == got["daily"]
    assert got["by_initiator"] == want["by_initiator"]

    # Breakdown: the same rows, each with the oracle's numbers and share...
    expected = {(b["provider"], b["model"]): b for b in want["breakdown"]}
    assert sorted((b["provider"], b["model"]) for b in got["breakdown"]) == sorted(expected)
    for b in got["breakdown"]:
        w = expected[(b["provider"], b["model"])]
        assert {k: b[k] for k in w} == {**w, "estimated_cost": pytest.approx(w["estimated_cost"], **approx),
                                        "cost_share": pytest.approx(w["cost_share"], **approx)}
    assert sum(b["cost_share"] for b in got["breakdown"]) == pytest.approx(1.0)
    # ...in Axiom's order: cost descending, then requests descending.
    for a, b in zip(got["breakdown"], got["breakdown"][1:]):
        assert a["estimated_cost"] >= b["estimated_cost"] - 1e-9
        if abs(a["estimated_cost"] - b["estimated_cost"]) <= 1e-9:
            assert a["requests"] >= b["requests"]

    assert got["unpriced_models"] == want["unpriced_models"] == ["gpt-4o-2024-08-06", "gpt-5.4", "llama3.1:8b-local"]
    user = {"claude-opus-4-7", "gpt-4o"}  # the valid entries of RANDOM_SETTINGS
    assert got["prices"] == [
        {"model": m, "input": table[m][0], "output": table[m][1], "source": "settings" if m in user else "axiom-default"}
        for m in sorted({b["model"] for b in want["breakdown"]} & set(table))]
    assert any("broken-entry" in w for w in got["warnings"])
    assert any("row(s) have a timestamp in no known form" in w for w in got["warnings"])


def test_no_price_library_makes_library_only_models_unpriced(run_cli, axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai-codex", "gpt-5.4", 1_000_000, 0)
    with_library = run_cli("report", "--db", axiom_db.path, *ONE_DAY, "--format", "json").json()
    without = run_cli("report", "--db", axiom_db.path, *ONE_DAY, "--format", "json", "--no-price-library").json()
    assert with_library["unpriced_models"] == [] and with_library["totals"]["estimated_cost"] > 0
    assert with_library["prices"][0]["source"] == "price-library"
    assert without["unpriced_models"] == ["gpt-5.4"] and without["totals"]["estimated_cost"] == 0
    assert without["prices"] == []


# --- ranges ------------------------------------------------------------------------------------------

def test_today_command_covers_the_last_seven_days(run_cli, axiom_db):
    result = run_cli("today", "--db", axiom_db.path, "--format", "json")
    data = result.json()
    assert (data["range"]["from"], data["range"]["until"], data["range"]["days"]) == (
        (utc_today() - timedelta(days=6)).isoformat(), utc_today().isoformat(), 7)
    assert len(data["daily"]) == 7


def test_days_option_counts_back_from_today(run_cli, axiom_db):
    data = run_cli("report", "--db", axiom_db.path, "--days", "3", "--format", "json").json()
    assert [d["day"] for d in data["daily"]] == [(utc_today() - timedelta(days=n)).isoformat() for n in (2, 1, 0)]


def test_report_without_a_range_is_the_last_30_days(run_cli, axiom_db):
    data = run_cli("report", "--db", axiom_db.path, "--format", "json").json()
    assert (data["range"]["days"], data["range"]["until"]) == (30, utc_today().isoformat())


def test_every_day_of_a_cli_range_is_listed_zero_days_included(run_cli, small_db):
    data = run_cli("report", "--db", small_db.path, "--from", "2026-03-18", "--until", "2026-03-22",
                   "--format", "json").json()
    assert [(d["day"], d["requests"]) for d in data["daily"]] == [
        ("2026-03-18", 0), ("2026-03-19", 0), ("2026-03-20", 2), ("2026-03-21", 0), ("2026-03-22", 0)]


def test_tz_option_moves_a_row_across_midnight(run_cli, axiom_db):
    axiom_db.usage("2026-03-20T23:30:00.000Z", prompt=8)
    utc = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-21", "--format", "json")
    tokyo = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-21",
                    "--tz", "Asia/Tokyo", "--format", "json")
    assert [d["prompt_tokens"] for d in utc.json()["daily"]] == [8, 0]
    assert [d["prompt_tokens"] for d in tokyo.json()["daily"]] == [0, 8]


# --- table and csv -----------------------------------------------------------------------------------

def test_table_report_shows_totals_breakdown_and_unpriced_models(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--no-price-library")
    assert result.code == 0
    out = result.out
    assert "2026-03-20 .. 2026-03-20 (1 days, UTC)" in out
    assert re.search(r"Requests\s+2\b", out) and re.search(r"Total tokens\s+1,000,015\b", out)
    assert re.search(r"Estimated cost\s+\$2\.50\b", out)
    assert re.search(r"openai\s+gpt-4o\s+1\s+1,000,000\s+0\s+1,000,000\s+\$2\.50\s+100%", out)
    assert "Unpriced (no price anywhere, counted as $0.00; add them to tokenPriceTable): local" in out
    assert "(demo data)" not in out


def test_table_report_says_when_nothing_matches(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--provider", "nobody")
    assert result.code == 0 and "No usage matches these filters." in result.out


def test_csv_breakdown_has_a_header_and_one_line_per_pair(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--format", "csv", "--no-price-library")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert result.code == 0
    assert set(rows[0]) == BREAKDOWN_KEYS
    assert [(r["provider"], r["model"], r["requests"], r["total_tokens"]) for r in rows] == [
        ("openai", "gpt-4o", "1", "1000000"), ("ollama", "local", "1", "15")]


def test_csv_daily_table_has_every_day(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, "--from", "2026-03-19", "--until", "2026-03-21",
                     "--format", "csv", "--table", "daily")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["day"], r["requests"]) for r in rows] == [("2026-03-19", "0"), ("2026-03-20", "2"), ("2026-03-21", "0")]


# --- bad input: a clear message, no traceback, nothing written ----------------------------------------

def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean_failure(result, *fragments: str) -> None:
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: ") and "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err


def test_missing_database_path_exits_2_and_writes_nothing(run_cli, tmp_path):
    path = tmp_path / "missing" / "openagent.db"
    assert_clean_failure(run_cli("report", "--db", path), "No database at", str(path))
    assert not path.parent.exists()


def test_missing_database_exits_2_as_a_program_too(tmp_path):
    done = run_cli_subprocess("report", "--db", tmp_path / "absent.db", "--format", "json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: No database at") and "Traceback" not in done.stderr


def test_text_file_as_database_exits_2_and_is_left_alone(run_cli, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database\n")
    before = sha(path)
    assert_clean_failure(run_cli("report", "--db", path), "not a SQLite database")
    assert sha(path) == before


def test_directory_as_database_exits_2(run_cli, tmp_path):
    assert_clean_failure(run_cli("report", "--db", tmp_path), "directory")


def test_sqlite_without_known_tables_names_what_was_expected_and_found(run_cli, tmp_path):
    import sqlite3

    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE orders (id INTEGER)")
    con.close()
    assert_clean_failure(run_cli("report", "--db", path), "token_usage", "sessions", "tasks", "found orders")


def test_unknown_source_adapter_exits_2(run_cli, axiom_db):
    assert_clean_failure(run_cli("report", "--db", axiom_db.path, "--source", "hermes"), "Unknown source")


def test_from_after_until_exits_2_with_a_message(run_cli, axiom_db):
    assert_clean_failure(run_cli("report", "--db", axiom_db.path, "--from", "2026-03-21", "--until", "2026-03-20"),
                         "after")


@pytest.mark.parametrize(("args", "fragment"), [
    (("--from", "20.03.2026"), "--from"),
    (("--from", "2026-03-01", "--until", "2026-13-01"), "--until"),
    (("--days", "0"), "--days"),
    (("--days", "-3"), "--days"),
    (("--days", "1000000000"), "--days"),
    (("--days", "7", "--until", "2026-03-20"), "--days"),
    (("--from", "0001-01-01", "--until", "9999-12-31"), "longest"),
    (("--until", "0001-01-01"), "give --from as well"),  # found by Hypothesis: the default 30 days overflowed
    (("--tz", "Mars/Olympus"), "Unknown time zone"),
])
def test_unusable_range_options_exit_2_with_a_message(run_cli, axiom_db, args, fragment):
    assert_clean_failure(run_cli("report", "--db", axiom_db.path, *args), fragment)


def test_unknown_provider_and_model_are_an_empty_result_not_an_error(run_cli, small_db):
    result = run_cli("report", "--db", small_db.path, *ONE_DAY, "--provider", "nobody", "--model", "nothing",
                     "--format", "json")
    data = result.json()
    assert result.code == 0
    assert data["totals"] == {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0,
                              "estimated_cost": 0.0}
    assert (data["breakdown"], data["unpriced_models"], data["prices"]) == ([], [], [])
    assert [d["requests"] for d in data["daily"]] == [0]


def test_missing_settings_file_means_defaults_and_no_warning(run_cli, small_db, tmp_path):
    result = run_cli("report", "--db", small_db.path, "--settings", tmp_path / "absent.json", *ONE_DAY,
                     "--format", "json")
    assert (result.code, result.err) == (0, "")
    assert result.json()["warnings"] == []
    assert result.json()["prices"][0] == {"model": "gpt-4o", "input": 2.5, "output": 10.0, "source": "axiom-default"}


@pytest.mark.parametrize("content", ['{"tokenPriceTable": {"gpt-4o": ', b"\xff\xfe garbage"])
def test_malformed_or_unreadable_settings_warn_and_use_defaults(run_cli, small_db, write_settings, content):
    settings = write_settings(content)
    result = run_cli("report", "--db", small_db.path, "--settings", settings, *ONE_DAY, "--format", "json")
    data = result.json()
    assert result.code == 0
    assert any("settings.json" in w and "default prices" in w for w in data["warnings"])
    assert data["totals"]["estimated_cost"] == pytest.approx(2.5)


def test_malformed_settings_warning_is_printed_in_the_table_report(run_cli, small_db, write_settings):
    result = run_cli("report", "--db", small_db.path, "--settings", write_settings("{oops"), *ONE_DAY)
    assert result.code == 0 and "warning: settings.json is not valid JSON" in result.out


def test_odd_price_entries_are_read_as_axiom_reads_them_with_warnings(run_cli, small_db, write_settings):
    settings = write_settings({"tokenPriceTable": {"gpt-4o": {"input": -1, "output": 5},
                                                   "local": {"input": "1", "output": True}}})
    data = run_cli("report", "--db", small_db.path, "--settings", settings, *ONE_DAY, "--format", "json",
                   "--no-price-library").json()
    # gpt-4o's entry replaces the default and -1 is a finite number: 1,000,000 * -1 / 1e6 (0 completion).
    assert data["totals"]["estimated_cost"] == -1.0
    assert data["unpriced_models"] == ["local"]   # neither "1" nor true is a number: no usable rate
    assert sum("'gpt-4o'" in w and "negative" in w for w in data["warnings"]) == 1
    assert sum("'local'" in w and "no usable" in w for w in data["warnings"]) == 1


def test_null_tokens_count_as_zero(run_cli, make_axiom_db):
    db = make_axiom_db("loose.db", loose=True)
    db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", None, None, cost=None)
    db.usage("2026-03-20 11:00:00", "openai", "gpt-4o", 1_000_000, None, cost=None)
    result = run_cli("report", "--db", db.path, *ONE_DAY, "--format", "json")
    assert result.code == 0
    assert result.json()["totals"] == {"requests": 2, "prompt_tokens": 1_000_000, "completion_tokens": 0,
                                       "total_tokens": 1_000_000, "estimated_cost": pytest.approx(2.5)}


def test_timestamps_in_neither_form_are_counted_skipped_and_warned(run_cli, axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    for stamp in ("20/03/2026 10:00:00", "soon", "2026-03-20 25:00:00"):
        axiom_db.usage(stamp, prompt=100)
    result = run_cli("report", "--db", axiom_db.path, *ONE_DAY, "--format", "json")
    data = result.json()
    assert result.code == 0 and data["totals"]["prompt_tokens"] == 1
    assert any(w.startswith("3 row(s) have a timestamp in no known form") for w in data["warnings"])


def test_database_without_any_requests_says_so(run_cli, axiom_db):
    result = run_cli("report", "--db", axiom_db.path, *ONE_DAY)
    assert result.code == 0 and "No token usage yet." in result.err


def test_reading_through_the_cli_does_not_modify_the_database(run_cli, random_db):
    before = (sha(random_db.path), random_db.path.stat().st_mtime_ns)
    assert run_cli("report", "--db", random_db.path, *MARCH, "--format", "json").code == 0
    assert (sha(random_db.path), random_db.path.stat().st_mtime_ns) == before


# --- demo data ---------------------------------------------------------------------------------------

@pytest.fixture
def demo_run(run_cli, isolated_environment):
    """The CLI with no database configured: demo data generated into XDG_CACHE_HOME."""
    result = run_cli("report", "--days", "90", "--format", "json")
    assert result.code == 0, result.err
    folder = isolated_environment / "token-usage-dashboard"
    (db,) = folder.glob("demo-*.db")
    return result.json(), db, folder


def test_demo_data_is_generated_into_the_cache_dir_and_labelled_demo(demo_run):
    data, db, folder = demo_run
    assert data["source"] == {"adapter": "axiom", "demo": True}
    assert db.name == f"demo-{utc_today().isoformat()}.db"
    assert json.loads((folder / "demo-settings.json").read_text())["tokenPriceTable"]


def test_demo_table_report_is_labelled_demo_data(run_cli):
    result = run_cli("today")
    assert result.code == 0 and "(demo data)" in result.out


def test_demo_data_has_all_three_initiators(demo_run):
    data, db, _ = demo_run
    rows, sessions = read_axiom(db)
    assert {initiator_of(r.session_id, sessions) for r in rows} == {"main", "task", "heartbeat"}
    assert any(r.session_id is None for r in rows) and any(r.session_id and r.session_id not in sessions for r in rows)
    for kind in ("main_tokens", "task_tokens", "heartbeat_tokens"):
        assert sum(d[kind] for d in data["by_initiator"]) > 0


def test_demo_data_has_both_timestamp_forms(demo_run):
    _, db, _ = demo_run
    stamps = [r.timestamp for r in read_axiom(db)[0]]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in stamps)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps)
    assert all(parse_timestamp(s) is not None for s in stamps)


def test_demo_data_has_an_unpriced_model(demo_run):
    data, db, folder = demo_run
    rows, _ = read_axiom(db)
    table = axiom_price_table(json.loads((folder / "demo-settings.json").read_text()))
    unpriced_for_axiom = {r.model for r in rows if r.model not in table and as_tokens(r.prompt_tokens) > 0}
    assert data["unpriced_models"] and set(data["unpriced_models"]) <= unpriced_for_axiom


def test_demo_data_has_a_run_of_zero_days(demo_run):
    data, db, _ = demo_run
    busy = {parse_timestamp(r.timestamp).date() for r in read_axiom(db)[0]}
    zero_days = [d["day"] for d in data["daily"] if d["requests"] == 0]
    assert all(date.fromisoformat(d) not in busy for d in zero_days)
    longest = run = 0
    for d in data["daily"]:
        run = run + 1 if d["requests"] == 0 else 0
        longest = max(longest, run)
    assert longest >= 3
    assert sum(d["requests"] for d in data["daily"]) == len([r for r in read_axiom(db)[0]
                                                             if parse_timestamp(r.timestamp).date() >= utc_today() - timedelta(days=89)])
