"""The agentx adapter and its numbers: report, agents, task lists, tier 2, rotations.

Expected values are worked out by hand in each test, or by the plain-Python oracle in
factories.py over the rows the test wrote; never from the code under test.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pricing
from factories import (RANDOM_AGENTX_RATES, AgentxDB, DailyUsage, Rotation, TaskRow, daily_cost, oracle_agents,
                       percentile, provider_of, tier2_extra, tier2_tokens)
from queries import load_dataset
from queries.sources.agentx import (DEFAULT_TIER2_THRESHOLD, agent_rows, agent_tasks, read_agentx_config, rotation_report,
                            tier2_hotspots)
from queries.dates import DateRange
from queries.mirror import open_mirrored_source
from queries.sources import SourceError, open_source
from queries.usage import Filters, usage_report

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 30))
DAY = DateRange(date(2026, 3, 20), date(2026, 3, 20))
# Round rates so hand-worked costs stay readable: input, output, cache read, cache write per 1M.
ROUND = {"input": 1.0, "output": 2.0, "cacheRead": 0.1, "cacheCreate": 1.25}


def open_priced(db: AgentxDB, use_library: bool = False):
    """Open an agentx file and price it from its custom.json (library off unless asked)."""
    source = open_source(db.path)
    return load_dataset(source, pricing.custom_prices_path(db.path.parent), use_library)


# --- the adapter ------------------------------------------------------------------------------------

def test_agentx_tables_select_the_agentx_adapter(agentx_db):
    assert open_source(agentx_db.path).adapter == "agentx"


def test_an_early_schema_without_tier2_columns_traces_or_rotations_reads(old_agentx_db):
    old_agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, tasks=2))
    old_agentx_db.history(TaskRow("t1", "a", datetime(2026, 3, 20, 9), 1_000))
    data = open_priced(old_agentx_db)
    (row,) = agent_rows(data.source, DAY, data.prices)
    assert (row.tasks, row.input_tokens, row.tier2_tokens, row.p50_duration_ms) == (2, 10, 0, 1_000.0)
    assert rotation_report(data.source, DAY).rows == []


def test_forcing_agentx_on_an_axiom_file_names_the_missing_table(axiom_db):
    with pytest.raises(SourceError, match="lacks the agentx tables usage_daily"):
        open_source(axiom_db.path, "agentx")


def test_reading_leaves_the_agentx_file_byte_for_byte_unchanged(random_agentx_db):
    before = hashlib.sha256(random_agentx_db.path.read_bytes()).hexdigest()
    data = open_priced(random_agentx_db)
    agent_rows(data.source, MARCH, data.prices)
    data.source.close()
    assert hashlib.sha256(random_agentx_db.path.read_bytes()).hexdigest() == before


def test_asking_for_a_mirror_of_an_agentx_file_reads_it_directly(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, tasks=2))
    source = open_mirrored_source(agentx_db.path)
    assert source.adapter == "agentx" and not hasattr(source, "refresh")


@pytest.mark.parametrize("model, provider", [
    ("claude-opus-4-7", "anthropic"), ("Claude-Sonnet-4-6", "anthropic"), ("gpt-5.4", "openai"),
    ("o3-mini", "openai"), ("codex-mini-latest", "openai"), ("gemini-2.5-pro", "google"),
    ("llama3.1:8b", "unknown"), ("opus", "unknown"), ("", "unknown"),
])
def test_provider_is_derived_from_the_model_id(agentx_db, model, provider):
    agentx_db.daily(DailyUsage("a", model, "2026-03-20", 1))
    assert open_priced(agentx_db).catalog.pairs == ((provider, model, 0),)


@given(model=st.text(max_size=20))
def test_the_oracles_provider_rule_agrees_with_sql_on_any_text(model):
    import duckdb
    from queries.sql import sql

    con = duckdb.connect()
    block = sql("agentx_views")
    con.execute(block[:block.index("CREATE OR REPLACE VIEW")])  # just the macros
    assert con.execute("SELECT agentx_provider($m)", {"m": model}).fetchone()[0] == provider_of(model)


# --- cost -------------------------------------------------------------------------------------------

def test_cost_of_a_hand_worked_row_with_tier2_tokens(agentx_db):
    agentx_db.custom_prices({"m": ROUND})
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 1_000_000, 1_000_000, 1_000_000, 1_000_000, tasks=1,
                               tier2_input_tokens=1_000_000, tier2_cache_read_tokens=2_000_000))
    data = open_priced(agentx_db)
    (row,) = agent_rows(data.source, DAY, data.prices)
    # tier 1: 1 + 2 + 0.1 + 1.25 = 4.35; tier 2: 1.5 x (1 + 2 x 0.1) = 1.8; extra = 0.5 x 1.2 = 0.6
    assert row.estimated_cost == pytest.approx(6.15)
    assert row.tier2_extra_cost == pytest.approx(0.6)


def test_token_counts_include_tier2_tokens(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 20, 30, 40, 1, 1, 2, 3, 4))
    (row,) = agent_rows(open_source(agentx_db.path), DAY, pricing.PriceBook({}, [], []))
    assert (row.input_tokens, row.output_tokens, row.cache_read_tokens, row.cache_write_tokens, row.tier2_tokens) \
        == (11, 22, 33, 44, 10)


def test_a_model_without_a_price_costs_nothing_and_is_listed(agentx_db):
    agentx_db.daily(DailyUsage("a", "house-model", "2026-03-20", 1_000, 1_000, tasks=1))
    data = open_priced(agentx_db)
    report = usage_report(data.source, Filters(DAY), data.prices, data.catalog)
    assert report.totals.estimated_cost == 0 and report.unpriced_models == ["house-model"]


def test_custom_json_wins_over_the_price_library(agentx_db):
    agentx_db.custom_prices({"claude-opus-4-7": ROUND})
    agentx_db.daily(DailyUsage("a", "claude-opus-4-7", "2026-03-20", 1_000_000, tasks=1))
    data = open_priced(agentx_db, use_library=True)
    assert agent_rows(data.source, DAY, data.prices)[0].estimated_cost == pytest.approx(1.0)


# --- agents (item 4) --------------------------------------------------------------------------------

def test_agents_match_the_oracle_on_random_data(random_agentx_db, random_agentx_data):
    data = open_priced(random_agentx_db)
    got = {r.agent_id: r.as_json() for r in agent_rows(data.source, MARCH, data.prices)}
    want = oracle_agents(random_agentx_data, MARCH.start, MARCH.end, RANDOM_AGENTX_RATES)
    assert set(got) == set(want)
    for agent, expected in want.items():
        assert got[agent] == {**expected, "estimated_cost": pytest.approx(expected["estimated_cost"], rel=1e-9),
                              "p50_duration_ms": pytest.approx(expected["p50_duration_ms"]),
                              "p95_duration_ms": pytest.approx(expected["p95_duration_ms"])}


def test_p50_and_p95_interpolate_linearly_between_ranks(agentx_db):
    start = datetime(2026, 3, 20, 8)
    agentx_db.traces(*(TaskRow(f"t{i}", "a", start + timedelta(minutes=i), d) for i, d in enumerate([300, 100, 1000, 200])))
    (row,) = agent_rows(open_source(agentx_db.path), DAY, pricing.PriceBook({}, [], []))
    # sorted 100 200 300 1000; p50 at rank 1.5 = 250; p95 at rank 2.85 = 300 + 0.85 x 700 = 895
    assert (row.p50_duration_ms, row.p95_duration_ms) == (pytest.approx(250.0), pytest.approx(895.0))


def test_durations_are_those_of_tasks_that_started_in_range(agentx_db):
    agentx_db.traces(TaskRow("before", "a", datetime(2026, 3, 19, 23, 59), 9_999),
                     TaskRow("inside", "a", datetime(2026, 3, 20, 0, 0), 100))
    (row,) = agent_rows(open_source(agentx_db.path), DAY, pricing.PriceBook({}, [], []))
    assert (row.p50_duration_ms, row.task_rows) == (100.0, 1)


def test_errors_and_timeouts_are_counted_per_agent(agentx_db):
    moment = datetime(2026, 3, 20, 12)
    agentx_db.traces(TaskRow("1", "a", moment, 1, "ok"), TaskRow("2", "a", moment, 1, "error"),
                     TaskRow("3", "a", moment, 1, "timeout"), TaskRow("4", "a", moment, 1, "timeout"))
    (row,) = agent_rows(open_source(agentx_db.path), DAY, pricing.PriceBook({}, [], []))
    assert (row.errors, row.timeouts) == (1, 2)


def test_task_traces_win_over_task_history_when_they_have_rows(agentx_db):
    agentx_db.history(TaskRow("old", "a", datetime(2026, 3, 20, 9), 5_000))
    agentx_db.traces(TaskRow("new", "a", datetime(2026, 3, 20, 10), 7_000))
    page = agent_tasks(open_source(agentx_db.path), DAY, "a")
    assert [(t.task_id, t.origin) for t in page.tasks] == [("new", "task_traces")]


def test_task_history_with_iso_times_is_read_when_traces_are_empty(agentx_db):
    agentx_db.history(TaskRow("h", "a", datetime(2026, 3, 20, 9, 30, 15, 250_000), 5_000, channel="gitlab"))
    (task,) = agent_tasks(open_source(agentx_db.path), DAY, "a").tasks
    assert (task.started_at, task.channel, task.duration_ms, task.origin) == (
        datetime(2026, 3, 20, 9, 30, 15, 250_000), "gitlab", 5_000, "task_history")


def test_epoch_millisecond_times_of_task_traces_are_utc(agentx_db):
    agentx_db.traces(TaskRow("t", "a", datetime(2026, 3, 20, 23, 59, 59, 999_000), 1))
    (task,) = agent_tasks(open_source(agentx_db.path), DAY, "a").tasks
    assert task.started_at == datetime(2026, 3, 20, 23, 59, 59, 999_000)


def test_missing_duration_is_finish_minus_start(agentx_db):
    agentx_db._run("INSERT INTO task_traces (task_id, agent_id, status, started_at, finished_at) VALUES (?, ?, ?, ?, ?)",
                   [("t", "a", "ok", 1_774_000_000_000, 1_774_000_004_500)])  # 2026-03-20 09:46:40 UTC
    (task,) = agent_tasks(open_source(agentx_db.path), DAY, "a").tasks
    assert task.duration_ms == 4_500


def test_task_list_is_newest_first_and_paged(agentx_db):
    start = datetime(2026, 3, 20, 1)
    agentx_db.traces(*(TaskRow(f"t{i}", "a", start + timedelta(hours=i), 1) for i in range(5)))
    agentx_db.traces(TaskRow("other-agent", "b", start, 1))
    source = open_source(agentx_db.path)
    first, last = agent_tasks(source, DAY, "a", page=1, page_size=2), agent_tasks(source, DAY, "a", page=3, page_size=2)
    assert [t.task_id for t in first.tasks] == ["t4", "t3"] and [t.task_id for t in last.tasks] == ["t0"]
    assert (first.total, first.pages) == (5, 3)


def test_a_page_past_the_end_is_empty(agentx_db):
    agentx_db.traces(TaskRow("t", "a", datetime(2026, 3, 20, 1), 1))
    page = agent_tasks(open_source(agentx_db.path), DAY, "a", page=9, page_size=10)
    assert (page.tasks, page.total) == ([], 1)


# --- tier 2 (item 5) --------------------------------------------------------------------------------

def test_tier2_hotspots_of_a_hand_worked_agent(agentx_db):
    agentx_db.custom_prices({"m": ROUND})
    agentx_db.config({"session": {"tierTwoThresholdTokens": 150_000}})
    agentx_db.daily(DailyUsage("a", "m", "2026-03-19", tier2_input_tokens=1_000_000),
                    DailyUsage("a", "m", "2026-03-20", 1_000_000, tier2_output_tokens=1_000_000),
                    DailyUsage("b", "m", "2026-03-20", 1_000_000))
    agentx_db.rotations(Rotation("a", "tier-2", "2026-03-20T10:00:00.000Z", 160_000),
                        Rotation("a", "tier-2", "2026-03-20 11:00:00", 120_000),
                        Rotation("a", "stale", "2026-03-20 12:00:00", 190_000))
    data = open_priced(agentx_db)
    report = tier2_hotspots(data.source, DateRange(date(2026, 3, 19), date(2026, 3, 20)), data.prices)
    (row,) = report.rows  # b never reached tier 2
    assert (row.agent_id, row.tier2_days, row.tier2_rotations, row.rotations_over_threshold,
            row.max_last_turn_input_tokens, row.tier2_tokens) == ("a", 2, 2, 1, 160_000, 2_000_000)
    # tier-2 tokens at tier-1 rates: 1M input x 1 + 1M output x 2 = 3.00; billed 1.5x = 4.50, extra 1.50
    assert (row.tier2_cost, row.tier2_extra_cost, row.estimated_cost) == (
        pytest.approx(4.5), pytest.approx(1.5), pytest.approx(5.5))
    assert report.threshold == 150_000


def test_tier2_crossings_come_from_usage_daily_not_from_task_rows(agentx_db):
    # agentx writes 0 tokens into the task tables for a tier-2 task.
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", tasks=1, tier2_input_tokens=250_000))
    agentx_db.traces(TaskRow("t", "a", datetime(2026, 3, 20, 9), 60_000))
    (row,) = tier2_hotspots(open_source(agentx_db.path), DAY, pricing.PriceBook({}, [], [])).rows
    assert (row.tier2_days, row.tier2_tokens) == (1, 250_000)


def test_tier2_extra_cost_matches_the_oracle_on_random_data(random_agentx_db, random_agentx_data):
    data = open_priced(random_agentx_db)
    got = {r.agent_id: r for r in tier2_hotspots(data.source, MARCH, data.prices).rows}
    want: dict[str, list[float]] = {}
    for row in random_agentx_data.daily:
        if "2026-03-01" <= row.day <= "2026-03-30" and tier2_tokens(row):
            extra = tier2_extra(row, RANDOM_AGENTX_RATES.get(row.model))
            want.setdefault(row.agent_id, [0.0, 0])[0] += extra
            want[row.agent_id][1] += tier2_tokens(row)
    assert {a: (pytest.approx(e, rel=1e-9), t) for a, (e, t) in want.items()} == {
        a: (r.tier2_extra_cost, r.tier2_tokens) for a, r in got.items() if r.tier2_tokens}


def test_threshold_defaults_when_agentx_json_is_absent(agentx_db):
    assert read_agentx_config(agentx_db.cwd / "agentx.json").tier2_threshold == DEFAULT_TIER2_THRESHOLD == 195_000


@pytest.mark.parametrize("content", ["{broken", '{"session": {"tierTwoThresholdTokens": "lots"}}',
                                     '{"session": {"tierTwoThresholdTokens": -5}}'])
def test_a_bad_threshold_warns_and_uses_the_default(agentx_db, content):
    config = read_agentx_config(agentx_db.config(content))
    assert config.tier2_threshold == 195_000 and len(config.warnings) == 1


# --- rotations (item 6) -----------------------------------------------------------------------------

def test_rotations_are_counted_per_agent_and_reason_in_range(agentx_db):
    agentx_db.rotations(Rotation("a", "stale", "2026-03-20 01:00:00"), Rotation("a", "tier-2", "2026-03-20T02:00:00Z"),
                        Rotation("a", "max-turns", "2026-03-20T03:00:00.000Z"), Rotation("a", "stale", "2026-03-20 04:00:00"),
                        Rotation("a", "stale", "2026-03-21 00:00:00"), Rotation("b", "reorg", "2026-03-20 05:00:00"))
    rows = {r.agent_id: r.as_json() for r in rotation_report(open_source(agentx_db.path), DAY).rows}
    assert rows == {"a": {"agent_id": "a", "stale": 2, "tier-2": 1, "max-turns": 1, "other": 0, "total": 4},
                    "b": {"agent_id": "b", "stale": 0, "tier-2": 0, "max-turns": 0, "other": 1, "total": 1}}


def test_rotation_counts_match_the_oracle_on_random_data(random_agentx_db, random_agentx_data):
    from factories import parse_timestamp

    want: dict[str, dict[str, int]] = {}
    for r in random_agentx_data.rotations:
        moment = parse_timestamp(r.rotated_at)
        if datetime(2026, 3, 1) <= moment < datetime(2026, 3, 31):
            counts = want.setdefault(r.agent_id, {"stale": 0, "tier-2": 0, "max-turns": 0})
            counts[r.reason] += 1
    got = {r.agent_id: {"stale": r.stale, "tier-2": r.tier2, "max-turns": r.max_turns}
           for r in rotation_report(open_source(random_agentx_db.path), MARCH).rows}
    assert got == want


def test_frequent_tier2_rotations_bring_the_lower_the_threshold_hint(agentx_db):
    agentx_db.rotations(*(Rotation("a", "tier-2", f"2026-03-20 0{i}:00:00", 196_000) for i in range(3)),
                        Rotation("a", "stale", "2026-03-20 05:00:00"))
    (hint,) = rotation_report(open_source(agentx_db.path), DAY).hints
    assert hint.startswith("a: 3 of 4 rotations were tier-2") and "Lower session.tierTwoThresholdTokens" in hint


def test_rare_tier2_rotations_bring_no_hint(agentx_db):
    agentx_db.rotations(Rotation("a", "tier-2", "2026-03-20 01:00:00", 196_000),
                        *(Rotation("a", "stale", f"2026-03-20 0{i}:00:00") for i in range(2, 9)))
    assert rotation_report(open_source(agentx_db.path), DAY).hints == []


def test_unreadable_rotation_times_are_counted_and_left_out(agentx_db):
    agentx_db.rotations(Rotation("a", "stale", "whenever"), Rotation("a", "stale", "2026-03-20 01:00:00"))
    report = rotation_report(open_source(agentx_db.path), DAY)
    assert report.rows[0].total == 1 and "1 rotation(s) have a rotated_at in no known form" in report.warnings[0]


# --- the usage report (cli.py report / today on agentx) ---------------------------------------------

def test_report_requests_are_usage_daily_tasks_and_tokens_include_tier2(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, 100, 7, tasks=3, tier2_input_tokens=1,
                               tier2_output_tokens=2),
                    DailyUsage("b", "m", "2026-03-20", 20, 1, tasks=4))
    data = open_priced(agentx_db)
    totals = usage_report(data.source, Filters(DAY), data.prices, data.catalog).totals
    assert (totals.requests, totals.prompt_tokens, totals.completion_tokens, totals.total_tokens) == (7, 31, 8, 39)


def test_report_has_no_initiator_split_and_says_why(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, tasks=3))
    data = open_priced(agentx_db)
    report = usage_report(data.source, Filters(DAY), data.prices, data.catalog)
    assert report.as_json()["by_initiator"] == [] and not report.has_initiator_split
    assert any("no channel" in w for w in report.warnings)


def test_report_lists_every_utc_day_zero_days_included(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, tasks=3))
    data = open_priced(agentx_db)
    rng = DateRange(date(2026, 3, 19), date(2026, 3, 21))
    daily = usage_report(data.source, Filters(rng), data.prices, data.catalog).daily
    assert [(d.day.isoformat(), d.requests) for d in daily] == [("2026-03-19", 0), ("2026-03-20", 3), ("2026-03-21", 0)]


def test_report_in_another_zone_says_its_days_are_utc_days(agentx_db):
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 10, 5, tasks=3))
    data = open_priced(agentx_db)
    report = usage_report(data.source, Filters(DateRange(DAY.start, DAY.end, "Asia/Tokyo")), data.prices, data.catalog)
    assert report.totals.requests == 3 and any("per UTC day" in w for w in report.warnings)


def test_report_totals_match_the_oracle_on_random_data(random_agentx_db, random_agentx_data):
    data = open_priced(random_agentx_db)
    report = usage_report(data.source, Filters(MARCH), data.prices, data.catalog)
    rows = [r for r in random_agentx_data.daily if "2026-03-01" <= r.day <= "2026-03-30"]
    t = report.totals
    assert t.requests == sum(r.tasks for r in rows)
    assert t.prompt_tokens == sum(r.input_tokens + r.tier2_input_tokens for r in rows)
    assert t.completion_tokens == sum(r.output_tokens + r.tier2_output_tokens for r in rows)
    assert t.estimated_cost == pytest.approx(sum(daily_cost(r, RANDOM_AGENTX_RATES.get(r.model)) for r in rows), rel=1e-9)
    assert report.unpriced_models == ["house-model-x"]


def test_the_oracles_percentile_is_numpys_linear_rule():
    # Worked by hand from numpy's documented definition, not by running numpy.
    assert percentile([1, 2, 3, 10], 0.95) == pytest.approx(8.95)
    assert percentile([5], 0.5) == 5 and percentile([], 0.5) is None


def test_load_dataset_finds_custom_json_beside_the_database_without_a_path(agentx_db):
    # The app calls load_dataset with no settings path for an agentx file.
    agentx_db.custom_prices({"m": ROUND})
    agentx_db.daily(DailyUsage("a", "m", "2026-03-20", 1_000_000, tasks=1))
    data = load_dataset(open_source(agentx_db.path), None, False)
    assert data.prices.prices["m"].source == "agentx-custom" and data.settings_path == agentx_db.path.parent / "pricing" / "custom.json"
