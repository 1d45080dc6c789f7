"""Sessions: every session with its totals, newest first, and every turn of one (issue 4, item 7).

Which sessions: the Claude Code logs under the `projects` setting (CLAUDE_PROJECTS_DIR) when
it is set; else, on Axiom data, the database's own sessions (their token_usage rows); on
agentx data, the Claude Code logs at ~/.claude/projects (what agentx ran); on the agentx
demo data, the demo's own logs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from pages.common import page_chrome, page_needs
from pages.common.data import app_config, needs_any, session_logs
from pages.common.markdown import md_text
from pages.common.paths import file_name, without_paths
from pages.common.views import open_page, opt_int, page_query, range_picker, show_table
from queries.csv_out import csv_text
from queries.sessions import sessions_csv
from queries.formatting import fmt_int, fmt_usd

TITLE = "Sessions"
DESCRIPTION = "Sessions newest first with their totals; pick one to see every turn's tokens and cost."
PAGE_SIZE = 50
ID_KEY = "sessions_id"
LIST_KEY = "sessions_table"

LIST_COLUMNS = ["Session", "Project", "Last activity (UTC)", "Turns", "Subagent turns", "Input", "Output",
                "Cache read", "Cache write", "Est. cost", "Models"]
TURN_CSV_FIELDS = ["at", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
                   "estimated_cost", "subagent", "tier2"]
# The models column gets a fixed width, enough for one model id (a longer list ends in "…"; a click
# on the row shows every turn's model below), so the list fits a 1280 px window without a sideways
# scroll (issue 15; measured by tests/browser/test_look.py on the agentx demo).
LIST_WIDTHS = {"Models": st.column_config.TextColumn(width=150)}
TURN_COLUMNS = ["Time (UTC)", "Model", "Input", "Output", "Cache read", "Cache write", "Cost", "Subagent", "Tier 2"]


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


class Reader:
    """The sessions the page shows: Claude Code logs or an Axiom database, behind one interface."""

    def __init__(self, dataset) -> None:
        from queries.sessions import DEFAULT_PROJECTS_DIR, SessionError

        projects = app_config().projects
        self.dataset, self.logs, self.root = dataset, None, None
        kind = dataset.source.kind
        if not projects and dataset.is_demo:
            projects = kind.demo_projects_dir()  # the demo's own Claude Code logs (agentx's demo has them)
        if not projects and dataset.source.path.is_dir():
            projects = dataset.source.path  # the source is a projects directory itself (Claude Code's logs)
        if projects or kind.sessions_in_logs:
            self.root = root = str(Path(str(projects or DEFAULT_PROJECTS_DIR)).expanduser())
            # agentx's custom.json (the named file, else the one beside the database); None: the library's
            custom = kind.session_log_prices(dataset.source, dataset.settings_path)
            try:
                self.logs = session_logs(root, str(custom) if custom else None)
            except SessionError as exc:
                raise SessionError(self.shown(str(exc))) from None

    def shown(self, text: str) -> str:
        """A message of the query layer as the page shows it: the database and the projects folder by
        their names, never their full paths (README; issue 11 item 7)."""
        return without_paths(text, self.root, self.dataset.source.path, self.dataset.settings_path)

    def where(self, listing) -> str:
        """What the list was read from, by name: 'Claude Code sessions in the folder projects', ..."""
        if listing.from_logs:
            return f"Claude Code sessions in the folder {file_name(listing.where)}"
        return f"Sessions of the database {file_name(listing.where)}"

    def sessions(self, rng, search, page):
        if self.logs is not None:
            return self.logs.sessions(rng, search, page, PAGE_SIZE)
        # the sessions the database keeps, through its kind (SESSIONS)
        return page_query(lambda d: d.source.kind.session_list(d.source, d.prices, rng, search, page, PAGE_SIZE),
                          "session_list", rng, search, page, PAGE_SIZE)

    def session(self, session_id: str):
        if self.logs is not None:
            return self.logs.session(session_id)
        return page_query(lambda d: d.source.kind.session_detail(d.source, d.prices, session_id), "session_detail",
                          session_id)


def _row_picked() -> None:
    """A click on a session row puts its id in the Session id box."""
    event = st.session_state.get(LIST_KEY) or {}
    rows = (event.get("selection") or {}).get("rows") or []
    ids = st.session_state.get("sessions_ids") or []
    if rows and 0 <= rows[0] < len(ids):
        st.session_state[ID_KEY] = ids[rows[0]]


def list_card(reader: Reader) -> None:
    with st.container(border=True):
        st.subheader("Sessions", anchor=False)
        cols = st.columns([3, 2], vertical_alignment="bottom")
        search = cols[0].text_input("Search", key="sessions_search", placeholder="part of a session id, project or cwd")
        limit = cols[1].toggle("Only a date range", key="sessions_limit")
        rng = range_picker("sessions") if limit else None
        page_no = int(st.session_state.get("sessions_page", 1))
        listing = reader.sessions(rng, search.strip() or None, page_no)
        if page_no > 1 and not listing.sessions and listing.total:
            st.session_state["sessions_page"] = page_no = max(1, -(-listing.total // PAGE_SIZE))
            listing = reader.sessions(rng, search.strip() or None, page_no)
        st.caption(md_text(f"{reader.where(listing)}, newest first ({listing.total:,} in all)."))
        if listing.from_logs:
            st.caption(md_text(f"{listing.files:,} log file(s); {listing.duplicate_lines:,} repeated line(s) of one "
                               f"response counted once; {listing.malformed_lines:,} malformed line(s) skipped."))
        for note in listing.warnings:
            st.warning(md_text(reader.shown(note)))
        if not listing.sessions:
            st.info("No sessions match." if search.strip() or rng else "No sessions yet.",
                    icon=":material/filter_alt_off:")
            return
        ids = [s.session_id for s in listing.sessions]
        st.session_state["sessions_ids"] = ids
        rows = [{"Session": s.session_id, "Project": s.project or "", "Last activity (UTC)": _when(s.last_at),
                 "Turns": fmt_int(s.turns), "Subagent turns": fmt_int(s.subagent_turns),
                 "Input": fmt_int(s.input_tokens), "Output": fmt_int(s.output_tokens),
                 "Cache read": opt_int(s.cache_read_tokens), "Cache write": opt_int(s.cache_write_tokens),
                 "Est. cost": fmt_usd(s.estimated_cost), "Models": ", ".join(s.models)} for s in listing.sessions]
        columns = LIST_COLUMNS if listing.from_logs else [c for c in LIST_COLUMNS if c not in (
            "Project", "Subagent turns")]
        st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch", key=LIST_KEY,
                     on_select=_row_picked, selection_mode="single-row", column_config=LIST_WIDTHS)
        pages = max(1, -(-listing.total // PAGE_SIZE))
        left, right = st.columns([1, 3], vertical_alignment="center")
        if pages > 1:
            left.number_input("Page", min_value=1, max_value=pages, step=1, key="sessions_page")
        right.caption(f"Page {listing.page} of {pages}. Click a row to see its turns.")
        st.download_button("Download CSV", data=sessions_csv(listing), file_name=f"sessions-page-{listing.page}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="sessions_list_csv")
        if listing.unpriced_models:
            st.warning("No price is known for these models, so their cost shows \\$0.00:", icon=":material/sell:")
            st.code("\n".join(listing.unpriced_models), language=None)


def detail_card(reader: Reader) -> None:
    from queries.sessions import SessionError

    with st.container(border=True):
        st.subheader("Turns of one session", anchor=False)
        asked = st.text_input("Session id", key=ID_KEY, placeholder="a session id, or a unique start of one")
        if not asked.strip():
            st.caption("Click a session above or type its id to see every turn.")
            return
        try:
            detail = reader.session(asked.strip())
        except SessionError as exc:
            st.error(md_text(reader.shown(str(exc))), icon=":material/search_off:")
            return
        s = detail.summary
        for note in detail.warnings:
            st.caption(md_text(reader.shown(note)))
        cards = [("Turns", fmt_int(s.turns)), ("Subagent turns", fmt_int(s.subagent_turns)),
                 ("Input + output tokens", fmt_int(s.input_tokens + s.output_tokens)),
                 ("Estimated cost", fmt_usd(s.estimated_cost))]
        for col, (label, value) in zip(st.columns(len(cards)), cards):
            col.metric(label, value)
        st.caption(md_text(f"Session {s.session_id}" + (f" · project {s.project}" if s.project else "")
                           + (f" · cwd {s.cwd}" if s.cwd else "")))
        rows = [{"Time (UTC)": _when(t.at), "Model": t.model, "Input": fmt_int(t.input_tokens),
                 "Output": fmt_int(t.output_tokens), "Cache read": opt_int(t.cache_read_tokens),
                 "Cache write": opt_int(t.cache_write_tokens), "Cost": fmt_usd(t.estimated_cost),
                 "Subagent": "subagent" if t.subagent else "", "Tier 2": "tier 2" if t.tier2 else ""}
                for t in detail.turns]
        show_table(rows, TURN_COLUMNS, "sessions_turns")
        raw = [{"at": t.at.isoformat() if t.at else None, "model": t.model,
                "input_tokens": t.input_tokens, "output_tokens": t.output_tokens,
                "cache_read_tokens": t.cache_read_tokens, "cache_write_tokens": t.cache_write_tokens,
                "estimated_cost": t.estimated_cost, "subagent": t.subagent, "tier2": t.tier2}
               for t in detail.turns]
        st.download_button("Download CSV", data=csv_text(raw, TURN_CSV_FIELDS), file_name="session-turns.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="sessions_csv")


def render() -> None:
    from queries.sessions import SessionError

    dataset = open_page(TITLE, DESCRIPTION, needs_any(*page_needs(__file__)))  # its Source selectbox
    if dataset is None:
        return
    try:
        reader = Reader(dataset)
    except SessionError as exc:
        st.info(md_text(str(exc)), icon=":material/folder_off:")
        return
    list_card(reader)
    detail_card(reader)


page_chrome()
render()
