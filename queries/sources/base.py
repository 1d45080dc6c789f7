"""The source protocol: what a kind of source declares (its capabilities, its words) and does
(detect a path, open it, read its catalog, price it, build its usage report), and `Source`,
the opened handle every query runs on.

Pages and the CLI never ask which system a source is; they ask `dataset.can(Capability.X)`
or take words and figures from `source.kind`. A kind lives in its own module under
`queries/sources/` with its own `.sql`, and is registered by one line in
`queries/sources/__init__.py`. This module imports nothing from that registry nor from any
kind, so anything (the mirror, the usage report) can import it without a cycle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Mapping, Protocol, runtime_checkable

import duckdb

import pricing
from queries.dates import DateRange
from queries.sql import sql
from queries.sqlite import SourceError, attach_sqlite, check_sqlite_file, forget_header_fd, is_locked, sqlite_tables
from queries.usage import (Catalog, Filters, Totals, UsageReport, breakdown, requests_catalog,
                           requests_usage_report, totals)
from queries.wording import Wording


class Capability(StrEnum):
    """What a kind of source can provide; pages and commands ask for these, never for a name."""

    REQUESTS = "requests"              # a canonical per-request `requests` view: usage.sql runs on it
    DAILY_USAGE = "daily_usage"        # only a daily rollup (agentx): the kind computes its own report
    INITIATOR_SPLIT = "initiator_split"  # requests.initiator is meaningful (main/task/heartbeat or main/subagent)
    CACHE_TOKENS = "cache_tokens"      # requests has real cache_read_tokens / cache_write_tokens
    AGENTS = "agents"                  # Agents page
    TASKS = "tasks"                    # task lists per agent
    TIER2 = "tier2"                    # Tier 2 & rotations page
    ROTATIONS = "rotations"
    SESSIONS = "sessions"              # Sessions page (session list + turns)
    BLOCKS = "blocks"                  # Claude's 5-hour usage windows
    PROJECT = "project"                # dimension: requests.project
    AGENT = "agent"                    # dimension: an agent id
    KEY = "key"                        # dimension: requests.api_key (a key's alias, never its hash in full)
    USER = "user"                      # dimension: requests.user_id
    TEAM = "team"                      # dimension: requests.team (alias, else id)
    END_USER = "end_user"              # dimension: requests.end_user
    TAGS = "tags"                      # dimension: requests.tags (a list; a request counts under each tag)


# The dimension filters of usage.Filters (their field names are usage.sql's parameters), by the
# capability that provides each: a source whose kind lacks one has no request with such a value.
DIMENSION_FILTERS: dict[Capability, str] = {Capability.KEY: "api_key", Capability.USER: "user_id",
                                            Capability.TEAM: "team", Capability.END_USER: "end_user",
                                            Capability.TAGS: "tag"}


def missing_dimensions(kind: "SourceKind", filters: Filters) -> list[Capability]:
    """The dimension capabilities that `filters` use and `kind` lacks (empty: it can answer them)."""
    return [c for c, name in DIMENSION_FILTERS.items() if getattr(filters, name) and not kind.can(c)]


@dataclass(frozen=True)
class MirrorSpec:
    """How the generic mirror (queries/mirror.py) serves a kind: the column that only grows as rows
    are appended (its high-water mark) and the kind's named blocks in mirror.sql, by role."""

    key: str
    blocks: Mapping[str, str] = field(default_factory=dict)
    version: int = 1  # of what the blocks store: stamped in the mirror's cache file, a change rebuilds it


@runtime_checkable
class SourceKind(Protocol):
    """One kind of source (Axiom's database, agentx's, Claude Code's logs, ...)."""

    name: str                           # "axiom", "agentx": what the CLI's JSON calls "source.adapter"
    label: str                          # how people read it: "Axiom", "agentx"
    capabilities: frozenset[Capability]
    wording: Wording
    mirror: MirrorSpec | None           # set when the generic mirror can serve it
    signature: str                      # what detect() looks for, for the "not one we know" message
    has_demo: bool                      # whether demo_paths() gives built-in demo data
    sessions_in_logs: bool              # its sessions are the session logs (Claude Code's) its agent ran
    compare_by: str                     # what Compare's rows are: "model" or "agent"

    def can(self, capability: Capability) -> bool: ...

    def detect(self, path: Path) -> bool: ...

    def open(self, path: Path, *, is_demo: bool = False, busy_timeout_ms: int | None = None) -> "Source": ...

    def catalog(self, source: "Source") -> Catalog: ...

    def settings_path_for(self, source: "Source", settings_path: Path | None) -> Path | None: ...

    def price_book(self, source: "Source", catalog: Catalog, settings_path: Path | None, use_library: bool,
                   settings_reader: pricing.LastGoodSettings | None = None) -> pricing.PriceBook: ...

    def usage_report(self, source: "Source", filters: Filters, prices: pricing.PriceBook,
                     catalog: Catalog | None = None) -> UsageReport: ...

    def totals(self, source: "Source", filters: Filters, prices: pricing.PriceBook) -> Totals: ...

    def compare_keys(self, source: "Source", rng: DateRange,
                     prices: pricing.PriceBook) -> dict[str, tuple[float, int, int]]: ...

    def zone_warnings(self, rng: DateRange) -> list[str]: ...

    def price_file_hint(self, settings_path: Path | None) -> str: ...

    def session_log_prices(self, source: "Source", settings_path: Path | None) -> Path | None: ...

    def demo_projects_dir(self) -> Path | None: ...

    def demo_paths(self) -> tuple[Path, Path | None]: ...

    def no_data_message(self, source: "Source", for_app: bool = False) -> str: ...

    def session_list(self, source: "Source", prices: pricing.PriceBook, rng: DateRange | None = None,
                     search: str | None = None, page: int = 1, page_size: int = 50): ...

    def session_detail(self, source: "Source", prices: pricing.PriceBook, session_id: str): ...

    def database_in(self, cwd: Path) -> Path | None: ...


class AgentQueries(Protocol):
    """What a kind with AGENTS, TASKS, TIER2 and ROTATIONS adds (agentx's, in its module): pages and
    commands reach these through `dataset.source.kind` after asking for the capability, and
    import no kind's module. Results are the kind's own dataclasses."""

    def agent_rows(self, source: "Source", rng: DateRange, prices: pricing.PriceBook) -> list: ...
    def unpriced_in_range(self, source: "Source", rng: DateRange, prices: pricing.PriceBook) -> list[str]: ...
    def agents_csv(self, rows: list) -> str: ...
    def agent_tasks(self, source: "Source", rng: DateRange, agent_id: str | None, page: int = 1,
                    page_size: int = 50): ...
    def task_row(self, task) -> dict[str, object]: ...
    def tasks_csv(self, page) -> str: ...
    def tier2_config(self, source: "Source"): ...
    def tier2_hotspots(self, source: "Source", rng: DateRange, prices: pricing.PriceBook, config=None): ...
    def tier2_rows(self, report) -> list[dict[str, object]]: ...
    def tier2_csv(self, report) -> str: ...
    def rotation_report(self, source: "Source", rng: DateRange, config=None): ...
    def rotations_csv(self, report) -> str: ...
    def agent_day_costs(self, source: "Source", rng: DateRange, prices: pricing.PriceBook, agent: str, *,
                        provider: str | None = None, model: str | None = None) -> list: ...


@dataclass
class Source:
    """An opened source: the DuckDB connection its kind's views live in, and how to describe it.

    Use `cursor()` for every query: a DuckDB connection must not be shared across threads,
    while cursors of one connection share its catalog (views, macros, the attached file).
    """

    path: Path
    kind: SourceKind
    connection: duckdb.DuckDBPyConnection
    is_demo: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def adapter(self) -> str:
        """The kind's name (read-only; kept for the CLI's JSON `source.adapter` and older callers)."""
        return self.kind.name

    def can(self, capability: Capability) -> bool:
        """Whether this source's kind provides `capability`."""
        return self.kind.can(capability)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor for one query (thread-safe to create)."""
        with self._lock:
            return self.connection.cursor()

    def close(self) -> None:
        """Detach and close; the agent's file is left exactly as it was."""
        self.connection.close()
        forget_header_fd(self.path)  # no lock of ours is left on the file to drop


class SqliteKind:
    """What every kind read from an agent's SQLite file shares: detection by the tables present,
    a read-only attach, the kind's views and macros from its `.sql`, and (for REQUESTS kinds) the
    shared report of usage.sql. A kind sets the class attributes and overrides what differs."""

    name: str = ""
    label: str = ""
    capabilities: frozenset[Capability] = frozenset()
    wording: Wording
    mirror: MirrorSpec | None = None
    tables: frozenset[str] = frozenset()       # all present = this kind
    views_block: str = ""                      # the block that creates the kind's views
    macros_block: str = ""                     # the block that defines its priced macros
    compare_by: str = "model"                  # what the Compare rows are: "model" or "agent"
    has_demo: bool = False                     # whether demo_paths() gives built-in demo data
    sessions_in_logs: bool = False             # its sessions are the session logs (Claude Code's) its agent ran

    @property
    def signature(self) -> str:
        return f"{self.name}: {', '.join(sorted(self.tables))}"

    def can(self, capability: Capability) -> bool:
        """Whether this kind provides `capability`."""
        return capability in self.capabilities

    def detect(self, path: Path) -> bool:
        """Whether `path` is a readable SQLite file with all of this kind's tables. Raises only when
        the agent's write keeps the file locked (worth a retry, and no kind could tell)."""
        try:
            check_sqlite_file(path)
            return self.tables <= sqlite_tables(path)
        except SourceError as exc:
            if is_locked(exc):
                raise
            return False

    def open(self, path: Path, *, is_demo: bool = False, busy_timeout_ms: int | None = None) -> Source:
        """Attach `path` read-only and create this kind's views (SourceError naming what is wrong)."""
        check_sqlite_file(path)
        tables = sqlite_tables(path)
        missing = self.tables - tables
        if missing:
            raise SourceError(f"{path} lacks the {self.name} tables {', '.join(sorted(missing))}.")
        con = attach_sqlite(path, busy_timeout_ms)
        try:
            self.create_views(con, tables)
        except duckdb.Error as exc:
            con.close()
            raise SourceError(f"{path} has the {self.name} tables, but they could not be read: {exc}") from None
        con.execute(sql(self.macros_block))
        return Source(path=path, kind=self, connection=con, is_demo=is_demo)

    def create_views(self, con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
        """Create the kind's views over the attached file `src` (`tables`: the tables it has)."""
        con.execute(sql(self.views_block))

    # --- numbers: the shared REQUESTS implementation (usage.sql over the `requests` view) ---

    def catalog(self, source: Source) -> Catalog:
        return requests_catalog(source)

    def settings_path_for(self, source: Source, settings_path: Path | None) -> Path | None:
        """The price file to read for `source` (`settings_path` as configured, None: none)."""
        return settings_path

    def price_book(self, source: Source, catalog: Catalog, settings_path: Path | None, use_library: bool,
                   settings_reader: pricing.LastGoodSettings | None = None) -> pricing.PriceBook:
        """Prices for every model of the catalog: settings.json's tokenPriceTable (through the long-running
        reader's last good copy when given), then the price library."""
        settings = settings_reader.read(settings_path) if settings_reader else pricing.read_settings_prices(settings_path)
        return pricing.resolve_prices(((p, m) for p, m, _n in catalog.pairs), settings, use_library)

    def usage_report(self, source: Source, filters: Filters, prices: pricing.PriceBook,
                     catalog: Catalog | None = None) -> UsageReport:
        return requests_usage_report(source, filters, prices, catalog)

    def totals(self, source: Source, filters: Filters, prices: pricing.PriceBook) -> Totals:
        """The KPI totals of one filter state (the top row and Compare use these)."""
        return totals(source, filters, prices)

    def compare_keys(self, source: Source, rng: DateRange,
                     prices: pricing.PriceBook) -> dict[str, tuple[float, int, int]]:
        """Compare's rows: key -> (cost, input + output tokens, requests) per provider / model."""
        return {f"{r.provider} / {r.model}": (r.estimated_cost, r.total_tokens, r.requests)
                for r in breakdown(source, Filters(rng), prices)}

    def zone_warnings(self, rng: DateRange) -> list[str]:
        """Notes a range needs on this kind (none: per-request timestamps follow any zone)."""
        return []

    def price_file_hint(self, settings_path: Path | None) -> str:
        """Where the user adds prices for this source, for the CLI's messages."""
        return f"tokenPriceTable in {settings_path or 'settings.json'} (--settings or USAGE_SETTINGS)"

    def session_log_prices(self, source: Source, settings_path: Path | None) -> Path | None:
        """The price file for the session logs this source's agent ran (None: the library's prices)."""
        return None

    def session_list(self, source: Source, prices: pricing.PriceBook, rng: DateRange | None = None,
                     search: str | None = None, page: int = 1, page_size: int = 50):
        """One page of the sessions the database keeps (SESSIONS kinds whose sessions are not in logs)."""
        raise SourceError(f"The {self.label} source keeps no sessions of its own.")

    def session_detail(self, source: Source, prices: pricing.PriceBook, session_id: str):
        """Every turn of one session the database keeps (see session_list)."""
        raise SourceError(f"The {self.label} source keeps no sessions of its own.")

    def database_in(self, cwd: Path) -> Path | None:
        """The database this kind keeps inside its agent's working directory (`cli.py --cwd DIR`), if any."""
        return None

    def demo_projects_dir(self) -> Path | None:
        """The demo's own Claude Code logs, if its demo has any."""
        return None

    def demo_paths(self) -> tuple[Path, Path | None]:
        """(database, price file or None) of this kind's built-in demo data."""
        raise SourceError(f"The {self.label} source has no demo data.")

    def no_data_message(self, source: Source, for_app: bool = False) -> str:
        """Seed 004's "No data." troubleshooting: which file was read and how to point at another."""
        how = "set USAGE_DB to its path" if for_app else "use --db PATH or USAGE_DB"
        return f"No data. No token usage yet. ({source.path} has no {self.wording.unit}s.) To read another, {how}."


__all__ = ["AgentQueries", "Capability", "DIMENSION_FILTERS", "missing_dimensions", "MirrorSpec", "Source",
           "SourceKind", "SqliteKind", "SourceError"]
