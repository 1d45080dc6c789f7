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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

import streamlit as st

import pricing
from queries import Dataset, load_dataset, source_paths
from queries.dates import DateRange
from queries.settings import Config, resolve_config
from queries.mirror import open_mirrored_source
from queries.sources import Capability, Source, SourceError, detect_kind, kind_named, open_source
from queries.usage import Catalog, Filters, UsageReport, usage_report
from queries.wording import Wording


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


@cached_for_configured_ttl()
def _snapshot(db: str, adapter: str | None, is_demo: bool, mirror: bool, settings_path: str | None,
              use_library: bool) -> Snapshot:
    """Bring the mirror up to date, then read the catalog and prices (what Refresh repeats)."""
    source = _source(db, adapter, is_demo, mirror)
    problems: list[str] = []
    if hasattr(source, "refresh"):
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
            end: str, tz: str, provider: str | None, model: str | None) -> UsageReport:
    """One filter state's report, keyed by the snapshot's read time (the snapshot itself is not hashed)."""
    filters = Filters(DateRange(datetime.fromisoformat(start).date(), datetime.fromisoformat(end).date(), tz),
                      provider, model)
    return usage_report(_source(db, adapter, is_demo, mirror), filters, _snap.prices, _snap.catalog)


@cached_for_configured_ttl(max_entries=512)
def _page_query(db: str, adapter: str | None, is_demo: bool, mirror: bool, read_at: datetime, key: tuple[str, ...],
                _compute: Callable[[], object]) -> object:
    """A page's query beyond the Token Usage report (agents, tier 2, rotations, compare, sessions),
    run once per snapshot and `key` (the query's name and arguments; `_compute` is not hashed)."""
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
                       rng.end.isoformat(), rng.tz, filters.provider, filters.model)

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
    """The configured database (demo data when none), without opening it."""
    config = app_config()
    db, settings_path, is_demo = source_paths(config)
    return AppData(str(db), config.source, is_demo, bool(config.mirror), str(settings_path) if settings_path else None,
                   bool(config.price_library) if use_library is None else use_library)


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
    if data is not None:
        try:
            stale = data.source.opened_identity != _file_identity(data.db)
        except SourceError:
            stale = True
        if stale:
            _forget_sources()
    _snapshot.clear()
    _report.clear()
    _page_query.clear()


@st.cache_resource(max_entries=4, show_spinner="Reading the Claude Code logs…")
def _claude_logs(root: str, custom_path: str | None, use_library: bool, read_at: datetime):
    """The Claude Code logs under `root`, read once per snapshot (Refresh re-reads them)."""
    from queries.sessions import ClaudeLogs

    custom = pricing.read_custom_prices(custom_path) if custom_path else None
    return ClaudeLogs(root, custom, use_library)


def claude_logs(root: str, custom_path: str | None, data: AppData | None = None):
    """The cached ClaudeLogs for `root` (SessionError when it is not a directory)."""
    data = data or configured_data()
    return _claude_logs(root, custom_path, data.use_library, data.snapshot().read_at)


_KINDS_SEEN: dict[tuple, frozenset[Capability]] = {}  # (db, forced kind, file identity) -> capabilities


def configured_capabilities() -> frozenset[Capability] | None:
    """What the configured source can provide (the menu shows only the pages it can fill), told
    from its kind without opening it; None when the path cannot be read (every page is then
    listed, and each says what is wrong). Remembered per file identity: a replaced file is
    looked at again."""
    config = app_config()
    db, _settings, _is_demo = source_paths(config)
    key = (str(db), config.source, _file_identity(str(db)))
    if key not in _KINDS_SEEN:
        try:
            kind = kind_named(config.source) if config.source else detect_kind(db)
            _KINDS_SEEN[key] = frozenset(kind.capabilities)
        except SourceError:
            return None  # not remembered: the file may be fixed before the next run
    return _KINDS_SEEN[key]
