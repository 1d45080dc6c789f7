"""The top row (today / 7 / 30 days) and the two-range comparison, on agentx and Axiom data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pricing
from factories import DailyUsage
from queries import load_dataset
from queries.dates import DateRange
from queries.overview import Change, compare, top_row
from queries.sources import open_source

TODAY = date(2026, 3, 30)
RATES = {"m": {"input": 1.0, "output": 2.0, "cacheRead": 0.1, "cacheCreate": 1.25}}


def agentx_dataset(db):
    return load_dataset(open_source(db.path), pricing.custom_prices_path(db.path.parent), False)


def test_agentx_top_row_of_hand_worked_days(agentx_db):
    agentx_db.custom_prices(RATES)
    agentx_db.daily(DailyUsage("a", "m", "2026-03-30", 1_000_000, 0, tasks=2),      # today
                    DailyUsage("a", "m", "2026-03-24", 0, 1_000_000, tasks=2),      # 7th day back
                    DailyUsage("b", "m", "2026-03-01", 0, 0, 1_000_000, tasks=4),   # 30th day back
                    DailyUsage("b", "m", "2026-02-28", 5_000_000, tasks=9))         # outside
    cards = top_row(agentx_dataset(agentx_db), TODAY)
    assert [(c.label, c.tasks, c.tokens) for c in cards] == [
        ("Today", 2, 1_000_000), ("Last 7 days", 4, 2_000_000), ("Last 30 days", 8, 2_000_000)]
    # cost: 1.00 today; + 2.00 = 3.00 in 7 days; + 0.10 cache read = 3.10 in 30 days
    assert [c.estimated_cost for c in cards] == [pytest.approx(1.0), pytest.approx(3.0), pytest.approx(3.1)]
    assert cards[2].cost_per_task == pytest.approx(3.1 / 8) and cards[2].tokens_per_task == 250_000


def test_top_row_averages_are_none_without_tasks(agentx_db):
    cards = top_row(agentx_dataset(agentx_db), TODAY)
    assert all(c.cost_per_task is None and c.tokens_per_task is None for c in cards)


def test_axiom_top_row_counts_requests(axiom_db):
    axiom_db.usage("2026-03-30 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    axiom_db.usage("2026-03-25 10:00:00", "openai", "gpt-4o", 0, 100_000)
    data = load_dataset(open_source(axiom_db.path), None, False)
    cards = top_row(data, TODAY)
    assert [(c.tasks, c.tokens, c.unit) for c in cards] == [(1, 1_000_000, "request"), (2, 1_100_000, "request"),
                                                             (2, 1_100_000, "request")]
    assert cards[1].estimated_cost == pytest.approx(2.5 + 1.0)


def test_compare_two_ranges_per_agent(agentx_db):
    agentx_db.custom_prices(RATES)
    agentx_db.daily(DailyUsage("a", "m", "2026-03-01", 1_000_000, tasks=2),
                    DailyUsage("a", "m", "2026-03-08", 3_000_000, tasks=3),
                    DailyUsage("b", "m", "2026-03-08", 0, 500_000, tasks=1))
    result = compare(agentx_dataset(agentx_db), DateRange(date(2026, 3, 1), date(2026, 3, 7)),
                     DateRange(date(2026, 3, 8), date(2026, 3, 14)))
    kpis = {k.name: k for k in result.kpis}
    assert (kpis["estimated_cost"].a, kpis["estimated_cost"].b) == (pytest.approx(1.0), pytest.approx(4.0))
    assert kpis["estimated_cost"].pct == pytest.approx(300.0) and kpis["tasks"].delta == 2
    rows = {r.key: {c.name: c for c in r.changes} for r in result.rows}
    assert [r.key for r in result.rows] == ["a", "b"] and result.by == "agent"
    assert (rows["b"]["estimated_cost"].a, rows["b"]["estimated_cost"].b, rows["b"]["estimated_cost"].pct) == (
        0.0, pytest.approx(1.0), None)


def test_compare_two_ranges_per_model_on_axiom(axiom_db):
    axiom_db.usage("2026-03-01 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    axiom_db.usage("2026-03-08 10:00:00", "openai", "gpt-4o", 2_000_000, 0)
    data = load_dataset(open_source(axiom_db.path), None, False)
    result = compare(data, DateRange(date(2026, 3, 1), date(2026, 3, 7)), DateRange(date(2026, 3, 8), date(2026, 3, 14)))
    (row,) = result.rows
    cost = row.changes[0]
    assert (result.by, row.key, cost.a, cost.b, cost.pct) == ("model", "openai / gpt-4o", 2.5, 5.0, pytest.approx(100.0))


@given(a=st.floats(-1e12, 1e12), b=st.floats(-1e12, 1e12))
def test_a_change_adds_up_and_has_no_percentage_of_zero(a, b):
    change = Change("x", a, b)
    assert change.a + change.delta == pytest.approx(b, abs=1e-3)
    assert (change.pct is None) == (a == 0)
