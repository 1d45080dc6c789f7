"""Shown numbers round as Axiom's page rounds them (JavaScript: Math.round, toFixed, Intl.NumberFormat).

Hand-worked cases from Axiom 0.24.2's usage.vue and useFormat.ts, and Hypothesis against a
plain-Python oracle built on fractions (exact values, no float and no Decimal rounding mode).
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, strategies as st

import cli
from pages.common.views import duration
from factories import oracle_half_away, oracle_usd
from queries.formatting import fmt_change, fmt_duration, fmt_int, fmt_share, fmt_usd, js_round, to_fixed


# --- plain-Python oracles --------------------------------------------------------------------

def oracle_math_round(x: float) -> int:
    """ECMAScript Math.round: the integer closest to x; of two equally close, the one nearer +inf."""
    return math.floor(Fraction(x) + Fraction(1, 2))


# --- hand-worked cases (the examples) --------------------------------------------------

def test_per_day_average_rounds_half_up_like_math_round():
    # usage.vue: formatNumber(Math.round(totals.requests / daysInRange)); 5 requests over 2 days.
    assert fmt_int(5 / 2) == "3"
    assert fmt_int(7 / 2) == "4"        # Python's round() gives 4 here but 2 above: half to even
    assert fmt_int(1_234_567 / 2) == "617,284"


def test_cost_share_rounds_half_up_like_math_round():
    # usage.vue costShareLabel: Math.round((cost / total) * 100); 1 of 8 dollars is 12.5 %.
    assert fmt_share(1 / 8) == "13%"
    assert fmt_share(0.0050) == "1%"    # 0.5 % -> 1 %
    assert fmt_share(None) == ""


def test_math_round_corners():
    assert js_round(2.5) == 3 and js_round(-2.5) == -2 and js_round(-2.6) == -3
    assert js_round(0.49999999999999994) == 0   # floor(x + 0.5) in floats would say 1


def test_cost_shows_two_to_four_decimals_like_intl_currency():
    # useFormat.ts formatCurrency: minimumFractionDigits 2, maximumFractionDigits 4.
    assert fmt_usd(443.8635) == "$443.8635"
    assert fmt_usd(0.05) == "$0.05"
    assert fmt_usd(1.5) == "$1.50"
    assert fmt_usd(0) == "$0.00"
    assert fmt_usd(1234.5) == "$1,234.50"
    assert fmt_usd(-2.25) == "-$2.25"


def test_cost_rounds_the_exact_binary_value_half_away_from_zero():
    assert fmt_usd(0.03125) == "$0.0313"     # exactly 1/32: a true half; format(.4f) says 0.0312
    assert fmt_usd(2.00005) == "$2.00"       # the double is 2.00004999999999988...: below the half
    assert fmt_usd(1.00005) == "$1.0001"     # the double is 1.00005000000000010...: above it
    assert fmt_usd(0.000049) == "$0.00"


def test_to_fixed_is_javascripts():
    assert to_fixed(0.125, 2) == "0.13"      # exact half, up (Python: 0.12)
    assert to_fixed(1.005, 2) == "1.00"      # the double is below 1.005
    assert to_fixed(2.5, 0) == "3"


def test_change_rounds_half_up():
    assert fmt_change(1.0625, 1) == "+6.3%"   # 6.25 % exactly
    assert fmt_change(0, 4) == "-100.0%"
    assert fmt_change(3, 0) is None


def test_one_duration_format_on_pages_and_in_the_cli():
    # The issue: 250 s showed as "4 min 10 s" on a page and "4.2 min" in the CLI.
    assert fmt_duration(250_000) == "4 min 10 s"
    for ms in (None, 0, 850, 999.4, 999.5, 12_345, 59_949, 59_950, 250_000, 3_599_499, 3_599_500, 7_384_000):
        assert cli.ms(ms) == duration(ms) == fmt_duration(ms)
    assert fmt_duration(999.5) == "1.0 s" and fmt_duration(59_950) == "1 min 00 s"
    assert fmt_duration(3_599_500) == "1 h 00 min" and fmt_duration(7_384_000) == "2 h 03 min"
    assert fmt_duration(12_250) == "12.3 s"   # 12.25 exactly: half up
    assert fmt_duration(None) == "—"


# --- Hypothesis against the oracles -----------------------------------------------------------

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
halves = st.integers(min_value=-10**9, max_value=10**9).map(lambda n: n / 2)
quarter_cents = st.integers(min_value=-10**9, max_value=10**9).map(lambda n: n / 32)  # many exact halves at 4 places


@given(st.one_of(finite, halves))
def test_js_round_is_math_round(x):
    assert js_round(x) == oracle_math_round(x)


@given(st.one_of(finite, halves))
def test_fmt_int_is_math_round_with_grouping(x):
    assert fmt_int(x) == f"{oracle_math_round(x):,}"


@given(st.one_of(finite, quarter_cents))
def test_fmt_usd_is_intl_currency(x):
    assert fmt_usd(x) == oracle_usd(x)


@given(cost=st.integers(min_value=0, max_value=10**6), total=st.integers(min_value=1, max_value=10**6))
def test_fmt_share_is_math_round_of_the_float_percentage(cost, total):
    share = cost / total
    assert fmt_share(share) == f"{oracle_math_round(share * 100)}%"


@given(st.one_of(finite, quarter_cents), st.integers(min_value=0, max_value=6))
def test_to_fixed_is_half_away_from_zero_on_the_exact_value(x, places):
    sign, n = oracle_half_away(x, places)
    whole, frac = divmod(n, 10 ** places)
    want = f"{whole}.{str(frac).rjust(places, '0')}" if places else f"{whole}"
    if sign < 0 and n:
        want = "-" + want
    assert to_fixed(x, places) == want
