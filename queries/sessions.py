"""The session inspector's numbers: sessions with totals, and every turn of one session.

Two kinds of sessions, one shape:
- Axiom: a session's turns are its `token_usage` rows (cost by Axiom's rule; Axiom records
  no cache tokens, so those are None, not 0).
- Claude Code logs (what agentx ran): `<projects>/<project>/<sessionId>.jsonl`, with
  subagents under `<project>/<sessionId>/subagents/*.jsonl` (their turns are marked), read
  through the Claude Code source's store (queries/sources/claude_code.py: parsed once, then
  only appended bytes; its .sql holds the dedupe rules: each API response counts once,
  `<synthetic>` entries are no turns, malformed lines are counted). Priced like agentx:
  custom.json (1.5x above 200,000 input + cache tokens, agentx's rule), then the price library
  (its own long-context tiers and its price on the request's day); 1-hour cache writes apart.
No Streamlit here; the CLI and the pages call the same functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import duckdb

import pricing
from pricing import PriceBook
from queries.csv_out import csv_text
from queries.dates import DateRange
from queries.sql import bind

if TYPE_CHECKING:  # types only: a source kind may import this module
    from queries.sources.base import Source

DEFAULT_PROJECTS_DIR = "~/.claude/projects"
PROJECTS_ENV = "CLAUDE_PROJECTS_DIR"
DEFAULT_PAGE_SIZE = 50
LOG_SESSIONS = "claude-code"  # SessionList.kind of sessions read from Claude Code's log files


class SessionError(Exception):
    """A session that cannot be shown (unknown or ambiguous id, missing log directory); for people."""


@dataclass(frozen=True)
class SessionSummary:
    """One session with its totals. Cache counts are None where the source does not record them."""

    session_id: str
    first_at: datetime | None
    last_at: datetime | None
    turns: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    estimated_cost: float
    models: tuple[str, ...]
    project: str | None = None
    subagent_turns: int = 0
    cwd: str | None = None
    has_unpriced_rows: bool = False


@dataclass(frozen=True)
class Turn:
    """One model response of a session: when, which model, its tokens and cost."""

    at: datetime | None
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    estimated_cost: float
    subagent: bool = False
    tier2: bool = False
    unpriced: bool = False
    tier: str = ""               # the rate tier above the base one that priced it ("" = base)
    cache_write_1h_tokens: int = 0


@dataclass(frozen=True)
class SessionList:
    """One page of sessions, newest activity first, and what reading them found."""

    kind: str                  # "axiom" or "claude-code"
    where: str                 # the database or projects directory read
    sessions: list[SessionSummary]
    total: int
    page: int
    page_size: int
    unpriced_models: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    malformed_lines: int = 0
    duplicate_lines: int = 0

    @property
    def from_logs(self) -> bool:
        """Whether these sessions were read from log files (which have file and line counts)."""
        return self.kind == LOG_SESSIONS


def summary_row(s: SessionSummary) -> dict[str, object]:
    """One session as the CLI's JSON and every sessions CSV (CLI and page) write it."""
    return {"session_id": s.session_id, "project": s.project, "cwd": s.cwd,
            "first_at": s.first_at.isoformat() if s.first_at else None,
            "last_at": s.last_at.isoformat() if s.last_at else None, "turns": s.turns,
            "subagent_turns": s.subagent_turns, "input_tokens": s.input_tokens, "output_tokens": s.output_tokens,
            "cache_read_tokens": s.cache_read_tokens, "cache_write_tokens": s.cache_write_tokens,
            "estimated_cost": s.estimated_cost, "models": list(s.models)}


SESSION_CSV_FIELDS = list(summary_row(SessionSummary("", None, None, 0, 0, 0, None, None, 0.0, ())))


def sessions_csv(listing: SessionList) -> str:
    """One page of sessions as CSV (models space-separated), through the one neutralising writer."""
    rows = [summary_row(s) | {"models": " ".join(s.models)} for s in listing.sessions]
    return csv_text(rows, SESSION_CSV_FIELDS)


@dataclass(frozen=True)
class SessionDetail:
    """Every turn of one session, oldest first, with the session's totals."""

    kind: str
    summary: SessionSummary
    turns: list[Turn]
    warnings: list[str] = field(default_factory=list)


def _fetch(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    text, bound = bind(name, params)
    cur.execute(text, bound)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def pick_session_id(candidates: list[str], asked: str, where: str) -> str:
    """The id asked for: an exact match, else the one id it is a prefix of; SessionError otherwise."""
    if asked in candidates:
        return asked
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SessionError(f"No session {asked!r} in {where}. List them with: python cli.py sessions")
    shown = ", ".join(candidates[:5]) + (" …" if len(candidates) > 5 else "")
    raise SessionError(f"{asked!r} matches several sessions ({shown}); give more of the id.")


def _window(rng: DateRange | None) -> tuple[datetime | None, datetime | None]:
    return rng.utc_window() if rng is not None else (None, None)


# ---------------------------------------------------------------------------------------
# Axiom.

def _axiom_params(prices: PriceBook, rng: DateRange | None) -> dict[str, object]:
    start, end = _window(rng)
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
        rows = _fetch(cur, "axiom_session_list", params)
        count = _fetch(cur, "axiom_session_count", params)[0]
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
        ids = [r["session_id"] for r in _fetch(cur, "axiom_session_ids", {"session_id": session_id})]
        chosen = pick_session_id(ids, session_id, "this database")
        rows = _fetch(cur, "axiom_session_turns", _axiom_params(prices, None) | {"session_id": chosen})
    finally:
        cur.close()
    turns = [Turn(r["ts"], r["model"], int(r["input_tokens"]), int(r["output_tokens"]), None, None,
                  float(r["estimated_cost"]), unpriced=bool(r["unpriced"])) for r in rows]
    return SessionDetail("axiom", _summarize(chosen, turns), turns,
                         ["Axiom records no cache tokens; those columns are empty."])


def _summarize(session_id: str, turns: list[Turn], project: str | None = None, cwd: str | None = None) -> SessionSummary:
    times = [t.at for t in turns if t.at is not None]

    def total(attr: str) -> int | None:
        values = [getattr(t, attr) for t in turns]
        return None if any(v is None for v in values) else sum(values)

    return SessionSummary(session_id, min(times, default=None), max(times, default=None), len(turns),
                          sum(t.input_tokens for t in turns), sum(t.output_tokens for t in turns),
                          total("cache_read_tokens"), total("cache_write_tokens"),
                          sum(t.estimated_cost for t in turns), tuple(sorted({t.model for t in turns})), project,
                          sum(1 for t in turns if t.subagent), cwd, any(t.unpriced for t in turns))


# ---------------------------------------------------------------------------------------
# Claude Code logs.

def projects_dir(flag: str | None, env: Mapping[str, str] | None = None) -> Path:
    """--projects DIR, else $CLAUDE_PROJECTS_DIR, else ~/.claude/projects."""
    env = os.environ if env is None else env
    chosen = flag or env.get(PROJECTS_ENV) or DEFAULT_PROJECTS_DIR
    return Path(chosen).expanduser()


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
        from queries.sources.claude_code import acquire_store  # the registry imports the kinds

        self.store = acquire_store(self.root)
        self.connection = self.store.connection
        cur = self.connection.cursor()
        cur.execute(bind("define_claude_priced_turns", {})[0])
        counts = self.store.counts()
        self.files, self.malformed_lines = counts["files"], counts["malformed_lines"]
        self.duplicate_lines, self.turn_count = counts["duplicate_lines"], counts["turns"]
        self.synthetic_lines = counts["synthetic_lines"]
        models = [r["model"] for r in _fetch(cur, "claude_models", {})]
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
        start, end = _window(rng)
        params = self._params() | {"start_utc": start, "end_utc": end, "search": search or None,
                                   "limit": page_size, "offset": (page - 1) * page_size}
        cur = self.connection.cursor()
        try:
            rows = _fetch(cur, "claude_session_list", params)
            total = int(_fetch(cur, "claude_session_count", params)[0]["n"])
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
            ids = [r["session_id"] for r in _fetch(cur, "claude_session_ids", {"session_id": session_id})]
            chosen = pick_session_id(ids, session_id, str(self.root))
            rows = _fetch(cur, "claude_session_turns", self._params() | {"session_id": chosen})
        finally:
            cur.close()
        turns = [Turn(r["ts"], r["model"], int(r["input_tokens"]), int(r["output_tokens"]), int(r["cache_read_tokens"]),
                      int(r["cache_write_tokens"]), float(r["estimated_cost"]), bool(r["subagent"]), bool(r["tier2"]),
                      bool(r["unpriced"]), r["tier"], int(r["cache_write_1h_tokens"])) for r in rows]
        project = rows[0]["project"] if rows else None
        cwd = next((r["cwd"] for r in rows if r["cwd"]), None)
        return SessionDetail(LOG_SESSIONS, _summarize(chosen, turns, project, cwd), turns, self.warnings())

    def close(self) -> None:
        """Let go of the shared store (closed with its last reader; its file stays in the cache)."""
        if self.store is not None:
            from queries.sources.claude_code import release_store

            release_store(self.store)
            self.store = None
