"""The query layer: everything the pages and the CLI know about the data, and no UI.

It imports no Streamlit (a test proves it), so `cli.py`, the pages, the benchmarks and the
tests all call the same code and see the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pricing
from queries.demo import demo_paths
from queries.settings import Config, default_settings_path
from queries.source import Source, SourceError, open_source
from queries.usage import Catalog, catalog
from queries.wording import Wording, wording_for


@dataclass
class Dataset:
    """An opened source with its catalog and resolved prices: what one Refresh reads."""

    source: Source
    catalog: Catalog
    prices: pricing.PriceBook
    settings_path: Path | None

    @property
    def is_demo(self) -> bool:
        return self.source.is_demo

    @property
    def wording(self) -> Wording:
        """How to talk about this data: its counted unit and where its prices go."""
        return wording_for(self.source.adapter)

    def no_data_message(self, for_app: bool = False) -> str:
        """Seed 004's "No data." troubleshooting: which file was read and how to point at another
        (CLI flags, or the app's USAGE_DB setting)."""
        path = self.source.path
        if self.source.adapter == "agentx":
            how = ("set USAGE_DB to the .agentx/db.sqlite of the directory agentx runs in" if for_app else
                   "point at its working directory with --cwd DIR (reads DIR/.agentx/db.sqlite) or at the file "
                   "with --db PATH")
            return f"No data. No token usage yet: {path} has no rows in usage_daily. If agentx keeps its data " \
                   f"elsewhere, {how}."
        how = "set USAGE_DB to its path" if for_app else "use --db PATH or USAGE_DB (agentx: --cwd DIR)"
        return f"No data. No token usage yet. ({path} has no recorded requests.) To read another database, {how}."


def source_paths(config: Config) -> tuple[Path, Path | None, bool]:
    """(database, settings.json or None, is_demo) for a configuration; demo data when no db is set."""
    if config.db:
        db = Path(str(config.db)).expanduser()
        settings = Path(str(config.settings)).expanduser() if config.settings else default_settings_path(db)
        return db, settings, False
    if getattr(config, "demo", "axiom") == "agentx":
        from queries.demo_agentx import agentx_demo_paths

        db, _projects = agentx_demo_paths()  # priced by the custom.json beside it
        return db, (Path(str(config.settings)).expanduser() if config.settings else None), True
    db, settings = demo_paths()
    return db, (Path(str(config.settings)).expanduser() if config.settings else settings), True


def open_dataset(config: Config) -> Dataset:
    """Open the configured database (SourceError if unusable) and price every model in it."""
    db, settings_path, is_demo = source_paths(config)
    source = open_source(db, config.source, is_demo=is_demo)
    return load_dataset(source, settings_path, bool(config.price_library))


def load_dataset(source: Source, settings_path: Path | None, use_library: bool,
                 settings_reader: pricing.LastGoodSettings | None = None) -> Dataset:
    """Read the catalog and resolve prices for an already opened source (what Refresh repeats).

    A long-running reader (the app) passes its `settings_reader`, so a settings.json that
    breaks mid-run keeps its last good prices instead of falling back to the defaults.
    An agentx source is priced from its `.agentx/pricing/custom.json` (beside the database)
    unless `settings_path` names another file; `settings_reader` does not apply to it.
    """
    cat = catalog(source)
    if source.adapter == "agentx":
        # agentx prices: custom.json (beside the database unless a path is given), then the
        # library; Axiom's table plays no part.
        if settings_path is None:
            settings_path = pricing.custom_prices_path(source.path.parent)
        custom = pricing.read_custom_prices(settings_path)
        book = pricing.resolve_agentx_prices(((p, m) for p, m, _n in cat.pairs), custom, use_library)
        return Dataset(source, cat, book, settings_path)
    settings = settings_reader.read(settings_path) if settings_reader else pricing.read_settings_prices(settings_path)
    book = pricing.resolve_prices(((p, m) for p, m, _n in cat.pairs), settings, use_library)
    return Dataset(source, cat, book, settings_path)


__all__ = ["Dataset", "Source", "SourceError", "open_dataset", "load_dataset", "source_paths"]
