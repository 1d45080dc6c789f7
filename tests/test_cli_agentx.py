"""cli.py on agentx data and Claude Code logs: agents, tasks, rotations, tier2, sessions, compare."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from factories import (RANDOM_AGENTX_RATES, DailyUsage, Rotation, TaskRow, Turn, oracle_agents, run_cli_subprocess)

MARCH = ("--from", "2026-03-01", "--until", "2026-03-30")
DAY = ("--from", "2026-03-20", "--until", "2026-03-20")
AGENT_KEYS = ["agent_id", "tasks", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
              "tier2_tokens", "estimated_cost", "p50_duration_ms", "p95_duration_ms"]
REPORT_KEYS = {"range", "filters", "totals", "daily", "by_initiator", "breakdown", "unpriced_models", "prices",
               "warnings", "source"}


def assert_clean_failure(result, *fragments: str) -> None:
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("error: ") and "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err


@pytest.fixture
def small_agentx(agentx_db):
    agentx_db.custom_prices({"m": {"input": 1.0, "output": 2.0, "cacheRead": 0.1, "cacheCreate": 1.25}})
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 1_000_000, 0, 0, 0, tasks=2, tier2_input_tokens=1_000_000),
                    DailyUsage("b", "m", "2026-03-20", 0, 500_000, tasks=1))
    agentx_db.traces(TaskRow("t1", "a", datetime(2026, 3, 20, 9), 100), TaskRow("t2", "a", datetime(2026, 3, 20, 10), 300))
    return agentx_db


# --- agents ------------------------------------------------------------------------------------------

def test_agents_json_is_a_list_with_exactly_the_documented_keys_as_a_program(small_agentx):
    done = run_cli_subprocess("agents", "--cwd", small_agentx.cwd, *DAY, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, list) and [list(row) for row in data] == [AGENT_KEYS, AGENT_KEYS]


def test_agents_json_values_of_a_hand_worked_day(run_cli, small_agentx):
    data = run_cli("agents", "--cwd", small_agentx.cwd, *DAY, "--format", "json").json()
    # a: 1M tier-1 input at 1.00 + 1M tier-2 input at 1.5 x 1.00 = 2.50; durations 100, 300
    assert data[0] == {"agent_id": "a", "tasks": 2, "input_tokens": 2_000_000, "output_tokens": 0,
                       "cache_read_tokens": 0, "cache_write_tokens": 0, "tier2_tokens": 1_000_000,
                       "estimated_cost": pytest.approx(2.5), "p50_duration_ms": 200.0,
                       "p95_duration_ms": pytest.approx(290.0)}
    assert data[1]["agent_id"] == "b" and data[1]["p50_duration_ms"] is None


def test_agents_json_matches_the_oracle_on_random_data(run_cli, random_agentx_db, random_agentx_data):
    got = {r["agent_id"]: r for r in run_cli("agents", "--cwd", random_agentx_db.cwd, *MARCH, "--format", "json").json()}
    want = oracle_agents(random_agentx_data, date(2026, 3, 1), date(2026, 3, 30), RANDOM_AGENTX_RATES)
    assert set(got) == set(want)
    for agent, w in want.items():
        assert got[agent] == {**w, "estimated_cost": pytest.approx(w["estimated_cost"], rel=1e-9),
                              "p50_duration_ms": pytest.approx(w["p50_duration_ms"]),
                              "p95_duration_ms": pytest.approx(w["p95_duration_ms"])}


def test_agents_days_option_counts_back_from_today(run_cli, agentx_db):
    today = datetime.now(timezone.utc).date()
    agentx_db.daily(DailyUsage("a", "m", (today - timedelta(days=2)).isoformat(), 1, tasks=1),
                    DailyUsage("a", "m", (today - timedelta(days=3)).isoformat(), 1, tasks=10))
    assert [r["tasks"] for r in run_cli("agents", "--cwd", agentx_db.cwd, "--days", "3", "--format", "json").json()] == [1]


def test_agents_csv_has_the_json_keys_then_errors_and_timeouts(run_cli, small_agentx):
    rows = list(csv.DictReader(io.StringIO(run_cli("agents", "--cwd", small_agentx.cwd, *DAY, "--format", "csv").out)))
    assert list(rows[0]) == [*AGENT_KEYS, "errors", "timeouts"] and len(rows) == 2


def test_agents_table_shows_each_agent(run_cli, small_agentx):
    out = run_cli("agents", "--cwd", small_agentx.cwd, *DAY).out
    assert "Agent" in out and "$2.50" in out and "200 ms" in out


def test_agents_on_an_axiom_database_explains_what_it_needs(run_cli, axiom_db):
    assert_clean_failure(run_cli("agents", "--db", axiom_db.path), "needs agentx data", "--cwd DIR")


def test_db_and_cwd_together_are_refused(run_cli, small_agentx):
    assert_clean_failure(run_cli("agents", "--cwd", small_agentx.cwd, "--db", small_agentx.path), "not both")


def test_cwd_without_an_agentx_database_says_where_it_looked(run_cli, tmp_path):
    assert_clean_failure(run_cli("agents", "--cwd", tmp_path), "No agentx database at",
                         str(tmp_path / ".agentx" / "db.sqlite"))


def test_db_flag_pointing_at_agentxs_file_picks_the_agentx_adapter(run_cli, small_agentx):
    data = run_cli("report", "--db", small_agentx.path, *DAY, "--format", "json").json()
    assert data["source"]["adapter"] == "agentx"


# --- report and today on agentx ----------------------------------------------------------------------

def test_report_on_agentx_has_the_same_json_keys_and_an_empty_initiator_split(run_cli, small_agentx):
    data = run_cli("report", "--cwd", small_agentx.cwd, *DAY, "--format", "json").json()
    assert set(data) == REPORT_KEYS and data["by_initiator"] == []
    assert any("by_initiator is left empty" in w for w in data["warnings"])
    assert data["totals"] == {"requests": 3, "prompt_tokens": 2_000_000, "completion_tokens": 500_000,
                              "total_tokens": 2_500_000, "estimated_cost": pytest.approx(3.5)}


def test_today_on_agentx_covers_the_last_seven_days(run_cli, agentx_db):
    today = datetime.now(timezone.utc).date()
    agentx_db.daily(DailyUsage("a", "m", today.isoformat(), 5, tasks=1))
    data = run_cli("today", "--cwd", agentx_db.cwd, "--format", "json").json()
    assert (data["range"]["days"], data["totals"]["requests"], len(data["daily"])) == (7, 1, 7)


def test_empty_agentx_database_says_no_data_names_the_file_and_how_to_point_elsewhere(run_cli, agentx_db):
    result = run_cli("report", "--cwd", agentx_db.cwd, *DAY)
    assert result.code == 0
    assert result.err.startswith("No data.") and str(agentx_db.path) in result.err and "--cwd DIR" in result.err


def test_zero_cost_everywhere_explains_that_no_rates_matched_and_where_to_add_them(run_cli, agentx_db):
    agentx_db.daily(DailyUsage("a", "house-model", "2026-03-20", 1_000, tasks=1))
    data = run_cli("report", "--cwd", agentx_db.cwd, *DAY, "--format", "json", "--no-price-library").json()
    (hint,) = [w for w in data["warnings"] if w.startswith("Every row costs $0.00")]
    assert "house-model" in hint and "custom.json" in hint and "cacheCreate" in hint


def test_zero_cost_hint_on_axiom_names_the_token_price_table(run_cli, axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "local", 10, 5)
    data = run_cli("report", "--db", axiom_db.path, *DAY, "--format", "json").json()
    assert any(w.startswith("Every row costs $0.00") and "tokenPriceTable" in w for w in data["warnings"])


# --- tasks, rotations, tier 2 ------------------------------------------------------------------------

def test_tasks_json_is_one_page_newest_first(run_cli, small_agentx):
    data = run_cli("tasks", "a", "--cwd", small_agentx.cwd, *DAY, "--page-size", "1", "--format", "json").json()
    assert (data["total"], data["pages"], [t["task_id"] for t in data["tasks"]]) == (2, 2, ["t2"])


def test_a_bad_page_is_refused(run_cli, small_agentx):
    assert_clean_failure(run_cli("tasks", "a", "--cwd", small_agentx.cwd, "--page", "0"), "--page")


def test_rotations_json_counts_reasons_and_carries_hints(run_cli, agentx_db):
    agentx_db.rotations(*(Rotation("a", "tier-2", f"2026-03-20 0{i}:00:00", 196_000) for i in range(3)),
                        Rotation("a", "max-turns", "2026-03-20 05:00:00"))
    data = run_cli("rotations", "--cwd", agentx_db.cwd, *DAY, "--format", "json").json()
    assert data["agents"] == [{"agent_id": "a", "stale": 0, "tier-2": 3, "max-turns": 1, "other": 0, "total": 4}]
    assert len(data["hints"]) == 1


def test_tier2_json_reads_the_threshold_from_agentx_json(run_cli, small_agentx):
    small_agentx.config({"session": {"tierTwoThresholdTokens": 150_000}})
    data = run_cli("tier2", "--cwd", small_agentx.cwd, *DAY, "--format", "json").json()
    assert data["threshold"] == 150_000 and [a["agent_id"] for a in data["agents"]] == ["a"]
    assert data["extra_cost"] == pytest.approx(0.5)


# --- sessions ----------------------------------------------------------------------------------------

@pytest.fixture
def two_sessions(claude_projects):
    claude_projects.session_file("p", "abc1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "claude-opus-4-7", 10, 3).line("abc1"),
                                               Turn("m1", "r1", "2026-03-20T10:00:01Z", "claude-opus-4-7", 10, 5).line("abc1"),
                                               "{broken"])
    claude_projects.session_file("p", "xyz9", [Turn("m2", "r2", "2026-03-21T10:00:00Z", "claude-opus-4-7", 1, 1).line("xyz9")])
    return claude_projects


def test_sessions_json_from_the_projects_flag(run_cli, two_sessions):
    data = run_cli("sessions", "--projects", two_sessions.root, "--format", "json").json()
    assert [(s["session_id"], s["turns"]) for s in data["sessions"]] == [("xyz9", 1), ("abc1", 1)]
    assert (data["malformed_lines"], data["duplicate_lines"], data["kind"]) == (1, 1, "claude-code")


def test_sessions_read_claude_projects_dir_from_the_environment(run_cli, two_sessions, monkeypatch):
    monkeypatch.setenv("CLAUDE_PROJECTS_DIR", str(two_sessions.root))
    assert run_cli("sessions", "--format", "json").json()["total"] == 2


def test_session_shows_every_turn_of_one_session(run_cli, two_sessions):
    data = run_cli("session", "abc", "--projects", two_sessions.root, "--format", "json").json()
    assert data["session"]["session_id"] == "abc1" and [t["output_tokens"] for t in data["turns"]] == [5]


def test_unknown_session_exits_2_with_a_message(run_cli, two_sessions):
    assert_clean_failure(run_cli("session", "nope", "--projects", two_sessions.root), "No session 'nope'")


def test_missing_projects_directory_exits_2_and_says_how_to_point_at_one(run_cli, tmp_path):
    assert_clean_failure(run_cli("sessions", "--projects", tmp_path / "absent"), "--projects DIR")


def test_sessions_of_an_axiom_database(run_cli, axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0, session_id="s1")
    data = run_cli("sessions", "--db", axiom_db.path, "--format", "json").json()
    assert data["kind"] == "axiom" and [(s["session_id"], s["estimated_cost"]) for s in data["sessions"]] == [("s1", 2.5)]


# --- compare -----------------------------------------------------------------------------------------

def test_compare_json_per_agent(run_cli, small_agentx):
    data = run_cli("compare", "--cwd", small_agentx.cwd, "--from", "2026-03-13", "--until", "2026-03-19",
                   "--vs-from", "2026-03-20", "--vs-until", "2026-03-26", "--format", "json").json()
    cost = {k["name"]: k for k in data["kpis"]}["estimated_cost"]
    assert (data["by"], cost["a"], cost["b"], cost["pct"]) == ("agent", 0.0, pytest.approx(3.5), None)
    assert [r["key"] for r in data["rows"]] == ["a", "b"]


# --- hostile input: bound parameters, never pasted into SQL ------------------------------------------

@pytest.mark.parametrize("text", ["a'; DROP TABLE usage_daily; --", "%", "_", "\\", "' OR '1'='1", "🙂"])
def test_odd_agent_ids_are_just_text(run_cli, small_agentx, text):
    data = run_cli("tasks", text, "--cwd", small_agentx.cwd, *DAY, "--format", "json").json()
    assert (data["total"], data["tasks"]) == (0, [])
    assert run_cli("agents", "--cwd", small_agentx.cwd, *DAY, "--format", "json").json()[0]["tasks"] == 2


@pytest.mark.parametrize("text", ["%", "_", "' OR '1'='1", "abc1%"])
def test_odd_session_searches_match_literally(run_cli, two_sessions, text):
    data = run_cli("sessions", "--projects", two_sessions.root, "--search", text, "--format", "json").json()
    assert data["sessions"] == []


def test_agents_table_lists_only_unpriced_models_used_in_the_range(run_cli, agentx_db):
    agentx_db.daily(DailyUsage("a", "in-range-model", "2026-03-20", 10, tasks=1),
                    DailyUsage("a", "old-model", "2026-01-01", 10, tasks=1))
    out = run_cli("agents", "--cwd", agentx_db.cwd, *DAY, "--no-price-library").out
    assert "Unpriced (cost shows $0.00; add them to custom.json): in-range-model" in out
