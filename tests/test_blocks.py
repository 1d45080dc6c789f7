"""Claude's 5-hour usage windows (queries/blocks.py): hand-worked windows, gaps, burn rate and
projection, a Hypothesis property against a plain-Python loop of ccusage's rule, and the
windows of a Claude Code source priced as Token Usage prices them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories import Turn
from queries.blocks import active_block, identify_blocks, usage_blocks
from queries.sources.claude_code import open_claude_code

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def blocks_of(entries: list[tuple[str, int, int, float]], now: str = "2030-01-01T00:00:00"):
    """entries: (UTC time, input tokens, output tokens, cost), any order (sorted here, as the SQL does)."""
    rows = sorted((at(t), i, o, c) for t, i, o, c in entries)
    us = np.array([(t - EPOCH) // timedelta(microseconds=1) for t, *_ in rows], dtype=np.int64)
    zeros = np.zeros(len(rows), dtype=np.int64)
    return identify_blocks(us, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]), zeros, zeros,
                           np.array([r[3] for r in rows]), np.array(["m"] * len(rows), dtype=object), at(now))


def test_a_request_exactly_five_hours_after_the_window_start_is_still_in_it():
    blocks = blocks_of([("2026-03-20T10:15:00", 1, 1, 0.0), ("2026-03-20T15:00:00", 1, 1, 0.0)])
    assert [(b.start, b.end, b.requests, b.is_gap) for b in blocks] == [
        (at("2026-03-20T10:00:00"), at("2026-03-20T15:00:00"), 2, False)]


def test_a_request_a_second_later_starts_the_next_window_at_its_hour_without_a_gap():
    blocks = blocks_of([("2026-03-20T10:15:00", 1, 1, 0.0), ("2026-03-20T15:00:01", 1, 1, 0.0)])
    assert [(b.start, b.end, b.requests, b.is_gap) for b in blocks] == [
        (at("2026-03-20T10:00:00"), at("2026-03-20T15:00:00"), 1, False),
        (at("2026-03-20T15:00:00"), at("2026-03-20T20:00:00"), 1, False)]


def test_a_pause_of_exactly_five_hours_is_no_gap_but_a_longer_one_is():
    exactly = blocks_of([("2026-03-20T10:15:00", 1, 1, 0.0), ("2026-03-20T15:15:00", 1, 1, 0.0)])
    assert [b.is_gap for b in exactly] == [False, False]
    longer = blocks_of([("2026-03-20T10:15:00", 1, 1, 0.0), ("2026-03-20T16:16:00", 1, 1, 0.0)])
    assert [(b.start, b.end, b.is_gap, b.requests) for b in longer] == [
        (at("2026-03-20T10:00:00"), at("2026-03-20T15:00:00"), False, 1),
        (at("2026-03-20T15:15:00"), at("2026-03-20T16:16:00"), True, 0),   # last request + 5 h .. next request
        (at("2026-03-20T16:00:00"), at("2026-03-20T21:00:00"), False, 1)]


def test_the_active_window_is_projected_to_its_end_at_its_burn_rate():
    # 12:10 100 tokens $0.60 and 12:40 200 tokens $0.90: 300 tokens and $1.50 over 30 minutes,
    # so 10 tokens/min and $3.00/h; at 13:00, 240 minutes are left until 17:00:
    # 300 + 10 x 240 = 2,700 tokens and 1.50 + 3.00 / 60 x 240 = $13.50.
    entries = [("2026-03-20T12:10:00", 60, 40, 0.60), ("2026-03-20T12:40:00", 150, 50, 0.90)]
    block = active_block(blocks_of(entries, now="2026-03-20T13:00:00"))
    assert block is not None and block.start == at("2026-03-20T12:00:00")
    assert (block.total_tokens, block.cost) == (300, pytest.approx(1.50))
    assert (block.tokens_per_minute, block.cost_per_hour) == (pytest.approx(10.0), pytest.approx(3.0))
    assert (block.projected_tokens, block.projected_cost, block.minutes_left) == (2_700, 13.50, 240)


def test_a_window_is_no_longer_active_after_its_end_or_five_hours_after_its_last_request():
    entries = [("2026-03-20T12:10:00", 1, 1, 0.0), ("2026-03-20T12:40:00", 1, 1, 0.0)]
    assert active_block(blocks_of(entries, now="2026-03-20T17:00:00")) is None  # its end
    assert active_block(blocks_of(entries, now="2026-03-20T16:59:59")) is not None
    [block] = blocks_of(entries, now="2026-03-20T17:00:00")
    assert (block.projected_tokens, block.projected_cost) == (None, None)


def test_one_request_has_no_burn_rate():
    [block] = blocks_of([("2026-03-20T12:10:00", 5, 5, 1.0)], now="2026-03-20T12:30:00")
    assert block.is_active and block.tokens_per_minute is None and block.projected_tokens is None


def ccusage_loop(times: list[int], span: int) -> list[tuple[int, int, bool]]:
    """ccusage's identifySessionBlocks as a plain loop: (start, requests, is_gap) per window."""
    out, start, members = [], None, []
    hour = 3_600
    for t in sorted(times):
        if start is None:
            start, members = t - t % hour, [t]
        elif t - start > span or t - members[-1] > span:
            out.append((start, len(members), False))
            if t - members[-1] > span:
                out.append((members[-1] + span, 0, True))
            start, members = t - t % hour, [t]
        else:
            members.append(t)
    if members:
        out.append((start, len(members), False))
    return out


@given(st.lists(st.integers(min_value=0, max_value=40 * 86_400), min_size=0, max_size=60))
def test_windows_equal_a_plain_loop_of_ccusages_rule(seconds):
    times = sorted(seconds)
    us = np.array([t * 10 ** 6 for t in times], dtype=np.int64)
    ones = np.ones(len(times), dtype=np.int64)
    blocks = identify_blocks(us, ones, ones, ones * 0, ones * 0, ones * 0.0, np.array(["m"] * len(times), dtype=object),
                             datetime(2000, 1, 1, tzinfo=UTC))
    got = [(int((b.start - EPOCH).total_seconds()), b.requests, b.is_gap) for b in blocks]
    assert got == ccusage_loop(times, 5 * 3_600)


def test_windows_of_a_claude_code_source_are_priced_like_token_usage(claude_projects, tmp_path):
    # Rates $3 in / $15 out / $0.30 cache read / $3.75 5-minute write per 1M tokens.
    # 10:05: 1,000 in + 100 out + 10,000 read + 2,000 write = 3,000 + 1,500 + 3,000 + 7,500 -> $0.015
    # 11:05: 2,000 in + 200 out                               = 6,000 + 3,000           -> $0.009
    # 17:00 (6 h 55 min later: a gap, then a window):  500 in = 1,500                    -> $0.0015
    turns = [Turn("m1", "r1", "2026-03-20T10:05:00Z", "house", 1_000, 100, 2_000, 10_000),
             Turn("m2", "r2", "2026-03-20T11:05:00Z", "house", 2_000, 200),
             Turn("m3", "r3", "2026-03-20T18:00:00Z", "house", 500, 0)]
    claude_projects.session_file("p", "s1", [t.line("s1") for t in turns])
    settings = tmp_path / "custom.json"
    settings.write_text(json.dumps({"house": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheCreate": 3.75}}))
    source = open_claude_code(claude_projects.root)
    try:
        cat = source.kind.catalog(source)
        blocks = usage_blocks(source, source.kind.price_book(source, cat, settings, False), at("2026-03-20T18:30:00"))
    finally:
        source.close()
    assert [(b.start.hour, b.is_gap, b.requests, b.total_tokens) for b in blocks] == [
        (10, False, 2, 15_300), (16, True, 0, 0), (18, False, 1, 500)]
    assert [b.cost for b in blocks] == [pytest.approx(0.024), 0.0, pytest.approx(0.0015)]
    assert blocks[2].is_active and blocks[0].tokens_per_minute == pytest.approx(15_300 / 60)
