"""The Token Usage page's dimension card: spend per key, user, team, end user or tag.

Drawn only for a source whose kind declares a dimension capability (LiteLLM: KEY, USER, TEAM,
END_USER, TAGS); the kind gives the numbers (`kind.dimension_breakdown`), so this module never
asks which system the data came from. The card follows the page's whole filter state: date range,
provider, model and the toolbar's key, user, team, end user and tag filters (whose choices
`dimension_options` gives), which narrow the cards above too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from queries.formatting import fmt_int, fmt_usd
from queries.sources.base import DIMENSION_FILTERS, Capability

LABELS = {Capability.KEY: "Key", Capability.USER: "User", Capability.TEAM: "Team",
          Capability.END_USER: "End user", Capability.TAGS: "Tag"}
NONE = "(none)"
MAX_OPTIONS = 500  # values offered per filter list, most requests first


def dimension_capabilities(source) -> list[Capability]:
    """The dimension capabilities `source` has, in LABELS order."""
    return [c for c in LABELS if source.can(c)]


def dimension_options(workspace) -> dict[str, dict[str, list[str]]]:
    """The toolbar's dimension filter choices: for each readable source that has dimensions, by name,
    {Filters field: its values, most requests first (at most MAX_OPTIONS)}; empty when none has any."""
    options: dict[str, dict[str, list[str]]] = {}
    for name, member, _snap in workspace.opened():
        kind = member.source.kind
        for cap in dimension_capabilities(member.source):
            dimension = kind.dimension_names[cap]
            values = member.query(lambda d, n=dimension: kind.dimension_values(d.source, n), "dim_values", dimension)
            options.setdefault(name, {})[DIMENSION_FILTERS[cap]] = list(values[:MAX_OPTIONS])
    return options


def dimension_card(data, filters, key: str = "dim") -> None:
    """The card: a Group by choice and the table (`data`: one source's AppData; `key` prefixes its
    widgets' keys, one card per such source of a workspace)."""
    source = data.source
    caps = dimension_capabilities(source)
    if not caps:
        return
    kind = source.kind
    names = {c: kind.dimension_names[c] for c in caps}
    with st.container(border=True):
        st.subheader("By key, user, team, end user and tag", anchor=False)
        st.caption("Requests and stored cost per value, for every filter above (key, user, team, end user and "
                   "tag included). Failed requests are counted apart.")
        group = st.selectbox("Group by", caps, format_func=lambda c: LABELS[c], key=f"{key}_group")
        rng = filters.range
        rows = data.query(lambda d: kind.dimension_breakdown(d.source, filters, names[group]), "dim_rows",
                          names[group], rng.start, rng.end, rng.tz, filters.provider, filters.model,
                          *sorted(filters.dimensions().items()))
        if not rows:
            st.info("No requests match these filters.")
            return
        table = pd.DataFrame([{
            LABELS[group]: NONE if r.value is None else r.value,
            "Requests": fmt_int(r.requests), "Failed": fmt_int(r.failed),
            "Prompt": fmt_int(r.prompt_tokens), "Completion": fmt_int(r.completion_tokens),
            "Cache read": fmt_int(r.cache_read_tokens), "Cache write": fmt_int(r.cache_write_tokens),
            "Stored cost": fmt_usd(r.stored_cost)} for r in rows])
        st.dataframe(table, hide_index=True, use_container_width=True)  # cells are text, never markup
