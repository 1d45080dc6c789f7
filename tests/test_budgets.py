"""Budgets, forecasts, unusual days, alerts and what-if pricing (issue 14), with hand-worked figures.

Every expected number below is worked out in the comment beside it from the rows the test writes
and the published prices it names, never from queries/budgets.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pricing
from factories import AxiomDB
from queries import Dataset, load_dataset
from queries.budgets import (FORECAST_OVER, OK, OVER, UNAVAILABLE, AlertState, Budget, budget_status, evaluate,
                             forecast_month, parse_budgets, read_budgets, scope_daily_costs, send_alerts,
                             target_prices, unusual_days, what_if)
from queries.dates import DateRange
from queries.sources import open_source
from queries.sources.axiom import AxiomKind
from queries.sources.base import Capability, Source
from queries.sql import sql
from queries.usage import Catalog, Filters

SONNET = "claude-sonnet-4-20250514"   # Axiom default: $3 in / $15 out per 1M
GPT4O = "gpt-4o"                      # Axiom default: $2.50 in / $10 out per 1M
SONNET_45 = "claude-sonnet-4-5"       # only the library knows it: Anthropic's published $3 / $15, cache read
                                      # $0.30, 5-min write $3.75; above 200k input: $6 / $22.50 / $0.60 / $7.50


# ---------------------------------------------------------------------------------------
# The budgets file.

def test_a_budgets_file_gives_each_budget_its_amounts_and_scope():
    read = parse_budgets('[budgets.all]\nmonthly = 500\ndaily = 25\n\n'
                         '[budgets.sonnet]\nmonthly = 120.5\nscope = { model = "claude-sonnet-4-20250514" }\n')
    assert read.problems == ()
    assert read.budgets == (Budget("all", 500.0, 25.0, ()),
                            Budget("sonnet", 120.5, None, (("model", SONNET),)))


@pytest.mark.parametrize("entry, named", [
    ('monthly = "lots"', "budgets.bad.monthly"),
    ("monthly = -5", "budgets.bad.monthly"),
    ("monthly = 5\ndaily = 0", "budgets.bad.daily"),
    ('monthly = 5\nscope = { colour = "red" }', "unknown dimension 'colour'"),
    ('monthly = 5\nscope = "gpt-4o"', "budgets.bad.scope"),
    ("monthly = 5\nweekly = 1", "unknown key(s) weekly"),
    ("monthly = nan", "budgets.bad.monthly"),
])
def test_a_bad_entry_is_left_out_with_a_message_naming_the_file_and_the_entry(tmp_path, entry, named):
    path = tmp_path / "budgets.toml"
    path.write_text(f"[budgets.good]\nmonthly = 10\n\n[budgets.bad]\n{entry}\n", encoding="utf-8")
    read = read_budgets(path)
    assert [b.name for b in read.budgets] == ["good"]
    assert len(read.problems) == 1 and str(path) in read.problems[0] and named in read.problems[0]


def test_a_file_that_is_not_toml_gives_no_budgets_and_says_which_file(tmp_path):
    path = tmp_path / "budgets.toml"
    path.write_text("[budgets.all\nmonthly = ", encoding="utf-8")
    read = read_budgets(path)
    assert read.budgets == () and "not valid TOML" in read.problems[0] and str(path) in read.problems[0]


def test_a_missing_budgets_file_is_named_and_nothing_raises(tmp_path):
    read = read_budgets(tmp_path / "nowhere.toml")
    assert read.budgets == () and "nowhere.toml" in read.problems[0]


# ---------------------------------------------------------------------------------------
# Forecast (hand-worked).

def _march() -> dict[date, float]:
    # Mar 1, 2: $10 each; Mar 3..9: $1 .. $7; today Mar 10: $2 so far.
    costs = {date(2026, 3, 1): 10.0, date(2026, 3, 2): 10.0}
    costs |= {date(2026, 3, 2 + n): float(n) for n in range(1, 8)}
    costs[date(2026, 3, 10)] = 2.0
    return costs


def test_forecast_is_the_days_so_far_plus_the_trailing_mean_for_each_day_left():
    f = forecast_month(_march(), date(2026, 3, 10))
    # complete days 1..9: 10 + 10 + (1+..+7 = 28) = 48; today 2; trailing 7 days 1..7: mean 4, min 1, max 7.
    # days after today: 31 - 10 = 21.
    assert (f.complete_days_spent, f.today_spent, f.spent) == (48.0, 2.0, 50.0)
    assert (f.trailing_mean, f.trailing_low, f.trailing_high, f.days_left) == (4.0, 1.0, 7.0, 21)
    assert f.expected == 48 + max(2, 4) + 4 * 21 == 136
    assert f.low == 48 + max(2, 1) + 1 * 21 == 71
    assert f.high == 48 + max(2, 7) + 7 * 21 == 202


def test_a_today_already_above_the_mean_counts_as_spent():
    costs = _march() | {date(2026, 3, 10): 9.0}
    f = forecast_month(costs, date(2026, 3, 10))
    assert (f.expected, f.low, f.high) == (48 + 9 + 84, 48 + 9 + 21, 48 + 9 + 147)


def test_on_the_first_of_the_month_the_trailing_days_come_from_the_month_before():
    costs = {date(2026, 3, 25) + timedelta(days=n): 2.0 for n in range(7)} | {date(2026, 4, 1): 1.0}
    f = forecast_month(costs, date(2026, 4, 1))
    # nothing complete yet; today max(1, 2) = 2; 29 days left at $2: 2 + 58 = 60.
    assert (f.spent, f.expected, f.low, f.high, f.days_left) == (1.0, 60.0, 60.0, 60.0, 29)


@given(st.lists(st.integers(0, 10_000), min_size=8, max_size=8), st.integers(1, 28))
def test_the_band_always_holds_the_forecast_and_never_drops_below_the_spend(cents, day):
    today = date(2026, 2, day)
    costs = {today - timedelta(days=n): c / 100 for n, c in enumerate(cents)}
    f = forecast_month(costs, today)
    assert f.spent - 1e-9 <= f.low <= f.expected + 1e-9 <= f.high + 2e-9


# ---------------------------------------------------------------------------------------
# Unusual days (hand-worked).

def _week_then(cost: float) -> dict[date, float]:
    # Seven days before Mar 8: 1, 1, 1, 2, 2, 2, 2 -> median 2.
    week = {date(2026, 3, 1 + n): v for n, v in enumerate([1, 1, 1, 2, 2, 2, 2])}
    return week | {date(2026, 3, 8): cost}


def test_a_day_above_k_times_its_trailing_median_is_flagged_with_by_how_much():
    [flag] = unusual_days(_week_then(6.01), [date(2026, 3, 8)], k=3)
    assert (flag.day, flag.cost, flag.median) == (date(2026, 3, 8), 6.01, 2)
    assert flag.ratio == pytest.approx(3.005)
    assert flag.note() == "3.0x its 7-day median ($2.00)"


def test_a_day_at_exactly_k_times_its_median_is_not_flagged():
    assert unusual_days(_week_then(6.0), [date(2026, 3, 8)], k=3) == []


def test_a_day_after_a_week_of_nothing_has_no_baseline_and_is_not_flagged():
    assert unusual_days({date(2026, 3, 8): 50.0}, [date(2026, 3, 8)], k=3) == []


# ---------------------------------------------------------------------------------------
# Status.

def test_status_is_over_forecast_over_or_ok():
    march, today = _march(), date(2026, 3, 10)   # spent 50, forecast 136
    assert budget_status(Budget("b", 49.99), march, today).state == OVER
    assert budget_status(Budget("b", 135.99), march, today).state == FORECAST_OVER
    assert budget_status(Budget("b", 136.0), march, today).state == OK
    daily = budget_status(Budget("b", 1000.0, daily_usd=1.99), march, today)   # today $2 > $1.99
    assert daily.state == OVER and daily.daily_over


# ---------------------------------------------------------------------------------------
# Over real data: an Axiom database, priced by Axiom's defaults.

@pytest.fixture
def spend(axiom_db: AxiomDB) -> Dataset:
    # Mar 3..9: one Sonnet request a day of 1,000,000 prompt tokens ($3.00 each);
    # Mar 10: 2,000,000 prompt tokens of gpt-4o ($5.00).
    for n in range(7):
        axiom_db.usage(f"2026-03-{3 + n:02d} 12:00:00", "anthropic", SONNET, prompt=1_000_000)
    axiom_db.usage("2026-03-10 09:00:00", "openai", GPT4O, prompt=2_000_000)
    return load_dataset(open_source(axiom_db.path), None, use_library=False)


def test_a_budget_scoped_to_a_model_counts_only_that_models_cost(spend):
    rng = DateRange(date(2026, 3, 3), date(2026, 3, 10))
    costs = scope_daily_costs(spend, (("model", SONNET),), rng)
    assert [c.cost for c in costs] == [3.0] * 7 + [0.0]
    whole = scope_daily_costs(spend, (), rng)
    assert [c.cost for c in whole] == [3.0] * 7 + [5.0]


def test_evaluate_gives_each_budget_its_month_and_forecast(spend):
    budgets = (Budget("all", 100.0), Budget("sonnet", 100.0, scope=(("model", SONNET),)),
               Budget("by key", 100.0, scope=(("key", "sk-1"),)))
    whole, sonnet, key = evaluate(spend, budgets, date(2026, 3, 10), "UTC")
    # all: complete days 7 x 3 = 21, today 5, mean 3 -> 21 + max(5, 3) + 3 x 21 = 89: ok under 100.
    assert (whole.state, whole.forecast.spent, whole.forecast.expected) == (OK, 26.0, 89.0)
    # sonnet: 21 so far, today 0 -> 21 + 3 + 63 = 87.
    assert (sonnet.state, sonnet.forecast.spent, sonnet.forecast.expected) == (OK, 21.0, 87.0)
    assert key.state == UNAVAILABLE and "key" in key.reason


def test_a_project_scope_on_data_without_projects_is_unavailable_not_zero(spend):
    [status] = evaluate(spend, (Budget("p", 1.0, scope=(("project", "/srv/app"),)),), date(2026, 3, 10), "UTC")
    assert status.state == UNAVAILABLE and "project" in status.reason


# ---------------------------------------------------------------------------------------
# The canonical requests view with cache tokens and projects (what issue 12 gives every
# REQUESTS kind), built as a real DuckDB table.

CANONICAL = """CREATE TABLE requests (request_id VARCHAR, ts TIMESTAMP, raw_ts VARCHAR, provider VARCHAR, model VARCHAR,
    initiator VARCHAR, task_kind VARCHAR, channel VARCHAR, session_id VARCHAR, prompt_tokens BIGINT,
    completion_tokens BIGINT, stored_cost DOUBLE, cache_read_tokens BIGINT, cache_write_tokens BIGINT,
    cache_write_1h_tokens BIGINT, project VARCHAR, api_key VARCHAR, team VARCHAR)"""


class CanonicalKind(AxiomKind):
    """A REQUESTS kind whose `requests` has real cache tokens and projects (Claude Code logs' kind,
    issue 12, is not merged here yet): Axiom's shared report code on the canonical columns."""

    name = "canonical-test"
    capabilities = frozenset({Capability.REQUESTS, Capability.CACHE_TOKENS, Capability.PROJECT})


def _canonical(rows: list[tuple]) -> Dataset:
    """rows: (ts, model, prompt, completion, cache_read, cache_write, cache_write_1h, project)."""
    con = duckdb.connect()
    con.execute(CANONICAL)
    con.executemany("INSERT INTO requests VALUES (?, ?, ?, 'anthropic', ?, 'main', NULL, NULL, NULL, ?, ?, 0, ?, ?, ?, ?, "
                    "?, ?)",
                    [(f"r{i}", ts, ts, model, p, c, cr, cw, c1h, project, f"key-{project}", f"team-{project}")
                     for i, (ts, model, p, c, cr, cw, c1h, project) in enumerate(rows)])
    con.execute(sql("define_filtered_requests"))
    source = Source(path=Path("canonical"), kind=CanonicalKind(), connection=con)
    models = sorted({r[1] for r in rows})
    book = pricing.resolve_prices([("anthropic", m) for m in models], pricing.SettingsPrices(), use_library=True)
    return Dataset(source, Catalog(tuple(("anthropic", m, 1) for m in models)), book, None)


def test_a_project_budget_counts_that_projects_requests_by_day():
    data = _canonical([("2026-03-09 10:00:00", SONNET, 1_000_000, 0, 0, 0, 0, "/srv/app"),     # $3
                       ("2026-03-10 10:00:00", SONNET, 2_000_000, 0, 0, 0, 0, "/srv/app"),     # $6
                       ("2026-03-10 11:00:00", SONNET, 5_000_000, 0, 0, 0, 0, "/srv/other")])  # not in scope
    costs = scope_daily_costs(data, (("project", "/srv/app"),), DateRange(date(2026, 3, 9), date(2026, 3, 10)))
    assert [(c.day, c.cost) for c in costs] == [(date(2026, 3, 9), 3.0), (date(2026, 3, 10), 6.0)]


def test_the_key_and_team_block_counts_that_keys_requests_by_day():
    """The SQL behind key and team budgets, on a view with LiteLLM's api_key and team columns (the
    KEY / TEAM capabilities that switch it on come with issue 13's kind)."""
    from queries.usage import _rows

    data = _canonical([("2026-03-10 10:00:00", SONNET, 1_000_000, 0, 0, 0, 0, "a"),    # key-a: $3
                       ("2026-03-10 11:00:00", SONNET, 2_000_000, 0, 0, 0, 0, "b")])   # key-b: $6
    params = MARCH_10.params(data.prices) | {"from_day": date(2026, 3, 10), "until_day": date(2026, 3, 10)}
    for dimension, value, cost in (("key", "key-b", 6.0), ("team", "team-a", 3.0), ("key", "key-z", 0.0)):
        rows = _rows(data.source, "budget_daily_cost_by", params | {"scope_dimension": dimension, "scope_value": value})
        assert [float(r["cost"]) for r in rows] == [cost]


# ---------------------------------------------------------------------------------------
# What-if pricing.

MARCH_10 = Filters(DateRange(date(2026, 3, 10), date(2026, 3, 10)))


def test_what_if_prices_every_request_as_the_target_model_beside_the_actual_cost(spend):
    target = target_prices(SONNET, "anthropic", pricing.SettingsPrices(), use_library=False)
    result = what_if(spend, MARCH_10, target, SONNET)
    [row] = result.rows
    # 2,000,000 gpt-4o prompt tokens: actual 2 x $2.50 = $5.00; as Sonnet 2 x $3 = $6.00.
    assert (row.model, row.requests, row.actual_cost, row.whatif_cost, row.difference) == (GPT4O, 1, 5.0, 6.0, 1.0)
    assert (result.actual_total, result.whatif_total) == (5.0, 6.0)


def test_what_if_applies_the_target_models_long_context_tier():
    data = _canonical([("2026-03-10 10:00:00", GPT4O, 300_000, 10_000, 0, 0, 0, None),
                       ("2026-03-10 11:00:00", GPT4O, 100_000, 10_000, 0, 0, 0, None)])
    target = target_prices(SONNET_45, "anthropic", pricing.SettingsPrices(), use_library=True)
    result = what_if(data, MARCH_10, target, SONNET_45)
    # above 200k: 300,000 x $6 + 10,000 x $22.50 = 1.8 + 0.225 = 2.025; base: 100,000 x $3 + 10,000 x $15 = 0.45.
    assert result.whatif_total == pytest.approx(2.475, abs=1e-12)
    # actual at gpt-4o: 400,000 x $2.50 + 20,000 x $10 = 1.0 + 0.2 = 1.2
    assert result.actual_total == pytest.approx(1.2, abs=1e-12)


def test_what_if_prices_cache_tokens_at_the_targets_cache_rates_and_counts_them_toward_the_tier():
    data = _canonical([("2026-03-10 10:00:00", GPT4O, 1_000, 1_000, 100_000, 10_000, 0, None),
                       ("2026-03-10 11:00:00", GPT4O, 1_000, 0, 250_000, 0, 0, None)])
    target = target_prices(SONNET_45, "anthropic", pricing.SettingsPrices(), use_library=True)
    result = what_if(data, MARCH_10, target, SONNET_45)
    # 1st: input size 111,000 (base): 1,000 x 3 + 1,000 x 15 + 100,000 x 0.30 + 10,000 x 3.75 = 85,500 -> $0.0855
    # 2nd: input size 251,000 > 200,000 (tier): 1,000 x 6 + 250,000 x 0.60 = 156,000 -> $0.156
    assert result.whatif_total == pytest.approx(0.0855 + 0.156, abs=1e-12)


def test_what_if_with_another_price_table_prices_each_request_by_its_own_model(spend, tmp_path):
    table = pricing.resolve_prices([("openai", GPT4O)], pricing.SettingsPrices(prices={GPT4O: (1.0, 4.0)}), False)
    result = what_if(spend, MARCH_10, table, None)
    # 2,000,000 prompt tokens at $1 = $2.00 against $5.00 at Axiom's default.
    assert (result.actual_total, result.whatif_total) == (5.0, 2.0)


def test_what_if_of_a_model_nobody_prices_says_so(spend):
    target = target_prices("no-such-model-x", None, pricing.SettingsPrices(), use_library=False)
    result = what_if(spend, MARCH_10, target, "no-such-model-x")
    assert result.whatif_total == 0.0 and "No price is known for no-such-model-x" in result.note


def test_the_what_if_csv_has_a_total_row_and_neutralises_model_ids():
    data = _canonical([("2026-03-10 10:00:00", "=cmd|calc", 1_000_000, 0, 0, 0, 0, None)])
    target = target_prices(SONNET, "anthropic", pricing.SettingsPrices(), use_library=False)
    rows = list(csv.DictReader(io.StringIO(what_if(data, MARCH_10, target, SONNET).csv())))
    assert rows[0]["model"] == "'=cmd|calc" and rows[0]["whatif_cost"] == "3.0"
    assert (rows[-1]["provider"], rows[-1]["whatif_cost"], rows[-1]["difference"]) == ("Total", "3.0", "3.0")


# ---------------------------------------------------------------------------------------
# Alert state.

def test_an_alert_is_sent_once_per_period_and_again_in_the_next(tmp_path, webhook_server):
    state_path = tmp_path / "state" / "alerts.json"
    over = budget_status(Budget("b", 10.0), _march(), date(2026, 3, 10))
    assert [a.kind for a, d in send_alerts([over], webhook_server.url, AlertState(state_path))] == ["monthly over"]
    assert send_alerts([over], webhook_server.url, AlertState(state_path)) == []   # same month: nothing new
    april = budget_status(Budget("b", 10.0), {date(2026, 4, 1): 11.0}, date(2026, 4, 1))
    assert [a.period for a, d in send_alerts([april], webhook_server.url, AlertState(state_path))] == ["2026-04"]
    assert len(webhook_server.bodies) == 2


def test_a_forecast_alert_then_an_over_alert_in_the_same_month_are_both_sent(tmp_path, webhook_server):
    state = tmp_path / "alerts.json"
    send_alerts([budget_status(Budget("b", 100.0), _march(), date(2026, 3, 10))], webhook_server.url, AlertState(state))
    sent = send_alerts([budget_status(Budget("b", 40.0), _march(), date(2026, 3, 10))], webhook_server.url,
                       AlertState(state))
    assert [a.kind for a, d in sent] == ["monthly over"]
    assert "forecast to end 2026-03 at $136.00 ($71.00 .. $202.00)" in webhook_server.bodies[0]["text"]


def test_an_unreadable_state_file_starts_afresh_with_a_warning(tmp_path):
    path = tmp_path / "alerts.json"
    path.write_text("{not json", encoding="utf-8")
    state = AlertState(path)
    assert state.sent == {} and "could not be read" in state.warning


# ---------------------------------------------------------------------------------------
# The webhook, against a real local HTTP server.

@pytest.fixture
def webhook_server_():
    from webhook_server import webhook_server

    return webhook_server


@pytest.fixture
def webhook_server(webhook_server_):
    with webhook_server_() as srv:
        yield srv


def _no_wait(_seconds: float) -> None:
    """Backoff waits skipped (their lengths are checked on their own)."""


def test_the_webhook_gets_a_slack_compatible_json_post(webhook_server):
    from queries.budgets import post_webhook

    delivery = post_webhook(webhook_server.url, "Budget 'all' is over.")
    assert (delivery.delivered, delivery.attempts) == (True, 1)
    assert webhook_server.bodies == [{"text": "Budget 'all' is over."}]


def test_a_server_that_fails_twice_then_succeeds_gets_the_alert_on_the_third_try(webhook_server_):
    from queries.budgets import post_webhook

    waits: list[float] = []
    with webhook_server_(fail_first=2) as srv:
        delivery = post_webhook(srv.url, "hello", retries=3, backoff=0.5, sleep=waits.append)
    assert (delivery.delivered, delivery.attempts, srv.posts) == (True, 3, 3)
    assert waits == [0.5, 1.0]   # backoff, then twice that
    assert srv.bodies == [{"text": "hello"}]


def test_a_server_that_hangs_times_out_and_is_tried_again_then_given_up(webhook_server_):
    from queries.budgets import post_webhook

    with webhook_server_(hang=True) as srv:
        delivery = post_webhook(srv.url, "hello", timeout=0.5, retries=1, sleep=_no_wait)
        posts = srv.posts
    assert (delivery.delivered, delivery.attempts, delivery.error) == (False, 2, "timed out")
    assert posts == 2


def test_a_wrong_url_answer_is_not_retried(webhook_server_):
    from queries.budgets import post_webhook

    with webhook_server_(status=404) as srv:
        delivery = post_webhook(srv.url, "hello", retries=3, sleep=_no_wait)
    assert (delivery.delivered, delivery.attempts, delivery.error, srv.posts) == (False, 1, "HTTP 404", 1)


def test_an_undelivered_alert_is_not_remembered_so_the_next_run_tries_again(tmp_path, webhook_server_):
    over = budget_status(Budget("b", 10.0), _march(), date(2026, 3, 10))
    with webhook_server_(status=503) as srv:
        [(alert, delivery)] = send_alerts([over], srv.url, AlertState(tmp_path / "a.json"), retries=0)
    assert not delivery.delivered
    with webhook_server_() as srv:
        assert len(send_alerts([over], srv.url, AlertState(tmp_path / "a.json"))) == 1


# ---------------------------------------------------------------------------------------
# agentx: budgets per agent from its daily rollup; no per-request rows for what-if.

@pytest.fixture
def agentx_spend(agentx_db):
    from factories import DailyUsage

    agentx_db.custom_prices({"house-model": {"input": 2.0, "output": 10.0}})
    # coder: Mar 9 1,000,000 input ($2.00), Mar 10 500,000 output ($5.00); writer: Mar 10 $20.00 (not in scope)
    agentx_db.daily(DailyUsage("coder", "house-model", "2026-03-09", input_tokens=1_000_000, tasks=1),
                    DailyUsage("coder", "house-model", "2026-03-10", output_tokens=500_000, tasks=1),
                    DailyUsage("writer", "house-model", "2026-03-10", output_tokens=2_000_000, tasks=1))
    return load_dataset(open_source(agentx_db.path), None, use_library=False)


def test_an_agent_budget_counts_that_agents_days(agentx_spend):
    costs = scope_daily_costs(agentx_spend, (("agent", "coder"),), DateRange(date(2026, 3, 9), date(2026, 3, 10)))
    assert [(c.day, c.cost) for c in costs] == [(date(2026, 3, 9), 2.0), (date(2026, 3, 10), 5.0)]


def test_what_if_on_a_daily_rollup_says_it_needs_per_request_rows(agentx_spend):
    target = target_prices(SONNET, "anthropic", pricing.SettingsPrices(), use_library=False)
    assert "per-request rows" in what_if(agentx_spend, MARCH_10, target, SONNET)


# ---------------------------------------------------------------------------------------
# A workspace of several sources: `source` is one more dimension.

@pytest.fixture
def two_sources(spend, make_axiom_db):
    other = make_axiom_db("laptop.db")
    other.usage("2026-03-10 10:00:00", "anthropic", SONNET, prompt=4_000_000)   # $12.00
    return [("prod", spend), ("laptop", load_dataset(open_source(other.path), None, use_library=False))]


def test_a_workspace_budget_sums_its_sources_days(two_sources):
    costs = scope_daily_costs(two_sources, (), DateRange(date(2026, 3, 9), date(2026, 3, 10)))
    # prod: Mar 9 $3, Mar 10 $5; laptop: Mar 10 $12
    assert [c.cost for c in costs] == [3.0, 17.0]


def test_a_source_budget_counts_that_source_only_and_combines_with_a_model(two_sources):
    rng = DateRange(date(2026, 3, 9), date(2026, 3, 10))
    assert [c.cost for c in scope_daily_costs(two_sources, (("source", "laptop"),), rng)] == [0.0, 12.0]
    assert [c.cost for c in scope_daily_costs(two_sources, (("source", "prod"), ("model", SONNET)), rng)] == [3.0, 0.0]
    assert "no source named 'nas'" in scope_daily_costs(two_sources, (("source", "nas"),), rng)


def test_a_single_database_is_a_workspace_of_one_source_named_after_its_kind(spend):
    rng = DateRange(date(2026, 3, 10), date(2026, 3, 10))
    assert [c.cost for c in scope_daily_costs(spend, (("source", "axiom"),), rng)] == [5.0]


def test_a_state_that_cannot_be_written_is_a_warning_not_a_crash(tmp_path, webhook_server):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state's folder should be", encoding="utf-8")
    state = AlertState(blocker / "alerts.json")
    over = budget_status(Budget("b", 10.0), _march(), date(2026, 3, 10))
    [(alert, delivery)] = send_alerts([over], webhook_server.url, state)
    assert delivery.delivered and "could not be written" in state.warning


@given(st.lists(st.integers(0, 10_000), min_size=8, max_size=8), st.integers(1, 1000))
def test_unusual_days_do_not_depend_on_the_currency_unit(cents, factor):
    """Scaling every day's cost by the same factor flags the same days with the same ratios (whole
    numbers, so every product and median is exact in floats and no comparison sits on a rounding)."""
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(8)]
    costs = {d: float(c) for d, c in zip(days, cents)}
    scaled = {d: c * factor for d, c in costs.items()}
    plain, bigger = unusual_days(costs, days[-1:], 3.0), unusual_days(scaled, days[-1:], 3.0)
    assert [u.day for u in plain] == [u.day for u in bigger]
    assert [u.ratio for u in plain] == pytest.approx([u.ratio for u in bigger])
