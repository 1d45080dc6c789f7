"""Agents: the today / 7 / 30 days top row, cost and tokens per agent, and one agent's tasks (issue 4, items 3-4)."""

from __future__ import annotations

import streamlit as st

from pages.common import charts, page_chrome, page_needs
from pages.common.data import needs_any
from pages.common.markdown import md_text
from pages.common.views import duration, lacks, open_page, page_query, range_picker, show_table, tz
from queries.dates import today_in
from queries.formatting import fmt_int, fmt_usd, fmt_usd_small
from queries.overview import top_row

TITLE = "Agents"
DESCRIPTION = "Cost, tokens, tasks and durations per agent; pick an agent to see its tasks."
TASK_PAGE_SIZE = 25
AGENT_KEY = "agents_pick"
TABLE_KEY = "agents_table"

AGENT_COLUMNS = ["Agent", "Est. cost", "Input", "Output", "Cache read", "Cache write", "Tier 2", "Tasks",
                 "p50 duration", "p95 duration", "Errors", "Timeouts"]
TASK_COLUMNS = ["Started (UTC)", "Channel", "Status", "Duration", "Tokens", "Preview"]


def top_row_cards() -> None:
    """Today, last 7 days, last 30 days: cost, input + output tokens, averages per task (request on Axiom)."""
    zone = tz()
    today = today_in(zone)
    cards = page_query(lambda d: top_row(d, today, zone), "top_row", today, zone)
    for col, card in zip(st.columns(len(cards)), cards):
        with col.container(border=True):
            st.metric(f"{card.label}: cost", fmt_usd(card.estimated_cost))
            st.metric(f"{card.label}: tokens", fmt_int(card.tokens))
            if card.tasks:
                st.caption(md_text(f"{fmt_int(card.tasks)} {card.unit}s · ~{fmt_usd_small(card.cost_per_task)} "
                                   f"and {fmt_int(card.tokens_per_task)} tokens per {card.unit}"))
            else:
                st.caption(f"No {card.unit}s.")


def _day_picked() -> None:
    """A click on a day's bar narrows the page's range to that day (seed 004: investigate a spike)."""
    from datetime import date

    event = st.session_state.get("agents_chart") or {}
    points = (event.get("selection") or {}).get(charts.DAY_SELECTION) or []
    if isinstance(points, list) and points and points[0].get("day"):
        try:
            day = date.fromisoformat(str(points[0]["day"])[:10])
        except ValueError:
            return
        st.session_state["agents_range"] = "custom"
        st.session_state["agents_from"] = st.session_state["agents_until"] = day


def daily_card(rng):
    """Input and output tokens per UTC day of the range; a click on a day narrows the page to it.
    Returns the range's report (its unpriced models are the agents card's too)."""
    from pages.common.data import configured_data
    from queries.usage import Filters

    report = configured_data().report(Filters(rng))
    with st.container(border=True):
        st.subheader("Daily tokens", anchor=False)
        st.caption("Input and output tokens per day, all agents (cache tokens are in the cost, not drawn).")
        if not any(d.total_tokens for d in report.daily):
            st.info("No daily usage to chart for this range.")
            return report
        st.altair_chart(charts.daily_volume_chart(report.daily), key="agents_chart", on_select=_day_picked,
                        selection_mode=charts.DAY_SELECTION, width="stretch")
        st.caption("Click a bar to show only that day.")
    return report


def _row_picked() -> None:
    """A click on a row of the agents table picks that agent for the task list."""
    event = st.session_state.get(TABLE_KEY) or {}
    rows = (event.get("selection") or {}).get("rows") or []
    agents = st.session_state.get("agents_ids") or []
    if rows and 0 <= rows[0] < len(agents):
        st.session_state[AGENT_KEY] = agents[rows[0]]


def agents_card(dataset, rng, unpriced: list[str]) -> list[str]:
    """The per-agent table and its CSV; returns the agent ids, in the table's order."""
    kind = dataset.source.kind  # AGENTS: the kind's per-agent queries (base.AgentQueries)
    rows = page_query(lambda d: d.source.kind.agent_rows(d.source, rng, d.prices), "agent_rows", rng)
    with st.container(border=True):
        st.subheader("Per agent", anchor=False)
        st.caption("Tokens and cost from usage_daily (tier 2 included, UTC days); durations, errors and "
                   "timeouts of the tasks that started in the range.")
        for note in [*dataset.prices.warnings, *kind.zone_warnings(rng)]:
            st.warning(md_text(note))
        if not rows:
            st.info("No agent has usage or tasks in this range.", icon=":material/filter_alt_off:")
            return []
        table = [{"Agent": r.agent_id, "Est. cost": fmt_usd(r.estimated_cost), "Input": fmt_int(r.input_tokens),
                  "Output": fmt_int(r.output_tokens), "Cache read": fmt_int(r.cache_read_tokens),
                  "Cache write": fmt_int(r.cache_write_tokens), "Tier 2": fmt_int(r.tier2_tokens),
                  "Tasks": fmt_int(r.tasks), "p50 duration": duration(r.p50_duration_ms),
                  "p95 duration": duration(r.p95_duration_ms), "Errors": fmt_int(r.errors),
                  "Timeouts": fmt_int(r.timeouts)} for r in rows]
        ids = [r.agent_id for r in rows]
        st.session_state["agents_ids"] = ids
        import pandas as pd

        st.dataframe(pd.DataFrame(table, columns=AGENT_COLUMNS), hide_index=True, width="stretch", key=TABLE_KEY,
                     on_select=_row_picked, selection_mode="single-row")
        st.caption("Click a row to see that agent's tasks below.")
        if unpriced:
            st.warning("No price is known for these models, so their cost shows $0.00 although tokens were used. "
                       "Add them to .agentx/pricing/custom.json (USD per 1M tokens) and Refresh:".replace("$", "\\$"),
                       icon=":material/sell:")
            st.code("\n".join(unpriced), language=None)
        st.download_button("Download CSV", data=kind.agents_csv(rows), file_name=f"agents-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="agents_csv")
    return ids


def tasks_card(dataset, rng, ids: list[str]) -> None:
    """One agent's tasks that started in the range, newest first, a page at a time."""
    kind = dataset.source.kind  # TASKS: the kind's task queries (base.AgentQueries)
    agent_tasks = kind.agent_tasks

    with st.container(border=True):
        st.subheader("Tasks of one agent", anchor=False)
        if st.session_state.get(AGENT_KEY) not in ids:
            st.session_state[AGENT_KEY] = None
        agent = st.selectbox("Agent", ids, key=AGENT_KEY, index=None, placeholder="Pick an agent")
        if agent is None:
            st.caption("Pick an agent (or click its row above) to list its tasks, newest first.")
            return
        page_no = int(st.session_state.get(f"agents_page_{agent}", 1))
        page = page_query(lambda d: agent_tasks(d.source, rng, agent, page_no, TASK_PAGE_SIZE), "agent_tasks",
                          rng, agent, page_no, TASK_PAGE_SIZE)
        if page.total == 0:
            st.info("This agent has no tasks that started in this range (its tokens may come from usage_daily "
                    "alone).", icon=":material/filter_alt_off:")
            return
        if page_no > page.pages:  # a shorter range since: show the last page
            st.session_state[f"agents_page_{agent}"] = page.pages
            last = page.pages
            page = page_query(lambda d: agent_tasks(d.source, rng, agent, last, TASK_PAGE_SIZE), "agent_tasks",
                              rng, agent, last, TASK_PAGE_SIZE)
        rows = [{"Started (UTC)": t.started_at.strftime("%Y-%m-%d %H:%M:%S") if t.started_at else "—",
                 "Channel": t.channel or "—", "Status": t.status, "Duration": duration(t.duration_ms),
                 "Tokens": fmt_int(t.input_tokens + t.output_tokens + t.cache_read_tokens + t.cache_write_tokens),
                 "Preview": (t.preview or "").replace("\n", " ")[:200]} for t in page.tasks]
        show_table(rows, TASK_COLUMNS, "agents_tasks")
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.number_input("Page", min_value=1, max_value=page.pages, step=1, key=f"agents_page_{agent}")
        right.caption(f"Page {page.page} of {page.pages} ({fmt_int(page.total)} tasks, {page.page_size} a page).")
        st.download_button("Download CSV", data=kind.tasks_csv(page), file_name=f"tasks-page-{page.page}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="agents_tasks_csv")


def render() -> None:
    dataset = open_page(TITLE, DESCRIPTION, needs_any(*page_needs(__file__)))  # its Source selectbox
    if dataset is None:
        return
    top_row_cards()
    rng = range_picker("agents")
    if lacks(dataset, page_needs(__file__), "The per-agent view"):
        return
    report = daily_card(rng)
    ids = agents_card(dataset, rng, report.unpriced_models)
    if ids:
        tasks_card(dataset, rng, ids)


page_chrome()
render()
