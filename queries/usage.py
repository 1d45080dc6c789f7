"""The numbers of the Token Usage page and `cli.py report`, for one filter state.

Everything is aggregated in DuckDB by the named blocks of `usage.sql`; this module binds
the filter state and the resolved prices, and returns small typed results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pricing import PROVENANCE_LABELS, STORED, UNPRICED, ModelPrice, PriceBook
from queries.csv_out import csv_text
from queries.dates import DateRange
from queries.sql import bind

if TYPE_CHECKING:  # types only: queries.sources' kinds import this module
    from queries.sources.base import Source


# The dimension filters of a source that has them (LiteLLM: queries/sources/base.DIMENSION_FILTERS
# maps each to its capability): Filters' field names (also usage.sql's parameter names) and how
# people call them.
DIMENSION_LABELS = {"api_key": "key", "user_id": "user", "team": "team", "end_user": "end user", "tag": "tag"}
DIMENSION_FIELDS = tuple(DIMENSION_LABELS)


@dataclass(frozen=True)
class Filters:
    """One filter state: the date range (with its zone), optional provider and model, and the
    optional dimension filters (a key's alias, user, team, end user, tag) of sources that have them."""

    range: DateRange
    provider: str | None = None
    model: str | None = None
    source: str | None = None  # one named source of a workspace (queries/workspace.py); None: all of them
    api_key: str | None = None   # a key's alias (or 'key 1a2b3c4d…', never the whole hash)
    user_id: str | None = None
    team: str | None = None      # a team's alias, else its id
    end_user: str | None = None
    tag: str | None = None       # requests that carry this tag (among others)

    def dimensions(self) -> dict[str, str]:
        """The dimension filters that are set, by field name (empty: none)."""
        return {name: value for name in DIMENSION_FIELDS if (value := getattr(self, name))}

    def params(self, prices: PriceBook) -> dict[str, object]:
        """The bound parameters every filtered block takes."""
        start_utc, end_utc = self.range.utc_window()
        return {
            "start_utc": start_utc,
            "end_utc": end_utc,
            "tz": self.range.tz,
            "provider": self.provider or None,
            "model": self.model or None,
        } | {name: getattr(self, name) or None for name in DIMENSION_FIELDS} | (
            prices.schedule_params())  # each price's rows by day and prompt size (pricing.py)


@dataclass(frozen=True)
class Totals:
    """The KPI numbers of one filter state."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    estimated_cost: float = 0.0
    # Cache reads and writes (5-minute and 1-hour), counted in total_tokens; 0 for a source without
    # cache tokens, and then left out of the JSON (UsageReport.cache_tokens).
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class DailyRow:
    """One calendar day of the range (zero days included), with its initiator split."""

    day: date
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated_cost: float
    main_tokens: int
    task_tokens: int
    heartbeat_tokens: int
    cache_read_tokens: int = 0   # as in Totals
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class BreakdownRow:
    """One (provider, model) pair with activity in range; `cost_share` is None when total cost is 0.

    Provenance: `price_source` names where the row's cost came from ('stored cost', 'settings.json',
    'Axiom default', 'custom.json', 'genai-prices <version>[, <tier>]', joined by ' + ' when its
    requests differ, and 'unpriced' for requests with tokens and no price anywhere).
    `stored_requests` / `unpriced_requests` count those requests; `stored_cost` is what the agent
    stored for them, `recomputed_cost` what the row's price gives for the same requests (None
    without a price), and `stored_difference` their difference when it is above 1 % (else None).
    """

    provider: str
    model: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated_cost: float
    cost_share: float | None
    has_unpriced_rows: bool
    price_source: str = ""
    stored_requests: int = 0
    unpriced_requests: int = 0
    stored_cost: float = 0.0
    recomputed_cost: float | None = None
    stored_difference: float | None = None
    source: str = ""  # the workspace source the row comes from ("" in a single-source report)
    cache_read_tokens: int = 0   # as in Totals
    cache_write_tokens: int = 0

    @property
    def is_unpriced(self) -> bool:
        """No request of the row has a stored cost or a price: its cost reads 'unpriced', never a
        silent $0.00."""
        return self.price_source == PROVENANCE_LABELS[UNPRICED]


# Capability.CACHE_TOKENS by value (a StrEnum member equals its value): this module may not import
# queries.sources at run time (its kinds import this module).
CACHE_TOKENS = "cache_tokens"
CACHE_KEYS = ("cache_read_tokens", "cache_write_tokens")

# A stored cost and the price table's cost for the same requests that differ by more than this
# share of the latter are shown side by side (issue 10, item 8).
STORED_DIFFERENCE_SHARE = Decimal("0.01")


def _provenance(price: ModelPrice | None, requests: int, stored: int, unpriced: int, tiers: str | None = None) -> str:
    """The `price_source` of a breakdown row (see BreakdownRow); `tiers` names the price library's
    long-context tiers that priced some of its requests ('above 200,000 input tokens')."""
    parts = []
    if stored:
        parts.append(PROVENANCE_LABELS[STORED])
    if requests - stored - unpriced > 0 or (price is not None and not parts):
        label = price.provenance() if price is not None else PROVENANCE_LABELS[UNPRICED]
        parts.append(f"{label}, {tiers}" if tiers and price is not None else label)
    if unpriced and PROVENANCE_LABELS[UNPRICED] not in parts:
        parts.append(PROVENANCE_LABELS[UNPRICED])
    return " + ".join(parts) or PROVENANCE_LABELS[UNPRICED]


def _stored_difference(stored: Decimal, recomputed: Decimal | None) -> float | None:
    """stored - recomputed when both exist and differ by more than 1 % of the recomputed cost."""
    if recomputed is None or stored == 0:
        return None
    difference = stored - recomputed
    return float(difference) if abs(difference) > STORED_DIFFERENCE_SHARE * abs(recomputed) else None


def _shares(costs: list[Decimal]) -> list[float | None]:
    """Each cost's share of their sum as Axiom's page takes it (`cost / total` in doubles; no share
    when the total is 0, usage.vue costShareLabel)."""
    total = float(sum(costs, Decimal(0)))
    return [None if total == 0 else float(c) / total for c in costs]


@dataclass(frozen=True)
class Catalog:
    """What the data holds at all: every (provider, model) pair and its request count."""

    pairs: tuple[tuple[str, str, int], ...]
    unparseable_timestamps: int = 0
    unparseable_example: str | None = None

    @property
    def total_requests(self) -> int:
        """Requests ever recorded (0 means the "No token usage yet." state)."""
        return sum(n for _p, _m, n in self.pairs)

    def providers(self) -> list[str]:
        """Providers that have data, for the Provider filter."""
        return sorted({p for p, _m, _n in self.pairs})

    def models(self, provider: str | None = None) -> list[str]:
        """Models that exist in the data for `provider` (all providers when None)."""
        return sorted({m for p, m, _n in self.pairs if provider in (None, p)})


@dataclass(frozen=True)
class UsageReport:
    """Everything the page and the CLI show for one filter state."""

    filters: Filters
    totals: Totals
    previous_totals: Totals
    daily: list[DailyRow]
    breakdown: list[BreakdownRow]
    prices: list[ModelPrice]
    unpriced_models: list[str]
    warnings: list[str] = field(default_factory=list)
    # Set when the source cannot tell who initiated a request (agentx's usage_daily has no
    # channel): the split is then absent (empty `by_initiator`), never a wrong "all main".
    initiator_split_reason: str | None = None
    # A workspace of several sources: which sources the initiator split covers (queries/workspace.py).
    initiator_note: str | None = None
    # Whether a source of the report has cache tokens (Capability.CACHE_TOKENS): the cache columns
    # are shown and written to JSON only then, so other sources' output stays as it was.
    cache_tokens: bool = False

    @property
    def has_initiator_split(self) -> bool:
        """Whether any day has task-agent or heartbeat tokens (else the second chart is hidden)."""
        if self.initiator_split_reason:
            return False
        return any(d.task_tokens or d.heartbeat_tokens for d in self.daily)

    def as_json(self) -> dict[str, object]:
        """The documented JSON object of `cli.py report --format json` (scripts rely on its keys)."""
        rng = self.filters.range
        return {
            "range": {"from": rng.start.isoformat(), "until": rng.end.isoformat(), "days": rng.days, "tz": rng.tz},
            "filters": {"provider": self.filters.provider, "model": self.filters.model} | self.filters.dimensions(),
            "totals": self._without_cache(asdict(self.totals)),
            "daily": [
                self._without_cache({k: (v.isoformat() if k == "day" else v) for k, v in asdict(d).items()
                                     if k not in ("main_tokens", "task_tokens", "heartbeat_tokens")})
                for d in self.daily
            ],
            "by_initiator": [] if self.initiator_split_reason else [
                {"day": d.day.isoformat(), "main_tokens": d.main_tokens,
                 "task_tokens": d.task_tokens, "heartbeat_tokens": d.heartbeat_tokens}
                for d in self.daily
            ],
            "breakdown": [
                self._without_cache({k: v for k, v in asdict(b).items()
                                     if k != "has_unpriced_rows" and (k != "source" or v)})
                for b in self.breakdown
            ],
            "unpriced_models": self.unpriced_models,
            "prices": [
                {"model": p.model, "input": p.input, "output": p.output, "source": p.source} for p in self.prices
            ],
            "warnings": self.warnings,
        }

    def _without_cache(self, row: dict[str, object]) -> dict[str, object]:
        """`row` without its cache keys when no source of the report has cache tokens."""
        return row if self.cache_tokens else {k: v for k, v in row.items() if k not in CACHE_KEYS}

    def csv(self, table: str = "breakdown") -> str:
        """One table of `as_json()` (breakdown, daily or by_initiator) as CSV with raw numbers, for finance."""
        rows = self.as_json()[table]
        return csv_text(rows, list(rows[0])) if rows else ""


def _rows(source: Source, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    """Run named block `name` on a fresh cursor and return its rows as dicts."""
    cur = source.cursor()
    try:
        cur.execute(*bind(name, params))  # only the parameters the block names
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    finally:
        cur.close()


def _block(source: Source, name: str, filters: Filters) -> str:
    """`name`, or its equivalent over the hourly rollup when the source has one (a mirrored
    source), the range's day boundaries are whole UTC hours (so hours never straddle days) and no
    dimension filter is set (the rollup has no key, user, team, end user or tag: those read the rows)."""
    if getattr(source, "rollup", None) and filters.range.whole_utc_hours() and not filters.dimensions():
        return f"rollup_{name}"
    return name


def catalog(source: Source) -> Catalog:
    """Every (provider, model) pair ever recorded, and the count of unreadable timestamps (the
    source's kind reads them: from `requests`, or from its own tables)."""
    return source.kind.catalog(source)


def requests_catalog(source: Source) -> Catalog:
    """`catalog` of a REQUESTS source: read from its canonical `requests` view."""
    # mirror.sql's catalog blocks (no join, no scan of every row) on a mirror that has their tables
    mirrored = "rollup_" if getattr(source, "rollup", None) and getattr(source, "catalog_from_rollup", False) else ""
    pairs = tuple((r["provider"], r["model"], int(r["requests"])) for r in _rows(source, f"{mirrored}provider_models", {}))
    bad = _rows(source, f"{mirrored}unparseable_timestamps", {})[0]
    return Catalog(pairs, int(bad["rows"]), bad["example"])


def totals(source: Source, filters: Filters, prices: PriceBook) -> Totals:
    """The KPI totals of one filter state."""
    row = _rows(source, _block(source, "totals", filters), filters.params(prices))[0]
    return Totals(int(row["requests"]), int(row["prompt_tokens"]), int(row["completion_tokens"]),
                  int(row["total_tokens"]), float(row["estimated_cost"]), int(row["cache_read_tokens"]),
                  int(row["cache_write_tokens"]))


def daily(source: Source, filters: Filters, prices: PriceBook) -> list[DailyRow]:
    """Every day of the range, zero days included, with the initiator split."""
    params = filters.params(prices) | {"from_day": filters.range.start, "until_day": filters.range.end}
    return [
        DailyRow(r["day"], int(r["requests"]), int(r["prompt_tokens"]), int(r["completion_tokens"]),
                 int(r["total_tokens"]), float(r["estimated_cost"]), int(r["main_tokens"]),
                 int(r["task_tokens"]), int(r["heartbeat_tokens"]), int(r["cache_read_tokens"]),
                 int(r["cache_write_tokens"]))
        for r in _rows(source, _block(source, "daily", filters), params)
    ]


def breakdown(source: Source, filters: Filters, prices: PriceBook) -> list[BreakdownRow]:
    """The provider × model table, by cost then requests, each row with its share of cost and
    where its cost came from. Costs are exact sums (Decimal) until they become floats here."""
    rows = _rows(source, _block(source, "breakdown", filters), filters.params(prices))
    shares = _shares([r["estimated_cost"] for r in rows])
    out = []
    for r, share in zip(rows, shares):
        requests, stored, unpriced = int(r["requests"]), int(r["stored_requests"]), int(r["unpriced_requests"])
        recomputed = r["recomputed_cost"]
        out.append(BreakdownRow(
            r["provider"], r["model"], requests, int(r["prompt_tokens"]), int(r["completion_tokens"]),
            int(r["total_tokens"]), float(r["estimated_cost"]), share, bool(r["has_unpriced_rows"]),
            price_source=_provenance(prices.prices.get(r["model"]), requests, stored, unpriced, r.get("price_tiers")),
            stored_requests=stored, unpriced_requests=unpriced, stored_cost=float(r["stored_total"]),
            recomputed_cost=None if recomputed is None else float(recomputed),
            stored_difference=_stored_difference(r["stored_total"], recomputed),
            cache_read_tokens=int(r["cache_read_tokens"]), cache_write_tokens=int(r["cache_write_tokens"])))
    return out


def with_provenance(rows: list[BreakdownRow], prices: PriceBook) -> list[BreakdownRow]:
    """Rows of a source without stored costs (agentx's usage_daily), each with its `price_source`
    and its unpriced requests (all of the row's, when its model has no price)."""
    def unpriced(b: BreakdownRow) -> int:
        return b.requests if b.has_unpriced_rows and b.model not in prices.prices else 0

    return [replace(b, price_source=_provenance(prices.prices.get(b.model), b.requests, 0, unpriced(b)),
                    unpriced_requests=unpriced(b)) if not b.price_source else b for b in rows]


def usage_report(source: Source, filters: Filters, prices: PriceBook, cat: Catalog | None = None) -> UsageReport:
    """Everything for one filter state: totals (and the previous period's), days, breakdown, prices.

    The source's kind builds it: REQUESTS kinds with `requests_usage_report`, a kind with only a
    daily rollup (agentx) from that rollup, in the same shape.
    """
    return source.kind.usage_report(source, filters, prices, cat)


def requests_usage_report(source: Source, filters: Filters, prices: PriceBook,
                          cat: Catalog | None = None) -> UsageReport:
    """`usage_report` of a REQUESTS source: usage.sql's blocks over its canonical `requests` view."""
    rows = breakdown(source, filters, prices)
    models_in_range = sorted({b.model for b in rows})
    warnings = list(prices.warnings)
    if cat is not None and cat.unparseable_timestamps:
        warnings.append(
            f"{cat.unparseable_timestamps:,} row(s) have a timestamp in no known form "
            f"(e.g. {cat.unparseable_example!r}) and are left out."
        )
    previous = replace(filters, range=filters.range.previous())  # the same filters, dimensions included
    return UsageReport(
        filters=filters,
        totals=totals(source, filters, prices),
        previous_totals=totals(source, previous, prices),
        daily=daily(source, filters, prices),
        breakdown=rows,
        prices=[prices.prices[m] for m in models_in_range if m in prices.prices],
        unpriced_models=sorted({b.model for b in rows if b.has_unpriced_rows}),
        warnings=warnings,
        cache_tokens=source.kind.can(CACHE_TOKENS),
    )


# ---------------------------------------------------------------------------------------
# The per-project breakdown (Capability.PROJECT: Claude Code's project = the session's cwd).

NO_PROJECT = "(no project)"  # a request whose source gave no project


@dataclass(frozen=True)
class ProjectRow:
    """One project with activity in the filter state: tokens by kind (total_tokens counts them all,
    cache included), its cost (the same priced requests as the report's, so the rows sum to its
    total cost) and its share of the rows' cost (None when that is 0); `source` names the workspace
    source when the rows come from several."""

    project: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    total_tokens: int
    estimated_cost: float
    cost_share: float | None
    unpriced_requests: int = 0
    source: str = ""

    @property
    def is_unpriced(self) -> bool:
        """Every request of the project had tokens and no price: its cost reads 'unpriced'."""
        return self.requests > 0 and self.unpriced_requests == self.requests


PROJECT_FIELDS = ("project", "requests", "prompt_tokens", "completion_tokens", "cache_read_tokens",
                  "cache_write_tokens", "total_tokens", "estimated_cost", "cost_share")


@dataclass(frozen=True)
class ProjectReport:
    """The by-project table of one filter state (`cli.py report --by project`, Token Usage's card)
    over the sources that have projects (`sources`: their names, in workspace order)."""

    filters: Filters
    rows: list[ProjectRow]
    sources: list[str] = field(default_factory=list)

    @property
    def sourced(self) -> bool:
        """Whether the rows come from several sources (a Source column is shown)."""
        return any(r.source for r in self.rows)

    def as_json(self) -> dict[str, object]:
        """The documented JSON of `cli.py report --by project --format json`."""
        rng = self.filters.range
        fields = ("source",) * self.sourced + PROJECT_FIELDS
        return {
            "range": {"from": rng.start.isoformat(), "until": rng.end.isoformat(), "days": rng.days, "tz": rng.tz},
            "filters": {"provider": self.filters.provider, "model": self.filters.model},
            "sources": self.sources,
            "projects": [{k: getattr(r, k) for k in fields} for r in self.rows],
        }

    def csv(self) -> str:
        """The rows as CSV (raw numbers; every project text neutralised by the one CSV writer)."""
        fields = ("source",) * self.sourced + PROJECT_FIELDS
        return csv_text(self.as_json()["projects"], list(fields))


def project_breakdown(source: Source, filters: Filters, prices: PriceBook) -> list[ProjectRow]:
    """The projects of one filter state, by cost then requests (usage.sql `project_breakdown`, over
    the same `filtered_requests` as the report: per request, never the hourly rollup, which has no
    project). Each cost is an exact sum until it becomes a float here."""
    rows = _rows(source, "project_breakdown", filters.params(prices))
    shares = _shares([r["estimated_cost"] for r in rows])
    return [ProjectRow(NO_PROJECT if r["project"] is None else str(r["project"]), int(r["requests"]),
                       int(r["prompt_tokens"]), int(r["completion_tokens"]), int(r["cache_read_tokens"]),
                       int(r["cache_write_tokens"]), int(r["total_tokens"]), float(r["estimated_cost"]), share,
                       int(r["unpriced_requests"]))
            for r, share in zip(rows, shares)]
