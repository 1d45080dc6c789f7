"""Workspaces: several named sources read as one dashboard, and their merged Token Usage report.

A workspace is an ordered list of named sources, configured in one TOML file (the `sources`
setting, env USAGE_SOURCES; `.streamlit/sources.toml` when it exists, beside Streamlit's own
config.toml and secrets.toml):

    [sources.prod]                       # the name shown in the Source filter and the breakdown
    path = "/srv/axiom/db/openagent.db"  # a file or a directory; the kind is detected
    kind = "axiom"                       # optional: force the kind
    settings = "/srv/axiom/config/settings.json"   # optional price file

Relative paths are read from the TOML file's directory, `~` is the user's home. Without a file,
USAGE_DB alone is a workspace of one source, as before. Each source keeps its own prices; the
workspace's report is the sum of the sources' own reports, merged here in Python (no Streamlit),
so the CLI and the pages show the same merged figures.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from queries.usage import (DIMENSION_LABELS, Catalog, DailyRow, ProjectReport, ProjectRow, Totals,
                           UsageReport, project_breakdown)

DEFAULT_SOURCES_FILE = Path(".streamlit") / "sources.toml"  # beside Streamlit's config.toml / secrets.toml
SOURCE_KEYS = ("path", "kind", "settings")
# A source name goes into links (`source=NAME`) and table cells: short, no spaces or markup.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
T = TypeVar("T")


class WorkspaceError(ValueError):
    """A workspace file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: its name, where its data is, an optional forced kind and price file."""

    name: str
    path: Path
    kind: str | None = None
    settings: Path | None = None
    is_demo: bool = False


@dataclass(frozen=True)
class Workspace:
    """The configured sources in order, the file they came from (None: USAGE_DB or the demo) and
    what was wrong with the configuration (shown by the app, printed by the CLI)."""

    sources: tuple[SourceConfig, ...]
    file: Path | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sources]

    def named(self, name: str | None) -> SourceConfig | None:
        """The source called `name` (exact match), or None."""
        return next((s for s in self.sources if s.name == name), None)


def _path(value: object, file: Path, key: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise WorkspaceError(f"{file}: `{key}` must be a non-empty string (a path), not {value!r}.")
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else file.parent / path


def parse_workspace(text: str, file: Path, kinds: Iterable[str] | None = None) -> tuple[SourceConfig, ...]:
    """The sources of a workspace file's text, in file order (WorkspaceError naming `file` and the key).

    `kinds` lists the kind names a `kind = ...` may force (None: not checked here)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{file} is not valid TOML ({exc}).") from None
    unknown_top = sorted(set(document) - {"sources"})
    if unknown_top:
        raise WorkspaceError(f"{file}: unknown key `{unknown_top[0]}` (sources are [sources.NAME] tables).")
    table = document.get("sources")
    if not isinstance(table, dict) or not table:
        raise WorkspaceError(f"{file} names no source: add a [sources.NAME] table with a `path`.")
    known_kinds = sorted(kinds) if kinds is not None else None
    sources = []
    for name, entry in table.items():
        where = f"sources.{name}"
        if not NAME_PATTERN.fullmatch(name):
            raise WorkspaceError(f"{file}: [{where[:80]}]: a source name is 1-64 letters, digits, '_', '.' or '-' "
                                 "(it goes into links and tables).")
        if not isinstance(entry, dict):
            raise WorkspaceError(f"{file}: `{where}` must be a table ([{where}] with a `path`).")
        extra = sorted(set(entry) - set(SOURCE_KEYS))
        if extra:
            raise WorkspaceError(f"{file}: [{where}] has an unknown key `{extra[0]}` "
                                 f"(known: {', '.join(SOURCE_KEYS)}).")
        if "path" not in entry:
            raise WorkspaceError(f"{file}: [{where}] has no `path` (the database file or logs directory).")
        kind = entry.get("kind")
        if kind is not None:
            if not isinstance(kind, str) or (known_kinds is not None and kind not in known_kinds):
                choices = f" (one of {', '.join(known_kinds)})" if known_kinds is not None else ""
                raise WorkspaceError(f"{file}: `{where}.kind` = {kind!r} is not a kind of source{choices}.")
        settings = entry.get("settings")
        sources.append(SourceConfig(
            name, _path(entry["path"], file, f"{where}.path"), kind,
            None if settings is None else _path(settings, file, f"{where}.settings")))
    return tuple(sources)


def read_workspace(file: Path, kinds: Iterable[str] | None = None) -> tuple[SourceConfig, ...]:
    """The sources configured in `file` (WorkspaceError when it cannot be read or used)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc.__class__.__name__
        raise WorkspaceError(f"The workspace file {file} cannot be read ({reason}).") from None
    return parse_workspace(text, file, kinds)


def sources_file(setting: object, cwd: Path | None = None) -> Path | None:
    """The workspace file to read: the `sources` setting, else `.streamlit/sources.toml` under
    `cwd` when it exists, else None (USAGE_DB or the demo)."""
    if setting:
        return Path(str(setting)).expanduser()
    default = (cwd or Path.cwd()) / DEFAULT_SOURCES_FILE
    return default if default.is_file() else None


def unique_names(names: Sequence[str]) -> list[str]:
    """`names` with repeats numbered ('axiom', 'axiom-2', ...), so each source of a workspace built
    from several --db files has its own name."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


# ---------------------------------------------------------------------------------------
# The merged report.

def merge_catalogs(catalogs: Sequence[Catalog]) -> Catalog:
    """What the whole workspace holds: every (provider, model) pair with its requests summed over
    the sources (the Provider and Model filters list the union), and every unreadable timestamp."""
    if len(catalogs) == 1:
        return catalogs[0]
    counts: dict[tuple[str, str], int] = {}
    for cat in catalogs:
        for provider, model, n in cat.pairs:
            counts[(provider, model)] = counts.get((provider, model), 0) + n
    example = next((c.unparseable_example for c in catalogs if c.unparseable_example is not None), None)
    return Catalog(tuple((p, m, n) for (p, m), n in sorted(counts.items())),
                   sum(c.unparseable_timestamps for c in catalogs), example)


def _sum_totals(totals: Iterable[Totals]) -> Totals:
    items = list(totals)
    return Totals(sum(t.requests for t in items), sum(t.prompt_tokens for t in items),
                  sum(t.completion_tokens for t in items), sum(t.total_tokens for t in items),
                  math.fsum(t.estimated_cost for t in items), sum(t.cache_read_tokens for t in items),
                  sum(t.cache_write_tokens for t in items))


def _merge_daily(reports: Sequence[tuple[str, UsageReport]], split: set[str]) -> list[DailyRow]:
    """Each day's figures summed over every source; its initiator split over the sources in `split`."""
    days: dict[date, list[DailyRow]] = {}
    for _name, report in reports:
        for row in report.daily:
            days.setdefault(row.day, []).append(row)
    by_source = {name: {d.day: d for d in report.daily} for name, report in reports}
    out = []
    for day in sorted(days):
        rows = days[day]
        split_rows = [by_source[name][day] for name in split if day in by_source[name]]
        out.append(DailyRow(day, sum(r.requests for r in rows), sum(r.prompt_tokens for r in rows),
                            sum(r.completion_tokens for r in rows), sum(r.total_tokens for r in rows),
                            math.fsum(r.estimated_cost for r in rows), sum(r.main_tokens for r in split_rows),
                            sum(r.task_tokens for r in split_rows), sum(r.heartbeat_tokens for r in split_rows),
                            sum(r.cache_read_tokens for r in rows), sum(r.cache_write_tokens for r in rows)))
    return out


def merge_reports(reports: Sequence[tuple[str, UsageReport]]) -> UsageReport:
    """One report for a workspace from each source's own report (each priced by its own prices).

    Totals, previous totals and days are summed; breakdown rows are concatenated with their
    `source`, sorted by cost then requests (as each source sorts its own), with each row's cost
    share taken over the whole workspace (Axiom's rule: cost / total, none when the total is 0);
    unpriced models and prices are united; warnings keep their source's name in front. The
    initiator split sums only the sources that have one, and `initiator_note` says which.
    A workspace of one source is that source's report unchanged (the CLI's JSON stays the same).
    """
    if not reports:
        raise ValueError("a workspace report needs at least one source")
    if len(reports) == 1:
        return reports[0][1]
    split = [name for name, report in reports if report.initiator_split_reason is None]
    rows = [replace(b, source=name) for name, report in reports for b in report.breakdown]
    rows.sort(key=lambda b: (-b.estimated_cost, -b.requests))  # stable: equal rows keep source order
    total_cost = math.fsum(b.estimated_cost for b in rows)
    rows = [replace(b, cost_share=None if total_cost == 0 else b.estimated_cost / total_cost) for b in rows]
    prices = []
    for _name, report in reports:
        prices.extend(p for p in report.prices if p not in prices)
    warnings = [f"{name}: {w}" for name, report in reports for w in report.warnings
                if w != report.initiator_split_reason]  # the note below names those sources instead
    others = [name for name, _report in reports if name not in split]
    if split and others:
        note = (f"The initiator split covers {', '.join(split)}; {', '.join(others)} "
                f"{'has' if len(others) == 1 else 'have'} none, so {'its' if len(others) == 1 else 'their'} "
                "tokens are not in this chart.")
    elif split:
        note = f"The initiator split covers every source: {', '.join(split)}."
    else:
        note = None
    first = reports[0][1]
    return UsageReport(
        filters=first.filters,
        totals=_sum_totals(r.totals for _n, r in reports),
        previous_totals=_sum_totals(r.previous_totals for _n, r in reports),
        daily=_merge_daily(reports, set(split)),
        breakdown=rows,
        prices=sorted(prices, key=lambda p: p.model),
        unpriced_models=sorted({m for _n, r in reports for m in r.unpriced_models}),
        warnings=warnings,
        initiator_split_reason=None if split else "No source of this workspace can split tokens by initiator.",
        initiator_note=note,
        cache_tokens=any(r.cache_tokens for _n, r in reports),
    )


# ---------------------------------------------------------------------------------------
# Which sources a configuration names, and opening them.

def _detected_kind(path: Path, forced: str | None) -> str:
    """The kind a source is named after when no file names it: the forced kind, else the detected
    one; a path that cannot be detected keeps its file name (opening it reports the problem)."""
    if forced:
        return forced
    from queries.sources import SourceError, detect_kind  # lazily: the registry imports the query layer

    try:
        return detect_kind(path).name
    except (SourceError, OSError):
        return path.stem or "source"


def workspace_of_paths(paths: Sequence[Path], kind: str | None = None, settings: Path | None = None,
                       is_demo: bool = False) -> tuple[SourceConfig, ...]:
    """A workspace of the given files (the CLI's repeated --db, or USAGE_DB alone), each named after
    its kind ('axiom', 'axiom-2', ...). `settings` prices the first source only when there is one."""
    from queries.settings import default_settings_path

    names = unique_names([_detected_kind(p, kind) for p in paths])
    return tuple(SourceConfig(name, p, kind, settings if settings is not None and len(paths) == 1
                              else default_settings_path(p), is_demo) for name, p in zip(names, paths))


def configured_workspace(config, cwd: Path | None = None) -> Workspace:
    """The workspace a configuration names: the `sources` file (USAGE_SOURCES), else USAGE_DB alone,
    else `.streamlit/sources.toml` when it exists, else the built-in demo. A file that cannot be
    used falls back to the next choice with a warning that names the file and the key."""
    from queries import source_paths
    from queries.settings import ALL_DEMOS

    warnings: list[str] = []
    file = sources_file(config.sources, cwd) if (config.sources or not config.db) else None
    if file is not None:
        try:
            return Workspace(read_workspace(file, known_kinds()), file)
        except WorkspaceError as exc:
            warnings.append(f"{exc} Showing {'USAGE_DB' if config.db else 'the demo data'} instead.")
    if not config.db and str(getattr(config, "demo", ALL_DEMOS)) == ALL_DEMOS:
        return Workspace(demo_workspace(), None, tuple(warnings))
    db, settings, is_demo = source_paths(config)
    if not config.db:
        return Workspace((SourceConfig(str(config.demo), db, str(config.demo), settings, True),), None,
                         tuple(warnings))
    (one,) = workspace_of_paths([db], config.source, settings, is_demo)
    return Workspace((one,), None, tuple(warnings))


def demo_workspace() -> tuple[SourceConfig, ...]:
    """The default demo: a workspace of every kind's built-in demo, so each page has data (the
    Axiom demo, the agentx demo and a Claude Code projects directory; USAGE_DEMO=<kind>
    is one demo alone). Each source is named after its kind and priced by its own demo price file."""
    from queries.sources import demo_kinds

    sources = []
    for kind in demo_kinds():
        path, prices = kind.demo_paths()
        sources.append(SourceConfig(kind.name, path, kind.name, prices, is_demo=True))
    return tuple(sources)


def known_kinds() -> tuple[str, ...]:
    """The kind names a workspace file may force."""
    from queries.sources import kind_names

    return tuple(kind_names())


def open_workspace_source(source: SourceConfig, use_library: bool, mirror: bool = False):
    """Open one configured source and read its catalog and prices (SourceError if unusable)."""
    from queries import load_dataset
    from queries.mirror import open_mirrored_source
    from queries.sources import open_source

    opened = (open_mirrored_source(source.path, source.kind, is_demo=source.is_demo) if mirror
              else open_source(source.path, source.kind, is_demo=source.is_demo))
    return load_dataset(opened, source.settings, use_library)


def workspace_report(datasets: Sequence[tuple[str, object]], filters) -> UsageReport:
    """The Token Usage report of opened sources: the one named by `filters.source`, else all merged
    (under a dimension filter, only the sources that have that dimension: `dimension_sources`)."""
    from queries.usage import usage_report

    if filters.source is not None:
        datasets = [(n, d) for n, d in datasets if n == filters.source]
    datasets, note = dimension_sources(datasets, filters, lambda d: d.source.kind)
    plain = replace(filters, source=None)
    return with_note(merge_reports([(name, usage_report(d.source, plain, d.prices, d.catalog))
                                    for name, d in datasets]), note)


def dimension_sources(named: Sequence[tuple[str, T]], filters, kind_of: Callable[[T], object]
                      ) -> tuple[list[tuple[str, T]], str | None]:
    """The sources that can answer `filters`' dimension filters (key, user, team, end user, tag), and a
    note naming the ones left out: their kind has no such dimension, so none of their requests matches
    (agentx's daily rollup would otherwise ignore the filter). ValueError when none can."""
    from queries.sources.base import missing_dimensions

    if not filters.dimensions():
        return list(named), None
    kept = [(name, item) for name, item in named if not missing_dimensions(kind_of(item), filters)]
    left = [name for name, item in named if missing_dimensions(kind_of(item), filters)]
    wanted = " or ".join(DIMENSION_LABELS[f] for f in filters.dimensions())
    if not kept:
        raise ValueError(f"No source here has a {wanted} to filter by.")
    if not left:
        return kept, None
    return kept, (f"{', '.join(left)} {'has' if len(left) == 1 else 'have'} no {wanted}: left out while "
                  f"{'that filter is' if len(filters.dimensions()) == 1 else 'those filters are'} set.")


def with_note(report: UsageReport, note: str | None) -> UsageReport:
    """`report` with `note` first among its warnings (None: unchanged)."""
    return report if note is None else replace(report, warnings=[note, *report.warnings])


def workspace_kind(source: SourceConfig) -> str:
    """The kind of a configured source: forced, else detected (cheaply, without opening it)."""
    return _detected_kind(source.path, source.kind)


def source_can(source: SourceConfig, capability) -> bool:
    """Whether a configured source's kind (forced or detected, without opening it) provides `capability`;
    False when its path cannot be told now."""
    from queries.sources import SourceError, kind_named

    try:
        return kind_named(workspace_kind(source)).can(capability)
    except SourceError:
        return False


# ---------------------------------------------------------------------------------------
# The per-project breakdown over the sources that have projects (Capability.PROJECT).

def merge_projects(filters, parts: Sequence[tuple[str, Sequence[ProjectRow]]]) -> ProjectReport:
    """One ProjectReport from each project source's own rows: a single source's rows as they are;
    several sources' rows with their `source`, sorted by cost then requests (equal rows keep source
    order), each share taken over all rows (Axiom's rule: cost / total, none when the total is 0)."""
    names = [name for name, _rows in parts]
    if len(parts) == 1:
        return ProjectReport(filters, list(parts[0][1]), names)
    rows = [replace(r, source=name) for name, part in parts for r in part]
    rows.sort(key=lambda r: (-r.estimated_cost, -r.requests))
    total = math.fsum(r.estimated_cost for r in rows)
    return ProjectReport(filters, [replace(r, cost_share=None if total == 0 else r.estimated_cost / total)
                                   for r in rows], names)


def project_sources(datasets: Sequence[tuple[str, object]], filters) -> list[tuple[str, object]]:
    """The opened sources a by-project table reads: those with projects, narrowed by `filters.source`."""
    from queries.sources import Capability

    return [(n, d) for n, d in datasets
            if filters.source in (None, n) and d.source.kind.can(Capability.PROJECT)]


def workspace_projects(datasets: Sequence[tuple[str, object]], filters) -> ProjectReport:
    """The by-project table of opened sources (`cli.py report --by project`): each source with
    projects priced by its own prices, merged (`merge_projects`); no rows when none has projects."""
    plain = replace(filters, source=None)
    return merge_projects(filters, [(n, project_breakdown(d.source, plain, d.prices))
                                    for n, d in project_sources(datasets, filters)])
