"""Compare: two date ranges side by side, headline figures and per-agent or per-model rows (issue 4, item 8)."""

from __future__ import annotations

import streamlit as st

from pages.common import page_chrome
from pages.common.markdown import md_text
from pages.common.views import KPI_LABELS, money, open_page, page_query, pct, range_picker, show_table, shown, signed
from queries.formatting import fmt_change
from queries.overview import compare_csv

TITLE = "Compare"
DESCRIPTION = "Two date ranges side by side: cost, tokens and tasks, overall and per agent (agentx) or model (Axiom)."


def kpi_cards(result) -> None:
    for col, k in zip(st.columns(len(result.kpis)), result.kpis):
        label = KPI_LABELS.get(k.name, k.name)
        if k.name == "cost_per_task" and result.by == "model":
            label = "Cost per request"
        with col.container(border=True):
            st.metric(label, shown(k.name, k.b), delta=fmt_change(k.b, k.a),
                      delta_color="inverse" if money(k.name) else "off")
            st.caption(md_text(f"A: {shown(k.name, k.a)} · change {signed(k.name, k.delta)}"))


# The per-row table's own short names: with the long KPI labels and all four figures per KPI
# (A, B, change, %) it was 13 columns and wider than its card at 1400 px (issue 15, item 5).
TABLE_NAMES = {"estimated_cost": "Cost", "tokens": "Tokens", "tasks": "Tasks", "requests": "Requests"}
TABLE_FIGURES = ("A", "B", "%")  # shown per figure; the change B − A is in the CSV only


def table_columns(key_label: str, names: list[str]) -> list[str]:
    """The per-row table's columns: the key, then A, B and % for each figure, in order."""
    return [key_label] + [f"{TABLE_NAMES.get(n, n)} {head}" for n in names for head in TABLE_FIGURES]


def table_row(key_label: str, row) -> dict[str, str]:
    """One agent's or model's cells as the page writes them."""
    cells = {key_label: row.key}
    for c in row.changes:
        name = TABLE_NAMES.get(c.name, c.name)
        figures = {"A": shown(c.name, c.a), "B": shown(c.name, c.b), "%": pct(c)}
        cells |= {f"{name} {head}": figures[head] for head in TABLE_FIGURES}
    return cells


def rows_card(result) -> None:
    key_label = "Agent" if result.by == "agent" else "Provider / model"
    with st.container(border=True):
        st.subheader(f"Per {result.by}", anchor=False)
        if not result.rows:
            st.info("No activity in either range.", icon=":material/filter_alt_off:")
            return
        columns = table_columns(key_label, [c.name for c in result.rows[0].changes])
        show_table([table_row(key_label, r) for r in result.rows], columns, "compare_table")
        st.download_button("Download CSV", data=compare_csv(result),
                           file_name=f"compare-{result.a.start}-{result.a.end}-vs-{result.b.start}-{result.b.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="compare_csv")
        st.caption("Cost is the estimated cost and Tokens are input + output tokens; % is (B − A) / A, '—' where "
                   "A is zero. The CSV also has each change (B − A) and the figures unrounded.")


def render() -> None:
    from queries.overview import compare

    dataset = open_page(TITLE, DESCRIPTION)
    if dataset is None:
        return
    left, right = st.columns(2)
    with left:
        a = range_picker("cmp_a", "Range A", default="custom", custom_days=(13, 7))
    with right:
        b = range_picker("cmp_b", "Range B", default="7d")
    st.caption(f"A = {a.start} … {a.end} ({a.days} days) · B = {b.start} … {b.end} ({b.days} days)")
    result = page_query(lambda d: compare(d, a, b), "compare", a, b)
    for note in dataset.source.kind.zone_warnings(a) + dataset.source.kind.zone_warnings(b):
        st.warning(md_text(note))  # a kind kept per UTC day (agentx) cannot follow another zone
    kpi_cards(result)
    rows_card(result)


page_chrome()
render()
