"""Token Usage on Axiom rows priced by genai-prices: the library's long-context tiers and its
price on the request's day (issue 10 items 5 and 6). Hand-worked expectations."""

from __future__ import annotations

from datetime import date

import pytest

from queries import load_dataset
from queries.dates import DateRange
from queries.mirror import open_mirrored_source
from queries.sources import open_source
from queries.usage import Filters, usage_report


def cost(db, day: date, mirror: bool = False) -> float:
    source = (open_mirrored_source if mirror else open_source)(db.path)
    try:
        data = load_dataset(source, None, True)
        return usage_report(source, Filters(DateRange(day, day)), data.prices, data.catalog).totals.estimated_cost
    finally:
        source.close()


def test_a_library_priced_request_above_its_tier_threshold_pays_the_tier_rates(axiom_db):
    # genai-prices gpt-5.4: 2.50 / 15 per 1M; above 272,000 input tokens 5 / 22.50.
    # 300,000 * 5 / 1e6 + 10,000 * 22.5 / 1e6 = 1.5 + 0.225
    axiom_db.usage("2026-03-20 10:00:00", "openai-codex", "gpt-5.4", 300_000, 10_000)
    assert cost(axiom_db, date(2026, 3, 20)) == pytest.approx(1.725)


def test_a_request_at_the_threshold_pays_the_base_rates(axiom_db):
    # 272,000 * 2.5 / 1e6 + 10,000 * 15 / 1e6 = 0.68 + 0.15
    axiom_db.usage("2026-03-20 10:00:00", "openai-codex", "gpt-5.4", 272_000, 10_000)
    assert cost(axiom_db, date(2026, 3, 20)) == pytest.approx(0.83)


def test_the_mirror_prices_tiers_per_request_too(axiom_db):
    # Three requests in one hour: 300,000 (tier) and 100,000 (base) prompt tokens, no output, and one
    # above the threshold with a stored cost of 0.5 (kept as is).
    # 300,000 * 5 / 1e6 + 100,000 * 2.5 / 1e6 + 0.5 = 1.5 + 0.25 + 0.5; the hourly sum at one rate could not say.
    axiom_db.usage("2026-03-20 10:00:00", "openai-codex", "gpt-5.4", 300_000, 0)
    axiom_db.usage("2026-03-20 10:30:00", "openai-codex", "gpt-5.4", 100_000, 0)
    axiom_db.usage("2026-03-20 10:40:00", "openai-codex", "gpt-5.4", 400_000, 0, cost=0.5)
    assert cost(axiom_db, date(2026, 3, 20), mirror=True) == pytest.approx(2.25)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("day, want", [(date(2025, 6, 9), 10.0), (date(2025, 6, 10), 2.0)])
def test_a_request_pays_the_library_price_in_force_on_its_day(axiom_db, day, want, mirror):
    # genai-prices o3: 10 / 40 per 1M until 2025-06-09, 2 / 8 from 2025-06-10; 1,000,000 prompt tokens.
    axiom_db.usage(f"{day.isoformat()} 23:59:59", "openai", "o3", 1_000_000, 0)
    assert cost(axiom_db, day, mirror) == pytest.approx(want)


@pytest.mark.parametrize("day, want", [(date(2025, 6, 9), 10.0 + 1.5 * 10.0), (date(2025, 6, 10), 2.0 + 1.5 * 2.0)])
def test_agentx_usage_daily_pays_the_library_price_of_its_day_with_agentx_tier_2(agentx_db, day, want):
    # o3 (genai-prices): input 10 per 1M until 2025-06-09, 2 from 2025-06-10. The row has 1M tier-1
    # and 1M tier-2 input tokens; agentx bills tier 2 at 1.5x the same rate (seed 004).
    from factories import DailyUsage
    from queries.sources.agentx import agent_rows

    agentx_db.daily(DailyUsage("a", "o3", day.isoformat(), 1_000_000, tasks=1, tier2_input_tokens=1_000_000))
    source = open_source(agentx_db.path)
    try:
        data = load_dataset(source, None, True)
        (row,) = agent_rows(source, DateRange(day, day), data.prices)
    finally:
        source.close()
    assert row.estimated_cost == pytest.approx(want)
