"""pricing.py's genai-prices path: every period of the library's price history and every
long-context tier becomes a schedule row, so a request is priced by its own day and size."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pricing


def rate_for(price: pricing.ModelPrice, day: date, prompt: int) -> pricing.Rate:
    """The schedule row a request of `prompt` input tokens (cache included) on `day` gets."""
    rows = [r for r in price.schedule() if (r.valid_from is None or r.valid_from <= day)
            and (r.valid_until is None or day < r.valid_until) and prompt > r.above]
    return max(rows, key=lambda r: r.above)


def test_sonnet_4_5_above_200k_bills_input_at_2x_and_output_at_1_5x():
    price = pricing.library_price("claude-sonnet-4-5", "anthropic")
    base, long = rate_for(price, date(2026, 3, 20), 200_000), rate_for(price, date(2026, 3, 20), 200_001)
    assert (base.input, base.output, base.tier) == (3.0, 15.0, "")
    assert (long.input, long.output, long.tier) == (6.0, 22.5, "above 200,000 input tokens")


def test_one_hour_cache_writes_have_the_librarys_own_rate():
    # Anthropic: 5-minute writes 1.25 x input, 1-hour writes 2 x input; claude-opus-4-7 input is 5.
    price = pricing.library_price("claude-opus-4-7", "anthropic")
    assert (price.cache_write, price.cache_write_1h) == (6.25, 10.0)


def test_a_price_without_a_one_hour_rate_charges_twice_the_input_rate():
    rate = pricing.Rate(None, None, pricing.BASE_TIER, 4.0, 8.0, None, None)
    assert rate.complete() == (4.0, 8.0, 4.0, 4.0, 8.0)


def test_the_price_in_force_on_the_day_of_the_request():
    # genai-prices: o3 cost 10 / 40 until 2025-06-09, 2 / 8 from 2025-06-10.
    price = pricing.library_price("o3", "openai")
    before, after = rate_for(price, date(2025, 6, 9), 10), rate_for(price, date(2025, 6, 10), 10)
    assert (before.input, before.output, after.input, after.output) == (10.0, 40.0, 2.0, 8.0)


def test_the_flat_fields_are_the_base_price_of_the_day_asked():
    old = pricing.library_price("o3", "openai", datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert (old.input, old.output) == (10.0, 40.0)


def test_a_library_price_names_the_data_version_and_its_tiers():
    price = pricing.library_price("claude-sonnet-4-5", "anthropic")
    assert price.data_version == f"genai-prices {version('genai-prices')}"
    assert "above 200,000 input tokens" in price.note and "base rate" not in price.note


def test_custom_prices_keep_agentx_tier_2_at_1_5x():
    custom = pricing.CustomPrices({"m": (1.0, 2.0, 0.1, 1.25)})
    price = pricing.resolve_agentx_prices([("anthropic", "m")], custom, use_library=False).prices["m"]
    tier2 = rate_for(price, date(2026, 3, 20), 200_001)
    assert (tier2.input, tier2.output, tier2.cache_read, tier2.cache_write, tier2.cache_write_1h, tier2.tier) == (
        1.5, 3.0, pytest.approx(0.15), 1.875, 3.0, pricing.AGENTX_TIER2)


def test_schedule_params_are_parallel_lists_with_fallbacks_applied():
    book = pricing.PriceBook({"h": pricing.ModelPrice("h", 4.0, 8.0, pricing.AGENTX_CUSTOM)}, [], [])
    assert book.schedule_params() == {
        "rate_model": ["h"], "rate_from": [None], "rate_until": [None], "rate_above": [pricing.BASE_TIER],
        "rate_upto": [None],
        "rate_input": [4.0], "rate_output": [8.0], "rate_cache_read": [4.0], "rate_cache_write": [4.0],
        "rate_cache_write_1h": [8.0], "rate_tier": [""]}


MODELS = ["claude-sonnet-4-5", "claude-sonnet-4-6", "claude-opus-4-6", "claude-opus-4-7", "claude-haiku-4-5", "o3",
          "gpt-5.6-luna", "gemini-3-pro-preview", "gemini-4-argon"]


@settings(max_examples=150, deadline=None)
@given(model=st.sampled_from(MODELS), day=st.dates(date(2025, 1, 1), date(2027, 6, 30)),
       uncached=st.integers(0, 400_000), read=st.integers(0, 300_000), write=st.integers(0, 100_000),
       one_hour_share=st.floats(0, 1), output=st.integers(0, 50_000))
def test_the_schedule_prices_any_request_as_the_library_does(model, day, uncached, read, write, one_hour_share, output):
    from genai_prices import Usage, calc_price

    price = pricing.library_price(model)
    one_hour = int(write * one_hour_share)
    prompt = uncached + read + write
    when = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=12)
    rate = rate_for(price, day, prompt)
    r_in, r_out, r_read, r_write, r_1h = rate.complete()
    ours = (uncached * r_in + output * r_out + read * r_read + (write - one_hour) * r_write + one_hour * r_1h) / 1e6
    usage = Usage(input_tokens=prompt, output_tokens=output, cache_read_tokens=read, cache_write_tokens=write,
                  cache_write_1h_tokens=one_hour)
    if price.cache_write is None and write:  # no cache-write price (OpenAI, Google): writes are input
        usage = Usage(input_tokens=prompt, output_tokens=output, cache_read_tokens=read)
    theirs = float(calc_price(usage, model, genai_request_timestamp=when).total_price)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
