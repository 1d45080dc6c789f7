"""The filter toolbar and its shareable link: date range, provider, model (and, for sources that
have them, key, user, team, end user and tag).

The filter state lives in the URL as `range`, `from`, `until`, `provider`, `model` (and
`source`, in a workspace of several sources; `key`, `user`, `team`, `end_user`, `tag` where a
source has those dimensions: LiteLLM), so a
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
# The dimension filters: Filters field -> (link parameter, label, what "All ..." lists). Their choices are
# the values in the data (a key's alias, or 'key 1a2b3c4d…': never a hashed key in full).
DIMENSIONS = {"api_key": ("key", "Key", "keys"), "user_id": ("user", "User", "users"),
              "team": ("team", "Team", "teams"), "end_user": ("end_user", "End user", "end users"),
              "tag": ("tag", "Tag", "tags")}
KEYS = {"range": "f_range", "from": "f_from", "until": "f_until", "provider": "f_provider", "model": "f_model",
        "source": "f_source"} | {param: f"f_{param}" for param, _label, _all in DIMENSIONS.values()}
# Each source's dimension filter choices, by source name: {Filters field: values} (pages/common/dimensions.py).
DimensionOptions = dict[str, dict[str, list[str]]]
MAX_PARAM_LENGTH = 500  # longer provider/model values are certainly not ids in the data


def _param(name: str) -> str | None:
    """A query parameter's last value, or None (repeated keys: the last one counts)."""
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def _dimension_choices(options: DimensionOptions | None, source: str) -> dict[str, list[str]]:
    """The dimension filters the chosen source (ALL: every source) offers, each with its values."""
    out: dict[str, list[str]] = {}
    for name, fields in (options or {}).items():
        if source in (ALL, name):
            for field, values in fields.items():
                out.setdefault(field, [])
                out[field].extend(v for v in values if v not in out[field])
    return out


def read_link(catalog: Catalog, tz: str, catalogs: dict[str, Catalog] | None = None,
              dimensions: DimensionOptions | None = None) -> list[str]:
    """Load the URL's filter state into the widgets' session state once per session; returns notices.

    `catalogs` (a workspace of several sources: each source's own catalog, by name) makes `source=`
    a filter too; the provider and model are then checked against the chosen source's data.
    `dimensions` (the sources that have keys, users, ...) makes `key=`, `user=`, ... filters; a
    value not in the chosen source's data is ignored with a notice (a key is never echoed back)."""
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

    choices = _dimension_choices(dimensions, source)
    for field, (param, label, plural) in DIMENSIONS.items():
        value = _param(param) or ALL
        if value and field not in choices:
            notices.append(f"This data has no {plural}; the {param}= filter in the link is ignored.")
            value = ALL
        elif value and (len(value) > MAX_PARAM_LENGTH or value not in choices[field]):
            shown = "" if field == "api_key" else f" {value[:40]!r}"  # a pasted key is a secret: never echoed
            notices.append(f"{label}{shown} in the link has no data; showing all {plural}.")
            value = ALL
        st.session_state[KEYS[param]] = value
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
    for param, _label, _all in DIMENSIONS.values():
        if state.get(KEYS[param]):
            params[param] = state[KEYS[param]]
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


def toolbar(catalog: Catalog, tz: str, catalogs: dict[str, Catalog] | None = None,
            dimensions: DimensionOptions | None = None) -> tuple[Filters, list[str]]:
    """Draw the toolbar and return the filter state it shows, with any notices to print.

    With `catalogs` of several sources (a workspace) it has a Source filter too, and the Provider
    and Model lists are those of the chosen source. With `dimensions`, a second row filters by key,
    user, team, end user and tag: whichever the chosen source (or any source, for all) has."""
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
    chosen = _dimension_filters(_dimension_choices(dimensions, source))
    write_link()
    return Filters(date_range, provider or None, model or None, source or None, **chosen), notices


def _dimension_filters(choices: dict[str, list[str]]) -> dict[str, str]:
    """The row of dimension filters (only those in `choices`); returns the set ones by Filters field.
    A filter the chosen source does not have is cleared, so it never narrows what it cannot show."""
    state = st.session_state
    shown = [field for field in DIMENSIONS if field in choices]
    columns = st.columns(len(shown)) if shown else []
    chosen: dict[str, str] = {}
    for field, (param, label, plural) in DIMENSIONS.items():
        if field not in choices:
            state[KEYS[param]] = ALL
            continue
        values = [ALL, *choices[field]]
        if state.get(KEYS[param]) not in values:
            state[KEYS[param]] = ALL
        value = columns[shown.index(field)].selectbox(label, values, key=KEYS[param],
                                                       format_func=lambda v, every=plural: v or f"All {every}")
        if value:
            chosen[field] = value
    return chosen
