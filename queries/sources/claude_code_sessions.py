"""The Sessions capability over Claude Code's logs: `ClaudeLogs`, one projects directory's sessions
and turns as the Claude Code source's store has them, priced for the Sessions page and `cli.py
sessions`. Pages and the CLI reach it through the registry (`queries.sources.open_session_logs`),
since logs may be read beside any source (the `projects` setting) and agentx's sessions are the
Claude Code logs it ran. Its named blocks are in claude_code_sessions.sql beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pricing
from queries.dates import DateRange
from queries.sessions import (DEFAULT_PAGE_SIZE, LOG_SESSIONS, PROJECTS_ENV, SessionDetail, SessionError, SessionList,
                              SessionSummary, Turn, fetch_rows, pick_session_id, summarize_turns, utc_bounds)
from queries.sources.claude_code import acquire_store, release_store
from queries.sql import bind


class ClaudeLogs:
    """The Claude Code logs under one projects directory, as the Claude Code source's store has
    them (refreshed when this reader is made), priced for the Sessions page.

    Priced from `custom` (agentx's custom.json) and, if `use_library`, the price library.
    Reading a directory that does not exist is a SessionError naming it and how to point
    at another.
    """

    def __init__(self, root: str | os.PathLike[str], custom: pricing.CustomPrices | None = None,
                 use_library: bool = True) -> None:
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise SessionError(f"No Claude Code logs at {self.root} (not a directory). Point at them with "
                               f"--projects DIR or {PROJECTS_ENV}.")
        # The store parses the logs (once; later only what was appended) and dedupes the turns,
        # by the rules in queries/sources/claude_code.sql; this reader only prices and lists them.
        self.store = acquire_store(self.root)
        self.connection = self.store.connection
        cur = self.connection.cursor()
        cur.execute(bind("define_claude_priced_turns", {})[0])
        counts = self.store.counts()
        self.files, self.malformed_lines = counts["files"], counts["malformed_lines"]
        self.duplicate_lines, self.turn_count = counts["duplicate_lines"], counts["turns"]
        self.synthetic_lines = counts["synthetic_lines"]
        models = [r["model"] for r in fetch_rows(cur, "claude_models", {})]
        self.prices = pricing.resolve_agentx_prices((("anthropic", m) for m in models),
                                                    custom or pricing.CustomPrices(), use_library)

    def _params(self) -> dict[str, object]:
        return self.prices.schedule_params()

    def warnings(self) -> list[str]:
        """What reading the logs skipped, in words."""
        notes = list(self.prices.warnings)
        if self.malformed_lines:
            notes.append(f"{self.malformed_lines:,} malformed line(s) in the logs were skipped.")
        return notes

    def sessions(self, rng: DateRange | None = None, search: str | None = None, page: int = 1,
                 page_size: int = DEFAULT_PAGE_SIZE) -> SessionList:
        """Sessions with turns in range (all time when None), newest activity first, one page."""
        page, page_size = max(1, page), max(1, page_size)
        start, end = utc_bounds(rng)
        params = self._params() | {"start_utc": start, "end_utc": end, "search": search or None,
                                   "limit": page_size, "offset": (page - 1) * page_size}
        cur = self.connection.cursor()
        try:
            rows = fetch_rows(cur, "claude_session_list", params)
            total = int(fetch_rows(cur, "claude_session_count", params)[0]["n"])
        finally:
            cur.close()
        sessions = [SessionSummary(r["session_id"], r["first_at"], r["last_at"], int(r["turns"]),
                                   int(r["input_tokens"]), int(r["output_tokens"]), int(r["cache_read_tokens"]),
                                   int(r["cache_write_tokens"]), float(r["estimated_cost"]), tuple(r["models"]),
                                   r["project"], int(r["subagent_turns"]), r["cwd"], bool(r["has_unpriced_rows"]))
                    for r in rows]
        return SessionList(LOG_SESSIONS, str(self.root), sessions, total, page, page_size,
                           list(self.prices.unpriced), self.warnings(), self.files, self.malformed_lines,
                           self.duplicate_lines)

    def session(self, session_id: str) -> SessionDetail:
        """Every deduplicated turn of one session (by id or unique id prefix), oldest first."""
        cur = self.connection.cursor()
        try:
            ids = [r["session_id"] for r in fetch_rows(cur, "claude_session_ids", {"session_id": session_id})]
            chosen = pick_session_id(ids, session_id, str(self.root))
            rows = fetch_rows(cur, "claude_session_turns", self._params() | {"session_id": chosen})
        finally:
            cur.close()
        turns = [Turn(r["ts"], r["model"], int(r["input_tokens"]), int(r["output_tokens"]), int(r["cache_read_tokens"]),
                      int(r["cache_write_tokens"]), float(r["estimated_cost"]), bool(r["subagent"]), bool(r["tier2"]),
                      bool(r["unpriced"]), r["tier"], int(r["cache_write_1h_tokens"])) for r in rows]
        project = rows[0]["project"] if rows else None
        cwd = next((r["cwd"] for r in rows if r["cwd"]), None)
        return SessionDetail(LOG_SESSIONS, summarize_turns(chosen, turns, project, cwd), turns, self.warnings())

    def close(self) -> None:
        """Let go of the shared store (closed with its last reader; its file stays in the cache)."""
        if self.store is not None:
            release_store(self.store)
            self.store = None
