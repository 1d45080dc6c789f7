"""Axiom (formerly openagent): its SQLite database at `<DATA_DIR>/db/openagent.db`.

`axiom.sql` maps `token_usage` (joined with `sessions` and `tasks`) onto the canonical
per-request `requests` view, so usage.sql's shared report runs on it unchanged. Axiom
records no cache tokens (0 in `requests`) and no project. Prices come from settings.json's
tokenPriceTable (SqliteKind's default), then the price library.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pricing
from pricing import PriceBook
from queries.dates import DateRange
from queries.sources.axiom_demo import demo_paths
from queries.sessions import (DEFAULT_PAGE_SIZE, SessionDetail, SessionList, SessionSummary, Turn, fetch_rows,
                              pick_session_id, summarize_turns, utc_bounds)
from queries.sources.base import Capability, MirrorSpec, Source, SqliteKind
from queries.wording import Wording

WORDING = Wording("request", "tokenPriceTable in settings.json", pricing.settings_snippet,
                  "not by settings.json (Axiom's own page shows $0.00 for these)", price_key="tokenPriceTable")

# Axiom's named blocks in mirror.sql, by role (the mirror's incremental key is token_usage.id).
# They convert rows through axiom.sql's macros (axiom_convert, axiom_session_map, axiom_requests),
# the same ones the direct view uses.
MIRROR = MirrorSpec("id", {
    "macros": "axiom_mirror_macros",        # the macros the blocks below use (axiom_raw_rows, axiom_mirror_rows)
    "view": "axiom_mirror_view",            # the canonical `requests` view over the mirror's tables
    "state": "axiom_source_state",          # row count, min and max id, in one statement (WAL)
    "bounds": "axiom_source_bounds",        # min and max id, from the primary key
    "count": "axiom_source_count",          # rows in an id range
    "session_map": "axiom_mirror_session_map",  # sessions + tasks -> temp.session_map_new, one statement (WAL)
    "session_bounds": "axiom_session_rowid_bounds",  # lowest and highest rowid of sessions and of tasks
    "sessions_chunk": "axiom_sessions_chunk",  # sessions in a rowid range -> temp.src_sessions
    "tasks_chunk": "axiom_tasks_chunk",     # tasks in a rowid range -> temp.src_tasks
    "session_parts_empty": "axiom_session_parts_empty",  # empty temp.src_sessions / temp.src_tasks for the chunks
    "session_map_from_parts": "axiom_session_map_from_parts",  # the chunks -> temp.session_map_new
    "copy": "axiom_mirror_copy",            # every row, one parallel typed scan (WAL files only)
    "copy_range": "axiom_mirror_copy_range",  # rows in an id range, read as text (chunked copy)
    "fetch_new": "axiom_mirror_fetch_new",  # rows in an id range, through SQLite's primary key, to temp
    "checksum": "axiom_range_checksum",     # count and hash of an id range, converted like the copy
})


# ---------------------------------------------------------------------------------------
# Sessions (SESSIONS): a session's turns are its token_usage rows; the blocks are in axiom.sql.

def _axiom_params(prices: PriceBook, rng: DateRange | None) -> dict[str, object]:
    """The price lists and the UTC window (all time when None) the session blocks bind."""
    start, end = utc_bounds(rng)
    return prices.schedule_params() | {"start_utc": start or datetime(1, 1, 1),
                                       "end_utc": end or datetime(9999, 12, 31)}


def axiom_sessions(source: Source, prices: PriceBook, rng: DateRange | None = None, search: str | None = None,
                   page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> SessionList:
    """Axiom sessions with requests in range (all time when None), newest activity first."""
    page, page_size = max(1, page), max(1, page_size)
    params = _axiom_params(prices, rng) | {"search": search or None, "limit": page_size,
                                           "offset": (page - 1) * page_size}
    cur = source.cursor()
    try:
        rows = fetch_rows(cur, "axiom_session_list", params)
        count = fetch_rows(cur, "axiom_session_count", params)[0]
    finally:
        cur.close()
    sessions = [SessionSummary(r["session_id"], r["first_at"], r["last_at"], int(r["turns"]), int(r["input_tokens"]),
                               int(r["output_tokens"]), None, None, float(r["estimated_cost"]), tuple(r["models"]),
                               has_unpriced_rows=bool(r["has_unpriced_rows"]))
                for r in rows]
    warnings = []
    if count["no_session"]:
        warnings.append(f"{count['no_session']:,} request(s) in range belong to no session and are not listed.")
    return SessionList("axiom", str(source.path), sessions, int(count["n"]), page, page_size,
                       sorted({m for s in sessions if s.has_unpriced_rows for m in s.models if m not in prices.prices}),
                       warnings)


def axiom_session(source: Source, prices: PriceBook, session_id: str) -> SessionDetail:
    """Every token_usage row of one Axiom session (by id or unique id prefix), oldest first."""
    cur = source.cursor()
    try:
        ids = [r["session_id"] for r in fetch_rows(cur, "axiom_session_ids", {"session_id": session_id})]
        chosen = pick_session_id(ids, session_id, "this database")
        rows = fetch_rows(cur, "axiom_session_turns", _axiom_params(prices, None) | {"session_id": chosen})
    finally:
        cur.close()
    turns = [Turn(r["ts"], r["model"], int(r["input_tokens"]), int(r["output_tokens"]), None, None,
                  float(r["estimated_cost"]), unpriced=bool(r["unpriced"])) for r in rows]
    return SessionDetail("axiom", summarize_turns(chosen, turns), turns,
                         ["Axiom records no cache tokens; those columns are empty."])


class AxiomKind(SqliteKind):
    """Axiom's database: per-request rows with Axiom's main / task / heartbeat split and sessions."""

    name = "axiom"
    label = "Axiom"
    capabilities = frozenset({Capability.REQUESTS, Capability.INITIATOR_SPLIT, Capability.SESSIONS})
    wording = WORDING
    mirror = MIRROR
    tables = frozenset({"token_usage", "sessions", "tasks"})
    views_block = "axiom_requests_view"
    macros_block = "define_filtered_requests"
    has_demo = True

    def demo_paths(self) -> tuple[Path, Path | None]:
        """The built-in Axiom-shaped demo database and its settings.json."""
        return demo_paths()

    def no_data_message(self, source: Source, for_app: bool = False) -> str:
        how = "set USAGE_DB to its path" if for_app else "use --db PATH or USAGE_DB (agentx: --cwd DIR)"
        return (f"No data. No token usage yet. ({source.path} has no recorded requests.) To read another "
                f"database, {how}.")

    def session_list(self, source: Source, prices: PriceBook, rng: DateRange | None = None,
                     search: str | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> SessionList:
        """Axiom's own sessions, newest activity first (the Sessions page and `cli.py sessions`)."""
        return axiom_sessions(source, prices, rng, search, page, page_size)

    def session_detail(self, source: Source, prices: PriceBook, session_id: str) -> SessionDetail:
        """Every turn of one Axiom session (`cli.py session ID`, the Sessions page's turns)."""
        return axiom_session(source, prices, session_id)


KIND = AxiomKind()
