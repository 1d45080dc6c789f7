"""Budgets, forecasts, unusual days, alerts and what-if pricing (issue 14): know before the bill does.

An admin writes budgets in one TOML file (the `budgets` setting); each has a monthly USD amount,
an optional daily one, and a scope: the whole workspace, or (dimension, value) pairs over the
report's rows (provider, model, project, agent, key, team, and source once workspaces exist).
Everything here computes over the query layer's own daily costs (`usage_report`, or a named
block of budgets.sql for a dimension the report has no filter for), so a budget's spend is
the very figure the Token Usage page shows for the same filters. No Streamlit here.

The methods, stated once (the README repeats them):
- Month to date: the scope's cost from the 1st of the month through today (today so far).
- Forecast: the complete days so far, plus today at least the trailing mean, plus the mean of
  the `FORECAST_WINDOW_DAYS` complete days before today for each day left in the month. The
  band takes the cheapest and the dearest of those days instead of their mean.
- Unusual day: cost above k x the median of the `ANOMALY_WINDOW_DAYS` days before it (k: the
  `anomaly_k` setting); a day whose median is 0 has no baseline and is never flagged.
"""

from __future__ import annotations

import calendar
import json
import math
import statistics
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable, Mapping

import pricing
from queries.csv_out import csv_text
from queries.dates import DateRange, RangeError
from queries.settings import cache_dir
from queries.sources.base import Capability
from queries.usage import Filters, _rows, usage_report

# Seven days hold one of each weekday, so a forecast or a baseline is not skewed by where the
# weekend falls; it is also short enough to follow a change of habit within a week.
FORECAST_WINDOW_DAYS = 7
ANOMALY_WINDOW_DAYS = 7
DEFAULT_BUDGETS_FILE = Path(".streamlit/budgets.toml")
DIMENSIONS = ("source", "provider", "model", "agent", "project", "key", "team")
FILTER_DIMENSIONS = ("provider", "model")  # the report's own filters (queries.usage.Filters)

OK, FORECAST_OVER, OVER, UNAVAILABLE = "ok", "forecast over", "over", "unavailable"


class BudgetFileError(ValueError):
    """A budgets file that cannot be used at all (unreadable, not TOML); the message names the file."""


@dataclass(frozen=True)
class Budget:
    """One budget: a monthly USD amount, an optional daily one, and its scope ((dimension, value)
    pairs, all of which a row must match; empty = the whole workspace)."""

    name: str
    monthly_usd: float
    daily_usd: float | None = None
    scope: tuple[tuple[str, str], ...] = ()

    def scope_label(self) -> str:
        """'workspace', or 'model = gpt-4o, provider = openai'."""
        return ", ".join(f"{d} = {v}" for d, v in self.scope) or "workspace"

    def matches_filters(self, provider: str | None, model: str | None, source: str | None = None) -> bool:
        """Whether this budget's scope is exactly the page's source/provider/model filter state."""
        wanted = tuple(sorted((d, v) for d, v in (("source", source), ("provider", provider), ("model", model)) if v))
        return tuple(sorted(self.scope)) == wanted


@dataclass(frozen=True)
class BudgetFile:
    """The budgets read from a file, and what was wrong with the entries left out."""

    path: Path | None
    budgets: tuple[Budget, ...] = ()
    problems: tuple[str, ...] = ()


def budgets_path(configured: object) -> Path | None:
    """The budgets file: the `budgets` setting, else `.streamlit/budgets.toml` when it exists."""
    if configured:
        return Path(str(configured)).expanduser()
    return DEFAULT_BUDGETS_FILE if DEFAULT_BUDGETS_FILE.is_file() else None


def _usd(value: object) -> float | None:
    """A USD amount: a finite number above 0 (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and value > 0 else None


def _budget(name: str, entry: object, where: str) -> Budget | str:
    """One `[budgets.NAME]` table as a Budget, or the problem with it (naming file and entry)."""
    if not isinstance(entry, dict):
        return f"{where}: budgets.{name} is not a table; left out."
    unknown = sorted(set(entry) - {"monthly", "daily", "scope"})
    if unknown:
        return f"{where}: budgets.{name} has unknown key(s) {', '.join(unknown)} (monthly, daily, scope); left out."
    monthly = _usd(entry.get("monthly"))
    if monthly is None:
        return f"{where}: budgets.{name}.monthly must be a USD amount above 0; left out."
    daily = None
    if "daily" in entry:
        daily = _usd(entry["daily"])
        if daily is None:
            return f"{where}: budgets.{name}.daily must be a USD amount above 0; left out."
    scope = entry.get("scope", {})
    if not isinstance(scope, dict):
        return f"{where}: budgets.{name}.scope must be a table like {{ model = \"gpt-4o\" }}; left out."
    pairs = []
    for dimension, value in scope.items():
        if dimension not in DIMENSIONS:
            return (f"{where}: budgets.{name}.scope has unknown dimension {dimension!r} "
                    f"({', '.join(DIMENSIONS)}); left out.")
        if not isinstance(value, str) or not value:
            return f"{where}: budgets.{name}.scope.{dimension} must be a non-empty string; left out."
        pairs.append((dimension, value))
    return Budget(name, monthly, daily, tuple(pairs))


def parse_budgets(text: str, where: str = "budgets file") -> BudgetFile:
    """Budgets from TOML text: `[budgets.NAME]` tables with `monthly`, optional `daily` and `scope`.
    A bad entry is left out with a problem naming it; text that is not TOML raises BudgetFileError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BudgetFileError(f"{where} is not valid TOML ({exc}); no budgets are checked.") from None
    table = data.get("budgets", {})
    if not isinstance(table, dict):
        raise BudgetFileError(f"{where}: `budgets` must be a table of [budgets.NAME] entries; no budgets are checked.")
    budgets, problems = [], []
    for name, entry in table.items():
        parsed = _budget(name, entry, where)
        (problems if isinstance(parsed, str) else budgets).append(parsed)
    return BudgetFile(None, tuple(budgets), tuple(problems))


def read_budgets(path: Path | None) -> BudgetFile:
    """The budgets of `path` (None: no budgets). Never raises: an unusable file gives no budgets and
    one problem naming it, a bad entry is left out with a problem naming it; the app keeps running."""
    if path is None:
        return BudgetFile(None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        return BudgetFile(path, (), (f"Could not read the budgets file {path} ({reason}); no budgets are checked.",))
    try:
        parsed = parse_budgets(text, f"The budgets file {path}")
    except BudgetFileError as exc:
        return BudgetFile(path, (), (str(exc),))
    return BudgetFile(path, parsed.budgets, parsed.problems)


# ---------------------------------------------------------------------------------------
# Pure arithmetic over daily costs.

@dataclass(frozen=True)
class DayCost:
    """One calendar day's cost in USD."""

    day: date
    cost: float


@dataclass(frozen=True)
class Forecast:
    """The month's expected end spend and its band (see the module doc for the method)."""

    spent: float                # month to date, today so far included
    complete_days_spent: float  # the 1st .. yesterday
    today_spent: float
    trailing_mean: float
    trailing_low: float
    trailing_high: float
    days_left: int              # days of the month after today
    expected: float
    low: float
    high: float


def _exact_sum(values) -> float:
    """A sum of costs taken on their printed decimals, so $0.1 + $0.2 reads 0.3 (each cost is
    already an exact DECIMAL sum turned into a float once, queries/usage.sql)."""
    return float(sum((Decimal(str(v)) for v in values), Decimal(0)))


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of `day`'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def forecast_month(costs: Mapping[date, float], today: date, window: int = FORECAST_WINDOW_DAYS) -> Forecast:
    """Month-end spend from the days of `costs` (a day missing from it cost 0).

    expected = (1st .. yesterday) + max(today so far, mean) + mean x days left, where mean is
    the mean of the `window` complete days before today; low and high put the cheapest and the
    dearest of those days in place of the mean."""
    first, last = month_of(today)
    trailing = [costs.get(today - timedelta(days=n), 0.0) for n in range(1, window + 1)]
    mean, low, high = sum(trailing) / window, min(trailing), max(trailing)
    complete = _exact_sum(c for d, c in costs.items() if first <= d < today)
    today_spent = costs.get(today, 0.0)
    left = (last - today).days

    def at(per_day: float) -> float:
        return complete + max(today_spent, per_day) + per_day * left

    return Forecast(_exact_sum((complete, today_spent)), complete, today_spent, mean, low, high, left,
                    at(mean), at(low), at(high))


@dataclass(frozen=True)
class UnusualDay:
    """A day whose cost exceeds k x the median of the days before it; `ratio` = cost / median."""

    day: date
    cost: float
    median: float
    ratio: float

    def note(self) -> str:
        """What the chart's tooltip says: by how much the day broke its pattern."""
        return f"{self.ratio:.1f}x its {ANOMALY_WINDOW_DAYS}-day median (${self.median:,.2f})"


def unusual_days(costs: Mapping[date, float], days: list[date], k: float,
                 window: int = ANOMALY_WINDOW_DAYS) -> list[UnusualDay]:
    """The days of `days` whose cost is above k x the median of the `window` days before each
    (a day missing from `costs` cost 0). A zero median is no baseline: such a day is not flagged."""
    out = []
    for day in days:
        before = [costs.get(day - timedelta(days=n), 0.0) for n in range(1, window + 1)]
        median = statistics.median(before)
        cost = costs.get(day, 0.0)
        if median > 0 and cost > k * median:
            out.append(UnusualDay(day, cost, median, cost / median))
    return out


@dataclass(frozen=True)
class BudgetStatus:
    """One budget on one day: its spend, forecast and state (ok, forecast over, over, unavailable)."""

    budget: Budget
    today: date
    state: str
    forecast: Forecast | None = None
    reason: str = ""           # why unavailable, or what is over
    daily_over: bool = False

    @property
    def alerting(self) -> bool:
        """Over or forecast over: what makes `cli.py budget` exit 3."""
        return self.state in (OVER, FORECAST_OVER)

    def as_json(self) -> dict[str, object]:
        """The documented object of `cli.py budget --format json`."""
        b, f = self.budget, self.forecast
        return {
            "name": b.name, "scope": dict(b.scope), "monthly_usd": b.monthly_usd, "daily_usd": b.daily_usd,
            "state": self.state, "reason": self.reason, "as_of": self.today.isoformat(),
            "month_to_date": None if f is None else f.spent, "today": None if f is None else f.today_spent,
            "forecast": None if f is None else {"expected": f.expected, "low": f.low, "high": f.high,
                                                "days_left": f.days_left, "trailing_mean": f.trailing_mean},
            "daily_over": self.daily_over,
        }


def budget_status(budget: Budget, costs: Mapping[date, float], today: date) -> BudgetStatus:
    """Over when month to date exceeds the monthly amount or today exceeds the daily one; forecast
    over when the expected month end exceeds the monthly amount; else ok."""
    f = forecast_month(costs, today)
    daily_over = budget.daily_usd is not None and f.today_spent > budget.daily_usd
    reasons = []
    if f.spent > budget.monthly_usd:
        reasons.append(f"month to date ${f.spent:,.2f} is over ${budget.monthly_usd:,.2f}")
    if daily_over:
        reasons.append(f"today ${f.today_spent:,.2f} is over the daily ${budget.daily_usd:,.2f}")
    if reasons:
        return BudgetStatus(budget, today, OVER, f, "; ".join(reasons), daily_over)
    if f.expected > budget.monthly_usd:
        return BudgetStatus(budget, today, FORECAST_OVER, f,
                            f"forecast ${f.expected:,.2f} (${f.low:,.2f} .. ${f.high:,.2f}) is over "
                            f"${budget.monthly_usd:,.2f}")
    return BudgetStatus(budget, today, OK, f)


# ---------------------------------------------------------------------------------------
# Daily costs of a scope, from the query layer.

# A dimension the report has no filter for: (dataset, filters, value) -> daily costs, or the
# reason this data cannot tell. (`source` is not one: scope_daily_costs picks the workspace's source.)
ScopeResolver = Callable[[object, Filters, str], "list[DayCost] | str"]
SCOPE_RESOLVERS: dict[str, ScopeResolver] = {}


def _column_costs(dimension: str) -> ScopeResolver:
    """A resolver for a dimension that is a column of the canonical requests view (project; key and
    team on LiteLLM's, issue 13), served when the source's kind has the capability of that name."""

    def costs(dataset, filters: Filters, value: str) -> list[DayCost] | str:
        capability = Capability._value2member_map_.get(dimension)
        if capability is None or not dataset.source.can(capability):
            return f"this data has no {dimension} dimension"
        params = filters.params(dataset.prices) | {"from_day": filters.range.start, "until_day": filters.range.end,
                                                   "scope_dimension": dimension, "scope_value": value}
        return [DayCost(r["day"], float(r["cost"])) for r in _rows(dataset.source, "budget_daily_cost_by", params)]

    return costs


def _agent_costs(dataset, filters: Filters, value: str) -> list[DayCost] | str:
    if not dataset.source.can(Capability.AGENT):
        return "this data has no agent dimension"
    # The kind's own per-agent daily costs (a daily rollup has no `requests` column to filter on).
    days = dataset.source.kind.agent_day_costs(dataset.source, filters.range, dataset.prices, value,
                                               provider=filters.provider, model=filters.model)
    return [DayCost(day, cost) for day, cost in days]


SCOPE_RESOLVERS.update(project=_column_costs("project"), key=_column_costs("key"), team=_column_costs("team"),
                       agent=_agent_costs)


def _source_daily_costs(dataset, scope: tuple[tuple[str, str], ...], rng: DateRange) -> list[DayCost] | str:
    """One source's days in `scope` (no `source` pair): provider and model are the report's own
    filters; at most one other dimension, through `SCOPE_RESOLVERS`."""
    pairs = dict(scope)
    filters = Filters(rng, pairs.get("provider"), pairs.get("model"))
    others = [(d, v) for d, v in scope if d not in FILTER_DIMENSIONS]
    if not others:
        report = usage_report(dataset.source, filters, dataset.prices, dataset.catalog)
        return [DayCost(d.day, d.estimated_cost) for d in report.daily]
    if len(others) > 1:
        return f"a scope takes one of {', '.join(d for d in DIMENSIONS if d not in FILTER_DIMENSIONS)} at a time"
    dimension, value = others[0]
    resolver = SCOPE_RESOLVERS.get(dimension)
    if resolver is None:
        return f"this data has no {dimension} dimension"
    return resolver(dataset, filters, value)


def named_datasets(data) -> list[tuple[str, object]]:
    """A workspace's [(source name, Dataset)], or one Dataset as a workspace of one source named
    after its kind (issue 12: what USAGE_DB alone gives)."""
    if isinstance(data, (list, tuple)):
        return list(data)
    return [(data.source.kind.name, data)]


def scope_daily_costs(data, scope: tuple[tuple[str, str], ...], rng: DateRange) -> list[DayCost] | str:
    """Every day of `rng` with the cost of the rows in `scope`, or why this data cannot tell.

    `data` is one Dataset or a workspace's [(name, Dataset)]. `source` picks one of them; the
    other pairs apply inside each, and the days are summed over the sources that can tell (a
    dimension no source has, such as key on Axiom data, is unavailable: never a silent $0)."""
    pairs = dict(scope)
    if len(pairs) != len(scope):
        return "the scope names a dimension twice"
    sources = named_datasets(data)
    if "source" in pairs:
        sources = [(n, d) for n, d in sources if n == pairs["source"]]
        if not sources:
            return f"there is no source named {pairs['source']!r}"
    inner = tuple((d, v) for d, v in scope if d != "source")
    results = [_source_daily_costs(d, inner, rng) for _n, d in sources]
    served = [r for r in results if not isinstance(r, str)]
    if not served:
        return results[0]
    by_day: dict[date, list[float]] = {}
    for costs in served:
        for c in costs:
            by_day.setdefault(c.day, []).append(c.cost)
    return [DayCost(day, _exact_sum(values)) for day, values in sorted(by_day.items())]


def status_range(today: date, tz: str) -> DateRange:
    """The days a status needs: the month so far and the forecast window before today."""
    return DateRange(min(month_of(today)[0], today - timedelta(days=FORECAST_WINDOW_DAYS)), today, tz)


def evaluate(data, budgets: tuple[Budget, ...], today: date, tz: str) -> list[BudgetStatus]:
    """The status of every budget on `today` (in zone `tz`), over one Dataset or a workspace's
    [(name, Dataset)]."""
    rng = status_range(today, tz)
    out = []
    for budget in budgets:
        costs = scope_daily_costs(data, budget.scope, rng)
        if isinstance(costs, str):
            out.append(BudgetStatus(budget, today, UNAVAILABLE, reason=costs))
        else:
            out.append(budget_status(budget, {c.day: c.cost for c in costs}, today))
    return out


def with_baseline(rng: DateRange) -> DateRange:
    """`rng` with the days before it that the first day's unusual-day baseline needs."""
    try:
        return DateRange(rng.start - timedelta(days=ANOMALY_WINDOW_DAYS), rng.end, rng.tz)
    except (OverflowError, RangeError):
        return rng


# ---------------------------------------------------------------------------------------
# Alerts: a Slack-compatible webhook, not repeated within one period.

@dataclass(frozen=True)
class Alert:
    """One alert: the budget, what kind (monthly over / monthly forecast / daily over) and its period."""

    budget: str
    kind: str
    period: str    # 'YYYY-MM' for the monthly kinds, 'YYYY-MM-DD' for the daily one
    text: str

    @property
    def key(self) -> str:
        return f"{self.budget}|{self.kind}"


def alerts_for(status: BudgetStatus) -> list[Alert]:
    """The alerts one status raises: a monthly one (over, else forecast over) and a daily one."""
    out = []
    b, f, month = status.budget, status.forecast, status.today.strftime("%Y-%m")
    if f is None:
        return out
    label = f"Budget '{b.name}' ({b.scope_label()})"
    if f.spent > b.monthly_usd:
        out.append(Alert(b.name, "monthly over", month,
                         f"{label}: month to date ${f.spent:,.2f} is over its ${b.monthly_usd:,.2f} monthly budget."))
    elif f.expected > b.monthly_usd:
        out.append(Alert(b.name, "monthly forecast", month,
                         f"{label}: forecast to end {month} at ${f.expected:,.2f} (${f.low:,.2f} .. ${f.high:,.2f}), "
                         f"over its ${b.monthly_usd:,.2f} monthly budget; ${f.spent:,.2f} spent so far."))
    if status.daily_over:
        out.append(Alert(b.name, "daily over", status.today.isoformat(),
                         f"{label}: today ${f.today_spent:,.2f} is over its ${b.daily_usd:,.2f} daily budget."))
    return out


def default_state_path() -> Path:
    """Where sent alerts are remembered: the dashboard's cache dir (never the agent's database)."""
    return cache_dir() / "budget-alerts.json"


class AlertState:
    """Which alert was last sent for which period, in a small JSON file: {"<budget>|<kind>": period}.
    An unreadable file is an empty state (at worst one alert is sent again), with a warning."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warning: str | None = None
        self.sent: dict[str, str] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise ValueError("not an object of strings")
            self.sent = data
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            self.warning = f"The alert state {path} could not be read ({exc.__class__.__name__}); starting afresh."

    def is_new(self, alert: Alert) -> bool:
        return self.sent.get(alert.key) != alert.period

    def mark(self, alert: Alert) -> None:
        self.sent[alert.key] = alert.period

    def save(self) -> None:
        """Write atomically (a temp file renamed over the old one). A state that cannot be written is
        a warning (the alerts went out; they may go out again next run), never a crash."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.sent, indent=2, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            self.warning = (f"The alert state {self.path} could not be written ({exc.strerror or exc.__class__.__name__}); "
                            "the same alerts may be sent again on the next run.")


# A webhook answer worth trying again: the server is busy or broke for a moment.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Delivery:
    """How a webhook POST went: delivered or not, after how many attempts, and the last error."""

    delivered: bool
    attempts: int
    error: str = ""


def post_webhook(url: str, text: str, *, timeout: float = 10.0, retries: int = 3, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST `{"text": text}` (Slack's incoming-webhook shape) to `url`; a timeout, a connection
    error or a 408/425/429/5xx answer is tried again up to `retries` times, waiting backoff,
    2 x backoff, 4 x backoff... between attempts. Any other 4xx is final (the URL is wrong)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return Delivery(False, 0, "not an http(s) URL")
    body = json.dumps({"text": text}).encode("utf-8")
    error = ""
    for attempt in range(1, retries + 2):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
            return Delivery(True, attempt)
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if exc.code not in RETRY_STATUSES:
                return Delivery(False, attempt, error)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            error = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else str(reason)
        if attempt <= retries:
            sleep(backoff * 2 ** (attempt - 1))
    return Delivery(False, retries + 1, error)


def send_alerts(statuses: list[BudgetStatus], url: str, state: AlertState, **post_options) -> list[tuple[Alert, Delivery]]:
    """Post every new alert of `statuses` (one not yet sent in its period) and remember the ones
    delivered; a failed one is tried again on the next run."""
    sent = []
    for status in statuses:
        for alert in alerts_for(status):
            if not state.is_new(alert):
                continue
            delivery = post_webhook(url, alert.text, **post_options)
            if delivery.delivered:
                state.mark(alert)
            sent.append((alert, delivery))
    state.save()
    return sent


# ---------------------------------------------------------------------------------------
# What-if pricing.

def _minus(a: float, b: float) -> float:
    return float(Decimal(str(a)) - Decimal(str(b)))


@dataclass(frozen=True)
class WhatIfRow:
    """One (provider, model): its actual cost and its cost at the target price."""

    provider: str
    model: str
    requests: int
    actual_cost: float
    whatif_cost: float
    unpriced_requests: int = 0   # requests the target price has no rate for (counted as $0)

    @property
    def difference(self) -> float:
        """What-if minus actual, taken on the printed decimals (no float noise like -0.72361499999)."""
        return _minus(self.whatif_cost, self.actual_cost)


@dataclass(frozen=True)
class WhatIf:
    """The range priced as if at another model's (or another table's) prices, beside the actual cost."""

    target: str
    rows: list[WhatIfRow]
    actual_total: float
    whatif_total: float
    note: str = ""

    def csv(self) -> str:
        """Per model and a Total row, raw numbers, through the project's one CSV writer."""
        fields = ["provider", "model", "requests", "actual_cost", "whatif_cost", "difference", "unpriced_requests"]
        rows = [asdict(r) | {"difference": r.difference} for r in self.rows]
        rows.append({"provider": "Total", "model": self.target, "requests": sum(r.requests for r in self.rows),
                     "actual_cost": self.actual_total, "whatif_cost": self.whatif_total,
                     "difference": _minus(self.whatif_total, self.actual_total),
                     "unpriced_requests": sum(r.unpriced_requests for r in self.rows)})
        return csv_text(rows, fields)


def target_prices(model: str, provider: str | None, settings: pricing.SettingsPrices,
                  use_library: bool) -> pricing.PriceBook:
    """The price of `model` from the same chain the report uses (settings.json, Axiom's defaults,
    the library with its cache rates, history and long-context tiers)."""
    return pricing.resolve_prices([(provider or "", model)], settings, use_library)


def what_if(dataset, filters: Filters, target: pricing.PriceBook, target_model: str | None) -> WhatIf | str:
    """The filter state's requests priced by `target` (every request as `target_model`, or by its
    own model in another table when None), per (provider, model), beside the actual cost; or why
    this data cannot (no per-request rows)."""
    if not dataset.source.can(Capability.REQUESTS):
        return "What-if pricing needs per-request rows; this source keeps only a daily rollup."
    params = filters.params(dataset.prices) | {f"whatif_{k}": v for k, v in target.schedule_params().items()} | {
        "target_model": target_model}
    rows = [WhatIfRow(r["provider"], r["model"], int(r["requests"]), float(r["actual_cost"]),
                      float(r["whatif_cost"]), int(r["whatif_unpriced_requests"]))
            for r in _rows(dataset.source, "whatif_by_model", params)]
    actual = sum((Decimal(str(r.actual_cost)) for r in rows), Decimal(0))
    whatif = sum((Decimal(str(r.whatif_cost)) for r in rows), Decimal(0))
    label = target_model or "the other price table"
    note = ""
    if target_model and target_model not in target.prices:
        note = f"No price is known for {target_model}: every request reads $0 at its price."
    elif any(r.unpriced_requests for r in rows):
        note = "Some requests have no price in the target table: they count as $0 there."
    return WhatIf(label, rows, float(actual), float(whatif), note)
