"""Tier 2 & rotations: which agents crossed into tier 2 and what it cost, and why sessions rotated (issue 4, items 5-6)."""

from __future__ import annotations

import streamlit as st

from pages.common import charts, page_chrome, page_needs
from pages.common.data import needs_any
from pages.common.markdown import md_text
from pages.common.paths import without_paths
from pages.common.views import lacks, open_page, opt_int, page_query, range_picker, show_table
from queries.formatting import fmt_int, fmt_share, fmt_usd

TITLE = "Tier 2 & rotations"
DESCRIPTION = "Agents that crossed the tier-2 threshold, the extra spend it caused, and why sessions rotated."

TIER2_COLUMNS = ["Agent", "Tier-2 days", "Tier-2 rotations", "Over threshold", "Largest last turn", "Tier-2 tokens",
                 "Tier-2 cost", "Extra (0.5×)", "Of its cost"]
ROTATION_COLUMNS = ["Agent", "stale", "tier-2", "max-turns", "other", "Total"]


def shown(text: str, config) -> str:
    """A message of the query layer as the page shows it: agentx.json by its name, never its full path."""
    return without_paths(text, config.path)


def tier2_card(dataset, rng, config) -> None:
    kind = dataset.source.kind  # TIER2: the kind's queries (base.AgentQueries)
    report = page_query(lambda d: kind.tier2_hotspots(d.source, rng, d.prices, config=config), "tier2_hotspots", rng)
    with st.container(border=True):
        st.subheader("Tier-2 hotspots", anchor=False)
        st.caption(md_text(f"Threshold {report.threshold:,} tokens ({shown(report.threshold_source, config)}). "
                           "Crossings are counted from usage_daily's tier-2 columns (days with tier-2 tokens) and "
                           "from tier-2 rotations; agentx writes 0 into the task tables for tier-2 tasks."))
        for note in report.warnings:
            st.warning(md_text(shown(note, config)))
        if not report.rows:
            st.info("No agent crossed into tier 2 in this range.", icon=":material/check_circle:")
            return
        st.metric("Extra spend caused by tier 2", fmt_usd(report.extra_cost),
                  help="Tier-2 tokens bill at 1.5x; this is the 0.5x share above the tier-1 rates.")
        rows = [{"Agent": r.agent_id, "Tier-2 days": fmt_int(r.tier2_days), "Tier-2 rotations": fmt_int(r.tier2_rotations),
                 "Over threshold": fmt_int(r.rotations_over_threshold),
                 "Largest last turn": opt_int(r.max_last_turn_input_tokens), "Tier-2 tokens": fmt_int(r.tier2_tokens),
                 "Tier-2 cost": fmt_usd(r.tier2_cost), "Extra (0.5×)": fmt_usd(r.tier2_extra_cost),
                 "Of its cost": fmt_share(r.extra_share)} for r in report.rows]
        show_table(rows, TIER2_COLUMNS, "tier2_table")
        st.download_button("Download CSV", data=kind.tier2_csv(report), file_name=f"tier2-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="tier2_csv")


def rotations_card(dataset, rng, config) -> None:
    kind = dataset.source.kind  # ROTATIONS: the kind's queries (base.AgentQueries)
    report = page_query(lambda d: kind.rotation_report(d.source, rng, config=config), "rotation_report", rng)
    with st.container(border=True):
        st.subheader("Rotation reasons", anchor=False)
        st.caption("Session rotations per agent: stale (idle timeout), tier-2 (rotated to dodge the 1.5x "
                   "multiplier), max-turns (hit the per-session cap).")
        for note in report.warnings:
            st.warning(md_text(shown(note, config)))
        for hint in report.hints:
            st.warning(md_text(shown(hint, config)), icon=":material/lightbulb:")
        if not report.rows:
            st.info("No rotations in this range.", icon=":material/filter_alt_off:")
            return
        st.altair_chart(charts.rotation_chart(report.long_rows()), width="stretch", key="rotations_chart")
        rows = [{"Agent": r.agent_id, "stale": fmt_int(r.stale), "tier-2": fmt_int(r.tier2),
                 "max-turns": fmt_int(r.max_turns), "other": fmt_int(r.other), "Total": fmt_int(r.total)}
                for r in report.rows]
        show_table(rows, ROTATION_COLUMNS, "rotations_table")
        st.download_button("Download CSV", data=kind.rotations_csv(report),
                           file_name=f"rotations-{rng.start}-{rng.end}.csv", mime="text/csv",
                           icon=":material/download:", on_click="ignore", key="rotations_csv")


def render() -> None:
    dataset = open_page(TITLE, DESCRIPTION, needs_any(*page_needs(__file__)))  # its Source selectbox
    if dataset is None:
        return
    if lacks(dataset, page_needs(__file__), "Tier 2 and rotations"):
        return
    rng = range_picker("tier2")
    config = page_query(lambda d: d.source.kind.tier2_config(d.source), "tier2_config")  # agentx.json, read once
    tier2_card(dataset, rng, config)
    rotations_card(dataset, rng, config)


page_chrome()
render()
