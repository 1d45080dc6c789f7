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


def rows_card(result) -> None:
    unit = result.kpis[2].name
    key_label = "Agent" if result.by == "agent" else "Provider / model"
    with st.container(border=True):
        st.subheader(f"Per {result.by}", anchor=False)
        if not result.rows:
            st.info("No activity in either range.", icon=":material/filter_alt_off:")
            return
        columns = [key_label]
        rows = []
        for r in result.rows:
            row = {key_label: r.key}
            for c in r.changes:
                name = KPI_LABELS.get(c.name, c.name)
                row |= {f"{name} A": shown(c.name, c.a), f"{name} B": shown(c.name, c.b),
                        f"{name} change": signed(c.name, c.delta), f"{name} %": pct(c)}
            rows.append(row)
        for c in result.rows[0].changes:
            name = KPI_LABELS.get(c.name, c.name)
            columns += [f"{name} A", f"{name} B", f"{name} change", f"{name} %"]
        show_table(rows, columns, "compare_table")
        st.download_button("Download CSV", data=compare_csv(result),
                           file_name=f"compare-{result.a.start}-{result.a.end}-vs-{result.b.start}-{result.b.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="compare_csv")
        st.caption(f"{unit.capitalize()} per row; % is (B − A) / A, '—' where A is zero.")


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
    if dataset.source.adapter == "agentx":
        from queries.agentx import zone_warning

        for note in zone_warning(a) + zone_warning(b):
            st.warning(md_text(note))
    kpi_cards(result)
    rows_card(result)


page_chrome()
render()
