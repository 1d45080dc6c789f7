"""Every setting of the dashboard in one declarative table, and how a value is chosen.

Each setting has a name, a default, a help text and the environment variable that sets it.
The CLI's flags win over the environment, the environment over the defaults. A malformed
value never stops anything: it falls back to the default with a warning that names it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from queries.dates import RangeError, zone_info
from queries.sources import demo_kinds, kind_names


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _seconds(text: str) -> int:
    value = int(text.strip())
    if value < 0:
        raise ValueError("expected 0 or more seconds")
    return value


def _zone(text: str) -> str:
    try:
        zone_info(text.strip())
    except RangeError as exc:
        raise ValueError(str(exc)) from None
    return text.strip()


def _demo(text: str) -> str:
    """A kind that brings demo data (the registry's, so a new kind with a demo is a choice here)."""
    value = text.strip().lower()
    names = [k.name for k in demo_kinds()]
    if value not in names:
        raise ValueError(f"expected {' or '.join(names)}")
    return value


def _text(text: str) -> str:
    return text.strip()


def _positive(text: str) -> int:
    value = int(text.strip())
    if value < 1:
        raise ValueError("expected 1 or more")
    return value


def _networks(text: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (10.0.0.0/8), each checked; kept as text."""
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    for item in items:
        ipaddress.ip_network(item, strict=False)  # ValueError names the bad entry
    return items


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help, environment variable and parser."""

    name: str
    default: object
    help: str
    env: str
    parse: Callable[[str], object] = _text


SETTINGS: tuple[Setting, ...] = (
    Setting("db", None, "Path of the agent's SQLite database. Unset: built-in demo data.", "USAGE_DB"),
    Setting("demo", demo_kinds()[0].name, "Which built-in demo data to show when no database is set: "
            f"{' or '.join(k.name for k in demo_kinds())}.", "USAGE_DEMO", _demo),
    Setting("settings", None, "Axiom settings.json holding tokenPriceTable. Unset: <DATA_DIR>/config/"
            "settings.json when the database sits at <DATA_DIR>/db/openagent.db.", "USAGE_SETTINGS"),
    Setting("source", None, f"Source kind to use ({', '.join(kind_names())}). Unset: detected from the path.",
            "USAGE_SOURCE"),
    Setting("tz", "UTC", "IANA time zone whose calendar days bucket the data.", "USAGE_TZ", _zone),
    Setting("price_library", True, "Price models Axiom does not know from the genai-prices package "
            "(false: exactly Axiom's page).", "USAGE_PRICE_LIBRARY", _bool),
    Setting("mirror", True, "Copy the rows into a DuckDB-native mirror once and append new ones on Refresh "
            "(false: query the attached SQLite file directly, slower on large databases).", "USAGE_MIRROR", _bool),
    Setting("auto_refresh_seconds", 0, "Re-read the database every N seconds for a wall screen (0: off).",
            "USAGE_AUTO_REFRESH_SECONDS", _seconds),
    Setting("projects", None, "Claude Code projects directory whose session logs the Sessions page reads. "
            "Unset: the Axiom database's own sessions; for agentx, ~/.claude/projects.", "CLAUDE_PROJECTS_DIR"),
    Setting("cache_ttl_seconds", 300, "How long the page reuses a filter state's numbers before "
            "re-reading (Refresh always re-reads; 0: no caching, every run re-reads).", "USAGE_CACHE_TTL_SECONDS", _seconds),
    Setting("trusted_proxies", (), "Addresses or networks of the reverse proxies whose X-Forwarded-For names "
            "the client for the login throttle (comma-separated; unset: the connection's own address).",
            "USAGE_TRUSTED_PROXIES", _networks),
    Setting("login_budget_per_minute", 30, "Wrong admin passwords the whole server checks per minute, over all "
            "clients; further tries wait without a hash being computed.", "USAGE_LOGIN_BUDGET_PER_MINUTE", _positive),
    Setting("login_lifetime_seconds", 43_200, "How long a browser stays signed in across reloads and tabs "
            "(a signed HttpOnly cookie; 0: sign in on every page load).", "USAGE_LOGIN_LIFETIME_SECONDS", _seconds),
)


@dataclass(frozen=True)
class Config:
    """Resolved settings, plus what was wrong with the given ones."""

    values: Mapping[str, object]
    warnings: tuple[str, ...] = field(default=())

    def __getattr__(self, name: str) -> object:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def resolve_config(env: Mapping[str, str], overrides: Mapping[str, object] | None = None) -> Config:
    """Settings from `overrides` (already typed, e.g. CLI flags; None means unset), then `env`, then defaults."""
    values: dict[str, object] = {}
    warnings: list[str] = []
    overrides = overrides or {}
    for setting in SETTINGS:
        if overrides.get(setting.name) is not None:
            values[setting.name] = overrides[setting.name]
            continue
        raw = env.get(setting.env)
        if raw is None or raw.strip() == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            warnings.append(f"{setting.env}={raw!r} is not valid ({exc}); using {setting.default!r}.")
            values[setting.name] = setting.default
    return Config(values, tuple(warnings))


def default_settings_path(db: Path) -> Path | None:
    """Axiom's layout: <DATA_DIR>/db/openagent.db keeps its settings at <DATA_DIR>/config/settings.json."""
    if db.parent.name == "db":
        return db.parent.parent / "config" / "settings.json"
    return None
