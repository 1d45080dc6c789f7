"""The chart rules of seed 000 as pure functions: label steps, three y labels, 8 % minimum height."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pages.common import charts
from queries.usage import DailyRow


def day_rows(totals: list[tuple[int, int]]) -> list[DailyRow]:
    start = date(2026, 3, 30)
    return [DailyRow(start + timedelta(days=i), 1 if p + c else 0, p, c, p + c, 0.0, p + c, 0, 0)
            for i, (p, c) in enumerate(totals)]


def test_every_day_is_labelled_up_to_14_days():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(14)]
    assert charts.labelled_days(days) == [d.isoformat() for d in days]


def test_every_third_day_is_labelled_from_15_to_31_days():
    for n in (15, 31):
        days = [date(2026, 1, 1) + timedelta(days=i) for i in range(n)]
        assert charts.labelled_days(days) == [d.isoformat() for d in days[::3]]


def test_every_seventh_day_is_labelled_beyond_31_days():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(32)]
    assert charts.labelled_days(days) == [d.isoformat() for d in days[::7]]


def test_the_y_axis_has_exactly_zero_half_and_max():
    # Axiom's reference shows 9,359,153 with 4,679,577 (rounded) halfway.
    assert charts.y_axis_values(9_359_153) == [0, 4_679_576.5, 9_359_153]


def test_a_tiny_day_is_drawn_at_8_percent_of_the_max_and_keeps_its_proportions():
    heights = charts.display_heights([30, 10], max_total=10_000)
    assert sum(heights) == 800
    assert heights[0] == 3 * heights[1]


def test_zero_days_stay_flat_and_big_days_keep_their_true_height():
    assert charts.display_heights([0, 0], 10_000) == [0.0, 0.0]
    assert charts.display_heights([5_000, 1_000], 10_000) == [5_000.0, 1_000.0]


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)), min_size=1, max_size=60))
def test_tooltips_carry_true_values_whatever_is_drawn(totals):
    chart = charts.daily_volume_chart(day_rows(totals))
    frame = chart.data
    for (p, c), (_, row) in zip(totals, frame[frame["order"] == 0].iterrows()):
        assert (row["prompt"], row["completion"]) == (p, c)
    max_total = max(p + c for p, c in totals)
    drawn = frame.groupby("day")["height"].sum()
    for day_total, height in zip((p + c for p, c in totals), drawn):
        if day_total == 0:
            assert height == 0
        else:
            assert height >= 0.08 * max_total * (1 - 1e-9)


def test_the_initiator_chart_stacks_main_task_heartbeat_in_seed_colours():
    spec = charts.initiator_chart(day_rows([(10, 5)])).to_dict()
    colour = spec["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Main Agent", "Task Agent", "Heartbeat"]
    assert colour["range"] == [charts.PRIMARY, charts.AMBER, charts.EMERALD]


def test_a_short_range_keeps_the_bar_width_of_a_14_day_chart():
    assert charts.bar_width_share(14) == charts.bar_width_share(90) == 1 - charts.BAR_GAP
    assert abs(charts.bar_width_share(1) - (1 - charts.BAR_GAP) / 14) < 1e-12


def test_both_legends_sit_above_the_plot_with_round_markers_as_axiom_draws_them():
    """shared/reference/axiom-token-usage.png: '● Prompt (input) ● Completion (output)' above the bars.
    (Axiom puts them at the right end; Vega-Lite's legend layout for that is not in its schema.)"""
    for chart in (charts.daily_volume_chart, charts.initiator_chart):
        spec = chart(day_rows([(10, 5)])).to_dict()
        legend = spec["encoding"]["color"]["legend"]
        assert (legend["orient"], legend["symbolType"]) == ("top", "circle")  # above the plot, never over a bar
