"""Token Usage: requests, tokens and estimated cost for one filter state (seed 000, point by point)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import duckdb
import streamlit as st

import pricing
from pages.common import PAGE_TITLE, charts, page_chrome
from pages.common.budgets import token_usage_parts
from pages.common.data import app_config, open_workspace, refresh, workspace_data
from pages.common.dimensions import dimension_card, dimension_options
from pages.common.filters import narrow_to_day, read_link, toolbar
from pages.common.markdown import md_text
from pages.common.projects import project_card
from pages.common.tables import breakdown_html
from pages.common.views import header
from queries import SourceError
from queries.formatting import fmt_change, fmt_int, fmt_usd
from queries.usage import UsageReport
from queries.wording import Wording

DESCRIPTION = "Explore token consumption, compare providers, and track estimated spend across any time range."


def kpi_cards(report: UsageReport, wording: Wording) -> None:
    """Requests (tasks on agentx: the data's own unit), Total Tokens and Estimated Cost, each with
    the seed's sub-line and the change against the previous period of the same length."""
    t, prev, days = report.totals, report.previous_totals, report.filters.range.days
    versus = f"vs. previous {days} day{'s' if days != 1 else ''}"
    cards = [
        (wording.units, fmt_int(t.requests), f"~{fmt_int(t.requests / days)} per day",
         fmt_change(t.requests, prev.requests), "off"),
        ("Total Tokens", fmt_int(t.total_tokens),
         f"{fmt_int(t.prompt_tokens)} prompt · {fmt_int(t.completion_tokens)} completion"
         + (f" · {fmt_int(t.cache_read_tokens)} cache read · {fmt_int(t.cache_write_tokens)} cache write"
            if report.cache_tokens else ""),
         fmt_change(t.total_tokens, prev.total_tokens), "off"),
        ("Estimated Cost", fmt_usd(t.estimated_cost),
         f"~{fmt_usd(t.estimated_cost / t.requests)} per {wording.unit}" if t.requests else "—",
         fmt_change(t.estimated_cost, prev.estimated_cost), "inverse"),
    ]
    for col, (label, value, subline, change, colour) in zip(st.columns(3), cards):
        with col.container(border=True):
            st.metric(label, value, delta=change, delta_color=colour,
                      delta_description=versus if change else None)
            st.caption(subline)


def _day_picked(key: str) -> None:
    """A click on a bar narrows the page to that day (seed 004: investigate a spike)."""
    event = st.session_state.get(key) or {}
    points = (event.get("selection") or {}).get(charts.DAY_SELECTION) or []
    if isinstance(points, list) and points and points[0].get("day"):
        try:
            narrow_to_day(date.fromisoformat(str(points[0]["day"])[:10]))
        except ValueError:
            pass


def chart_card(title: str, subtitle: str, report: UsageReport, build, key: str) -> None:
    """A bordered card holding one daily chart, or the seed's inline message when there is nothing to draw."""
    with st.container(border=True):
        st.subheader(title, anchor=False)
        st.caption(subtitle)
        if not any(d.total_tokens for d in report.daily):
            st.info("No daily usage to chart for the current filters.")
            return
        st.altair_chart(build(report.daily), key=key, on_select=lambda: _day_picked(key),
                        selection_mode=charts.DAY_SELECTION, width="stretch")
        st.caption("Click a bar to show only that day.")


def price_notices(report: UsageReport, wording: Wording) -> None:
    """Unpriced models (with the snippet for the data's price file) and models priced only by the price library.
    Model ids are data: they go through md_text, never into markdown as they are."""
    if report.unpriced_models:
        with st.container(border=True):
            names = ", ".join(report.unpriced_models)
            st.warning(md_text(f"No price is known for {names}: their cost reads \"unpriced\" (counted as $0.00 "
                               f"in the totals) although tokens were used. {wording.unpriced_hint()}"),
                       icon=":material/sell:")
            st.code(wording.snippet(report.unpriced_models), language="json")
    library = [p for p in report.prices if p.source == pricing.PRICE_LIBRARY]
    if library:
        listed = "; ".join(f"{p.model} ${p.input:g} in / ${p.output:g} out per 1M" for p in library)
        st.caption(md_text(f"Priced by the genai-prices library, {wording.library_note}: {listed}."))


def breakdown_card(report: UsageReport) -> None:
    """The provider & model table with its totals row and a CSV download."""
    with st.container(border=True):
        st.subheader("Provider & model breakdown", anchor=False)
        st.caption("Detailed breakdown of usage and estimated cost per provider/model pair.")
        st.html(breakdown_html(report.breakdown, report.totals, cache=report.cache_tokens))
        rng = report.filters.range
        st.download_button("Download CSV", data=report.csv("breakdown"), file_name=f"token-usage-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="csv")


def units_note(data, source: str | None) -> None:
    """In a workspace whose sources count different units (requests, tasks), say what the sum counts."""
    if source is None and len({data.wording_of(n).unit for n in data.names}) > 1:
        counted = ", ".join(f"{n} counts {data.wording_of(n).units.lower()}" for n in data.names)
        st.caption(md_text(f"{data.wording.units} adds each source's own unit: {counted}."))


def auto_refresh(seconds: int) -> None:
    """For a wall screen: re-read the database every `seconds` (the auto-refresh setting; 0 is off)."""
    st.session_state["last_full_run"] = time.monotonic()

    @st.fragment(run_every=seconds)
    def tick() -> None:
        if time.monotonic() - st.session_state.get("last_full_run", 0.0) >= seconds * 0.9:
            refresh(workspace_data())
            st.rerun(scope="app")

    tick()


def render() -> None:
    """The whole page for the current filter state."""
    config = app_config()
    try:
        data = open_workspace()  # every configured source (USAGE_DB or the demo alone: one)
        snapshot = data.snapshot()
    except SourceError as exc:
        if header(PAGE_TITLE, DESCRIPTION):
            refresh()
            st.rerun()
        st.error(md_text(exc.public_message()), icon=":material/database:")
        st.caption("Fix the database setting (USAGE_DB) or the file, then press Refresh.")
        return
    clicked = header(PAGE_TITLE, DESCRIPTION, data.is_demo, f"{snapshot.read_at:%H:%M:%S} UTC")
    if clicked:
        refresh(data)
        st.rerun()
    for warning in (*config.warnings, *data.warnings, *snapshot.problems):
        st.warning(md_text(warning))
    if config.auto_refresh_seconds:
        auto_refresh(int(config.auto_refresh_seconds))

    catalog = snapshot.catalog
    if catalog.total_requests == 0:
        st.info("No token usage yet.", icon=":material/hourglass_empty:")
        return
    catalogs = data.catalogs()  # the Source filter's choices (drawn when there are several)
    dimensions = dimension_options(data)  # key, user, team, end user, tag filters of the sources that have them
    notices = read_link(catalog, str(config.tz), catalogs, dimensions)
    filters, toolbar_notices = toolbar(catalog, str(config.tz), catalogs, dimensions)
    for notice in notices + toolbar_notices:
        st.caption(f":material/info: {md_text(notice)}")

    try:
        report = data.report(filters)
    except duckdb.Error as exc:  # reading the attached file directly (mirror off) while it is locked or damaged
        st.error(f"The database could not be read just now ({exc.__class__.__name__}). Press Refresh to try again.",
                 icon=":material/database:")
        return
    wording = data.wording_of(filters.source)
    kpi_cards(report, wording)
    units_note(data, filters.source)
    for warning in report.warnings:
        st.warning(md_text(warning))
    if report.totals.requests == 0:
        with st.container(border=True):
            st.info("No usage matches these filters.", icon=":material/filter_alt_off:")
            st.caption("Widen the date range or clear the provider and model filters.")
        return

    chart_card("Daily token volume", "Day-by-day token usage across the selected range.",
               report, charts.daily_volume_chart, "chart_daily")
    token_usage_parts(report.filters)  # issue 14: cost per day against the budget, unusual days flagged
    if report.has_initiator_split:
        chart_card("Main Agent vs. Task Agent vs. Heartbeat",
                   "Token usage split between main agent, background task agents, and heartbeat per day.",
                   report, charts.initiator_chart, "chart_initiator")
        if report.initiator_note and not filters.source:
            st.caption(md_text(report.initiator_note))
    if any(row.source for row in report.breakdown):  # each source's unpriced models go to its own price file
        for n, name in enumerate(data.names):
            unpriced = sorted({b.model for b in report.breakdown if b.source == name and b.has_unpriced_rows})
            price_notices(replace(report, prices=report.prices if n == 0 else [], unpriced_models=unpriced),
                          data.wording_of(name))
    else:
        price_notices(report, wording)
    breakdown_card(report)
    project_card(data, filters, data.names)  # drawn when a source of the filter state has projects
    for name, member, _snap in data.opened():  # only a readable source with dimension capabilities (LiteLLM)
        if filters.source in (None, name):
            dimension_card(member, filters, key=f"dim_{name}" if len(data.members) > 1 else "dim")


page_chrome()
render()
