"""Numbers written for people, shared by the pages and the CLI so both read the same."""

from __future__ import annotations

import math


def fmt_int(value: int | float) -> str:
    """Thousands separators: 33247237 -> '33,247,237'."""
    return f"{int(round(value)):,}"


def fmt_usd(value: float) -> str:
    """Currency with four decimals, as Axiom's page writes costs ('$443.8635'); '$0.00' for zero."""
    if value == 0:
        return "$0.00"
    return f"-${-value:,.4f}" if value < 0 else f"${value:,.4f}"


def fmt_usd_small(value: float) -> str:
    """A small average cost with two significant digits, never rounded to zero ('~$0.048')."""
    if value == 0:
        return "$0.00"
    sign, value = ("-" if value < 0 else ""), abs(value)
    if value >= 1:
        return f"{sign}${value:,.2f}"
    digits = max(2, 1 - int(math.floor(math.log10(value))))
    return f"{sign}${value:.{digits}f}"


def fmt_share(share: float | None) -> str:
    """A row's share of the total cost as a whole percentage ('53%'), '' when there is no total."""
    if share is None:
        return ""
    return f"{share * 100:.0f}%"


def fmt_change(current: float, previous: float) -> str | None:
    """Change against the previous period ('+12.5%'), or None when the previous period was zero."""
    if previous == 0:
        return None
    return f"{(current - previous) / previous * 100:+.1f}%"
