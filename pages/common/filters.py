"""The filter toolbar and its shareable link: date range, provider, model.

The filter state lives in the URL as `range`, `from`, `until`, `provider`, `model` (and
`source`, in a workspace of several sources), so a
link opens the exact same view (also after the visitor logs in). The values are read once
per browser session, checked, and written back after every change. A malformed or unknown
value falls back to the default with a short notice and never raises.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from queries.dates import DEFAULT_PRESET, PRESETS, DateRange, RangeError, parse_day, preset_range, today_in
from queries.usage import Catalog, Filters

ALL = ""  # the "All providers" / "All models" option
KEYS = {"range": "f_range", "from": "f_from", "until": "f_until", "provider": "f_provider", "model": "f_model",
        "source": "f_source"}
MAX_PARAM_LENGTH = 500  # longer provider/model values are certainly not ids in the data


def _param(name: str) -> str | None:
    """A query parameter's last value, or None (repeated keys: the last one counts)."""
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def read_link(catalog: Catalog, tz: str, catalogs: dict[str, Catalog] | None = None) -> list[str]:
    """Load the URL's filter state into the widgets' session state once per session; returns notices.

    `catalogs` (a workspace of several sources: each source's own catalog, by name) makes `source=`
    a filter too; the provider and model are then checked against the chosen source's data."""
    if st.session_state.get("f_loaded"):
        return []
    st.session_state["f_loaded"] = True
    notices: list[str] = []
    source = _param("source") or ALL
    if source and catalogs is not None and source not in catalogs:
        notices.append(f"Source {source[:40]!r} is not configured; showing all sources.")
    if catalogs is None or len(catalogs) < 2 or source not in catalogs:
        source = ALL  # one source: nothing to narrow
    st.session_state[KEYS["source"]] = source
    if source:
        catalog = catalogs[source]
    today = today_in(tz)

    preset = _param("range") or DEFAULT_PRESET
    if preset not in PRESETS:
        notices.append(f"Unknown range {preset[:40]!r} in the link; showing {PRESETS[DEFAULT_PRESET]}.")
        preset = DEFAULT_PRESET
    current = preset_range(DEFAULT_PRESET if preset == "custom" else preset, today, tz)
    if preset == "custom":
        try:
            current = DateRange(parse_day(_param("from") or "", "from"), parse_day(_param("until") or "", "until"), tz)
        except RangeError as exc:
            notices.append(f"{exc} Showing {PRESETS[DEFAULT_PRESET]}.")
            preset = DEFAULT_PRESET
    st.session_state[KEYS["range"]] = preset
    st.session_state[KEYS["from"]], st.session_state[KEYS["until"]] = current.start, current.end

    provider = _param("provider") or ALL
    if provider and (len(provider) > MAX_PARAM_LENGTH or provider not in catalog.providers()):
        notices.append(f"Provider {provider[:40]!r} has no data; showing all providers.")
        provider = ALL
    model = _param("model") or ALL
    if model and (len(model) > MAX_PARAM_LENGTH or model not in catalog.models(provider or None)):
        notices.append(f"Model {model[:40]!r} has no data{' for ' + provider if provider else ''}; showing all models.")
        model = ALL
    st.session_state[KEYS["provider"]], st.session_state[KEYS["model"]] = provider, model
    return notices


def write_link() -> None:
    """Mirror the current filter state into the URL (defaults left out, so links stay short)."""
    state = st.session_state
    params: dict[str, str] = {}
    if state[KEYS["range"]] != DEFAULT_PRESET:
        params["range"] = state[KEYS["range"]]
    if state[KEYS["range"]] == "custom":
        params["from"], params["until"] = state[KEYS["from"]].isoformat(), state[KEYS["until"]].isoformat()
    if state[KEYS["provider"]]:
        params["provider"] = state[KEYS["provider"]]
    if state[KEYS["model"]]:
        params["model"] = state[KEYS["model"]]
    if state.get(KEYS["source"]):
        params["source"] = state[KEYS["source"]]
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def _on_range_change() -> None:
    """Picking Custom starts from the days the previous preset showed."""
    state = st.session_state
    if state[KEYS["range"]] != "custom":
        shown = preset_range(state[KEYS["range"]], today_in(state["f_tz"]), state["f_tz"])
        state[KEYS["from"]], state[KEYS["until"]] = shown.start, shown.end


def _on_provider_change() -> None:
    """Picking a provider clears the model filter (the seed's rule)."""
    st.session_state[KEYS["model"]] = ALL


def narrow_to_day(day: date) -> None:
    """Show a single day (a click on a chart bar): a custom range from that day until that day."""
    st.session_state[KEYS["range"]] = "custom"
    st.session_state[KEYS["from"]] = st.session_state[KEYS["until"]] = day


def toolbar(catalog: Catalog, tz: str, catalogs: dict[str, Catalog] | None = None) -> tuple[Filters, list[str]]:
    """Draw the toolbar and return the filter state it shows, with any notices to print.

    With `catalogs` of several sources (a workspace) it has a Source filter too, and the Provider
    and Model lists are those of the chosen source."""
    st.session_state["f_tz"] = tz
    notices: list[str] = []
    several = catalogs is not None and len(catalogs) > 1
    cols = st.columns([2, 1.3, 1.3, 2, 2] + [2] * several, vertical_alignment="bottom")
    source = ALL
    if several:
        names = [ALL, *catalogs]
        if st.session_state.get(KEYS["source"]) not in names:
            st.session_state[KEYS["source"]] = ALL
        source = cols[5].selectbox("Source", names, key=KEYS["source"], format_func=lambda s: s or "All sources")
        catalog = catalogs[source] if source else catalog
    preset = cols[0].selectbox("Date range", list(PRESETS), format_func=PRESETS.__getitem__,
                               key=KEYS["range"], on_change=_on_range_change)
    if preset == "custom":
        start = cols[1].date_input("From", key=KEYS["from"], min_value=date(1970, 1, 1),
                                   max_value=today_in(tz) + timedelta(days=366), format="YYYY-MM-DD")
        end = cols[2].date_input("Until", key=KEYS["until"], min_value=date(1970, 1, 1),
                                 max_value=today_in(tz) + timedelta(days=366), format="YYYY-MM-DD")
        if start > end:
            notices.append("From is after Until; showing the days between them.")
            start, end = end, start
        try:
            date_range = DateRange(start, end, tz)
        except RangeError as exc:
            notices.append(f"{exc} Showing {PRESETS[DEFAULT_PRESET]}.")
            date_range = preset_range(DEFAULT_PRESET, today_in(tz), tz)
    else:
        date_range = preset_range(preset, today_in(tz), tz)
        cols[1].caption(f"{date_range.start:%b %-d, %Y} – {date_range.end:%b %-d, %Y}")

    providers = [ALL, *catalog.providers()]
    if st.session_state.get(KEYS["provider"]) not in providers:
        st.session_state[KEYS["provider"]] = ALL
    provider = cols[3].selectbox("Provider", providers, key=KEYS["provider"], on_change=_on_provider_change,
                                 format_func=lambda p: p or "All providers")
    models = [ALL, *catalog.models(provider or None)]
    if st.session_state.get(KEYS["model"]) not in models:
        st.session_state[KEYS["model"]] = ALL
    model = cols[4].selectbox("Model", models, key=KEYS["model"], format_func=lambda m: m or "All models")
    write_link()
    return Filters(date_range, provider or None, model or None, source or None), notices
