"""The session inspector's shapes: sessions with totals, and every turn of one session.

The readers live with their sources and fill these shapes (pages and the CLI reach them through
the kind or the registry, never by importing a kind's module):
- Axiom (queries/sources/axiom.py, its kind's session_list / session_detail): a session's turns
  are its `token_usage` rows (cost by Axiom's rule; Axiom records no cache tokens, so those are
  None, not 0).
- Claude Code logs (queries/sources/claude_code_sessions.py, the registry's open_session_logs;
  what agentx ran): `<projects>/<project>/<sessionId>.jsonl`, with
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
from typing import Mapping

import duckdb

from queries.csv_out import csv_text
from queries.dates import DateRange
from queries.sql import bind

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


def fetch_rows(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    """Named block `name` bound to `params`, run on `cur`: its rows as dicts (the session readers' one runner)."""
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


def utc_bounds(rng: DateRange | None) -> tuple[datetime | None, datetime | None]:
    """The UTC window of `rng`, or (None, None) for all time."""
    return rng.utc_window() if rng is not None else (None, None)


def summarize_turns(session_id: str, turns: list[Turn], project: str | None = None,
                    cwd: str | None = None) -> SessionSummary:
    """One session's totals from its turns (a cache count is None when any turn lacks it)."""
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
# Where session logs are (the Claude Code logs' reader is queries/sources/claude_code_sessions.py,
# reached through the registry's open_session_logs; Axiom's sessions through its kind).

def projects_dir(flag: str | None, env: Mapping[str, str] | None = None) -> Path:
    """--projects DIR, else $CLAUDE_PROJECTS_DIR, else ~/.claude/projects."""
    env = os.environ if env is None else env
    chosen = flag or env.get(PROJECTS_ENV) or DEFAULT_PROJECTS_DIR
    return Path(chosen).expanduser()
