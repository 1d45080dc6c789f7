"""The query layer: everything the pages and the CLI know about the data, and no UI.

It imports no Streamlit (a test proves it), so `cli.py`, the pages, the benchmarks and the
tests all call the same code and see the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pricing
from queries.settings import Config, default_settings_path
from queries.sources import Capability, Source, SourceError, kind_named, open_source
from queries.usage import Catalog, catalog
from queries.wording import Wording


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

    def can(self, capability: Capability) -> bool:
        """Whether the source's kind provides `capability` (pages and commands ask this, never a name)."""
        return self.source.kind.can(capability)

    @property
    def wording(self) -> Wording:
        """How to talk about this data: its counted unit and where its prices go."""
        return self.source.kind.wording

    def no_data_message(self, for_app: bool = False) -> str:
        """Seed 004's "No data." troubleshooting: which file was read and how to point at another
        (CLI flags, or the app's USAGE_DB setting), in the source kind's words."""
        return self.source.kind.no_data_message(self.source, for_app)


def source_paths(config: Config) -> tuple[Path, Path | None, bool]:
    """(database, settings.json or None, is_demo) for a configuration; demo data when no db is set."""
    if config.db:
        db = Path(str(config.db)).expanduser()
        settings = Path(str(config.settings)).expanduser() if config.settings else default_settings_path(db)
        return db, settings, False
    db, settings = kind_named(getattr(config, "demo", "axiom")).demo_paths()  # the demo kind's own price file
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
    breaks mid-run keeps its last good prices instead of falling back to the defaults. The
    source's kind picks its price file (agentx: `.agentx/pricing/custom.json` beside the
    database unless `settings_path` names another) and its pricing rules.
    """
    kind = source.kind
    cat = catalog(source)
    settings_path = kind.settings_path_for(source, settings_path)
    book = kind.price_book(source, cat, settings_path, use_library, settings_reader)
    return Dataset(source, cat, book, settings_path)


__all__ = ["Capability", "Dataset", "Source", "SourceError", "open_dataset", "load_dataset", "source_paths"]
