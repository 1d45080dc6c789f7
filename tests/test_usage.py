"""The numbers of one filter state (queries.usage), on real SQLite files read through DuckDB.

Expected values are hand-worked (the arithmetic is in the comments) or come from the
plain-Python oracle in factories.py; never from the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from genai_prices import Usage as LibUsage
from genai_prices import calc_price

import pricing
from factories import AXIOM_DEFAULTS, RANDOM_SETTINGS, AxiomDB, axiom_price_table, oracle_report
from queries import load_dataset
from queries.dates import DateRange
from queries.sources import open_source
from queries.usage import Filters, UsageReport, usage_report

DAY = date(2026, 3, 20)


def report(db: AxiomDB, start: date = DAY, end: date = DAY, tz: str = "UTC", settings: Path | None = None,
           library: bool = False, provider: str | None = None, model: str | None = None) -> UsageReport:
    source = open_source(db.path)
    try:
        data = load_dataset(source, settings, library)
        return usage_report(source, Filters(DateRange(start, end, tz), provider, model), data.prices, data.catalog)
    finally:
        source.close()


def only_row(rep: UsageReport):
    assert len(rep.breakdown) == 1
    return rep.breakdown[0]


# --- cost rule ---------------------------------------------------------------------------

def test_stored_cost_above_zero_wins_over_the_price(axiom_db):
    # gpt-4o at 2.50/10.00 would make 1M+1M tokens cost 12.50; the stored 0.25 is what counts.
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 1_000_000, cost=0.25)
    assert report(axiom_db).totals.estimated_cost == pytest.approx(0.25)


def test_zero_stored_cost_is_computed_from_tokens_and_price(axiom_db):
    # 1,000,000 * 2.50 / 1e6 + 100,000 * 10.00 / 1e6 = 2.50 + 1.00
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 100_000, cost=0.0)
    assert report(axiom_db).totals.estimated_cost == pytest.approx(3.50)


def test_negative_stored_cost_is_not_above_zero_so_the_price_is_used(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 100_000, cost=-1.0)
    assert report(axiom_db).totals.estimated_cost == pytest.approx(3.50)


def test_settings_entry_wins_over_axiom_default(axiom_db, write_settings):
    settings = write_settings({"tokenPriceTable": {"gpt-4o": {"input": 1.0, "output": 2.0}}})
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 1_000_000)
    rep = report(axiom_db, settings=settings)
    assert rep.totals.estimated_cost == pytest.approx(3.0)  # 1.0 + 2.0, not 2.50 + 10.00
    assert [(p.model, p.input, p.output, p.source) for p in rep.prices] == [("gpt-4o", 1.0, 2.0, "settings")]


def test_partial_settings_entry_charges_its_rate_and_zero_for_the_other(axiom_db, write_settings):
    # Axiom keeps each rate on its own (usage-stats.ts buildPriceCase), ELSE 0 for the missing one.
    settings = write_settings({"tokenPriceTable": {"my-model": {"input": 1.5}}})
    axiom_db.usage("2026-03-20 10:00:00", "acme", "my-model", 2_000_000, 1_000_000)
    rep = report(axiom_db, settings=settings)
    assert rep.totals.estimated_cost == 3.0      # 2,000,000 * 1.5 / 1e6 + 1,000,000 * 0
    assert rep.unpriced_models == []


def test_partial_settings_entry_for_a_default_model_replaces_the_default(axiom_db, write_settings):
    # {...DEFAULT_PRICE_TABLE, ...tokenPriceTable}: gpt-4o-mini is 0.3 / 0 now, not 0.15 / 0.60.
    settings = write_settings({"tokenPriceTable": {"gpt-4o-mini": {"input": 0.3}}})
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o-mini", 1_000_000, 1_000_000)
    rep = report(axiom_db, settings=settings, library=True)
    assert rep.totals.estimated_cost == 0.3      # not 0.15 + 0.60 = 0.75


def test_negative_settings_rate_lowers_the_cost_as_on_axioms_page(axiom_db, write_settings):
    # Number.isFinite(-1) is true, so Axiom multiplies by -1: 1,000,000 * -1 / 1e6 + 1,000,000 * 3 / 1e6.
    settings = write_settings({"tokenPriceTable": {"my-model": {"input": -1, "output": 3}}})
    axiom_db.usage("2026-03-20 10:00:00", "acme", "my-model", 1_000_000, 1_000_000)
    assert report(axiom_db, settings=settings).totals.estimated_cost == 2.0


def test_axiom_default_is_used_when_settings_lacks_the_model(axiom_db, write_settings):
    settings = write_settings({"tokenPriceTable": {"some-other-model": {"input": 9, "output": 9}}})
    # claude-3-haiku at 0.25/1.25: 2,000,000 * 0.25 / 1e6 + 400,000 * 1.25 / 1e6 = 0.50 + 0.50
    axiom_db.usage("2026-03-20 10:00:00", "anthropic", "claude-3-haiku-20240307", 2_000_000, 400_000)
    rep = report(axiom_db, settings=settings)
    assert rep.totals.estimated_cost == pytest.approx(1.0)
    assert [(p.model, p.source) for p in rep.prices] == [("claude-3-haiku-20240307", "axiom-default")]


def test_settings_entry_wins_over_the_price_library_too(axiom_db, write_settings):
    settings = write_settings({"tokenPriceTable": {"claude-opus-4-7": {"input": 1.0, "output": 1.0}}})
    axiom_db.usage("2026-03-20 10:00:00", "anthropic", "claude-opus-4-7", 1_000_000, 1_000_000)
    rep = report(axiom_db, settings=settings, library=True)
    assert rep.totals.estimated_cost == pytest.approx(2.0)
    assert rep.prices[0].source == "settings"


def test_axiom_default_wins_over_the_price_library(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-3.5-turbo", 1_000_000, 1_000_000)
    rep = report(axiom_db, library=True)
    assert (rep.prices[0].source, rep.prices[0].input, rep.prices[0].output) == ("axiom-default", 0.50, 1.50)
    assert rep.totals.estimated_cost == pytest.approx(2.0)


def test_price_lookup_is_by_exact_model_id(axiom_db):
    # gpt-4o is in Axiom's table; gpt-4o-2024-08-06 is not, and Axiom matches ids exactly.
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o-2024-08-06", 1_000_000, 1_000_000)
    rep = report(axiom_db, library=False)
    assert rep.totals.estimated_cost == 0.0
    assert rep.unpriced_models == ["gpt-4o-2024-08-06"]


def test_model_in_neither_table_is_priced_by_the_library_when_it_is_on(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4.1", 300_000, 20_000)
    rep = report(axiom_db, library=True)
    expected = calc_price(LibUsage(input_tokens=300_000, output_tokens=20_000), "gpt-4.1", provider_id="openai")
    assert rep.totals.estimated_cost == pytest.approx(float(expected.total_price))
    assert rep.prices[0].source == "price-library"
    assert rep.unpriced_models == []


def test_model_in_neither_table_is_unpriced_when_the_library_is_off(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4.1", 300_000, 20_000)
    rep = report(axiom_db, library=False)
    assert rep.totals.estimated_cost == 0.0
    assert rep.unpriced_models == ["gpt-4.1"]
    assert rep.prices == []


def test_unpriced_model_costs_zero_and_is_listed(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "llama3.1:8b-local", 5_000, 700)
    axiom_db.usage("2026-03-20 11:00:00", "openai", "gpt-4o", 1_000_000, 0)
    rep = report(axiom_db, library=True)
    rows = {b.model: b for b in rep.breakdown}
    assert rows["llama3.1:8b-local"].estimated_cost == 0.0
    assert rows["llama3.1:8b-local"].total_tokens == 5_700
    assert rep.unpriced_models == ["llama3.1:8b-local"]
    assert rep.totals.estimated_cost == pytest.approx(2.5)


def test_unpriced_model_with_no_tokens_in_range_is_not_listed(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "llama3.1:8b-local", 0, 0)
    axiom_db.usage("2026-03-25 10:00:00", "ollama", "other-local", 10, 10)  # outside the range
    assert report(axiom_db).unpriced_models == []


def test_same_model_id_under_two_providers_has_one_price(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    axiom_db.usage("2026-03-20 10:00:00", "openrouter", "gpt-4o", 0, 1_000_000)
    rows = {b.provider: b.estimated_cost for b in report(axiom_db).breakdown}
    assert rows == pytest.approx({"openai": 2.5, "openrouter": 10.0})


# --- initiator partition -------------------------------------------------------------------

@pytest.mark.parametrize(("session_type", "initiator"), [
    ("interactive", "main"), ("task", "task"), ("consolidation", "task"),
    ("loop_detection", "task"), ("heartbeat", "heartbeat"),
])
def test_session_type_decides_the_initiator(axiom_db, session_type, initiator):
    axiom_db.session("s1", type=session_type)
    axiom_db.usage("2026-03-20 10:00:00", prompt=30, completion=12, session_id="s1")
    day = report(axiom_db).daily[0]
    split = {"main": day.main_tokens, "task": day.task_tokens, "heartbeat": day.heartbeat_tokens}
    assert split == {k: (42 if k == initiator else 0) for k in split}


def test_null_session_id_is_main_agent(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", prompt=30, completion=12, session_id=None)
    day = report(axiom_db).daily[0]
    assert (day.main_tokens, day.task_tokens, day.heartbeat_tokens) == (42, 0, 0)


def test_orphaned_session_id_is_main_agent(axiom_db):
    axiom_db.session("s-task", type="task")
    axiom_db.usage("2026-03-20 10:00:00", prompt=30, completion=12, session_id="deleted-session")
    day = report(axiom_db).daily[0]
    assert (day.main_tokens, day.task_tokens, day.heartbeat_tokens) == (42, 0, 0)


def test_telegram_sessions_are_main_agent(axiom_db):
    axiom_db.session("tg", type="interactive", source="telegram")
    axiom_db.session("tgg", type="interactive", source="telegram-group")
    axiom_db.usage("2026-03-20 10:00:00", prompt=1, completion=1, session_id="tg")
    axiom_db.usage("2026-03-20 10:00:00", prompt=2, completion=2, session_id="tgg")
    assert report(axiom_db).daily[0].main_tokens == 6


def test_session_with_several_tasks_counts_its_requests_once(axiom_db):
    axiom_db.session("s1", type="task")
    axiom_db.task("t1", "s1", "user")
    axiom_db.task("t2", "s1", "cronjob")
    axiom_db.usage("2026-03-20 10:00:00", prompt=10, completion=5, session_id="s1")
    rep = report(axiom_db)
    assert (rep.totals.requests, rep.totals.total_tokens, rep.daily[0].task_tokens) == (1, 15, 15)


def test_main_task_and_heartbeat_add_up_to_all_tokens_every_day(random_db):
    rep = report(random_db, date(2026, 3, 1), date(2026, 3, 30), settings=None)
    assert sum(d.total_tokens for d in rep.daily) > 0
    for d in rep.daily:
        assert d.main_tokens + d.task_tokens + d.heartbeat_tokens == d.total_tokens


# --- timestamps, days and zones --------------------------------------------------------------

def test_both_timestamp_forms_in_one_column_are_read(axiom_db):
    axiom_db.usage("2026-03-20 00:00:00", prompt=1)
    axiom_db.usage("2026-03-20T23:59:59.999Z", prompt=10)
    axiom_db.usage("2026-03-21T00:00:00.000Z", prompt=100)
    axiom_db.usage("2026-03-19 23:59:59", prompt=1000)
    rep = report(axiom_db, DAY, DAY)
    assert (rep.totals.requests, rep.totals.prompt_tokens) == (2, 11)


def test_every_day_of_the_range_is_present_zero_days_included(axiom_db):
    axiom_db.usage("2026-03-03 12:00:00", prompt=5)
    axiom_db.usage("2026-03-07T08:00:00.000Z", prompt=7)
    rep = report(axiom_db, date(2026, 3, 1), date(2026, 3, 10))
    assert [d.day for d in rep.daily] == [date(2026, 3, n) for n in range(1, 11)]
    assert [d.prompt_tokens for d in rep.daily] == [0, 0, 5, 0, 0, 0, 7, 0, 0, 0]
    assert [d.requests for d in rep.daily] == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0]


def test_range_with_no_rows_has_all_its_days_at_zero(axiom_db):
    rep = report(axiom_db, date(2026, 2, 27), date(2026, 3, 2))
    assert [(d.day, d.requests, d.total_tokens, d.estimated_cost) for d in rep.daily] == [
        (date(2026, 2, 27), 0, 0, 0.0), (date(2026, 2, 28), 0, 0, 0.0),
        (date(2026, 3, 1), 0, 0, 0.0), (date(2026, 3, 2), 0, 0, 0.0)]
    assert rep.breakdown == [] and rep.totals.requests == 0


@pytest.mark.parametrize("stamp", ["2026-03-20 23:30:00", "2026-03-20T23:30:00.000Z"])
def test_timezone_moves_a_late_utc_row_to_the_next_day(axiom_db, stamp):
    # 23:30 UTC on 20 March is 00:30 on 21 March in Berlin (UTC+1 until 29 March).
    axiom_db.usage(stamp, prompt=9)
    assert report(axiom_db, DAY, DAY, tz="UTC").totals.prompt_tokens == 9
    assert report(axiom_db, DAY, DAY, tz="Europe/Berlin").totals.prompt_tokens == 0
    berlin = report(axiom_db, date(2026, 3, 20), date(2026, 3, 21), tz="Europe/Berlin")
    assert [(d.day, d.prompt_tokens) for d in berlin.daily] == [(date(2026, 3, 20), 0), (date(2026, 3, 21), 9)]


def test_timezone_west_of_utc_moves_an_early_row_to_the_previous_day(axiom_db):
    # 05:00 UTC on 21 March is 22:00 on 20 March in Los Angeles (UTC-7 in March).
    axiom_db.usage("2026-03-21 05:00:00", prompt=4)
    rep = report(axiom_db, date(2026, 3, 20), date(2026, 3, 21), tz="America/Los_Angeles")
    assert [(d.day, d.prompt_tokens) for d in rep.daily] == [(date(2026, 3, 20), 4), (date(2026, 3, 21), 0)]


def test_range_days_are_inclusive_at_both_ends(axiom_db):
    axiom_db.usage("2026-03-19 23:59:59", prompt=1)
    axiom_db.usage("2026-03-20 00:00:00", prompt=10)
    axiom_db.usage("2026-03-22 23:59:59", prompt=100)
    axiom_db.usage("2026-03-23 00:00:00", prompt=1000)
    assert report(axiom_db, date(2026, 3, 20), date(2026, 3, 22)).totals.prompt_tokens == 110


def test_timestamps_in_neither_form_are_counted_skipped_and_warned(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", prompt=3)
    axiom_db.usage("20/03/2026 10:00", prompt=1000)
    axiom_db.usage("garbage", prompt=1000)
    rep = report(axiom_db)
    assert rep.totals.prompt_tokens == 3
    assert any("2 row(s)" in w and "timestamp" in w for w in rep.warnings)


# --- breakdown -----------------------------------------------------------------------------

def test_breakdown_is_ordered_by_cost_then_requests(axiom_db):
    # gpt-4o (2.50 in): 1M prompt = 2.50 in one request.
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    # claude-3-opus (15 in): 100,000 prompt = 1.50 per request, two requests = 3.00.
    axiom_db.usage("2026-03-20 10:00:00", "anthropic", "claude-3-opus-20240229", 100_000, 0)
    axiom_db.usage("2026-03-20 11:00:00", "anthropic", "claude-3-opus-20240229", 100_000, 0)
    # Two unpriced models at $0: the one with more requests first.
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "few", 5, 5)
    for _ in range(3):
        axiom_db.usage("2026-03-20 10:00:00", "ollama", "many", 5, 5)
    rep = report(axiom_db)
    assert [(b.model, b.requests) for b in rep.breakdown] == [
        ("claude-3-opus-20240229", 2), ("gpt-4o", 1), ("many", 3), ("few", 1)]
    assert [b.estimated_cost for b in rep.breakdown] == pytest.approx([3.0, 2.5, 0.0, 0.0])


def test_breakdown_cost_shares_are_each_rows_part_of_the_total_and_sum_to_one(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 0, 0, cost=3.0)
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o-mini", 0, 0, cost=1.0)
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "local", 10, 10)
    shares = {b.model: b.cost_share for b in report(axiom_db).breakdown}
    assert shares == pytest.approx({"gpt-4o": 0.75, "gpt-4o-mini": 0.25, "local": 0.0})
    assert sum(shares.values()) == pytest.approx(1.0)


def test_cost_share_is_none_when_nothing_costs_anything(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "ollama", "local", 10, 10)
    assert only_row(report(axiom_db)).cost_share is None


def test_unknown_provider_gives_an_empty_result_not_an_error(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 10)
    rep = report(axiom_db, provider="no-such-provider")
    assert (rep.totals.requests, rep.breakdown, [d.requests for d in rep.daily]) == (0, [], [0])


def test_unknown_model_gives_an_empty_result_not_an_error(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 10)
    rep = report(axiom_db, model="no-such-model")
    assert (rep.totals.requests, rep.breakdown) == (0, [])


def test_filter_values_are_bound_not_spliced_into_sql(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 10)
    rep = report(axiom_db, provider="x' OR '1'='1", model="'); DROP TABLE token_usage; --")
    assert rep.totals.requests == 0
    assert report(axiom_db).totals.requests == 1


def test_provider_and_model_filters_keep_only_matching_rows(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1, 0)
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o-mini", 10, 0)
    axiom_db.usage("2026-03-20 10:00:00", "openrouter", "gpt-4o", 100, 0)
    assert report(axiom_db, provider="openai").totals.prompt_tokens == 11
    assert report(axiom_db, model="gpt-4o").totals.prompt_tokens == 101
    assert report(axiom_db, provider="openai", model="gpt-4o").totals.prompt_tokens == 1


def test_previous_totals_cover_the_same_number_of_days_just_before(axiom_db):
    axiom_db.usage("2026-03-17 10:00:00", prompt=1)      # before the previous period
    axiom_db.usage("2026-03-18 10:00:00", prompt=10)     # previous period: 18-19 March
    axiom_db.usage("2026-03-19 23:59:59", prompt=100)
    axiom_db.usage("2026-03-20 10:00:00", prompt=1000)   # this period: 20-21 March
    rep = report(axiom_db, date(2026, 3, 20), date(2026, 3, 21))
    assert (rep.totals.prompt_tokens, rep.previous_totals.prompt_tokens) == (1000, 110)


def test_second_chart_is_shown_only_with_task_or_heartbeat_tokens(axiom_db):
    axiom_db.session("hb", type="heartbeat")
    axiom_db.usage("2026-03-20 10:00:00", prompt=5, session_id=None)
    assert report(axiom_db).has_initiator_split is False
    axiom_db.usage("2026-03-20 11:00:00", prompt=5, session_id="hb")
    assert report(axiom_db).has_initiator_split is True


# --- damaged values ---------------------------------------------------------------------------

def test_null_tokens_and_costs_count_as_zero(make_axiom_db):
    db = make_axiom_db("loose.db", loose=True)
    db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", None, 1_000_000, cost=None)   # 10.00 from completion
    db.usage("2026-03-20 11:00:00", "openai", "gpt-4o", 1_000_000, None, cost=None)   # 2.50 from prompt
    rep = report(db)
    assert (rep.totals.requests, rep.totals.prompt_tokens, rep.totals.completion_tokens) == (2, 1_000_000, 1_000_000)
    assert rep.totals.estimated_cost == pytest.approx(12.5)


def test_text_in_a_token_column_counts_as_zero(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", "abc", 7, cost="n/a")
    rep = report(axiom_db)
    assert (rep.totals.requests, rep.totals.prompt_tokens, rep.totals.completion_tokens) == (1, 0, 7)
    assert rep.totals.estimated_cost == pytest.approx(7 * 10.0 / 1e6)


# --- oracle comparisons on seeded random data -------------------------------------------------

def compare_with_oracle(rep: UsageReport, expected: dict) -> None:
    t = rep.totals
    assert (t.requests, t.prompt_tokens, t.completion_tokens, t.total_tokens) == tuple(
        expected["totals"][k] for k in ("requests", "prompt_tokens", "completion_tokens", "total_tokens"))
    assert t.estimated_cost == pytest.approx(expected["totals"]["estimated_cost"], rel=1e-9, abs=1e-9)
    got_daily = [(d.day.isoformat(), d.requests, d.prompt_tokens, d.completion_tokens, d.total_tokens,
                  d.main_tokens, d.task_tokens, d.heartbeat_tokens) for d in rep.daily]
    want_daily = [(d["day"], d["requests"], d["prompt_tokens"], d["completion_tokens"], d["total_tokens"],
                   s["main_tokens"], s["task_tokens"], s["heartbeat_tokens"])
                  for d, s in zip(expected["daily"], expected["by_initiator"])]
    assert got_daily == want_daily
    assert [d.estimated_cost for d in rep.daily] == pytest.approx(
        [d["estimated_cost"] for d in expected["daily"]], rel=1e-9, abs=1e-9)
    want = {(b["provider"], b["model"]): b for b in expected["breakdown"]}
    assert {(b.provider, b.model) for b in rep.breakdown} == set(want)
    for b in rep.breakdown:
        w = want[(b.provider, b.model)]
        assert (b.requests, b.prompt_tokens, b.completion_tokens, b.total_tokens) == (
            w["requests"], w["prompt_tokens"], w["completion_tokens"], w["total_tokens"])
        assert b.estimated_cost == pytest.approx(w["estimated_cost"], rel=1e-9, abs=1e-9)
    assert rep.unpriced_models == expected["unpriced_models"]


@pytest.mark.parametrize(("tz", "provider", "model"), [
    ("UTC", None, None),
    ("America/New_York", None, None),     # crosses the 8 March DST change
    ("Asia/Kathmandu", "openai", None),   # UTC+5:45
    ("Pacific/Chatham", None, "gpt-4o"),  # UTC+13:45
])
def test_report_matches_the_oracle_on_random_data(random_db, write_settings, tz, provider, model):
    settings = write_settings(RANDOM_SETTINGS)
    rows, sessions = random_db.read()
    start, end = date(2026, 3, 1), date(2026, 3, 30)
    rep = report(random_db, start, end, tz=tz, settings=settings, library=False, provider=provider, model=model)
    compare_with_oracle(rep, oracle_report(rows, sessions, axiom_price_table(RANDOM_SETTINGS), start, end, tz,
                                           provider, model))


def test_oracle_prices_are_axioms_table_as_documented():
    # Guard the oracle itself: the SCHEMAS.md defaults, merged under valid user entries only.
    table = axiom_price_table(RANDOM_SETTINGS)
    assert table["gpt-4o"] == (2.0, 8.0) and table["claude-opus-4-7"] == (5.0, 25.0)
    assert table["broken-entry"] == (0.0, 1.0)   # {"input": "3", "output": 1}: input is a string, so 0
    assert table["gpt-4o-mini"] == AXIOM_DEFAULTS["gpt-4o-mini"] == (0.15, 0.60)
    assert pricing.AXIOM_DEFAULT_PRICES == AXIOM_DEFAULTS


# --- dimension filters on a source without dimensions (issue 13, item 3) -------------------------

@pytest.mark.parametrize("field", ["api_key", "user_id", "team", "end_user", "tag"])
def test_a_dimension_filter_matches_nothing_on_a_source_without_that_dimension(axiom_db, field):
    # Axiom records no key, user, team, end user or tag: no request of it belongs to key "ci-bot".
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000, 100, cost=0.25)
    source = open_source(axiom_db.path)
    try:
        data = load_dataset(source, None, False)
        plain = usage_report(source, Filters(DateRange(DAY, DAY)), data.prices, data.catalog)
        narrowed = usage_report(source, Filters(DateRange(DAY, DAY), **{field: "ci-bot"}), data.prices, data.catalog)
    finally:
        source.close()
    assert plain.totals.requests == 1 and plain.totals.estimated_cost == pytest.approx(0.25)
    assert narrowed.totals.requests == 0 and narrowed.breakdown == [] and narrowed.totals.estimated_cost == 0
    assert narrowed.as_json()["filters"] == {"provider": None, "model": None, field: "ci-bot"}
    assert plain.as_json()["filters"] == {"provider": None, "model": None}  # unchanged without one


def test_a_workspace_leaves_out_the_sources_without_the_filtered_dimension_and_says_so():
    from queries.sources import kind_named
    from queries.workspace import dimension_sources

    named = [("prod", kind_named("axiom")), ("gateway", kind_named("litellm")), ("lab", kind_named("agentx"))]
    rng = DateRange(DAY, DAY)
    assert dimension_sources(named, Filters(rng), lambda k: k) == (named, None)
    kept, note = dimension_sources(named, Filters(rng, tag="prod"), lambda k: k)
    assert [n for n, _k in kept] == ["gateway"]
    assert note == "prod, lab have no tag: left out while that filter is set."
    with pytest.raises(ValueError, match="No source here has a key"):
        dimension_sources(named[:1], Filters(rng, api_key="ci-bot"), lambda k: k)


def test_the_cli_refuses_a_dimension_flag_on_a_source_without_it(axiom_db, run_cli):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000, 100, cost=0.25)
    result = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--key", "ci-bot")
    assert result.code == 2
    assert "--key needs a source with that dimension (LiteLLM)" in result.err and "Axiom" in result.err
    assert "Traceback" not in result.err
