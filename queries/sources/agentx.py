"""agentx as a source kind: its numbers (the usage report, per-agent figures, task lists, tier 2
and rotations) and its KIND (how it is detected, opened, priced and described).

agentx (SCHEMAS.md part B) keeps no row per model request. Tokens and cost come from its
daily rollup `usage_daily` (complete, tier 2 included; a day is a UTC calendar day), task
detail from `task_traces` (or `task_history` on older files), rotations from `rotations`.
The views in `agentx.sql` (beside this module) type those tables; this module binds a range and the resolved
prices to its named blocks and returns small dataclasses. It imports no Streamlit.

Where agentx's data lacks a dimension it is left out with a reason, never filled in: the
daily rollup has no channel, so there is no main/task/heartbeat split, and no hour, so a
day in another zone than UTC cannot be re-bucketed (the report says so).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

import pricing
from pricing import PriceBook
from queries.csv_out import csv_text
from queries.dates import DateRange
from queries.sources.agentx_demo import agentx_demo_paths
from queries.sources.base import Capability, Source, SqliteKind
from queries.sql import bind, sql
from queries.usage import BreakdownRow, Catalog, DailyRow, Filters, Totals, UsageReport, with_provenance
from queries.wording import Wording

# Where agentx keeps its database inside its working directory (`agentx --cwd DIR`).
AGENTX_DB = Path(".agentx") / "db.sqlite"

DEFAULT_TIER2_THRESHOLD = 195_000   # session.tierTwoThresholdTokens when agentx.json does not set it
DEFAULT_PAGE_SIZE = 50
# The "lower the threshold" hint (seed 004) fires for an agent whose tier-2 rotations in the
# range are at least this many and at least this share of all its rotations.
TIER2_HINT_MIN_ROTATIONS = 3
TIER2_HINT_MIN_SHARE = 0.25

NO_INITIATOR_SPLIT = ("agentx's usage_daily has no channel or session per row, so tokens cannot be split "
                      "into main agent, task agents and heartbeat; by_initiator is left empty.")


def agentx_db_path(cwd: str | os.PathLike[str]) -> Path:
    """agentx's database for working directory `cwd`: `<cwd>/.agentx/db.sqlite`."""
    return Path(cwd).expanduser() / AGENTX_DB


# ---------------------------------------------------------------------------------------
# agentx.json: the tier-2 rotation threshold.

@dataclass(frozen=True)
class AgentxConfig:
    """What we read from `<cwd>/agentx.json`: the tier-2 threshold, and what was wrong."""

    tier2_threshold: int = DEFAULT_TIER2_THRESHOLD
    path: Path | None = None
    from_file: bool = False
    warnings: tuple[str, ...] = ()


def agentx_cwd(db_path: Path) -> Path | None:
    """agentx's working directory for a database at `<cwd>/.agentx/db.sqlite`, else None."""
    db_path = Path(db_path)
    return db_path.parent.parent if db_path.parent.name == ".agentx" else None


def read_agentx_config(path: Path | None) -> AgentxConfig:
    """`session.tierTwoThresholdTokens` from agentx.json; missing file or key = the default, silently.

    A malformed file or value falls back to the default with a warning naming it.
    """
    if path is None:
        return AgentxConfig()
    try:
        if not path.exists():
            return AgentxConfig(path=path)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return AgentxConfig(path=path, warnings=(
            f"{path.name} could not be read ({exc.__class__.__name__}); using the default tier-2 threshold "
            f"{DEFAULT_TIER2_THRESHOLD:,}.",))
    session = data.get("session") if isinstance(data, dict) else None
    value = session.get("tierTwoThresholdTokens") if isinstance(session, dict) else None
    if value is None:
        return AgentxConfig(path=path)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        if isinstance(value, float) and value.is_integer() and value > 0:
            return AgentxConfig(int(value), path, True)
        return AgentxConfig(path=path, warnings=(
            f"session.tierTwoThresholdTokens in {path.name} is not a positive whole number ({value!r}); "
            f"using the default {DEFAULT_TIER2_THRESHOLD:,}.",))
    return AgentxConfig(value, path, True)


def agentx_config_for(db_path: Path) -> AgentxConfig:
    """The agentx.json beside the database's `.agentx` directory (defaults when there is none)."""
    cwd = agentx_cwd(db_path)
    return read_agentx_config(cwd / "agentx.json" if cwd else None)


# ---------------------------------------------------------------------------------------
# Binding and running.

def _rows(source: Source, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    """Run named block `name` on a fresh cursor and return its rows as dicts (unused params dropped)."""
    text, bound = bind(name, params)
    cur = source.cursor()
    try:
        cur.execute(text, bound)
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    finally:
        cur.close()


def range_params(rng: DateRange, prices: PriceBook | None = None, *, provider: str | None = None,
                 model: str | None = None, agent: str | None = None) -> dict[str, object]:
    """Bound parameters for the agentx blocks: UTC days for usage_daily, a UTC window for task times."""
    start_utc, end_utc = rng.utc_window()
    params: dict[str, object] = {
        "from_day": rng.start, "until_day": rng.end, "start_utc": start_utc, "end_utc": end_utc,
        "provider": provider or None, "model": model or None, "agent": agent or None,
    }
    if prices is not None:
        params |= prices.dated_base_params() | {"tier2_multiplier": pricing.TIER2_MULTIPLIER}
    return params


def zone_warning(rng: DateRange) -> list[str]:
    """The note a non-UTC range needs: usage_daily's days are UTC days and cannot be moved."""
    if rng.tz == "UTC":
        return []
    return [f"agentx's usage_daily is kept per UTC day: tokens and cost are for the UTC days {rng.start} .. "
            f"{rng.end}; task and rotation times use {rng.tz}."]


# ---------------------------------------------------------------------------------------
# The usage report (same shape as Axiom's, for `cli.py report` and the Token Usage page).

def agentx_catalog(source: Source) -> Catalog:
    """Every (provider, model) pair in usage_daily with its task count, and unreadable days."""
    pairs = tuple((r["provider"], r["model"], int(r["requests"] or 0))
                  for r in _rows(source, "agentx_provider_models", {}))
    bad = _rows(source, "agentx_unparseable_days", {})[0]
    return Catalog(pairs, int(bad["rows"]), bad["example"])


@dataclass(frozen=True)
class AgentxTotals:
    """A range's totals with what agentx adds: cache tokens, tier-2 tokens and tier 2's extra cost."""

    tasks: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    tier2_tokens: int = 0
    estimated_cost: float = 0.0
    tier2_extra_cost: float = 0.0

    @property
    def tokens(self) -> int:
        """Input + output tokens (tier 2 included, cache apart), the top row's token figure."""
        return self.input_tokens + self.output_tokens

    def as_totals(self) -> Totals:
        """The report's Totals: requests = tasks, prompt = input, completion = output."""
        return Totals(self.tasks, self.input_tokens, self.output_tokens, self.tokens, self.estimated_cost)


def agentx_totals(source: Source, rng: DateRange, prices: PriceBook, provider: str | None = None,
                  model: str | None = None, agent: str | None = None) -> AgentxTotals:
    """Totals of usage_daily over the range's UTC days (optionally one provider, model or agent)."""
    r = _rows(source, "agentx_totals", range_params(rng, prices, provider=provider, model=model, agent=agent))[0]
    return AgentxTotals(int(r["requests"]), int(r["prompt_tokens"]), int(r["completion_tokens"]),
                        int(r["cache_read_tokens"]), int(r["cache_write_tokens"]), int(r["tier2_tokens"]),
                        float(r["estimated_cost"]), float(r["tier2_extra_cost"]))


def agentx_usage_report(source: Source, filters: Filters, prices: PriceBook,
                        cat: Catalog | None = None) -> UsageReport:
    """Axiom's report shape from usage_daily: requests = tasks, prompt/completion = input/output
    tokens (tier 2 included; cache tokens are priced but not in these counts), no initiator split."""
    rng = filters.range
    params = range_params(rng, prices, provider=filters.provider, model=filters.model)
    daily = [DailyRow(r["day"], int(r["requests"]), int(r["prompt_tokens"]), int(r["completion_tokens"]),
                      int(r["total_tokens"]), float(r["estimated_cost"]), 0, 0, 0)
             for r in _rows(source, "agentx_daily", params)]
    rows = [BreakdownRow(r["provider"], r["model"], int(r["requests"]), int(r["prompt_tokens"]),
                         int(r["completion_tokens"]), int(r["total_tokens"]), float(r["estimated_cost"]),
                         None if r["cost_share"] is None else float(r["cost_share"]), bool(r["has_unpriced_rows"]))
            for r in _rows(source, "agentx_breakdown", params)]
    totals = agentx_totals(source, rng, prices, filters.provider, filters.model)
    previous = agentx_totals(source, rng.previous(), prices, filters.provider, filters.model)
    warnings = list(prices.warnings) + zone_warning(rng) + [NO_INITIATOR_SPLIT]
    if totals.cache_read_tokens or totals.cache_write_tokens:
        warnings.append(f"prompt_tokens counts input tokens only; the range also has "
                        f"{totals.cache_read_tokens:,} cache-read and {totals.cache_write_tokens:,} cache-write "
                        f"tokens, which are in estimated_cost (see `cli.py agents`).")
    if cat is not None and cat.unparseable_timestamps:
        warnings.append(f"{cat.unparseable_timestamps:,} usage_daily row(s) have a day that is not a date "
                        f"(e.g. {cat.unparseable_example!r}) and are left out.")
    models_in_range = sorted({b.model for b in rows})
    return UsageReport(
        filters=filters, totals=totals.as_totals(), previous_totals=previous.as_totals(), daily=daily,
        breakdown=rows, prices=[prices.prices[m] for m in models_in_range if m in prices.prices],
        unpriced_models=sorted({b.model for b in rows if b.has_unpriced_rows}), warnings=warnings,
        initiator_split_reason=NO_INITIATOR_SPLIT,
    )


# ---------------------------------------------------------------------------------------
# Agents (item 4).

@dataclass(frozen=True)
class AgentRow:
    """One agent over a range: tokens, tasks and cost from usage_daily (tier 2 included), and the
    durations and failures of its tasks that started in the range (from the task table)."""

    agent_id: str
    tasks: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    tier2_tokens: int
    estimated_cost: float
    p50_duration_ms: float | None
    p95_duration_ms: float | None
    errors: int = 0
    timeouts: int = 0
    task_rows: int = 0
    tier2_extra_cost: float = 0.0
    has_unpriced_rows: bool = False

    JSON_KEYS = ("agent_id", "tasks", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
                 "tier2_tokens", "estimated_cost", "p50_duration_ms", "p95_duration_ms")

    def as_json(self) -> dict[str, object]:
        """The object `cli.py agents --format json` prints for this agent (issue 4, item 10)."""
        return {k: getattr(self, k) for k in self.JSON_KEYS}


def agent_rows(source: Source, rng: DateRange, prices: PriceBook) -> list[AgentRow]:
    """Every agent with usage or a task in range, by cost, then tasks."""
    def opt(value: object) -> float | None:
        return None if value is None else float(value)

    return [
        AgentRow(r["agent_id"], int(r["tasks"]), int(r["input_tokens"]), int(r["output_tokens"]),
                 int(r["cache_read_tokens"]), int(r["cache_write_tokens"]), int(r["tier2_tokens"]),
                 float(r["estimated_cost"]), opt(r["p50_duration_ms"]), opt(r["p95_duration_ms"]),
                 int(r["errors"]), int(r["timeouts"]), int(r["task_rows"]), float(r["tier2_extra_cost"]),
                 bool(r["has_unpriced_rows"]))
        for r in _rows(source, "agentx_agents", range_params(rng, prices))
    ]


def unpriced_in_range(source: Source, rng: DateRange, prices: PriceBook) -> list[str]:
    """Models with tokens in the range's UTC days that no price source knows (they cost $0.00)."""
    return sorted({r["model"] for r in _rows(source, "agentx_breakdown", range_params(rng, prices))
                   if r["has_unpriced_rows"]})


def agents_csv(rows: list[AgentRow]) -> str:
    """The agents table as CSV with raw numbers: the JSON keys, then errors and timeouts."""
    columns = [*AgentRow.JSON_KEYS, "errors", "timeouts"]
    return csv_text(({k: getattr(row, k) for k in columns} for row in rows), columns)


@dataclass(frozen=True)
class TaskRowView:
    """One task of the drill-down list: when, where from, how it ended, how long, its tokens."""

    task_id: str
    agent_id: str
    started_at: datetime
    channel: str | None
    chat_id: str | None
    status: str
    duration_ms: int | None
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    model: str | None
    preview: str | None
    error: str | None
    origin: str  # task_traces or task_history


@dataclass(frozen=True)
class TaskPage:
    """One page of a task list, newest first; `total` tasks match in all pages."""

    tasks: list[TaskRowView]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least 1, so an empty list is "page 1 of 1")."""
        return max(1, -(-self.total // self.page_size))


def task_row(t: TaskRowView) -> dict[str, object]:
    """One task as the CLI's JSON and every task CSV (CLI and page) write it."""
    return {"task_id": t.task_id, "agent_id": t.agent_id, "started_at": t.started_at.isoformat() if t.started_at else None,
            "channel": t.channel, "status": t.status, "duration_ms": t.duration_ms, "input_tokens": t.input_tokens,
            "output_tokens": t.output_tokens, "cache_read_tokens": t.cache_read_tokens,
            "cache_write_tokens": t.cache_write_tokens, "model": t.model, "preview": t.preview, "error": t.error,
            "origin": t.origin}


TASK_CSV_FIELDS = ["task_id", "agent_id", "started_at", "channel", "status", "duration_ms", "input_tokens",
                   "output_tokens", "cache_read_tokens", "cache_write_tokens", "model", "preview", "error", "origin"]


def tasks_csv(page: TaskPage) -> str:
    """One page of an agent's tasks as CSV, through the one neutralising writer."""
    return csv_text([task_row(t) for t in page.tasks], TASK_CSV_FIELDS)


def agent_tasks(source: Source, rng: DateRange, agent_id: str | None, page: int = 1,
                page_size: int = DEFAULT_PAGE_SIZE) -> TaskPage:
    """Page `page` (from 1) of the tasks that started in range, of one agent (None: all), newest first.

    A page past the end is empty; page and page_size below 1 are raised to 1.
    """
    page, page_size = max(1, int(page)), max(1, int(page_size))
    params = range_params(rng, agent=agent_id)
    total = int(_rows(source, "agentx_task_count", params)[0]["n"])
    rows = _rows(source, "agentx_task_page", params | {"limit": page_size, "offset": (page - 1) * page_size})
    tasks = [TaskRowView(r["task_id"], r["agent_id"], r["started_at"], r["channel"], r["chat_id"], r["status"],
                         None if r["duration_ms"] is None else int(r["duration_ms"]), int(r["input_tokens"]),
                         int(r["output_tokens"]), int(r["cache_read_tokens"]), int(r["cache_write_tokens"]),
                         r["model"], r["preview"], r["error"], r["origin"]) for r in rows]
    return TaskPage(tasks, total, page, page_size)


# ---------------------------------------------------------------------------------------
# Tier-2 hotspots (item 5).

@dataclass(frozen=True)
class Tier2Row:
    """One agent's tier-2 signs in a range.

    agentx writes a tier-2 task's tokens only into usage_daily's tier2_* columns (0 into the
    task tables), so crossings are counted from there (`tier2_days`: days with tier-2 tokens)
    and from its `tier-2` rotations, never from task rows.
    """

    agent_id: str
    tier2_days: int
    tier2_rotations: int
    rotations_over_threshold: int        # tier-2 rotations whose last turn had >= threshold input tokens
    max_last_turn_input_tokens: int | None
    tier2_tokens: int
    tier2_cost: float                    # what the tier-2 tokens cost (1.5x their tier-1 price)
    tier2_extra_cost: float              # what tier 2 added: 0.5x their tier-1 price
    estimated_cost: float                # the agent's whole cost in range

    @property
    def extra_share(self) -> float | None:
        """The extra spend as a share of the agent's cost (None when it cost nothing)."""
        return self.tier2_extra_cost / self.estimated_cost if self.estimated_cost > 0 else None


@dataclass(frozen=True)
class Tier2Report:
    """Tier-2 hotspots of a range, the threshold they were measured against, and where it came from."""

    rows: list[Tier2Row]
    threshold: int
    threshold_source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def extra_cost(self) -> float:
        return sum(r.tier2_extra_cost for r in self.rows)


def tier2_hotspots(source: Source, rng: DateRange, prices: PriceBook, config: AgentxConfig | None = None) -> Tier2Report:
    """Agents that crossed into tier 2 in range, by the extra spend tier 2 caused."""
    config = config or agentx_config_for(source.path)
    params = range_params(rng, prices) | {"threshold": config.tier2_threshold}
    rows = [Tier2Row(r["agent_id"], int(r["tier2_days"]), int(r["tier2_rotations"]), int(r["rotations_over_threshold"]),
                     None if r["max_last_turn_input_tokens"] is None else int(r["max_last_turn_input_tokens"]),
                     int(r["tier2_tokens"]), float(r["tier2_cost"]), float(r["tier2_extra_cost"]),
                     float(r["estimated_cost"]))
            for r in _rows(source, "agentx_tier2_hotspots", params)]
    where = (f"session.tierTwoThresholdTokens in {config.path}" if config.from_file
             else "agentx's default (no session.tierTwoThresholdTokens in agentx.json)")
    return Tier2Report(rows, config.tier2_threshold, where, list(config.warnings) + zone_warning(rng))


# ---------------------------------------------------------------------------------------
# Rotation reasons (item 6).

@dataclass(frozen=True)
class RotationRow:
    """One agent's session rotations in a range, by reason (`other` = a reason agentx did not document)."""

    agent_id: str
    stale: int
    tier2: int
    max_turns: int
    other: int
    total: int

    def as_json(self) -> dict[str, object]:
        return {"agent_id": self.agent_id, "stale": self.stale, "tier-2": self.tier2,
                "max-turns": self.max_turns, "other": self.other, "total": self.total}


@dataclass(frozen=True)
class RotationReport:
    """Rotation counts per agent, the hints they call for, and unreadable rows."""

    rows: list[RotationRow]
    hints: list[str]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"agents": [r.as_json() for r in self.rows], "hints": self.hints, "warnings": self.warnings}

    def long_rows(self) -> list[dict[str, object]]:
        """(agent, reason, count) rows for a stacked bar chart, zero counts left out."""
        return [{"agent_id": r.agent_id, "reason": reason, "rotations": n} for r in self.rows
                for reason, n in (("stale", r.stale), ("tier-2", r.tier2), ("max-turns", r.max_turns),
                                  ("other", r.other)) if n]


def rotation_report(source: Source, rng: DateRange, config: AgentxConfig | None = None) -> RotationReport:
    """Per agent, how often its sessions rotated and why; a hint where tier-2 rotations are frequent."""
    rows = [RotationRow(r["agent_id"], int(r["stale"]), int(r["tier2"]), int(r["max_turns"]), int(r["other"]),
                        int(r["total"])) for r in _rows(source, "agentx_rotation_counts", range_params(rng))]
    config = config or agentx_config_for(source.path)
    hints = []
    for r in rows:
        if r.tier2 >= TIER2_HINT_MIN_ROTATIONS and r.tier2 >= TIER2_HINT_MIN_SHARE * r.total:
            where = config.path or "agentx.json"
            hints.append(
                f"{r.agent_id}: {r.tier2} of {r.total} rotations were tier-2, so tier 2 fires often. Lower "
                f"session.tierTwoThresholdTokens (now {config.tier2_threshold:,}) in {where} so its sessions "
                f"rotate well before the {pricing.TIER2_LIMIT:,}-token tier-2 billing limit.")
    warnings = list(config.warnings)
    bad = _rows(source, "agentx_unparseable_rotation_times", {})[0]
    if bad["rows"]:
        warnings.append(f"{bad['rows']:,} rotation(s) have a rotated_at in no known form "
                        f"(e.g. {bad['example']!r}) and are left out.")
    return RotationReport(rows, hints, warnings)


def rotations_csv(report: RotationReport) -> str:
    """The rotation table as CSV: agent, one column per reason, total."""
    return csv_text((r.as_json() for r in report.rows), ["agent_id", "stale", "tier-2", "max-turns", "other", "total"])


def tier2_rows(report: Tier2Report) -> list[dict[str, object]]:
    """The tier-2 hotspots as plain rows with raw numbers (the CLI's JSON agents, the CSV's rows)."""
    return [asdict(r) for r in report.rows]


def tier2_csv(report: Tier2Report) -> str:
    """The tier-2 hotspots as CSV with raw numbers, one row per agent."""
    return csv_text(tier2_rows(report), [f.name for f in fields(Tier2Row)])


# ---------------------------------------------------------------------------------------
# The kind.

WORDING = Wording("task", ".agentx/pricing/custom.json", pricing.custom_snippet,
                  "not by .agentx/pricing/custom.json", price_key="custom.json")

# Tables read through `agentx_raw_<table>` when the file has them, else `agentx_empty_<table>`
# (no rows), after the block `agentx_shapes`. Older agentx files lack task_traces and rotations.
OPTIONAL_TABLES = ("task_history", "task_traces", "rotations")
# Tables read through `agentx_raw_<table>` that are always there (they select this kind).
SHAPED_TABLES = ("usage_daily",)


class AgentxKind(SqliteKind):
    """agentx's `.agentx/db.sqlite`: a daily rollup (no row per request, so no initiator split),
    agents with their tasks, tier 2 and rotations. Its sessions are the Claude Code logs it ran."""

    name = "agentx"
    label = "agentx"
    # No CACHE_TOKENS: that one is about `requests` columns, which agentx has not (its own report and
    # the Agents page price and show usage_daily's cache tokens).
    capabilities = frozenset({Capability.DAILY_USAGE, Capability.AGENTS, Capability.TASKS, Capability.TIER2,
                              Capability.ROTATIONS, Capability.SESSIONS, Capability.AGENT})
    wording = WORDING
    tables = frozenset(SHAPED_TABLES)
    views_block = "agentx_views"
    macros_block = "define_agentx_priced_usage"
    compare_by = "agent"
    has_demo = True
    sessions_in_logs = True

    def create_views(self, con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
        con.execute(sql("agentx_shapes"))
        for table in SHAPED_TABLES:
            con.execute(sql(f"agentx_raw_{table}"))
        for table in OPTIONAL_TABLES:
            con.execute(sql(f"agentx_{'raw' if table in tables else 'empty'}_{table}"))
        con.execute(sql(self.views_block))

    def catalog(self, source: Source) -> Catalog:
        return agentx_catalog(source)

    def settings_path_for(self, source: Source, settings_path: Path | None) -> Path | None:
        """custom.json beside the database unless another file is named."""
        return settings_path if settings_path is not None else pricing.custom_prices_path(source.path.parent)

    def price_book(self, source: Source, catalog: Catalog, settings_path: Path | None, use_library: bool,
                   settings_reader: pricing.LastGoodSettings | None = None) -> PriceBook:
        """agentx prices: custom.json, then the library; Axiom's table plays no part and the
        long-running reader's last good settings.json does not apply."""
        custom = pricing.read_custom_prices(settings_path)
        return pricing.resolve_agentx_prices(((p, m) for p, m, _n in catalog.pairs), custom, use_library)

    def usage_report(self, source: Source, filters: Filters, prices: PriceBook,
                     catalog: Catalog | None = None) -> UsageReport:
        report = agentx_usage_report(source, filters, prices, catalog)
        return replace(report, breakdown=with_provenance(report.breakdown, prices))

    def totals(self, source: Source, filters: Filters, prices: PriceBook) -> Totals:
        return agentx_totals(source, filters.range, prices, filters.provider, filters.model).as_totals()

    def compare_keys(self, source: Source, rng: DateRange, prices: PriceBook) -> dict[str, tuple[float, int, int]]:
        """Compare's rows per agent: key -> (cost, input + output tokens, tasks)."""
        return {r.agent_id: (r.estimated_cost, r.input_tokens + r.output_tokens, r.tasks)
                for r in agent_rows(source, rng, prices)}

    def zone_warnings(self, rng: DateRange) -> list[str]:
        return zone_warning(rng)

    def price_file_hint(self, settings_path: Path | None) -> str:
        return f"{settings_path or '.agentx/pricing/custom.json'} (agentx's shape: input, output, " \
               f"cacheRead, cacheCreate per 1M tokens)"

    def session_log_prices(self, source: Source, settings_path: Path | None) -> Path | None:
        """custom.json: the named file, else the one beside the database."""
        return settings_path or pricing.custom_prices_path(Path(str(source.path)).parent)

    def demo_projects_dir(self) -> Path | None:
        return agentx_demo_paths()[1]

    def demo_paths(self) -> tuple[Path, Path | None]:
        """The agentx demo database; it is priced by the custom.json beside it (None here)."""
        return agentx_demo_paths()[0], None

    def no_data_message(self, source: Source, for_app: bool = False) -> str:
        how = ("set USAGE_DB to the .agentx/db.sqlite of the directory agentx runs in" if for_app else
               "point at its working directory with --cwd DIR (reads DIR/.agentx/db.sqlite) or at the file "
               "with --db PATH")
        return f"No data. No token usage yet: {source.path} has no rows in usage_daily. If agentx keeps its data " \
               f"elsewhere, {how}."

    # --- AGENTS, TASKS, TIER2, ROTATIONS (base.AgentQueries): what the Agents and Tier 2 pages and
    # their commands call through the kind, so that they import no kind's module.
    agent_rows = staticmethod(agent_rows)
    unpriced_in_range = staticmethod(unpriced_in_range)
    agents_csv = staticmethod(agents_csv)
    agent_tasks = staticmethod(agent_tasks)
    task_row = staticmethod(task_row)
    tasks_csv = staticmethod(tasks_csv)
    tier2_hotspots = staticmethod(tier2_hotspots)
    tier2_rows = staticmethod(tier2_rows)
    tier2_csv = staticmethod(tier2_csv)
    rotation_report = staticmethod(rotation_report)
    rotations_csv = staticmethod(rotations_csv)

    def tier2_config(self, source: Source) -> AgentxConfig:
        """agentx.json beside the database: the tier-2 threshold the Tier 2 page's cards share."""
        return agentx_config_for(source.path)

    def agent_day_costs(self, source: Source, rng: DateRange, prices: PriceBook, agent: str, *,
                        provider: str | None = None, model: str | None = None) -> list[tuple[date, float]]:
        """(UTC day, cost) of one agent from usage_daily, for budgets scoped to an agent."""
        params = range_params(rng, prices, provider=provider, model=model, agent=agent)
        return [(r["day"], float(r["estimated_cost"])) for r in _rows(source, "agentx_daily", params)]

    def database_in(self, cwd: Path) -> Path | None:
        """`<cwd>/.agentx/db.sqlite`: where agentx keeps its data in the directory it runs in (--cwd)."""
        return agentx_db_path(cwd)


KIND = AgentxKind()
