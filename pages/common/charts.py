"""Altair charts of the Token Usage page, drawn by the seed's rules (000_6f4365d480d103b2.txt).

- Stacked bars, one per day; the y axis has exactly three labels: 0, half the max, the max.
- X labels on every day up to 14 days, every 3rd day up to 31, every 7th beyond.
- A day with tokens is drawn at least 8% of the max height so it stays visible; that is a
  rendering rule only, the tooltip always carries the true numbers.
- Zero days draw flat. Clicking a bar selects its day (the page narrows to it).
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from queries.formatting import fmt_usd
from queries.usage import DailyRow

PRIMARY = "#12936a"         # main agent / prompt tokens: the theme's primary green
PRIMARY_LIGHT = "#86d8b9"   # completion tokens: a light tint of the primary
AMBER = "#f59e0b"           # task agent
EMERALD = "#34d399"         # heartbeat
MIN_VISIBLE_SHARE = 0.08    # the seed's 8 % minimum height for non-zero days
NARROWEST_LAYOUT_DAYS = 14  # fewer days keep the bar width of a 14-day chart instead of filling the card
BAR_GAP = 0.2               # share of each day's slot left empty between bars
DAY_SELECTION = "pick_day"  # name of the click selection; the page reads it from the chart event
CHART_HEIGHT = 260
# The legend's entries in one row, as Axiom draws them, while the plot is wide enough; on a
# narrower plot (a phone: 250-270 px at a 390 px window) at most two entries a row, so the legend
# wraps instead of running past the chart's right edge (the three initiators' row is ~256 px,
# measured in chromium; "Heartbeat" was cut off). Vega reads 0 columns as "one row".
LEGEND_ONE_ROW_MIN_PX = 300
LEGEND_COLUMNS = f"width < {LEGEND_ONE_ROW_MIN_PX} ? 2 : 0"


def label_step(days: int) -> int:
    """Label every day up to 14 days, every 3rd day up to 31, every 7th beyond (the seed's rule)."""
    if days <= 14:
        return 1
    if days <= 31:
        return 3
    return 7


def labelled_days(days: list[date]) -> list[str]:
    """The ISO days that carry an x-axis label, counting from the first day of the range."""
    step = label_step(len(days))
    return [d.isoformat() for i, d in enumerate(days) if i % step == 0]


def y_axis_values(max_total: int) -> list[float]:
    """Exactly three y labels: 0, half the max and the max."""
    return [0, max_total / 2, max_total]


def bar_width_share(days: int) -> float:
    """A bar's width as a share of its day's slot: a short range keeps the bar width of a 14-day chart."""
    return (1 - BAR_GAP) * min(1.0, days / NARROWEST_LAYOUT_DAYS)


def display_heights(parts: list[int], max_total: int) -> list[float]:
    """Segment heights for one day: true values, or scaled up so the bar is 8% of the max."""
    total = sum(parts)
    floor = MIN_VISIBLE_SHARE * max_total
    if total == 0 or total >= floor:
        return [float(p) for p in parts]
    return [p * floor / total for p in parts]


def _long_frame(daily: list[DailyRow], series: list[tuple[str, str, str]]) -> tuple[pd.DataFrame, int]:
    """One row per (day, segment) with display height and the true values for the tooltip."""
    max_total = max((sum(getattr(d, attr) for _n, attr, _c in series) for d in daily), default=0)
    rows = []
    for d in daily:
        parts = [int(getattr(d, attr)) for _n, attr, _c in series]
        heights = display_heights(parts, max_total)
        for order, ((name, attr, _color), height) in enumerate(zip(series, heights)):
            row = {
                "day": d.day.isoformat(),
                "full_date": d.day.strftime("%A, %B %-d, %Y"),
                "segment": name,
                "order": order,
                "height": height,
                "prompt": d.prompt_tokens,
                "completion": d.completion_tokens,
                "total": d.total_tokens,
                "cost": d.estimated_cost,
                "cost_text": fmt_usd(d.estimated_cost),  # as the page and Axiom write money (d3 would say $,.4f)
            }
            for other_name, other_attr, _c in series:
                row[other_name] = int(getattr(d, other_attr))
            rows.append(row)
    return pd.DataFrame(rows), max_total


def stacked_daily_chart(daily: list[DailyRow], series: list[tuple[str, str, str]],
                        tooltip: list[alt.Tooltip]) -> alt.Chart:
    """Stacked bars per day for `series` [(label, DailyRow attribute, colour)], bottom first."""
    frame, max_total = _long_frame(daily, series)
    domain_max = max_total or 1
    pick = alt.selection_point(name=DAY_SELECTION, fields=["day"], on="click", clear="dblclick")
    x_axis = alt.Axis(
        title=None, values=labelled_days([d.day for d in daily]), labelAngle=0,
        labelExpr="utcFormat(toDate(datum.value), '%b %-d')", ticks=False, domain=False,
    )
    y_axis = alt.Axis(title=None, values=y_axis_values(max_total), format=",.0f", grid=True,
                      gridOpacity=0.15, domain=False, ticks=False)
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2,
                  width=alt.RelativeBandSize(bar_width_share(len(daily))))
        .encode(
            x=alt.X("day:O", axis=x_axis, sort=None, scale=alt.Scale(paddingInner=0, paddingOuter=0)),
            y=alt.Y("height:Q", axis=y_axis, stack="zero", scale=alt.Scale(domain=[0, domain_max], nice=False)),
            color=alt.Color("segment:N", sort=[n for n, _a, _c in series],
                            scale=alt.Scale(domain=[n for n, _a, _c in series], range=[c for _n, _a, c in series]),
                            legend=alt.Legend(title=None, orient="top", direction="horizontal", symbolType="circle",
                                              columns=alt.ExprRef(LEGEND_COLUMNS))),
            order=alt.Order("order:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=tooltip,
        )
        .add_params(pick)
        .properties(height=CHART_HEIGHT)
    )


def daily_volume_chart(daily: list[DailyRow]) -> alt.Chart:
    """Daily token volume: prompt (primary) at the bottom, completion (light primary) on top."""
    return stacked_daily_chart(
        daily,
        [("Prompt (input)", "prompt_tokens", PRIMARY), ("Completion (output)", "completion_tokens", PRIMARY_LIGHT)],
        [alt.Tooltip("full_date:N", title="Date"),
         alt.Tooltip("prompt:Q", title="Prompt", format=",d"),
         alt.Tooltip("completion:Q", title="Completion", format=",d"),
         alt.Tooltip("cost_text:N", title="Estimated cost")],
    )


def initiator_chart(daily: list[DailyRow]) -> alt.Chart:
    """Main Agent (green) vs. Task Agent (amber) vs. Heartbeat (emerald), stacked in that order."""
    return stacked_daily_chart(
        daily,
        [("Main Agent", "main_tokens", PRIMARY), ("Task Agent", "task_tokens", AMBER),
         ("Heartbeat", "heartbeat_tokens", EMERALD)],
        [alt.Tooltip("full_date:N", title="Date"),
         alt.Tooltip("Main Agent:Q", format=",d"),
         alt.Tooltip("Task Agent:Q", format=",d"),
         alt.Tooltip("Heartbeat:Q", format=",d"),
         alt.Tooltip("cost_text:N", title="Estimated cost")],
    )


ROTATION_ROW_PX = 32  # one agent's row: a 24 px bar (band padding 0.25) and room for its name
ROTATION_REASONS = (("stale", "#94a3b8"), ("tier-2", AMBER), ("max-turns", PRIMARY), ("other", "#a78bfa"))


def rotation_chart(long_rows: list[dict[str, object]]) -> alt.Chart:
    """Rotations per agent stacked by reason (one horizontal bar per agent), from
    `RotationReport.long_rows()`: [{agent_id, reason, rotations}], zero counts left out."""
    frame = pd.DataFrame(long_rows, columns=["agent_id", "reason", "rotations"])
    order = {name: i for i, (name, _c) in enumerate(ROTATION_REASONS)}
    frame["order"] = frame["reason"].map(lambda r: order.get(r, len(order)))
    agents = list(dict.fromkeys(frame["agent_id"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("agent_id:N", title=None, sort=agents, scale=alt.Scale(paddingInner=0.25, paddingOuter=0.125)),
            x=alt.X("rotations:Q", title="Rotations", stack="zero", axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color("reason:N", scale=alt.Scale(domain=[n for n, _c in ROTATION_REASONS],
                                                        range=[c for _n, c in ROTATION_REASONS]),
                            legend=alt.Legend(title=None, orient="top", direction="horizontal", symbolType="circle")),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("agent_id:N", title="Agent"), alt.Tooltip("reason:N", title="Reason"),
                     alt.Tooltip("rotations:Q", title="Rotations", format=",d")],
        )
        .properties(height=ROTATION_ROW_PX * len(agents),
                    # Streamlit's default autosize "fit" squeezes the legend and the axes into
                    # `height`; a few agents' rows then got ~0 px (issue 15, item 1). fit-x fits
                    # the width only, so `height` is the rows' own height.
                    autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )


BUDGET_RED = "#dc2626"  # the daily budget's rule and the unusual days' flags


def daily_cost_chart(days: list[tuple[date, float]], daily_budget: float | None,
                     flags: dict[date, str]) -> alt.LayerChart:
    """Cost per day (bars), the daily budget as a dashed rule, and a flag over each unusual day
    (its tooltip says by how much: `flags[day]`). Marks are named (cost_bars, budget_rule,
    unusual_flags) so a browser test finds them in the drawn SVG."""
    frame = pd.DataFrame([{"day": d.isoformat(), "full_date": d.strftime("%A, %B %-d, %Y"), "cost": c,
                           "cost_text": fmt_usd(c), "unusual": flags.get(d, "")} for d, c in days],
                         columns=["day", "full_date", "cost", "cost_text", "unusual"])
    x = alt.X("day:O", sort=None, scale=alt.Scale(paddingInner=BAR_GAP, paddingOuter=0),
              axis=alt.Axis(title=None, values=labelled_days([d for d, _c in days]), labelAngle=0, ticks=False,
                            domain=False, labelExpr="utcFormat(toDate(datum.value), '%b %-d')"))
    y = alt.Y("cost:Q", axis=alt.Axis(title=None, format="$,.2f", grid=True, gridOpacity=0.15, domain=False,
                                      ticks=False, tickCount=3))
    tooltip = [alt.Tooltip("full_date:N", title="Date"), alt.Tooltip("cost_text:N", title="Estimated cost")]
    bars = alt.Chart(frame, name="cost_bars").mark_bar(color=PRIMARY, cornerRadiusTopLeft=2,
                                                       cornerRadiusTopRight=2).encode(x=x, y=y, tooltip=tooltip)
    layers = [bars]
    if daily_budget is not None:
        rule = pd.DataFrame({"cost": [daily_budget], "label": [f"Daily budget {fmt_usd(daily_budget)}"]})
        layers.append(alt.Chart(rule, name="budget_rule").mark_rule(color=BUDGET_RED, strokeDash=[6, 4], strokeWidth=2)
                      .encode(y=alt.Y("cost:Q"), tooltip=[alt.Tooltip("label:N", title="Budget")]))
    flagged = frame[frame["unusual"] != ""]
    if len(flagged):
        layers.append(alt.Chart(flagged, name="unusual_flags")
                      .mark_point(shape="triangle-down", filled=True, size=140, color=BUDGET_RED, yOffset=-10, opacity=1)
                      .encode(x=x, y=alt.Y("cost:Q"),
                              tooltip=[*tooltip, alt.Tooltip("unusual:N", title="Unusual day")]))
    return alt.layer(*layers).properties(height=CHART_HEIGHT)
