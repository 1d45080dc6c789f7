"""The Token Usage page's "By project" card: requests, tokens and cost per project.

Drawn only when a source in the current filter state has projects (Capability.PROJECT: Claude
Code, whose project is the session's cwd). The numbers come from the query layer
(`queries.usage.project_breakdown`, merged by `queries.workspace.merge_projects`), priced from
the same rows as the report, so the projects add up to its cost. Project paths are data: they
go into st.dataframe cells (text, never markup) and captions through md_text.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from pages.common.markdown import md_text
from queries.formatting import fmt_cost_cell, fmt_int, fmt_share, fmt_usd
from queries.sources.base import Capability
from queries.usage import ProjectReport, project_breakdown
from queries.workspace import merge_projects


def project_report(data, filters) -> ProjectReport:
    """The projects of the filter state over the readable sources with projects (`data`: the page's
    WorkspaceData), each source's rows cached per snapshot and filter state."""
    rng, plain = filters.range, replace(filters, source=None)
    parts = []
    for name, member, _snap in data.opened():
        if filters.source in (None, name) and member.source.can(Capability.PROJECT):
            rows = member.query(lambda d: project_breakdown(d.source, plain, d.prices), "projects",
                                rng.start, rng.end, rng.tz, filters.provider, filters.model)
            parts.append((name, rows))
    return merge_projects(filters, parts)


def project_table(report: ProjectReport) -> pd.DataFrame:
    """The card's table: text cells, numbers written as the page writes them, a share per row."""
    return pd.DataFrame([{
        **({"Source": r.source} if report.sourced else {}),
        "Project": r.project, "Requests": fmt_int(r.requests), "Prompt": fmt_int(r.prompt_tokens),
        "Completion": fmt_int(r.completion_tokens), "Cache read": fmt_int(r.cache_read_tokens),
        "Cache write": fmt_int(r.cache_write_tokens), "Total tokens": fmt_int(r.total_tokens),
        "Est. cost": fmt_cost_cell(r.estimated_cost, r.is_unpriced),
        "Share": fmt_share(r.cost_share) if r.cost_share is not None else "",
    } for r in report.rows])


def project_card(data, filters, workspace_names: list[str]) -> None:
    """The card, when some source of the filter state has projects (nothing is drawn otherwise)."""
    report = project_report(data, filters)
    if not report.sources:
        return
    with st.container(border=True):
        st.subheader("By project", anchor=False)
        others = [n for n in workspace_names if n not in report.sources and filters.source in (None, n)]
        covered = f" Covers {', '.join(report.sources)}; {', '.join(others)} ha{'s' if len(others) == 1 else 've'} " \
                  "no projects." if others else ""
        st.caption(md_text("Requests, tokens (cache reads and writes included in the total) and estimated cost per "
                           f"project (the session's working directory), for the filters above.{covered}"))
        if not report.rows:
            st.info("No project has usage for these filters.")
            return
        st.dataframe(project_table(report), hide_index=True, use_container_width=True)  # cells are text
        total = math.fsum(r.estimated_cost for r in report.rows)
        st.caption(f"{fmt_int(len(report.rows))} project(s), {fmt_usd(total)} in all.")
        rng = filters.range
        st.download_button("Download CSV", data=report.csv(), file_name=f"token-usage-projects-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="csv_projects")
