"""The Token Usage page's dimension card: spend per key, user, team, end user or tag.

Drawn only for a source whose kind declares a dimension capability (LiteLLM: KEY, USER, TEAM,
END_USER, TAGS); the kind gives the numbers (`kind.dimension_breakdown`), so this module never
asks which system the data came from. The card follows the page's date range, provider and
model; its own filters (one per other dimension) narrow the card only, not the cards above.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from queries.formatting import fmt_int, fmt_usd
from queries.sources.base import Capability

LABELS = {Capability.KEY: "Key", Capability.USER: "User", Capability.TEAM: "Team",
          Capability.END_USER: "End user", Capability.TAGS: "Tag"}
ANY = "(any)"
NONE = "(none)"
MAX_OPTIONS = 500  # values offered per filter list, most requests first


def dimension_capabilities(source) -> list[Capability]:
    """The dimension capabilities `source` has, in LABELS order."""
    return [c for c in LABELS if source.can(c)]


def dimension_card(data, filters, key: str = "dim") -> None:
    """The card: a Group by choice, a filter per other dimension, and the table (`data`: one source's
    AppData; `key` prefixes its widgets' keys, one card per such source of a workspace)."""
    source = data.source
    caps = dimension_capabilities(source)
    if not caps:
        return
    kind = source.kind
    names = {c: kind.dimension_names[c] for c in caps}
    with st.container(border=True):
        st.subheader("By key, user, team, end user and tag", anchor=False)
        st.caption("Requests and stored cost per value, for the range, provider and model above. Failed requests "
                   "are counted apart. The filters below narrow this table only.")
        group = st.selectbox("Group by", caps, format_func=lambda c: LABELS[c], key=f"{key}_group")
        where: dict[str, str | None] = {}
        columns = st.columns(max(1, len(caps) - 1))
        for column, cap in zip(columns, [c for c in caps if c != group]):
            values = data.query(lambda d, n=names[cap]: kind.dimension_values(d.source, n), "dim_values", names[cap])
            choice = column.selectbox(LABELS[cap], [ANY, *values[:MAX_OPTIONS]], key=f"{key}_filter_{names[cap]}")
            where[names[cap]] = None if choice == ANY else choice
        rng = filters.range
        rows = data.query(lambda d: kind.dimension_breakdown(d.source, filters, names[group], where), "dim_rows",
                          names[group], rng.start, rng.end, rng.tz, filters.provider, filters.model,
                          *sorted(where.items()))
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
