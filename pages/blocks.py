"""Usage windows: Claude's 5-hour windows ("blocks", as ccusage calls them), the active one's
burn rate and projection to its end, one bar per window, and the windows as a table and CSV."""

from __future__ import annotations

from datetime import datetime, timezone

import altair as alt
import pandas as pd
import streamlit as st

from pages.common import page_chrome, page_needs
from pages.common.data import needs_any
from pages.common.markdown import md_text
from pages.common.views import lacks, open_page, page_query, range_picker, show_table
from queries.blocks import WINDOW_HOURS, active_block, blocks_csv, blocks_in_range, usage_blocks
from queries.formatting import fmt_int, fmt_usd

TITLE = "Usage windows"
DESCRIPTION = (f"Claude's {WINDOW_HOURS}-hour usage windows: tokens, cost and burn rate per window, and the "
               "current window's projection to its end.")
COLUMNS = ["Start (UTC)", "End (UTC)", "Requests", "Tokens", "Cost", "Tokens/min", "USD/hour", "Models"]


def active_cards(block) -> None:
    """The window in progress: so far, its burn rate, and where that rate takes it by its end."""
    if block is None:
        st.info(f"No window is active: the last request is more than {WINDOW_HOURS} hours old, or its window "
                "has ended.", icon=":material/schedule:")
        return
    cards = st.columns(4)
    with cards[0].container(border=True):
        st.metric("Active window: tokens", fmt_int(block.total_tokens))
        st.caption(f"{block.start:%Y-%m-%d %H:%M} – {block.end:%H:%M} UTC · {fmt_int(block.requests)} requests")
    with cards[1].container(border=True):
        st.metric("Active window: cost", fmt_usd(block.cost))
    with cards[2].container(border=True):
        rate = "—" if block.tokens_per_minute is None else f"{fmt_int(round(block.tokens_per_minute))} tokens/min"
        st.metric("Burn rate", rate)
        if block.cost_per_hour is not None:
            st.caption(f"{fmt_usd(block.cost_per_hour)} per hour")
    with cards[3].container(border=True):
        projected = "—" if block.projected_cost is None else fmt_usd(block.projected_cost)
        st.metric("Projected cost at its end", projected)
        if block.projected_tokens is not None:
            st.caption(f"{fmt_int(block.projected_tokens)} tokens · {fmt_int(block.minutes_left)} min left")
        else:
            st.caption("One request so far: no rate yet.")


def windows_chart(blocks) -> alt.Chart:
    """One bar per window: its tokens, coloured by cost, with a tooltip of its figures."""
    frame = pd.DataFrame([{"start": b.start.replace(tzinfo=None), "tokens": b.total_tokens, "cost": round(b.cost, 4),
                           "requests": b.requests, "window": f"{b.start:%m-%d %H:%M}–{b.end:%H:%M} UTC",
                           "state": "active" if b.is_active else "ended"} for b in blocks])
    return (alt.Chart(frame).mark_bar().encode(
        x=alt.X("window:N", sort=None, title="Window (UTC start)", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("tokens:Q", title="Tokens"),
        color=alt.Color("state:N", title=None, scale=alt.Scale(domain=["ended", "active"])),
        tooltip=[alt.Tooltip("window:N", title="Window"), alt.Tooltip("tokens:Q", title="Tokens", format=","),
                 alt.Tooltip("cost:Q", title="Cost (USD)", format="$,.4f"),
                 alt.Tooltip("requests:Q", title="Requests", format=",")]))


def table_row(b) -> dict[str, str]:
    return {"Start (UTC)": f"{b.start:%Y-%m-%d %H:%M}", "End (UTC)": f"{b.end:%Y-%m-%d %H:%M}",
            "Requests": fmt_int(b.requests), "Tokens": fmt_int(b.total_tokens), "Cost": fmt_usd(b.cost),
            "Tokens/min": "—" if b.tokens_per_minute is None else fmt_int(round(b.tokens_per_minute)),
            "USD/hour": "—" if b.cost_per_hour is None else fmt_usd(b.cost_per_hour),
            "Models": " ".join(b.models)}


def render() -> None:
    dataset = open_page(TITLE, DESCRIPTION, needs_any(*page_needs(__file__)))  # its Source selectbox
    if dataset is None or lacks(dataset, page_needs(__file__), "The usage windows view"):
        return
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)  # one computation per minute
    blocks = page_query(lambda d: usage_blocks(d.source, d.prices, now), "blocks", now)
    active_cards(active_block(blocks))
    rng = range_picker("blocks")
    shown = [b for b in blocks_in_range(blocks, rng) if not b.is_gap]
    with st.container(border=True):
        st.subheader("Windows", anchor=False)
        if not shown:
            st.info("No requests in this range.", icon=":material/filter_alt_off:")
            return
        st.altair_chart(windows_chart(shown), width="stretch")
        show_table([table_row(b) for b in reversed(shown)], COLUMNS, "blocks_table")
        st.download_button("Download CSV", data=blocks_csv(shown), file_name=f"usage-windows-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="blocks_csv")
        gaps = sum(1 for b in blocks_in_range(blocks, rng) if b.is_gap)
        st.caption(md_text(f"A window starts at the hour of its first request and lasts {WINDOW_HOURS} hours (as "
                           f"ccusage's blocks); {fmt_int(gaps)} pause(s) longer than {WINDOW_HOURS} hours in this "
                           "range. Tokens include cache reads and writes; cost is priced as on Token Usage."))


page_chrome()
render()
