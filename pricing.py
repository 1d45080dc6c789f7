"""Model prices, and nothing else: where each model's USD-per-1M-token rates come from.

Axiom's sources, highest first:
1. `tokenPriceTable` in Axiom's settings.json (the user's own entries),
2. Axiom's built-in defaults (its page merges the user table over these, user entries win),
3. the `genai-prices` package's bundled data, for models neither knows (optional).
Because the first two are exactly Axiom's table, we never contradict a price Axiom knows;
the library only fills its blanks, and every price records its source so the page can say so.

agentx's sources, highest first: its override file `.agentx/pricing/custom.json`
(`{"<model>": {"input", "output", "cacheRead", "cacheCreate"}}`, USD per 1M tokens), then
the price library, then none. Unlike agentx itself we never match by family: an id that no
source knows exactly (or by the library's own per-version match rules) is unpriced and
listed, never charged at some other model's rates. Tier-2 tokens cost `TIER2_MULTIPLIER` ×
the same four rates.

A price is a schedule (`ModelPrice.schedule()`): rows of rates, each valid on a range of UTC
days and above a request's input size (cache tokens included). A library price carries the
library's own history and long-context tiers; any other price is one row, valid always
(custom.json prices on Claude Code logs add agentx's 1.5x tier 2). The SQL picks, per request,
the row of its day with the highest threshold its input exceeds.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

SETTINGS = "settings"
AXIOM_DEFAULT = "axiom-default"
PRICE_LIBRARY = "price-library"
AGENTX_CUSTOM = "agentx-custom"
SOURCE_LABELS = {
    SETTINGS: "settings.json tokenPriceTable",
    AXIOM_DEFAULT: "Axiom built-in default",
    PRICE_LIBRARY: "genai-prices library",
    AGENTX_CUSTOM: ".agentx/pricing/custom.json",
}
# Where a breakdown row's cost came from, as its `price_source` names it (queries.usage): the
# agent's stored cost, one of the sources above, or nothing at all.
STORED = "stored"
UNPRICED = "unpriced"
PROVENANCE_LABELS = {
    STORED: "stored cost",
    SETTINGS: "settings.json",
    AXIOM_DEFAULT: "Axiom default",
    AGENTX_CUSTOM: "custom.json",
    PRICE_LIBRARY: "genai-prices",
    UNPRICED: "unpriced",
}

# agentx (SCHEMAS.md part B): a tier-2 task's tokens are billed at 1.5 x the model's rates.
TIER2_MULTIPLIER = 1.5
TIER2_LIMIT = 200_000  # input + cache tokens of one request above which agentx bills TIER2_MULTIPLIER
AGENTX_TIER2 = "agentx tier 2 (1.5x)"  # the tier a custom.json price applies above TIER2_LIMIT

# Axiom's built-in tokenPriceTable (USD per 1M tokens), from its source as recorded in
# shared/reference/SCHEMAS.md, part A.
AXIOM_DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "claude-sonnet-4-20250514": (3.00, 15.00),
    "claude-3-5-sonnet-20241022": (3.00, 15.00),
    "claude-3-opus-20240229": (15.00, 75.00),
    "claude-3-haiku-20240307": (0.25, 1.25),
}


BASE_TIER = -1  # `Rate.above` of a base row: every request's input exceeds it
# Anthropic bills a 1-hour cache write at 2x the base input rate (a 5-minute one at 1.25x):
# https://platform.claude.com/docs/en/build-with-claude/prompt-caching#pricing. Used only where
# a price names no 1-hour rate (custom.json); genai-prices' Anthropic entries name their own.
ONE_HOUR_WRITE_MULTIPLIER = 2.0


@dataclass(frozen=True)
class Rate:
    """One row of a price schedule (USD per 1M tokens): valid on UTC days [valid_from,
    valid_until) (None = unbounded) for requests whose input tokens, cache included, exceed
    `above`; `tier` names a row above the base one ("" for the base row)."""

    valid_from: date | None
    valid_until: date | None
    above: int
    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None
    cache_write_1h: float | None = None
    tier: str = ""

    def complete(self) -> tuple[float, float, float, float, float]:
        """(input, output, cache read, 5-minute write, 1-hour write) with the documented fallbacks:
        a missing cache read or write rate is the input rate, a missing 1-hour write rate is
        `ONE_HOUR_WRITE_MULTIPLIER` x input."""
        return (self.input, self.output, self.input if self.cache_read is None else self.cache_read,
                self.input if self.cache_write is None else self.cache_write,
                self.input * ONE_HOUR_WRITE_MULTIPLIER if self.cache_write_1h is None else self.cache_write_1h)

    def scaled(self, factor: float, above: int, tier: str) -> Rate:
        """This row with every rate (fallbacks applied) times `factor`, above `above` tokens."""
        r_in, r_out, r_read, r_write, r_1h = self.complete()
        return Rate(self.valid_from, self.valid_until, above, r_in * factor, r_out * factor, r_read * factor,
                    r_write * factor, r_1h * factor, tier)


@dataclass(frozen=True)
class ModelPrice:
    """USD per 1M tokens for one model id, and where that price came from."""

    model: str
    input: float
    output: float
    source: str
    cache_read: float | None = None
    cache_write: float | None = None
    note: str = ""
    cache_write_1h: float | None = None
    rates: tuple[Rate, ...] = ()   # the full schedule (library prices); empty = one row from the fields above
    data_version: str = ""         # e.g. "genai-prices 0.2.3" for a library price

    def schedule(self) -> tuple[Rate, ...]:
        """Every rate row of this price: its own schedule, else one row valid always, at any size."""
        if self.rates:
            return self.rates
        return (Rate(None, None, BASE_TIER, self.input, self.output, self.cache_read, self.cache_write,
                     self.cache_write_1h),)

    def provenance(self) -> str:
        """Where this price came from, for a breakdown row: 'settings.json', 'Axiom default',
        'custom.json', or 'genai-prices 0.2.3' (the library's data version)."""
        label = PROVENANCE_LABELS.get(self.source, self.source)
        if self.source == PRICE_LIBRARY:
            label = self.data_version or library_data_version()
        return label


@dataclass
class SettingsPrices:
    """The user's tokenPriceTable as read from settings.json, with what was wrong in it.

    `prices` holds every entry with at least one usable rate; a rate that is not usable is 0.0,
    because that is what Axiom charges for it. `unusable` names the entries with no usable rate
    at all: Axiom charges nothing for those models, and their entry still replaces Axiom's
    built-in default for the same id.
    """

    prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unreadable: bool = False  # the file exists but its price table could not be read at all
    unusable: set[str] = field(default_factory=set)


@dataclass
class PriceBook:
    """Resolved prices for a set of models; `unpriced` are models no enabled source knows."""

    prices: dict[str, ModelPrice]
    unpriced: list[str]
    warnings: list[str]

    def lists(self) -> tuple[list[str], list[float], list[float]]:
        """Parallel (model ids, input rates, output rates) lists, as the SQL binds them."""
        models = sorted(self.prices)
        return (models, [self.prices[m].input for m in models], [self.prices[m].output for m in models])

    def rate_lists(self) -> tuple[list[str], list[float], list[float], list[float], list[float]]:
        """Parallel (model ids, input, output, cache read, cache write) lists for cache-aware SQL.

        A missing cache rate is the input rate: what a provider without prompt caching bills
        for those tokens (OpenAI has no cache-write charge, so its library entry has none).
        """
        models = sorted(self.prices)
        rows = [self.prices[m] for m in models]
        return (models, [p.input for p in rows], [p.output for p in rows],
                [p.input if p.cache_read is None else p.cache_read for p in rows],
                [p.input if p.cache_write is None else p.cache_write for p in rows])

    def dated_base_params(self) -> dict[str, list]:
        """The base rows of every schedule (no long-context tier: agentx's `usage_daily` applies
        its own 1.5x tier 2) as the bound lists of agentx's priced-usage macro: `price_model`,
        `price_from`, `price_until`, `price_input`, `price_output`, `price_cache_read`,
        `price_cache_write` (fallbacks applied), one row per period of a price's history."""
        keys = ("model", "from", "until", "input", "output", "cache_read", "cache_write")
        columns: dict[str, list] = {f"price_{k}": [] for k in keys}
        for model in sorted(self.prices):
            for rate in self.prices[model].schedule():
                if rate.above == BASE_TIER:
                    values = (model, rate.valid_from, rate.valid_until, *rate.complete()[:4])
                    for key, value in zip(keys, values):
                        columns[f"price_{key}"].append(value)
        return columns

    def schedule_params(self) -> dict[str, list]:
        """Every model's rate schedule as bound, parallel lists (`rate_model`, `rate_from`,
        `rate_until`, `rate_above`, `rate_upto`, `rate_input`, `rate_output`, `rate_cache_read`,
        `rate_cache_write`, `rate_cache_write_1h`, `rate_tier`), fallbacks applied, for SQL that
        prices each request by its day and its input size."""
        keys = ("model", "from", "until", "above", "upto", "input", "output", "cache_read", "cache_write",
                "cache_write_1h", "tier")
        columns: dict[str, list] = {f"rate_{k}": [] for k in keys}
        for model in sorted(self.prices):
            rows = self.prices[model].schedule()
            for rate in rows:
                # `upto`: the next threshold of the same period (None for the top row), so that
                # exactly one row matches a request: above < input tokens <= upto.
                period = (rate.valid_from, rate.valid_until)
                upto = min((r.above for r in rows if (r.valid_from, r.valid_until) == period and r.above > rate.above),
                           default=None)
                values = (model, rate.valid_from, rate.valid_until, rate.above, upto, *rate.complete(), rate.tier)
                for key, value in zip(keys, values):
                    columns[f"rate_{key}"].append(value)
        return columns


def _is_rate(value: object) -> bool:
    """A usable price: a finite, non-negative number (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and value >= 0
    except OverflowError:  # a JSON integer too large for a float (e.g. 1 followed by 400 zeros)
        return False


class _Missing:
    """`_read_json_object`'s answer for a file that does not exist (normal: nothing to say)."""


class _NotJson(ValueError):
    """A NaN / Infinity / -Infinity literal: Python's json accepts them, JavaScript's JSON.parse
    (which Axiom and agentx read these files with) refuses the whole file."""


def _refuse_constant(name: str) -> float:
    raise _NotJson(name)


def _read_json_object(path: Path, fallback: str) -> dict | _Missing | str:
    """A JSON file's top-level object; `_Missing` when there is no file; else the warning to show
    (ending in `fallback`, what is used instead). Never raises: these files are the user's."""
    try:
        if not path.exists():
            return _Missing()
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (OSError, UnicodeDecodeError) as exc:  # OSError also: a name longer than the file system allows
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        return f"Could not read {path.name} ({reason}); {fallback}."
    except json.JSONDecodeError as exc:
        return f"{path.name} is not valid JSON (line {exc.lineno}); {fallback}."
    except _NotJson as exc:
        return f"{path.name} is not valid JSON ({exc} is not a JSON value); {fallback}."
    except RecursionError:
        return f"{path.name} is nested too deeply to read; {fallback}."
    if not isinstance(data, dict):
        return f"{path.name} does not hold a JSON object; {fallback}."
    return data


def _json_object_for(result: SettingsPrices | CustomPrices, path: str | Path | None,
                     fallback: str) -> dict | None:
    """The JSON object at `path` for a prices reader; None when there is none to read (no path,
    no file: silently) or it is unreadable (the warning goes on `result`, marked unreadable)."""
    if path is None:
        return None
    data = _read_json_object(Path(path).expanduser(), fallback)
    if isinstance(data, _Missing):
        return None
    if isinstance(data, str):
        result.warnings.append(data)
        result.unreadable = True
        return None
    return data


# The largest |rate| we multiply by, USD per 1M tokens: costs are summed exactly as
# DECIMAL(38, 15) (queries/usage.sql), and a rate above this could overflow it. Axiom has no such
# bound; a price of a dollar per token is no price anyone means.
MAX_RATE = 1_000_000


def axiom_rate(entry: object, kind: str) -> float | None:
    """A tokenPriceTable entry's `input` or `output` rate as Axiom 0.24.2 reads it, or None when
    Axiom would not use it.

    usage-stats.ts `buildPriceCase` keeps a rate only when `typeof value === 'number' &&
    Number.isFinite(value)` (each kind on its own, `prices?.[kind]` on whatever the entry is), and
    charges 0 (`ELSE 0`) when it does not. So: a string, a bool, null, a missing key, a non-object
    entry or a number too big for a double (JSON.parse makes it Infinity) is not a rate; a
    negative number is one (Number.isFinite(-1) is true), and so is 0. Beyond Axiom: |rate| above
    `MAX_RATE` is refused (see there).
    """
    if not isinstance(entry, dict):
        return None
    value = entry.get(kind)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        rate = float(value)
    except OverflowError:  # a JSON integer too large for a double: Infinity in JavaScript
        return None
    if not math.isfinite(rate) or abs(rate) > MAX_RATE:
        return None
    return rate


def _js_object_entries(table: object) -> dict[str, object] | None:
    """The own entries JavaScript's spread `{...table}` copies (provider-config.ts
    `getConfiguredPriceTable`): an object's keys, an array's indexes as keys; None for anything
    else (a number, bool or null spreads to nothing; a string spreads to single characters, none
    of which can hold a price)."""
    if isinstance(table, dict):
        return {str(k): v for k, v in table.items()}
    if isinstance(table, list):
        return {str(i): v for i, v in enumerate(table)}
    return None


def read_settings_prices(path: str | Path | None) -> SettingsPrices:
    """Parse `tokenPriceTable` from settings.json as Axiom 0.24.2 does; anything odd becomes a
    warning, never an error.

    provider-config.ts `getConfiguredPriceTable` spreads the user's table over the built-in
    defaults, so an entry replaces the default for its model as a whole; usage-stats.ts
    `buildPriceCase` then checks input and output each on its own (`axiom_rate`). Hence
    `{"input": 1.5}` charges input at 1.5 and output at 0, and `"gpt-4o-mini": {"input": 0.3}`
    means 0.3 / 0, not the default 0.15 / 0.60. Extra keys are ignored. A file that JSON.parse
    would refuse (also NaN or Infinity literals, which Python alone accepts) means the defaults
    only, as Axiom's `catch` does. A missing file means the defaults only, and says nothing.
    """
    result = SettingsPrices()
    data = _json_object_for(result, path, "using default prices")
    if data is None:
        return result
    table = data.get("tokenPriceTable")
    if table is None:
        return result
    entries = _js_object_entries(table)
    if entries is None:
        result.warnings.append("tokenPriceTable in settings.json is not an object; using default prices.")
        result.unreadable = True
        return result
    for model, entry in entries.items():
        rates = {kind: axiom_rate(entry, kind) for kind in ("input", "output")}
        bad = [kind for kind, rate in rates.items() if rate is None]
        if len(bad) == 2:
            result.unusable.add(model)
            default = " and replaces Axiom's built-in price for it" if model in AXIOM_DEFAULT_PRICES else ""
            result.warnings.append(
                f"The tokenPriceTable entry for {model!r} has no usable input or output price (a finite number "
                f"per 1M tokens): Axiom charges nothing for it{default}.")
            continue
        if bad:
            result.warnings.append(
                f"The tokenPriceTable entry for {model!r} has no usable {bad[0]} price: those tokens cost 0, "
                f"as on Axiom's page.")
        negative = [kind for kind, rate in rates.items() if rate is not None and rate < 0]
        if negative:
            result.warnings.append(
                f"The tokenPriceTable entry for {model!r} has a negative {' and '.join(negative)} price: Axiom "
                f"subtracts those tokens' cost, and so do we.")
        result.prices[model] = (rates["input"] or 0.0, rates["output"] or 0.0)
    return result


class LastGoodSettings:
    """Reads settings.json on every Refresh, and keeps the last good price table when the file
    turns unreadable mid-run (an editor saving half a file), with a warning saying so."""

    def __init__(self) -> None:
        self._last_good: dict[str, SettingsPrices] = {}
        self._lock = threading.Lock()

    def read(self, path: str | Path | None) -> SettingsPrices:
        """The file's prices now, or the last good ones if it cannot be read now."""
        current = read_settings_prices(path)
        key = str(path)
        with self._lock:
            kept = self._last_good.get(key)
            if not current.unreadable:
                self._last_good[key] = current
                return current
        if kept is None:
            return current
        reason = current.warnings[0].replace("; using default prices.", "") if current.warnings else "unreadable"
        return SettingsPrices(dict(kept.prices), [f"{reason}; keeping the prices last read from it."],
                              unusable=set(kept.unusable))


def library_data_version() -> str:
    """The bundled price data's version, as provenance names it (the package ships its data)."""
    from genai_prices import __version__

    return f"genai-prices {__version__}"


def _library_periods(info: object) -> list[tuple[date | None, date | None]]:
    """The UTC day ranges over which the library's choice of price for `info` cannot change:
    split at every start date its conditional prices name (prices by date)."""
    from genai_prices.types import StartDateConstraint

    starts = sorted({c.constraint.start_date for c in (info.prices if isinstance(info.prices, list) else [])
                     if isinstance(c.constraint, StartDateConstraint)})
    bounds: list[date | None] = [None, *starts, None]
    return list(zip(bounds[:-1], bounds[1:]))


def _library_rates(info: object, valid_from: date | None, valid_until: date | None) -> list[Rate]:
    """The rate rows of one period: the base row and one per long-context tier threshold,
    each key at the price the library itself applies above that threshold."""
    from genai_prices.types import TieredPrices

    # Noon UTC of the period's first day: start-date constraints compare days, so any moment of
    # the period chooses the same price (DeepSeek's time-of-day discounts are not modelled).
    day = valid_from or (valid_until - timedelta(days=1) if valid_until else date(2000, 1, 1))
    prices = info.get_prices(datetime.combine(day, time(12), timezone.utc))
    keys = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok")
    values = [getattr(prices, k, None) for k in keys]
    thresholds = sorted({t.start for v in values if isinstance(v, TieredPrices) for t in v.tiers})

    def at(value: object, above: int) -> float | None:
        if value is None:
            return None
        if not isinstance(value, TieredPrices):
            return float(value)
        chosen = value.base  # the library's rule: the highest tier whose start the input exceeds
        for tier in value.tiers:
            if above >= tier.start:
                chosen = tier.price
        return float(chosen)

    rows = []
    for above in [BASE_TIER, *thresholds]:
        r_in, r_out, r_read, r_write, r_1h = (at(v, above) for v in values)
        if r_in is None or r_out is None:
            return []
        if r_1h is None:  # as the library bills a 1-hour write it has no rate for: a write, else input
            r_1h = r_in if r_write is None else r_write
        rows.append(Rate(valid_from, valid_until, above, r_in, r_out, r_read, r_write, r_1h,
                         "" if above == BASE_TIER else f"above {above:,} input tokens"))
    return rows


def library_price(model: str, provider: str | None = None, when: datetime | None = None) -> ModelPrice | None:
    """The `genai-prices` bundled price for `model`, or None if the library does not know it.

    The flat fields are the base rates in force at `when` (now by default), for display; the
    schedule (`rates`) holds every period of the library's price history and every
    long-context tier, so each request is priced by its own day and size. Works offline: the
    package only fetches updates when its updater is started, which we never do.
    """
    from genai_prices.data_snapshot import get_snapshot

    snapshot = get_snapshot()
    when = when or datetime.now(timezone.utc)
    # The provider id is a hint only: "openai-codex" resolves to openai, an unknown id does not
    # resolve at all, and then the model id alone decides.
    for provider_id in ([provider, None] if provider else [None]):
        try:
            _provider, info = snapshot.find_provider_model(model, None, provider_id, None)
        except LookupError:
            continue
        rates = tuple(r for start, until in _library_periods(info) for r in _library_rates(info, start, until))
        today = when.astimezone(timezone.utc).date() if when.tzinfo else when.date()
        now = [r for r in rates if (r.valid_from is None or r.valid_from <= today)
               and (r.valid_until is None or today < r.valid_until)]
        if not now:
            return None
        base = now[0]
        tiers = [r.tier for r in now if r.tier]
        note = f"matched {info.id}" + (f"; tiers {', '.join(tiers)}" if tiers else "")
        if len({(r.valid_from, r.valid_until) for r in rates}) > 1:
            note += "; priced by request date"
        return ModelPrice(model, base.input, base.output, PRICE_LIBRARY, cache_read=base.cache_read,
                          cache_write=base.cache_write, note=note, cache_write_1h=base.cache_write_1h, rates=rates,
                          data_version=library_data_version())
    return None


def _price_book(models: Iterable[tuple[str, str]], find: Callable[[str, str], ModelPrice | None],
                warnings: Iterable[str]) -> PriceBook:
    """Price every (provider, model) pair with `find` (the first of a source order that knows it);
    a model no source knows is unpriced. A model seen under two providers is priced if any of
    its pairs found a price."""
    prices: dict[str, ModelPrice] = {}
    unpriced: set[str] = set()
    for provider, model in sorted(set(models), key=lambda pm: (pm[1], pm[0])):
        if model in prices:
            continue
        found = find(provider, model)
        if found is None:
            unpriced.add(model)
        else:
            prices[model] = found
    return PriceBook(prices, sorted(unpriced - prices.keys()), list(warnings))


def resolve_prices(
    models: Iterable[tuple[str, str]],
    settings: SettingsPrices,
    use_library: bool = True,
) -> PriceBook:
    """Price every (provider, model) pair from the highest source that knows its exact id:
    settings.json's tokenPriceTable, Axiom's built-in defaults, then the library."""

    def find(provider: str, model: str) -> ModelPrice | None:
        if model in settings.prices:
            return ModelPrice(model, *settings.prices[model], SETTINGS)
        if model in AXIOM_DEFAULT_PRICES and model not in settings.unusable:
            return ModelPrice(model, *AXIOM_DEFAULT_PRICES[model], AXIOM_DEFAULT)
        return library_price(model, provider) if use_library else None

    return _price_book(models, find, settings.warnings)


def settings_snippet(models: Iterable[str]) -> str:
    """The tokenPriceTable JSON to paste into settings.json for unpriced models (rates to fill in)."""
    table = {model: {"input": 0.0, "output": 0.0} for model in models}
    return json.dumps({"tokenPriceTable": table}, indent=2)


# ---------------------------------------------------------------------------------------
# agentx: .agentx/pricing/custom.json, then the library, then unpriced.


@dataclass
class CustomPrices:
    """agentx's custom.json as read: model -> (input, output, cache read, cache write), with what was wrong."""

    prices: dict[str, tuple[float, float, float | None, float | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unreadable: bool = False


def custom_prices_path(agentx_dir: str | Path) -> Path:
    """Where agentx keeps its price overrides: `<cwd>/.agentx/pricing/custom.json`."""
    return Path(agentx_dir) / "pricing" / "custom.json"


def read_custom_prices(path: str | Path | None) -> CustomPrices:
    """Parse agentx's custom.json; anything wrong becomes a warning naming it, never an error.

    `input` and `output` are required; `cacheRead`/`cacheCreate` may be left out (those
    tokens are then charged at the input rate, see `PriceBook.rate_lists`). A missing file
    is normal (most installs have none) and says nothing.
    """
    result = CustomPrices()
    data = _json_object_for(result, path, "pricing from the price library only")
    if data is None:
        return result
    path = Path(path).expanduser()
    for model, entry in data.items():
        if not isinstance(entry, dict) or not (_is_rate(entry.get("input")) and _is_rate(entry.get("output"))):
            result.warnings.append(
                f"Skipped the {path.name} entry for {model!r}: input and output must be non-negative numbers.")
            continue
        cache: list[float | None] = []
        for key in ("cacheRead", "cacheCreate"):
            value = entry.get(key)
            if value is None:
                cache.append(None)
            elif _is_rate(value):
                cache.append(float(value))
            else:
                cache.append(None)
                result.warnings.append(
                    f"Ignored {key} of the {path.name} entry for {model!r}: not a non-negative number "
                    f"(those tokens are charged at its input rate).")
        result.prices[str(model)] = (float(entry["input"]), float(entry["output"]), cache[0], cache[1])
    return result


def resolve_agentx_prices(models: Iterable[tuple[str, str]], custom: CustomPrices,
                          use_library: bool = True) -> PriceBook:
    """Price every (provider, model) pair: custom.json, else the library, else unpriced.

    Axiom's settings.json and built-in defaults play no part: they are Axiom's, and the
    defaults are two-rate prices that would charge cache tokens wrongly.
    """

    def find(provider: str, model: str) -> ModelPrice | None:
        if model in custom.prices:
            rate_in, rate_out, cache_read, cache_write = custom.prices[model]
            base = Rate(None, None, BASE_TIER, rate_in, rate_out, cache_read, cache_write)
            return ModelPrice(model, rate_in, rate_out, AGENTX_CUSTOM, cache_read=cache_read, cache_write=cache_write,
                              rates=(base, base.scaled(TIER2_MULTIPLIER, TIER2_LIMIT, AGENTX_TIER2)))
        return library_price(model, provider if provider != "unknown" else None) if use_library else None

    return _price_book(models, find, custom.warnings)


def custom_snippet(models: Iterable[str]) -> str:
    """The custom.json entries to fill in for unpriced models (agentx's shape, rates to fill in)."""
    table = {model: {"input": 0.0, "output": 0.0, "cacheRead": 0.0, "cacheCreate": 0.0} for model in models}
    return json.dumps(table, indent=2)


def built_in_price_models() -> list[str]:
    """Models with a built-in default price (AXIOM_DEFAULT_PRICES, seed 000), sorted: what a chooser can
    offer beside the data's own models without a settings file (the What if card)."""
    return sorted(AXIOM_DEFAULT_PRICES)
