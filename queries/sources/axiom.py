"""Axiom (formerly openagent): its SQLite database at `<DATA_DIR>/db/openagent.db`.

`axiom.sql` maps `token_usage` (joined with `sessions` and `tasks`) onto the canonical
per-request `requests` view, so usage.sql's shared report runs on it unchanged. Axiom
records no cache tokens (0 in `requests`) and no project. Prices come from settings.json's
tokenPriceTable (SqliteKind's default), then the price library.
"""

from __future__ import annotations

from pathlib import Path

import pricing
from queries.demo import demo_paths
from queries.sources.base import Capability, MirrorSpec, Source, SqliteKind
from queries.wording import Wording

WORDING = Wording("request", "tokenPriceTable in settings.json", pricing.settings_snippet,
                  "not by settings.json (Axiom's own page shows $0.00 for these)", price_key="tokenPriceTable")

# Axiom's named blocks in mirror.sql, by role (the mirror's incremental key is token_usage.id).
MIRROR = MirrorSpec("id", {
    "state": "axiom_source_state",          # row count, min and max id, in one statement (WAL)
    "bounds": "axiom_source_bounds",        # min and max id, from the primary key
    "count": "axiom_source_count",          # rows in an id range
    "session_map": "axiom_mirror_session_map",  # sessions + tasks -> temp tables, one statement (WAL)
    "session_bounds": "axiom_session_rowid_bounds",  # lowest and highest rowid of sessions and of tasks
    "sessions_chunk": "axiom_sessions_chunk",  # sessions in a rowid range -> temp.src_sessions
    "tasks_chunk": "axiom_tasks_chunk",     # tasks in a rowid range -> temp.src_tasks
    "copy": "axiom_mirror_copy",            # every row, one parallel typed scan (WAL files only)
    "copy_range": "axiom_mirror_copy_range",  # rows in an id range, read as text (chunked copy)
    "fetch_new": "axiom_mirror_fetch_new",  # rows in an id range, through SQLite's primary key, to temp
    "checksum": "axiom_range_checksum",     # count and hash of an id range, converted like the copy
})


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


KIND = AxiomKind()
