"""The registry of source kinds: one line per kind in KINDS, and how a path becomes a Source.

Adding a source = one module in this package (its kind, with its `.sql` beside it) and one
line in KINDS; see README, "Adding a source". Detection tries the kinds in this order, so a
file that would fit two kinds is read as the first.
"""

from __future__ import annotations

import os
from pathlib import Path

from queries.sources import agentx, axiom, claude_code
from queries.sources import litellm  # issue 13: the LiteLLM proxy's Postgres
from queries.sources.base import Capability, Source, SourceKind
from queries.sources.claude_code_sessions import ClaudeLogs
from queries.sqlite import SourceError, check_sqlite_file, sqlite_tables

KINDS: tuple[SourceKind, ...] = (
    axiom.KIND,
    agentx.KIND,
    claude_code.KIND,
    litellm.KIND,
)


def kind_names() -> list[str]:
    """Every registered kind's name, sorted (for messages and settings)."""
    return sorted(k.name for k in KINDS)


def kind_named(name: str) -> SourceKind:
    """The kind called `name` (SourceError listing the known ones)."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise SourceError(f"Unknown source {name!r}; known sources: {', '.join(kind_names())}.")


def kinds_that_can(capability: Capability) -> list[SourceKind]:
    """The registered kinds that provide `capability`, in registry order."""
    return [k for k in KINDS if k.can(capability)]


def demo_kinds() -> list[SourceKind]:
    """The kinds that bring built-in demo data (the `demo` setting's choices), in registry order."""
    return [k for k in KINDS if k.has_demo]


def detect_kind(path: Path) -> SourceKind:
    """The first kind that recognises `path`, or a SourceError saying what is wrong with it."""
    for kind in KINDS:
        if kind.detect(path):
            return kind
    # No kind took it: say why, in the order a person would check (exists, is SQLite, its tables).
    check_sqlite_file(path)
    found = ", ".join(sorted(sqlite_tables(path))) or "no tables at all"
    expected = "; ".join(k.signature for k in KINDS)
    raise SourceError(f"{path} is a SQLite database, but not one this dashboard knows. "
                      f"Expected the tables of a known source ({expected}); found {found}.")


def open_source(path: str | os.PathLike[str], kind: str | None = None, *, is_demo: bool = False,
                busy_timeout_ms: int | None = None) -> Source:
    """Open `path` read-only as a Source of kind `kind` (the CLI's `--source`), else of the kind detected.

    For a mirrored source (copied once into DuckDB, `.refresh()` appends) use
    `queries.mirror.open_mirrored_source`.
    """
    path = Path(path).expanduser()
    try:
        chosen = kind_named(kind) if kind is not None else None
        if chosen is None:
            chosen = detect_kind(path)
        return chosen.open(path, is_demo=is_demo, busy_timeout_ms=busy_timeout_ms)
    except SourceError as exc:
        raise exc.with_path(path) from None


def open_session_logs(root: str | os.PathLike[str], custom=None, use_library: bool = True) -> ClaudeLogs:
    """The sessions in the session logs under `root` (Claude Code's projects directory, the one log
    format read), priced from `custom` (pricing.CustomPrices) then the library if `use_library`.
    Beside any source: the `projects` setting, agentx's sessions, a Claude Code source itself.
    A missing directory is a SessionError naming it."""
    return ClaudeLogs(root, custom, use_library)


def database_in_working_dir(cwd: str | os.PathLike[str]) -> Path | None:
    """The database a kind keeps inside its agent's working directory (`cli.py --cwd DIR`): the first
    registered kind that keeps one there (agentx: DIR/.agentx/db.sqlite), whether or not it exists."""
    return next((db for kind in KINDS if (db := kind.database_in(Path(cwd).expanduser())) is not None), None)


__all__ = ["KINDS", "Capability", "Source", "SourceError", "SourceKind", "demo_kinds", "detect_kind", "kind_named",
           "kinds_that_can", "open_session_logs", "open_source", "database_in_working_dir"]
