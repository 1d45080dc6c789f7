"""Claude's 5-hour usage windows ("blocks", as ccusage calls them): per window its tokens, cost
and burn rate, the active window's projection to its end, and the gaps between windows.

The rule is ccusage's (`identifySessionBlocks` in its _session-blocks.ts, and what its 20.0.24
binary prints for `blocks --json`; bench/ccusage_blocks.py compares the two on generated logs):
requests sorted by time; a window starts at the UTC hour of its first request and takes every
later request until one comes more than 5 hours after the window's start, or more than 5 hours
after the previous request; that one starts the next window. A pause longer than 5 hours
between two requests is a gap (from the last request + 5 h to the next request). A window is
active when its last request is less than 5 hours before `now` and `now` is before its end.
Burn rate: tokens per minute and USD per hour between the window's first and last request
(none when they are at the same moment); the active window's projection adds that rate over
the minutes left until its end.

Plain Python (numpy over the columns) over the canonical rows: no Streamlit, one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from pricing import PriceBook
from queries.sql import bind

WINDOW_HOURS = 5  # Claude's usage window (ccusage's DEFAULT_SESSION_DURATION_HOURS)
_US_PER_HOUR = 3_600 * 10 ** 6
_US_PER_MINUTE = 60 * 10 ** 6
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


@dataclass(frozen=True)
class UsageBlock:
    """One 5-hour window (or a gap between two): UTC times, token sums, cost, rate, projection."""

    start: datetime
    end: datetime
    last_request_at: datetime | None   # ccusage's actualEndTime (None for a gap)
    is_active: bool
    is_gap: bool
    requests: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost: float
    models: tuple[str, ...]
    tokens_per_minute: float | None = None   # burn rate (None: one moment, or a gap)
    cost_per_hour: float | None = None
    projected_tokens: int | None = None      # active window only: at its end, at the current rate
    projected_cost: float | None = None
    minutes_left: int | None = None

    @property
    def total_tokens(self) -> int:
        """Every token of the window, cache reads and writes included (ccusage's totalTokens)."""
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens


def identify_blocks(ts_us: np.ndarray, input_tokens: np.ndarray, output_tokens: np.ndarray,
                    cache_read_tokens: np.ndarray, cache_write_tokens: np.ndarray, cost: np.ndarray,
                    models: np.ndarray, now: datetime, hours: int = WINDOW_HOURS) -> list[UsageBlock]:
    """The windows and gaps of requests given as columns sorted by `ts_us` (UTC microseconds)."""
    n = len(ts_us)
    if n == 0:
        return []
    ts = np.asarray(ts_us, dtype=np.int64)
    span = hours * _US_PER_HOUR
    now_us = int((now.astimezone(timezone.utc) - _EPOCH) / timedelta(microseconds=1))
    columns = [np.asarray(c, dtype=np.int64) for c in (input_tokens, output_tokens, cache_read_tokens,
                                                       cache_write_tokens)]
    sums = [np.concatenate(([0], np.cumsum(c))) for c in columns]
    cost_sum = np.concatenate(([0.0], np.cumsum(np.asarray(cost, dtype=np.float64))))
    pauses = np.flatnonzero(np.diff(ts) > span) + 1  # requests that come more than `span` after the previous one
    blocks: list[UsageBlock] = []
    i = 0
    while i < n:
        start = int(ts[i]) - int(ts[i]) % _US_PER_HOUR
        by_time = int(np.searchsorted(ts, start + span, side="right"))
        k = int(np.searchsorted(pauses, i, side="right"))
        j = min(by_time, int(pauses[k]) if k < len(pauses) else n)
        first, last = int(ts[i]), int(ts[j - 1])
        end = start + span
        tokens = [int(s[j] - s[i]) for s in sums]
        block_cost = float(cost_sum[j] - cost_sum[i])
        active = now_us - last < span and now_us < end
        minutes = (last - first) / _US_PER_MINUTE
        rate_tokens = rate_cost = None
        if minutes > 0:
            rate_tokens = sum(tokens) / minutes
            rate_cost = block_cost / minutes * 60
        projected_tokens = projected_cost = left = None
        if active and rate_tokens is not None:
            remaining = max(0.0, (end - now_us) / _US_PER_MINUTE)
            projected_tokens = round(sum(tokens) + rate_tokens * remaining)
            projected_cost = round(block_cost + rate_cost / 60 * remaining, 2)
            left = round(remaining)
        seen = list(dict.fromkeys(models[i:j].tolist()))  # in order of first use, as ccusage lists them
        blocks.append(UsageBlock(_at(start), _at(end), _at(last), active, False, j - i, *tokens, block_cost,
                                 tuple(seen), rate_tokens, rate_cost, projected_tokens, projected_cost, left))
        if j < n and int(ts[j]) - last > span:
            blocks.append(UsageBlock(_at(last + span), _at(int(ts[j])), None, False, True, 0, 0, 0, 0, 0, 0.0, ()))
        i = j
    return blocks


def usage_blocks(source, prices: PriceBook, now: datetime | None = None) -> list[UsageBlock]:
    """Every window and gap of a source with per-request rows (Capability.BLOCKS), oldest first,
    priced as Token Usage prices them."""
    cur = source.cursor()
    try:
        cur.execute(*bind("block_entries", prices.schedule_params()))
        data = cur.fetchnumpy()
    finally:
        cur.close()
    return identify_blocks(data["ts_us"], data["input_tokens"], data["output_tokens"], data["cache_read_tokens"],
                           data["cache_write_tokens"], data["cost"], np.asarray(data["model"], dtype=object),
                           now or datetime.now(timezone.utc))


def active_block(blocks: list[UsageBlock]) -> UsageBlock | None:
    """The window in progress, if any (ccusage shows the first active one)."""
    return next((b for b in blocks if b.is_active), None)


def blocks_rows(blocks: list[UsageBlock]) -> list[dict[str, object]]:
    """The windows as rows for a table, the CLI's JSON and the CSV (times in ISO 8601 UTC)."""
    return [{"start": b.start.isoformat(), "end": b.end.isoformat(),
             "last_request_at": b.last_request_at.isoformat() if b.last_request_at else None,
             "active": b.is_active, "gap": b.is_gap, "requests": b.requests, "input_tokens": b.input_tokens,
             "output_tokens": b.output_tokens, "cache_read_tokens": b.cache_read_tokens,
             "cache_write_tokens": b.cache_write_tokens, "total_tokens": b.total_tokens, "cost": b.cost,
             "tokens_per_minute": b.tokens_per_minute, "cost_per_hour": b.cost_per_hour,
             "projected_tokens": b.projected_tokens, "projected_cost": b.projected_cost,
             "minutes_left": b.minutes_left, "models": " ".join(b.models)} for b in blocks]


def blocks_in_range(blocks: list[UsageBlock], rng) -> list[UsageBlock]:
    """The windows (and gaps) that start within a DateRange's days (its zone's midnight to midnight)."""
    start, end = rng.utc_window()
    lo, hi = start.replace(tzinfo=timezone.utc), end.replace(tzinfo=timezone.utc)
    return [b for b in blocks if lo <= b.start < hi]


def blocks_csv(blocks: list[UsageBlock]) -> str:
    """The windows as CSV through the project's one neutralising writer."""
    from queries.csv_out import csv_text

    rows = blocks_rows(blocks)
    return csv_text(rows, list(rows[0])) if rows else ""
