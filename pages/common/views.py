"""What the agentx-era pages (Agents, Tier 2 & rotations, Sessions, Compare) share.

`open_page` draws the title row with Refresh and Log out, opens the configured database
through the cached `data.py` access and returns its Dataset, or says why it cannot and
returns None. `range_picker` is a plain date-range chooser (preset or custom days) with
its own widget keys per page. `frame` turns rows of already formatted text into a
DataFrame for `st.dataframe`, which shows every value as text, never markup.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from pages.common.auth import logout_button
from pages.common.data import app_config, app_data, configured_data, refresh
from pages.common.markdown import md_text
from pages.common.paths import without_paths
from queries import Dataset, SourceError
from queries.sources import KINDS
from queries.dates import DEFAULT_PRESET, PRESETS, DateRange, RangeError, preset_range, today_in
from queries.formatting import fmt_change, fmt_duration, fmt_int, fmt_usd


def header(title: str, description: str, is_demo: bool = False, read_at: str | None = None) -> bool:
    """Title, description, freshness, Refresh and Log out; True when Refresh was clicked."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    with left:
        st.title(title, anchor=False)
        st.caption(description)
    with right:
        clicked = st.button("Refresh", icon=":material/refresh:", width="stretch", key="refresh")
        if is_demo:
            st.badge("Demo data", icon=":material/science:", color="orange")
        if read_at:
            st.caption(f"Read {read_at}")
        logout_button()
    return clicked


def open_page(title: str, description: str) -> Dataset | None:
    """Header, then the configured database's Dataset; None (with the reason shown) if unreadable."""
    config = app_config()
    try:
        data = app_data()
        snapshot = data.snapshot()
    except SourceError as exc:
        if header(title, description):
            refresh()
            st.rerun()
        st.error(md_text(exc.public_message()), icon=":material/database:")
        st.caption("Fix the database setting (USAGE_DB) or the file, then press Refresh.")
        return None
    if header(title, description, data.is_demo, f"{snapshot.read_at:%H:%M:%S} UTC"):
        refresh(data)
        st.rerun()
    for warning in (*config.warnings, *snapshot.problems):
        st.warning(md_text(warning))
    dataset = data.dataset()
    if not dataset.catalog.pairs:  # an empty file, or the wrong one (seed 004's troubleshooting)
        st.info(md_text(without_paths(dataset.no_data_message(for_app=True), dataset.source.path)),  # the file's name only
                icon=":material/database:")
    return dataset


def page_query(compute, name: str, *args: object):
    """`compute(dataset)` for the configured database, once per snapshot and (name, args): a
    rerun (a click, a page change) is served from memory until Refresh or the cache's ttl."""
    return configured_data().query(compute, name, *args)


def tz() -> str:
    return str(app_config().tz)


def range_picker(prefix: str, label: str = "Date range", default: str = DEFAULT_PRESET,
                 container=None, custom_days: tuple[int, int] | None = None) -> DateRange:
    """A preset (or Custom From/Until) chooser; returns the days it shows in the configured zone.

    `custom_days` (days back from today for From and Until) sets Custom's first days.
    """
    zone, box = tz(), container or st
    today = today_in(zone)
    cols = box.columns([2, 1.3, 1.3], vertical_alignment="bottom")
    # Defaults go into the session state, not the widgets, so a chart click may set them too.
    st.session_state.setdefault(f"{prefix}_range", default)
    preset = cols[0].selectbox(label, list(PRESETS), format_func=PRESETS.__getitem__, key=f"{prefix}_range")
    if preset != "custom":
        shown = preset_range(preset, today, zone)
        cols[1].caption(f"{shown.start:%b %-d, %Y} – {shown.end:%b %-d, %Y}")
        return shown
    start_default = preset_range(default if default != "custom" else DEFAULT_PRESET, today, zone)
    if custom_days:
        start_default = DateRange(today - timedelta(days=custom_days[0]), today - timedelta(days=custom_days[1]), zone)
    st.session_state.setdefault(f"{prefix}_from", start_default.start)
    st.session_state.setdefault(f"{prefix}_until", start_default.end)
    start = cols[1].date_input("From", key=f"{prefix}_from", min_value=date(1970, 1, 1),
                               max_value=today + timedelta(days=366), format="YYYY-MM-DD")
    end = cols[2].date_input("Until", key=f"{prefix}_until", min_value=date(1970, 1, 1),
                             max_value=today + timedelta(days=366), format="YYYY-MM-DD")
    if start > end:
        box.caption(":material/info: From is after Until; showing the days between them.")
        start, end = end, start
    try:
        return DateRange(start, end, zone)
    except RangeError as exc:
        box.caption(f":material/info: {md_text(exc)} Showing {PRESETS[DEFAULT_PRESET]}.")
        return preset_range(DEFAULT_PRESET, today, zone)


def frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """Rows (dicts of display text) as a DataFrame with exactly `columns`, in order."""
    return pd.DataFrame(rows, columns=columns)


def show_table(rows: list[dict[str, object]], columns: list[str], key: str) -> None:
    """A read-only table of display text (st.dataframe renders names as text, never markup)."""
    st.dataframe(frame(rows, columns), hide_index=True, width="stretch", key=key)


def opt_int(value: int | float | None) -> str:
    """A count, or '—' when it is unknown (None)."""
    return "—" if value is None else fmt_int(value)


def duration(ms: float | None) -> str:
    """Milliseconds for people: '850 ms', '12.3 s', '4 min 05 s' (the one format pages and CLI share)."""
    return fmt_duration(ms)


def lacks(dataset: Dataset, needs, what: str) -> bool:
    """True, with the one-line reason shown, when the source provides none of `needs` (a page the
    menu hides, reached by its link): which kinds of source have it and how to point at one."""
    if not needs or any(dataset.can(c) for c in needs):
        return False
    able = [k for k in KINDS if any(k.can(c) for c in needs)]
    names = " or ".join(k.label for k in able) or "another kind of"
    st.info(md_text(f"{what} needs {names} data; this database is {dataset.source.kind.label}'s, which does not "
                    f"have it. Point USAGE_DB at {names} data to see it."),
            icon=":material/smart_toy:")
    return True


# --- the Compare page's figures (kept here: a test must not import a page script) ---

KPI_LABELS = {"estimated_cost": "Estimated cost", "tokens": "Input + output tokens", "tasks": "Tasks",
              "requests": "Requests", "cost_per_task": "Cost per task"}


def money(name: str) -> bool:
    return name in ("estimated_cost", "cost_per_task")


def shown(name: str, value: float) -> str:
    return fmt_usd(value) if money(name) else fmt_int(value)


def signed(name: str, value: float) -> str:
    """A change with its sign: '+$1.2000', '-340', '0'."""
    text = shown(name, abs(value))
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def pct(change) -> str:
    return fmt_change(change.b, change.a) or "—"
