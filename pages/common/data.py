"""The app's cached access to the query layer: one mirrored DuckDB source per database,
one snapshot per read, one report per filter state, and a Refresh that re-reads.

Pages call these instead of `queries` directly so that every rerun of a filter state
already seen is served from memory, and so the cache rules live in one place. A snapshot
first brings the mirror up to date (appending new rows); if the database cannot be read at
that moment, the previous mirror keeps serving and the page says so.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

import streamlit as st

import pricing
from queries import Dataset, load_dataset
from queries.dates import DateRange
from queries.settings import Config, resolve_config
from queries.mirror import open_mirrored_source
from queries.sources import KINDS, Capability, Source, SourceError, detect_kind, kind_named, open_source
from queries.usage import Catalog, Filters, UsageReport, usage_report
from queries.wording import Wording
from queries.workspace import (SourceConfig, Workspace, configured_workspace, dimension_sources, merge_catalogs,
                               merge_reports, with_note)


@st.cache_resource
def app_config() -> Config:
    """Settings from the server's environment (read once per process)."""
    return resolve_config(os.environ)


def cached_for_configured_ttl(**options):
    """`st.cache_data` with the cache_ttl_seconds setting as its ttl; 0 means no caching at all
    (the function runs every time, and `.clear()` does nothing). Streamlit reads a ttl of None
    as "forever", so 0 must not be passed on as a falsy ttl.

    It runs while this module is first imported, so it reads the setting without Streamlit: a
    cached function's first call draws a spinner, and every message a script sends is a point
    where Streamlit stops a script run that a newer run replaced (a menu click right after Sign
    in). A stop there left this module half-imported while the new run, waiting on the import,
    took the half-built module and broke with `cannot import name 'app_data'`
    (tests/browser/test_first_click.py). Same environment, same value as app_config()."""
    ttl = resolve_config(os.environ).cache_ttl_seconds

    def decorate(function):
        if not ttl:
            function.clear = lambda *args, **kwargs: None
            return function
        return st.cache_data(ttl=ttl, show_spinner=False, **options)(function)

    return decorate


log = logging.getLogger("token_usage.data")
T = TypeVar("T")


def _file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the database file, to notice it was replaced; None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@dataclass
class _OpenSources:
    """The server's opened sources, by (db, adapter, is_demo, mirror), and a lock for opening them."""

    sources: dict[tuple, Source] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource
def _open_sources() -> _OpenSources:
    return _OpenSources()


def _source(db: str, adapter: str | None, is_demo: bool, mirror: bool, progress=None) -> Source:
    """One opened (and, by default, mirrored) source per database for the whole server.

    Not an `st.cache_resource` function itself: the first open draws a progress bar through
    `progress(rows_copied, rows_total)`, and a cached function may not draw outside itself.
    Sessions that arrive during the first copy wait for it.
    """
    registry, key = _open_sources(), (db, adapter, is_demo, mirror)
    with registry.lock:
        source = registry.sources.get(key)
        if source is None:
            source = (open_mirrored_source(db, adapter, is_demo=is_demo, progress=progress) if mirror
                      else open_source(db, adapter, is_demo=is_demo))
            source.opened_identity = _file_identity(db)
            source.fresh_from_open = True  # see _just_opened
            registry.sources[key] = source
    return source


def _forget_sources() -> None:
    """Drop the opened sources, so the next run opens the database afresh (a replaced file)."""
    registry = _open_sources()
    with registry.lock:
        registry.sources.clear()


@st.cache_resource
def _settings_reader() -> pricing.LastGoodSettings:
    """Remembers the last good settings.json across Refreshes (one per server process)."""
    return pricing.LastGoodSettings()


@dataclass(frozen=True)
class Snapshot:
    """What one read of the database gave: catalog, prices and when it was read."""

    catalog: Catalog
    prices: pricing.PriceBook
    read_at: datetime
    problems: tuple[str, ...] = field(default=())  # why the data may be older than read_at


def _just_opened(source: Source) -> bool:
    """True once after `_source` opened `source`: opening ran a Refresh's checks (a build, or a
    cached mirror checked against the file), so the first snapshot does not run them again
    (~1 s of a restarted server's first page at 10M rows)."""
    fresh = getattr(source, "fresh_from_open", False)
    source.fresh_from_open = False
    return fresh


@cached_for_configured_ttl()
def _snapshot(db: str, adapter: str | None, is_demo: bool, mirror: bool, settings_path: str | None,
              use_library: bool) -> Snapshot:
    """Bring the mirror up to date, then read the catalog and prices (what Refresh repeats)."""
    source = _source(db, adapter, is_demo, mirror)
    problems: list[str] = []
    if hasattr(source, "refresh") and not _just_opened(source):
        try:
            source.refresh()
        except Exception as exc:  # the file is locked, gone or damaged right now: keep serving the mirror
            log.warning("refresh of the mirror failed: %s", exc)
            message = exc.public_message() if isinstance(exc, SourceError) else exc.__class__.__name__
            problems.append(f"The database could not be re-read just now ({message}); showing the rows read "
                            "before. Press Refresh to try again.")
    dataset = load_dataset(source, Path(settings_path) if settings_path else None, use_library, _settings_reader())
    return Snapshot(dataset.catalog, dataset.prices, datetime.now(timezone.utc), tuple(problems))


@cached_for_configured_ttl(max_entries=512)
def _report(db: str, adapter: str | None, is_demo: bool, mirror: bool, read_at: datetime, _snap: Snapshot, start: str,
            end: str, tz: str, provider: str | None, model: str | None,
            dimensions: tuple[tuple[str, str], ...] = ()) -> UsageReport:
    """One filter state's report, keyed by the snapshot's read time (the snapshot itself is not hashed);
    `dimensions`: the set dimension filters as (Filters field, value) pairs."""
    filters = Filters(DateRange(datetime.fromisoformat(start).date(), datetime.fromisoformat(end).date(), tz),
                      provider, model, **dict(dimensions))
    return usage_report(_source(db, adapter, is_demo, mirror), filters, _snap.prices, _snap.catalog)


@cached_for_configured_ttl(max_entries=512)
def _page_query(db: str, adapter: str | None, is_demo: bool, mirror: bool, read_at: datetime, key: tuple[str, ...],
                _compute: Callable[[], object]) -> object:
    """A page's query beyond the Token Usage report (agents, tier 2, rotations, compare, sessions),
    run once per snapshot and `key` (the query's name and arguments; `_compute` is not hashed)."""
    return _compute()


@cached_for_configured_ttl(max_entries=256)
def _workspace_query(reads: tuple[tuple[str, str, datetime], ...], key: tuple[str, ...],
                     _compute: Callable[[], object]) -> object:
    """A query over several sources at once (budgets), run once per set of snapshots (each source's
    name, file and read time) and `key`; `_compute` is not hashed."""
    return _compute()


@dataclass(frozen=True)
class AppData:
    """The configured database for this server: its source handle and latest snapshot."""

    db: str
    adapter: str | None
    is_demo: bool
    mirror: bool
    settings_path: str | None
    use_library: bool

    @property
    def source(self) -> Source:
        return _source(self.db, self.adapter, self.is_demo, self.mirror)

    def snapshot(self) -> Snapshot:
        return _snapshot(self.db, self.adapter, self.is_demo, self.mirror, self.settings_path, self.use_library)

    def report(self, filters: Filters) -> UsageReport:
        rng, snap = filters.range, self.snapshot()
        return _report(self.db, self.adapter, self.is_demo, self.mirror, snap.read_at, snap, rng.start.isoformat(),
                       rng.end.isoformat(), rng.tz, filters.provider, filters.model,
                       tuple(sorted(filters.dimensions().items())))

    @property
    def wording(self) -> Wording:
        """How the pages talk about this data (its unit, where prices go), without another read."""
        return self.source.kind.wording

    def dataset(self) -> Dataset:
        snap = self.snapshot()
        return Dataset(self.source, snap.catalog, snap.prices, Path(self.settings_path) if self.settings_path else None)

    def query(self, compute: Callable[[Dataset], T], name: str, *args: object) -> T:
        """`compute(dataset)`, served from memory when this snapshot already ran `name` with `args`."""
        snap = self.snapshot()
        return _page_query(self.db, self.adapter, self.is_demo, self.mirror, snap.read_at,
                           (name, *map(str, args)), lambda: compute(self.dataset()))


def configured_data(use_library: bool | None = None) -> AppData:
    """The configured database (demo data when none), without opening it; in a workspace of several
    sources, the one this page is narrowed to (`narrow_to_source`), else the first."""
    members = workspace_data(use_library).members
    return dict(members).get(st.session_state.get(CURRENT_SOURCE), members[0][1])


def app_data(use_library: bool | None = None) -> AppData:
    """The configured database, opened (and on first use mirrored, with a progress bar);
    raises SourceError if it cannot be opened."""
    data = configured_data(use_library)
    slot = st.empty()

    def show_progress(copied: int, total: int) -> None:
        share = min(1.0, copied / total) if total else 1.0
        slot.progress(share, text=f"Reading the data for the first time: {share:.0%}")  # rows, or bytes of logs

    # Opens (and on first use mirrors) the database now, so a bad one is reported before any drawing.
    _source(data.db, data.adapter, data.is_demo, data.mirror, progress=show_progress)
    slot.empty()
    return data


def refresh(data: AppData | None = None) -> None:
    """Forget every cached read so the next run re-reads the database and settings.json.

    A database file that was replaced (another inode) or is back after being missing is
    opened afresh; otherwise the mirror only appends what is new.
    """
    _configured_workspace.clear()  # re-read the workspace file too
    for member in (data.members_data() if isinstance(data, WorkspaceData) else [data] if data else []):
        try:
            stale = member.source.opened_identity != _file_identity(member.db)
        except SourceError:
            stale = True
        if stale:
            _forget_sources()
    _snapshot.clear()
    _report.clear()
    _page_query.clear()
    _workspace_query.clear()


@st.cache_resource(max_entries=4, show_spinner="Reading the Claude Code logs…")
def _session_logs(root: str, custom_path: str | None, use_library: bool, read_at: datetime):
    """The session logs (Claude Code's) under `root`, read once per snapshot (Refresh re-reads them)."""
    from queries.sources import open_session_logs

    custom = pricing.read_custom_prices(custom_path) if custom_path else None
    return open_session_logs(root, custom, use_library)


def session_logs(root: str, custom_path: str | None, data: AppData | None = None):
    """The cached session-log reader for `root` (SessionError when it is not a directory)."""
    data = data or configured_data()
    return _session_logs(root, custom_path, data.use_library, data.snapshot().read_at)


_KINDS_SEEN: dict[tuple, frozenset[Capability]] = {}  # (db, forced kind, file identity) -> capabilities


def configured_capabilities() -> frozenset[Capability] | None:
    """What the configured sources can provide together (the menu shows only the pages some source
    can fill), told from their kinds without opening them; None when a path cannot be read (every
    page is then listed, and each says what is wrong). Remembered per file identity: a replaced
    file is looked at again."""
    capabilities: set[Capability] = set()
    for source in _configured_workspace().sources:
        seen = source_capabilities(source)
        if seen is None:
            return None
        capabilities |= seen
    return frozenset(capabilities)


def source_capabilities(source: SourceConfig) -> frozenset[Capability] | None:
    """What one configured source can provide, from its kind (forced or detected) without opening it;
    None when its path cannot be read now."""
    key = (str(source.path), source.kind, _file_identity(str(source.path)))
    if key not in _KINDS_SEEN:
        try:
            kind = kind_named(source.kind) if source.kind else detect_kind(source.path)
            _KINDS_SEEN[key] = frozenset(kind.capabilities)
        except SourceError:
            return None  # not remembered: the file may be fixed before the next run
    return _KINDS_SEEN[key]


def needs_any(*capabilities: Capability) -> Callable[[SourceConfig], bool]:
    """A page's test of a configured source (`narrow_to_source`): it has one of `capabilities`."""
    return lambda source: bool((source_capabilities(source) or frozenset()) & set(capabilities))


# ---------------------------------------------------------------------------------------
# Workspaces of several sources (issue 12, item 2): one AppData per configured source, each
# opened, mirrored and cached on its own (as one database always was); Token Usage merges
# their reports (queries.workspace.merge_reports), the other pages read one source.

CURRENT_SOURCE = "ws_current_source"  # the source a page is narrowed to in this run (None: all)


@st.cache_resource
def _configured_workspace() -> Workspace:
    """The configured sources (the workspace file is read once; Refresh reads it again)."""
    return configured_workspace(app_config())


def _member(source: SourceConfig, config: Config, use_library: bool) -> AppData:
    settings = source.settings
    return AppData(str(source.path), source.kind, source.is_demo, bool(config.mirror),
                   str(settings) if settings else None, use_library)


@dataclass(frozen=True)
class WorkspaceData:
    """Every configured source as an AppData, in order, with what was wrong with the configuration.
    Quacks like AppData for the Token Usage page: snapshot() and report() cover the workspace."""

    members: tuple[tuple[str, AppData], ...]
    warnings: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [name for name, _data in self.members]

    def members_data(self) -> list[AppData]:
        return [data for _name, data in self.members]

    @property
    def is_demo(self) -> bool:
        return all(data.is_demo for data in self.members_data())

    def opened(self) -> list[tuple[str, AppData, Snapshot]]:
        """The sources that could be read, with their snapshots; SourceError when none could."""
        out, first_error = [], None
        for name, data in self.members:
            try:
                out.append((name, data, data.snapshot()))
            except SourceError as exc:
                first_error = first_error or exc
        if not out and first_error is not None:
            raise first_error
        return out

    def snapshot(self) -> Snapshot:
        """The workspace's catalog (every source's pairs), read at its oldest source's time; a source
        that cannot be read is named in `problems` and left out."""
        opened = self.opened()
        if len(self.members) == 1:
            return opened[0][2]
        readable = {name for name, _d, _s in opened}
        problems = [f"{name}: {p}" for name, _d, snap in opened for p in snap.problems]
        for name, data in self.members:
            if name not in readable:
                try:
                    data.snapshot()
                except SourceError as exc:
                    problems.append(f"Source {name} could not be read ({exc.public_message()}); the others are shown.")
        return Snapshot(merge_catalogs([snap.catalog for _n, _d, snap in opened]),
                        opened[0][2].prices,  # unused for a workspace: each source's report carries its own
                        min(snap.read_at for _n, _d, snap in opened), tuple(problems))

    def catalogs(self) -> dict[str, Catalog]:
        """Each readable source's own catalog, by name (the toolbar's Provider and Model lists when
        the Source filter picks one)."""
        return {name: snap.catalog for name, _d, snap in self.opened()}

    def report(self, filters: Filters) -> UsageReport:
        """The source `filters.source` names, else every readable source merged (under a dimension
        filter, only the sources that have that dimension, with a note naming the others)."""
        plain = replace(filters, source=None)
        members = [(name, data) for name, data, _s in self.opened() if filters.source in (None, name)]
        members, note = dimension_sources(members, filters, lambda data: data.source.kind)
        reports = [(name, data.report(plain)) for name, data in members]
        return replace(with_note(merge_reports(reports), note), filters=filters)  # the filter state asked

    def query(self, compute: Callable[[object], T], name: str, *args: object) -> T:
        """`compute(data)` over the whole workspace: `data` is the one Dataset of a single source (as
        AppData.query gives), else every readable source as [(name, Dataset)] (budgets sum them)."""
        opened = self.opened()
        if len(self.members) == 1:
            return opened[0][1].query(compute, name, *args)
        reads = tuple((n, d.db, snap.read_at) for n, d, snap in opened)
        return _workspace_query(reads, (name, *map(str, args)),
                                lambda: compute([(n, d.dataset()) for n, d, _s in opened]))

    def wording_of(self, name: str | None) -> Wording:
        """A source's words (the first readable source's for the whole workspace)."""
        candidates = [dict(self.members)[name]] if name in dict(self.members) else []
        for data in candidates + self.members_data():
            try:
                return data.wording
            except SourceError:  # not readable now: snapshot() names it
                continue
        return KINDS[0].wording  # no source readable: the first registered kind's words

    @property
    def wording(self) -> Wording:
        return self.wording_of(None)


def workspace_data(use_library: bool | None = None) -> WorkspaceData:
    """The configured workspace (USAGE_DB or the demo alone: one source), without opening it."""
    config = app_config()
    workspace = _configured_workspace()
    library = bool(config.price_library) if use_library is None else use_library
    return WorkspaceData(tuple((s.name, _member(s, config, library)) for s in workspace.sources), workspace.warnings)


def open_workspace(use_library: bool | None = None) -> WorkspaceData:
    """The configured workspace, every source opened (each mirrored on first use, with a progress
    bar); a source that cannot be opened is left for snapshot() to report. Raises SourceError
    when the workspace is a single source that cannot be opened (the page says why)."""
    ws = workspace_data(use_library)
    st.session_state[CURRENT_SOURCE] = None
    for name, _data in ws.members:
        st.session_state[CURRENT_SOURCE] = name
        try:
            app_data(use_library)
        except SourceError:
            if len(ws.members) == 1:
                raise
    st.session_state[CURRENT_SOURCE] = None
    return ws


def current_source() -> str | None:
    """The source this page run is narrowed to (None: a single-source dashboard, or all of them)."""
    return st.session_state.get(CURRENT_SOURCE)


def narrow_to_source(needs: Callable[[SourceConfig], bool] | None = None, key: str = "page_source") -> list[str]:
    """On a page that reads one source: the sources that can fill it (`needs`, asked of the configured
    source without opening it), with this run's reads (configured_data, app_data) narrowed to the one
    chosen in `key` (the first until the Source selectbox, `source_select`, picks another)."""
    workspace = _configured_workspace()
    names = [s.name for s in workspace.sources if needs is None or needs(s)] or workspace.names
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    st.session_state[CURRENT_SOURCE] = st.session_state[key] if len(workspace.sources) > 1 else None
    return names


def source_select(names: list[str], key: str = "page_source") -> None:
    """The Source selectbox of a page that reads one source, drawn when several sources can fill it."""
    if len(names) > 1:
        st.selectbox("Source", names, key=key, help="This page reads one source of the workspace at a time.")
