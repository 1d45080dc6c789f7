"""Numbers written for people, shared by the pages and the CLI so both read the same.

Every rounding here is JavaScript's, because Axiom's page (packages/web-frontend, v0.24.2)
decides what its figures look like and we show the same figures:
- `js_round` is `Math.round`: the nearest integer, a half goes toward +infinity
  (`Math.round(2.5) == 3`, `Math.round(-2.5) == -2`), where Python's `round` goes to even.
- `to_fixed` is `Number.prototype.toFixed` and `fmt_usd` is `Intl.NumberFormat`'s currency
  style: both round the number's exact binary value, a half away from zero. So 0.03125
  (exactly 1/32) shows as "$0.0313" where Python's `format` writes 0.0312 (half to even).
Python's own `round` and `format` are never used on a shown number.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

# Intl.NumberFormat(locale, {style: 'currency', currency: 'USD', minimumFractionDigits: 2,
# maximumFractionDigits: 4}): Axiom's `formatCurrency` (app/composables/useFormat.ts).
USD_MIN_DECIMALS = 2
USD_MAX_DECIMALS = 4


def js_round(value: int | float | Decimal) -> int:
    """JavaScript's Math.round: the nearest integer, halves toward +infinity ('5 requests over 2
    days' is 2.5 a day, shown as 3). Exact: `value - floor(value)` of a float loses nothing."""
    if isinstance(value, int):
        return value
    floor = math.floor(value)
    return floor + 1 if value - floor >= Decimal("0.5") else floor


def _half_up(value: int | float | Decimal, decimals: int) -> Decimal:
    """The exact value of `value` rounded to `decimals` places, a half away from zero (as
    toFixed and Intl.NumberFormat's default 'halfExpand' round)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def to_fixed(value: int | float | Decimal, decimals: int) -> str:
    """JavaScript's `value.toFixed(decimals)`: exactly `decimals` places, a half away from zero."""
    text = f"{_half_up(value, decimals):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text  # (-0.04).toFixed(1) is "-0.0" in JS; we show "0.0"


def fmt_int(value: int | float) -> str:
    """Thousands separators after Math.round: 33247237 -> '33,247,237', 2.5 -> '3'."""
    return f"{js_round(value):,}"


def fmt_usd(value: float | Decimal) -> str:
    """A cost as Axiom's page writes it: two to four decimals, trailing zeros dropped past two
    ('$443.8635', '$0.05', '$1.50', '$0.00'), a half rounded away from zero."""
    rounded = _half_up(value, USD_MAX_DECIMALS)
    sign = "-" if value < 0 else ""  # Intl writes a negative that rounds to zero as "-$0.00"
    text = f"{abs(rounded):,f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(USD_MIN_DECIMALS, "0")
    return f"{sign}${whole}.{fraction}"


def fmt_usd_small(value: float) -> str:
    """A small average cost with two significant digits, never rounded to zero ('~$0.048')."""
    if value == 0:
        return "$0.00"
    sign, value = ("-" if value < 0 else ""), abs(value)
    if value >= 1:
        return f"{sign}${_half_up(value, 2):,f}"
    digits = max(2, 1 - int(math.floor(math.log10(value))))
    return f"{sign}${_half_up(value, digits):f}"


def fmt_share(share: float | None) -> str:
    """A row's share of the total cost as Axiom's page writes it, `Math.round(cost / total * 100)`
    ('53%'; 12.5 % shows as '13%'); '' when there is no total. `share` is cost / total."""
    if share is None:
        return ""
    return f"{js_round(share * 100)}%"


def fmt_change(current: float, previous: float) -> str | None:
    """Change against the previous period ('+12.5%'), or None when the previous period was zero."""
    if previous == 0:
        return None
    change = (current - previous) / previous * 100
    text = to_fixed(change, 1) + "%"
    return text if text.startswith("-") else f"+{text}"


def fmt_duration(ms: float | None) -> str:
    """Milliseconds for people, one format for pages and CLI: '850 ms', '12.3 s', '4 min 05 s',
    '1 h 02 min'; '—' when unknown. Halves round up (toFixed / Math.round)."""
    if ms is None:
        return "—"
    if _half_up(ms, 0) < 1000:
        return f"{to_fixed(ms, 0)} ms"
    seconds = Decimal(ms) / 1000
    if _half_up(seconds, 1) < 60:
        return f"{to_fixed(seconds, 1)} s"
    minutes, rest = divmod(js_round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def fmt_cost_cell(cost: float, unpriced: bool) -> str:
    """A breakdown row's cost: 'unpriced' when nothing priced its tokens (never a silent $0.00)."""
    return "unpriced" if unpriced else fmt_usd(cost)


def fmt_stored_difference(stored: float, recomputed: float | None, difference: float | None) -> str:
    """'stored $7.93 vs $7.20 by price (+10.1%)' when a stored cost differs from the price's cost
    for the same requests by more than 1 % (`difference` is set then), else ''."""
    if difference is None or recomputed is None:
        return ""
    change = f" ({fmt_change(stored, recomputed)})" if recomputed else ""
    return f"stored {fmt_usd(stored)} vs {fmt_usd(recomputed)} by price{change}"
