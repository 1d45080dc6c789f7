"""The top row (today, last 7 and 30 days) and the two-range comparison, on any source.

Both are built from the same functions as the report, so the numbers agree with it: on
Axiom a "task" is a model request and rows are (provider, model) pairs; on agentx a task
is a usage_daily task and rows are agents. Tokens are input + output (cache tokens apart,
though priced). No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from queries.csv_out import csv_text
from queries.dates import DateRange
from queries.usage import Filters


@dataclass(frozen=True)
class Rollup:
    """One card of the top row: cost, tokens and tasks of a range, and the averages per task."""

    label: str
    range: DateRange
    estimated_cost: float
    tokens: int
    tasks: int
    unit: str  # "task" (agentx) or "request" (Axiom)

    @property
    def cost_per_task(self) -> float | None:
        return self.estimated_cost / self.tasks if self.tasks else None

    @property
    def tokens_per_task(self) -> float | None:
        return self.tokens / self.tasks if self.tasks else None


def _figures(dataset, rng: DateRange) -> tuple[float, int, int]:
    """(cost, input + output tokens, tasks or requests) of a range on the dataset's source."""
    t = dataset.source.kind.totals(dataset.source, Filters(rng), dataset.prices)
    return t.estimated_cost, t.total_tokens, t.requests


def top_row(dataset, today: date, tz: str = "UTC") -> list[Rollup]:
    """Today, the last 7 days and the last 30 days (today included), in zone `tz`."""
    unit = dataset.wording.unit
    cards = []
    for label, days in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        rng = DateRange(today - timedelta(days=days - 1), today, tz)
        cards.append(Rollup(label, rng, *_figures(dataset, rng), unit))
    return cards


# ---------------------------------------------------------------------------------------
# Compare two date ranges (seed 004).

@dataclass(frozen=True)
class Change:
    """One figure in range A and range B, its absolute change and its change in % of A."""

    name: str
    a: float
    b: float

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def pct(self) -> float | None:
        """(B - A) / A x 100; None when A is 0 (no percentage of nothing)."""
        return (self.b - self.a) / self.a * 100 if self.a else None

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "a": self.a, "b": self.b, "delta": self.delta, "pct": self.pct}


@dataclass(frozen=True)
class CompareRow:
    """One agent (agentx) or provider/model pair (Axiom) in both ranges."""

    key: str
    changes: tuple[Change, ...]

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, **{c.name: c.as_json() for c in self.changes}}


@dataclass(frozen=True)
class Comparison:
    """Two ranges side by side: headline figures and per-agent or per-model rows."""

    a: DateRange
    b: DateRange
    by: str  # "agent" or "model"
    kpis: tuple[Change, ...]
    rows: tuple[CompareRow, ...]

    def as_json(self) -> dict[str, object]:
        return {"a": {"from": self.a.start.isoformat(), "until": self.a.end.isoformat()},
                "b": {"from": self.b.start.isoformat(), "until": self.b.end.isoformat()},
                "by": self.by, "kpis": [k.as_json() for k in self.kpis], "rows": [r.as_json() for r in self.rows]}


def _per_key(dataset, rng: DateRange) -> dict[str, tuple[float, int, int]]:
    """key -> (cost, tokens, tasks) for every agent or model with activity in range (the kind's rows)."""
    return dataset.source.kind.compare_keys(dataset.source, rng, dataset.prices)


def compare(dataset, a: DateRange, b: DateRange) -> Comparison:
    """Range A against range B: cost, tokens, tasks and cost per task, overall and per row.

    Rows present in only one range show 0 in the other; they are ordered by B's cost, then A's.
    """
    unit = dataset.wording.units.lower()  # "tasks" (agentx) or "requests" (Axiom)
    fa, fb = _figures(dataset, a), _figures(dataset, b)
    kpis = (Change("estimated_cost", fa[0], fb[0]), Change("tokens", fa[1], fb[1]), Change(unit, fa[2], fb[2]),
            Change("cost_per_task", fa[0] / fa[2] if fa[2] else 0.0, fb[0] / fb[2] if fb[2] else 0.0))
    ra, rb = _per_key(dataset, a), _per_key(dataset, b)
    zero = (0.0, 0, 0)
    keys = sorted(set(ra) | set(rb), key=lambda k: (-rb.get(k, zero)[0], -ra.get(k, zero)[0], k))
    rows = tuple(CompareRow(k, (Change("estimated_cost", ra.get(k, zero)[0], rb.get(k, zero)[0]),
                                Change("tokens", ra.get(k, zero)[1], rb.get(k, zero)[1]),
                                Change(unit, ra.get(k, zero)[2], rb.get(k, zero)[2]))) for k in keys)
    return Comparison(a, b, dataset.source.kind.compare_by, kpis, rows)


def compare_rows(result: Comparison) -> list[dict[str, object]]:
    """The per-agent / per-model rows with raw numbers: key, then name_a, name_b, name_delta, name_pct per figure."""
    return [{"key": r.key, **{f"{c.name}_{side}": getattr(c, side) for c in r.changes
                              for side in ("a", "b", "delta", "pct")}} for r in result.rows]


def compare_csv(result: Comparison) -> str:
    """`compare_rows` as CSV (a header of the key column alone when neither range has activity)."""
    rows = compare_rows(result)
    return csv_text(rows, list(rows[0]) if rows else ["key"])
