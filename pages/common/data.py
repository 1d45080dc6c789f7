"""The app's cached access to the query layer: one DuckDB connection per database,
one report per filter state, and a Refresh that forgets both caches' contents.

Pages call these instead of `queries` directly so that every rerun of a filter state
already seen is served from memory, and so the cache rules live in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

import pricing
from queries import Dataset, load_dataset, source_paths
from queries.dates import DateRange
from queries.settings import Config, resolve_config
from queries.source import Source, open_source
from queries.usage import Catalog, Filters, UsageReport, usage_report


@st.cache_resource
def app_config() -> Config:
    """Settings from the server's environment (read once per process)."""
    return resolve_config(os.environ)


@st.cache_resource(show_spinner=False)
def _source(db: str, adapter: str | None, is_demo: bool) -> Source:
    """One attached DuckDB connection per database for the whole server; queries take cursors."""
    return open_source(db, adapter, is_demo=is_demo)


@dataclass(frozen=True)
class Snapshot:
    """What one read of the database gave: catalog, prices and when it was read."""

    catalog: Catalog
    prices: pricing.PriceBook
    read_at: datetime


@st.cache_data(ttl=app_config().cache_ttl_seconds or None, show_spinner=False)
def _snapshot(db: str, adapter: str | None, is_demo: bool, settings_path: str | None, use_library: bool) -> Snapshot:
    dataset = load_dataset(_source(db, adapter, is_demo), Path(settings_path) if settings_path else None, use_library)
    return Snapshot(dataset.catalog, dataset.prices, datetime.now(timezone.utc))


@st.cache_data(ttl=app_config().cache_ttl_seconds or None, show_spinner=False, max_entries=512)
def _report(db: str, adapter: str | None, is_demo: bool, read_at: datetime, _snap: Snapshot, start: str,
            end: str, tz: str, provider: str | None, model: str | None) -> UsageReport:
    """One filter state's report, keyed by the snapshot's read time (the snapshot itself is not hashed)."""
    filters = Filters(DateRange(datetime.fromisoformat(start).date(), datetime.fromisoformat(end).date(), tz),
                      provider, model)
    return usage_report(_source(db, adapter, is_demo), filters, _snap.prices, _snap.catalog)


@dataclass(frozen=True)
class AppData:
    """The configured database for this server: its source handle and latest snapshot."""

    db: str
    adapter: str | None
    is_demo: bool
    settings_path: str | None
    use_library: bool

    @property
    def source(self) -> Source:
        return _source(self.db, self.adapter, self.is_demo)

    def snapshot(self) -> Snapshot:
        return _snapshot(self.db, self.adapter, self.is_demo, self.settings_path, self.use_library)

    def report(self, filters: Filters) -> UsageReport:
        rng, snap = filters.range, self.snapshot()
        return _report(self.db, self.adapter, self.is_demo, snap.read_at, snap, rng.start.isoformat(),
                       rng.end.isoformat(), rng.tz, filters.provider, filters.model)

    def dataset(self) -> Dataset:
        snap = self.snapshot()
        return Dataset(self.source, snap.catalog, snap.prices, Path(self.settings_path) if self.settings_path else None)


def app_data(use_library: bool | None = None) -> AppData:
    """The configured database (demo data when none); raises SourceError if it cannot be opened."""
    config = app_config()
    db, settings_path, is_demo = source_paths(config)
    data = AppData(str(db), config.source, is_demo, str(settings_path) if settings_path else None,
                   bool(config.price_library) if use_library is None else use_library)
    data.source  # open now, so a bad database is reported before any drawing
    return data


def refresh() -> None:
    """Forget every cached read so the next run re-reads the database and settings.json."""
    _snapshot.clear()
    _report.clear()
