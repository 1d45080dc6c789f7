"""Test data in Axiom's exact schema, and a plain-Python oracle of Axiom's numbers.

Everything here is written from shared/reference/SCHEMAS.md (parts A, B and C), not from
the code under test: the DDL, the price table, the initiator partition, the cost rule and
the day rule; agentx's tables, tier-2 rule and rotation reasons; Claude Code's log lines.
Nothing in this module imports `queries`, `pricing` or `cli`. (Also a few helpers the
test modules share, kept here because `conftest` is not importable by name: tests/browser
has a conftest of its own.)
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent  # the repository

# Everything the dashboard reads from the environment, and the admin secrets of the app.
OWN_ENV_VARS = (
    "USAGE_DB", "USAGE_SETTINGS", "USAGE_SOURCE", "USAGE_TZ", "USAGE_PRICE_LIBRARY", "USAGE_MIRROR",
    "USAGE_AUTO_REFRESH_SECONDS", "USAGE_CACHE_TTL_SECONDS", "ADMIN_PASSWORD", "ADMIN_PASSWORD_HASH",
    "CLAUDE_PROJECTS_DIR", "USAGE_DEMO", "USAGE_SOURCES",
    "USAGE_TRUSTED_PROXIES", "USAGE_LOGIN_BUDGET_PER_MINUTE", "USAGE_LOGIN_LIFETIME_SECONDS",
    "USAGE_BUDGETS", "USAGE_ANOMALY_K", "USAGE_BUDGET_WEBHOOK",
    "USAGE_CACHE_DIR",
)


def run_cli_subprocess(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python cli.py ...` from the repository root, as a user would (with this test's environment)."""
    return subprocess.run([sys.executable, "cli.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env=env if env is not None else dict(os.environ), timeout=120)


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -c code` from the repository root."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env=env if env is not None else dict(os.environ), timeout=120)


# ---------------------------------------------------------------------------------------
# Axiom's schema, from SCHEMAS.md part A.

AXIOM_DDL = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER,
    source TEXT NOT NULL DEFAULT 'web',
    type TEXT NOT NULL DEFAULT 'interactive',
    parent_session_id TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    message_count INTEGER,
    summary_written INTEGER,
    last_activity TEXT,
    session_user TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    prompt TEXT NOT NULL,
    status TEXT,
    trigger_type TEXT,
    trigger_source_id TEXT,
    provider TEXT,
    model TEXT,
    is_default_model INTEGER,
    max_duration_minutes INTEGER,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    estimated_cost REAL,
    tool_call_count INTEGER,
    result_summary TEXT,
    result_status TEXT,
    error_message TEXT,
    created_at TEXT,
    started_at TEXT,
    completed_at TEXT,
    session_id TEXT
);
CREATE TABLE token_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL DEFAULT (datetime('now')),
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    estimated_cost REAL NOT NULL DEFAULT 0.0,
    session_id TEXT
);
CREATE INDEX idx_token_usage_timestamp ON token_usage(timestamp);
CREATE INDEX idx_token_usage_provider ON token_usage(provider);
"""

# The same token_usage without NOT NULL, to hold the NULL tokens and costs a damaged or
# hand-edited database can carry.
LOOSE_TOKEN_USAGE_DDL = """
CREATE TABLE token_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT,
    provider TEXT,
    model TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    estimated_cost REAL,
    session_id TEXT
);
"""

# Axiom's built-in tokenPriceTable (SCHEMAS.md), USD per 1M tokens.
AXIOM_DEFAULTS: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4-turbo": (10.0, 30.0),
    "gpt-3.5-turbo": (0.50, 1.50),
    "claude-sonnet-4-20250514": (3.0, 15.0),
    "claude-3-5-sonnet-20241022": (3.0, 15.0),
    "claude-3-opus-20240229": (15.0, 75.0),
    "claude-3-haiku-20240307": (0.25, 1.25),
}

SESSION_TYPES = ("interactive", "task", "heartbeat", "consolidation", "loop_detection")
TASK_TYPES = ("task", "consolidation", "loop_detection")


@dataclass
class Usage:
    """One token_usage row as inserted (values may be deliberately odd)."""

    timestamp: object
    provider: object = "anthropic"
    model: object = "claude-sonnet-4-20250514"
    prompt_tokens: object = 0
    completion_tokens: object = 0
    estimated_cost: object = 0.0
    session_id: object = None


@dataclass
class AxiomDB:
    """A SQLite file in Axiom's schema that tests fill row by row (each call commits and closes)."""

    path: Path
    loose: bool = False

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        try:
            ddl = AXIOM_DDL
            if self.loose:
                start = ddl.index("CREATE TABLE token_usage")
                end = ddl.index("CREATE INDEX")
                ddl = ddl[:start] + LOOSE_TOKEN_USAGE_DDL + ddl[end:]
            con.executescript(ddl)
            con.commit()
        finally:
            con.close()

    def _run(self, statement: str, rows: Iterable[tuple]) -> None:
        con = sqlite3.connect(self.path)
        try:
            con.executemany(statement, list(rows))
            con.commit()
        finally:
            con.close()

    def session(self, id: str, type: str = "interactive", source: str = "web",
                started_at: str = "2026-03-01 00:00:00") -> str:
        self._run("INSERT INTO sessions (id, user_id, source, type, started_at) VALUES (?, 1, ?, ?, ?)",
                  [(id, source, type, started_at)])
        return id

    def task(self, id: str, session_id: str | None, trigger_type: str = "user") -> str:
        self._run("INSERT INTO tasks (id, name, prompt, status, trigger_type, session_id) "
                  "VALUES (?, ?, 'do it', 'completed', ?, ?)", [(id, f"task {id}", trigger_type, session_id)])
        return id

    def usage(self, timestamp: object, provider: object = "anthropic", model: object = "claude-sonnet-4-20250514",
              prompt: object = 0, completion: object = 0, cost: object = 0.0, session_id: object = None) -> Usage:
        row = Usage(timestamp, provider, model, prompt, completion, cost, session_id)
        self.usages([row])
        return row

    def usages(self, rows: Iterable[Usage]) -> None:
        self._run("INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens, "
                  "estimated_cost, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  [(r.timestamp, r.provider, r.model, r.prompt_tokens, r.completion_tokens, r.estimated_cost,
                    r.session_id) for r in rows])

    def sessions_rows(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(id, type, source) tuples."""
        self._run("INSERT INTO sessions (id, user_id, source, type, started_at) "
                  "VALUES (?, 1, ?, ?, '2026-01-01 00:00:00')", [(i, s, t) for i, t, s in rows])

    def tasks_rows(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        """(id, session_id, trigger_type) tuples."""
        self._run("INSERT INTO tasks (id, name, prompt, status, trigger_type, session_id) "
                  "VALUES (?, 'n', 'p', 'completed', ?, ?)", [(i, t, s) for i, s, t in rows])

    def read(self) -> tuple[list[Usage], dict[str, str]]:
        return read_axiom(self.path)


def wal_axiom_db(directory: Path) -> AxiomDB:
    """An Axiom database in WAL mode, closed cleanly (so no -wal or -shm file is left beside it)."""
    db = AxiomDB(directory / "openagent.db")
    db.usage("2026-03-10 10:00:00", provider="anthropic", model="claude-sonnet-4-20250514", prompt=10, completion=1)
    con = sqlite3.connect(db.path)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    assert not Path(f"{db.path}-shm").exists()
    return db


def read_axiom(path: Path) -> tuple[list[Usage], dict[str, str]]:
    """What the oracle reads: the token_usage rows and each session's type, straight from the file with sqlite3."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        usage = [Usage(*r) for r in con.execute(
            "SELECT timestamp, provider, model, prompt_tokens, completion_tokens, estimated_cost, session_id "
            "FROM token_usage ORDER BY id")]
        sessions = dict(con.execute("SELECT id, type FROM sessions"))
    finally:
        con.close()
    return usage, sessions


# ---------------------------------------------------------------------------------------
# Timestamps in Axiom's two forms.

def sqlite_form(moment: datetime) -> str:
    """SQLite's datetime('now'): 'YYYY-MM-DD HH:MM:SS' (UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def iso_form(moment: datetime) -> str:
    """JavaScript's toISOString(): 'YYYY-MM-DDTHH:MM:SS.mmmZ'."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


BAD_TIMESTAMPS = ("not a time", "", "20/03/2026 10:00:00", "2026-02-30 10:00:00", "yesterday", "1773999600")

# ---------------------------------------------------------------------------------------
# A seeded generator of Axiom rows.

# (provider, model): priced by defaults, by the test's settings.json, by the library only, or by nothing.
RANDOM_MODELS = [
    ("anthropic", "claude-sonnet-4-20250514"),   # Axiom default
    ("anthropic", "claude-opus-4-7"),            # settings.json only (and the library)
    ("openai", "gpt-4o"),                        # Axiom default, overridden by settings.json
    ("openrouter", "gpt-4o"),                    # same model id under a second provider
    ("openai", "gpt-4o-mini"),                   # Axiom default
    ("openai", "gpt-4o-2024-08-06"),             # not an exact id of any table entry
    ("openai-codex", "gpt-5.4"),                 # the price library only
    ("ollama", "llama3.1:8b-local"),             # unpriced everywhere
]
RANDOM_SETTINGS = {
    "theme": "dark",
    "tokenPriceTable": {
        "claude-opus-4-7": {"input": 5.0, "output": 25.0},
        "gpt-4o": {"input": 2.0, "output": 8.0},
        "broken-entry": {"input": "3", "output": 1},
    },
}


@dataclass
class RandomAxiom:
    sessions: list[tuple[str, str, str]] = field(default_factory=list)     # (id, type, source)
    tasks: list[tuple[str, str | None, str]] = field(default_factory=list)  # (id, session_id, trigger_type)
    usage: list[Usage] = field(default_factory=list)

    def write(self, db: AxiomDB) -> AxiomDB:
        db.sessions_rows(self.sessions)
        db.tasks_rows(self.tasks)
        db.usages(self.usage)
        return db


def random_axiom(seed: int, n_rows: int = 2000, first_day: date = date(2026, 3, 1), days: int = 30) -> RandomAxiom:
    """Seeded Axiom rows: mixed timestamp forms (a few in no form), NULL, orphaned and empty
    session ids, every session type, stored costs sometimes > 0 (and a few negative), several
    providers and models including unpriced ones, and rows a little outside the day span."""
    rng = random.Random(seed)
    data = RandomAxiom()
    sources = {"interactive": ["web", "rest", "telegram", "telegram-group"], "task": ["task"],
               "consolidation": ["task"], "loop_detection": ["task"], "heartbeat": ["task", "web"]}
    triggers = {"task": ["user", "agent", "cronjob"], "consolidation": ["consolidation"],
                "loop_detection": ["agent"], "heartbeat": ["heartbeat"]}
    for i in range(60):
        stype = SESSION_TYPES[i % len(SESSION_TYPES)] if i < 10 else rng.choice(SESSION_TYPES)
        sid = f"s{i}"
        data.sessions.append((sid, stype, rng.choice(sources[stype])))
        if stype in triggers and rng.random() < 0.8:
            data.tasks.append((f"t{i}", sid, rng.choice(triggers[stype])))
    # A task without a session and one whose session does not exist: harmless noise.
    data.tasks.append(("t-none", None, "user"))
    data.tasks.append(("t-gone", "no-such-session", "cronjob"))
    session_ids = [s[0] for s in data.sessions]
    base = datetime(first_day.year, first_day.month, first_day.day)
    span = timedelta(days=days + 4).total_seconds()
    for _ in range(n_rows):
        moment = base - timedelta(days=2) + timedelta(seconds=rng.uniform(0, span))
        moment = moment.replace(microsecond=rng.randrange(0, 1000) * 1000)
        roll = rng.random()
        if roll < 0.03:
            stamp = rng.choice(BAD_TIMESTAMPS)
        elif roll < 0.40:
            stamp = iso_form(moment)
        else:
            stamp = sqlite_form(moment)
        provider, model = rng.choice(RANDOM_MODELS)
        roll = rng.random()
        if roll < 0.10:
            session_id = None
        elif roll < 0.18:
            session_id = f"orphan-{rng.randrange(1000)}"
        elif roll < 0.20:
            session_id = ""
        else:
            session_id = rng.choice(session_ids)
        prompt = rng.choice([0, rng.randrange(1, 200), rng.randrange(1, 60_000)])
        completion = rng.choice([0, rng.randrange(1, 50), rng.randrange(1, 8_000)])
        roll = rng.random()
        if roll < 0.25:
            cost = round(rng.uniform(0.0001, 0.5), 6)
        elif roll < 0.28:
            cost = -round(rng.uniform(0.0001, 0.5), 6)
        else:
            cost = 0.0
        data.usage.append(Usage(stamp, provider, model, prompt, completion, cost, session_id))
    return data


# ---------------------------------------------------------------------------------------
# The oracle: SCHEMAS.md's rules in plain Python.

def parse_timestamp(text: object) -> datetime | None:
    """A naive UTC datetime from either of Axiom's two forms, else None."""
    if not isinstance(text, str):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    return None


def initiator_of(session_id: object, session_types: dict[str, str]) -> str:
    kind = session_types.get(session_id) if isinstance(session_id, str) else None
    if kind == "heartbeat":
        return "heartbeat"
    if kind in TASK_TYPES:
        return "task"
    return "main"


def as_tokens(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_cost(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def axiom_rate_oracle(entry: object, kind: str) -> float | None:
    """One rate as Axiom's buildPriceCase keeps it (`typeof v === 'number' && Number.isFinite(v)`),
    with the dashboard's documented bound of 1e6 USD per 1M tokens; None when it is not kept."""
    value = entry.get(kind) if isinstance(entry, dict) else None
    if type(value) not in (int, float):
        return None
    try:
        rate = float(value)
    except OverflowError:
        return None
    return rate if math.isfinite(rate) and -1e6 <= rate <= 1e6 else None


def axiom_price_table(settings: dict | None) -> dict[str, tuple[float, float]]:
    """Axiom's table: the user's entries spread over the defaults (an entry replaces its model's
    default as a whole), each rate kept on its own, a rate not kept charging 0. An entry with no
    rate kept at all charges nothing; it is left out (and its default with it), so it counts as
    unpriced."""
    table = dict(AXIOM_DEFAULTS)
    user = (settings or {}).get("tokenPriceTable")
    entries = user if isinstance(user, dict) else dict(enumerate(user)) if isinstance(user, list) else {}
    for model, entry in entries.items():
        rates = [axiom_rate_oracle(entry, k) for k in ("input", "output")]
        table.pop(str(model), None)
        if rates != [None, None]:
            table[str(model)] = (rates[0] or 0.0, rates[1] or 0.0)
    return table


def row_cost(row: Usage, prices: dict[str, tuple[float, float]]) -> float:
    stored = as_cost(row.estimated_cost)
    if stored > 0:
        return stored
    if row.model in prices:
        rate_in, rate_out = prices[row.model]
        return (as_tokens(row.prompt_tokens) * rate_in + as_tokens(row.completion_tokens) * rate_out) / 1e6
    return 0.0


def exact_usd(value: float) -> Decimal:
    """A stored cost as the dashboard counts it exactly: the decimal the double prints as
    (shortest form), to 1e-12 USD (README, "Prices"; the test data's costs have at most 6
    decimals, where every reading of "to 1e-12" agrees)."""
    return Decimal(repr(float(value))).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def exact_rate(value: float) -> Decimal:
    """A rate (USD per 1M tokens) as the dashboard counts it: its printed decimal, to 1e-9."""
    return Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)


def row_cost_exact(row: Usage, prices: dict[str, tuple[float, float]]) -> Decimal:
    """`row_cost` in exact decimals: stored cost above 0, else tokens x rate / 1e6, else 0."""
    stored = as_cost(row.estimated_cost)
    if stored > 0:
        return exact_usd(stored)
    if row.model in prices:
        rate_in, rate_out = prices[row.model]
        with localcontext() as ctx:
            ctx.prec = 80
            return (as_tokens(row.prompt_tokens) * exact_rate(rate_in)
                    + as_tokens(row.completion_tokens) * exact_rate(rate_out)) / 10 ** 6
    return Decimal(0)


def oracle_report(rows: list[Usage], session_types: dict[str, str], prices: dict[str, tuple[float, float]],
                  start: date, end: date, tz: str = "UTC", provider: str | None = None,
                  model: str | None = None, exact: bool = False) -> dict:
    """totals, daily, by_initiator, breakdown (unordered) and unpriced_models, as the CLI's JSON names them.

    With `exact`, every estimated_cost is a Decimal: the exact sum of the rows' exact costs
    (`row_cost_exact`), summed with no rounding at all."""
    zone = ZoneInfo(tz)
    n_days = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(n_days)]
    zero = Decimal(0) if exact else 0.0
    cost_of = row_cost_exact if exact else row_cost
    daily = {d: dict(day=d.isoformat(), requests=0, prompt_tokens=0, completion_tokens=0, total_tokens=0,
                     estimated_cost=zero) for d in days}
    split = {d: dict(day=d.isoformat(), main_tokens=0, task_tokens=0, heartbeat_tokens=0) for d in days}
    groups: dict[tuple[str, str], dict] = {}
    unpriced: set[str] = set()
    for row in rows:
        moment = parse_timestamp(row.timestamp)
        if moment is None:
            continue
        day = moment.replace(tzinfo=timezone.utc).astimezone(zone).date()
        if not start <= day <= end:
            continue
        if provider is not None and row.provider != provider:
            continue
        if model is not None and row.model != model:
            continue
        p, c = as_tokens(row.prompt_tokens), as_tokens(row.completion_tokens)
        cost = cost_of(row, prices)
        bucket = daily[day]
        bucket["requests"] += 1
        bucket["prompt_tokens"] += p
        bucket["completion_tokens"] += c
        bucket["total_tokens"] += p + c
        bucket["estimated_cost"] += cost
        split[day][f"{initiator_of(row.session_id, session_types)}_tokens"] += p + c
        g = groups.setdefault((row.provider, row.model), dict(
            provider=row.provider, model=row.model, requests=0, prompt_tokens=0, completion_tokens=0,
            total_tokens=0, estimated_cost=zero))
        g["requests"] += 1
        g["prompt_tokens"] += p
        g["completion_tokens"] += c
        g["total_tokens"] += p + c
        g["estimated_cost"] += cost
        if as_cost(row.estimated_cost) <= 0 and row.model not in prices and p + c > 0:
            unpriced.add(row.model)
    total_cost = sum((g["estimated_cost"] for g in groups.values()), zero)
    for g in groups.values():
        g["cost_share"] = float(g["estimated_cost"]) / float(total_cost) if total_cost > 0 else None
    totals = dict(requests=0, prompt_tokens=0, completion_tokens=0, total_tokens=0, estimated_cost=zero)
    for d in daily.values():
        for key in totals:
            totals[key] += d[key]
    return dict(totals=totals, daily=[daily[d] for d in days], by_initiator=[split[d] for d in days],
                breakdown=list(groups.values()), unpriced_models=sorted(unpriced))


class WriteLockHolder:
    """Another process holding SQLite's write lock on a database, as the agent does while it commits.

    SQLite's locks are POSIX advisory locks, which never conflict inside one process, so a
    writer in the test's own process would not block anything: this one runs in a child.
    `begin` is "EXCLUSIVE" (readers of a rollback-journal file must wait) or "IMMEDIATE". It
    commits after `seconds`, or at `release()`.
    """

    SCRIPT = (
        "import select, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)\n"
        "con.execute('BEGIN ' + sys.argv[3])\n"
        "con.execute(\"INSERT INTO token_usage (timestamp, provider, model, prompt_tokens) "
        "VALUES ('2026-03-25 10:00:00', 'held', 'held-model', 7)\")\n"
        "print('locked', flush=True)\n"
        "select.select([sys.stdin], [], [], float(sys.argv[2]))  # until release() or the time is up\n"
        "con.execute('COMMIT')\n"
    )

    def __init__(self, path: Path, seconds: float, begin: str = "EXCLUSIVE") -> None:
        self.process = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path), str(seconds), begin],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        assert line == "locked", f"the lock holder did not start: {line!r} {self.process.stderr.read()}"

    def release(self) -> int:
        """Commit now; the child's exit code."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.wait()

    def wait(self) -> int:
        """Wait for the commit; the child's exit code."""
        return self.process.wait(timeout=60)

    def __enter__(self) -> "WriteLockHolder":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=60)


# =======================================================================================
# agentx (SCHEMAS.md part B): its SQLite at <cwd>/.agentx/db.sqlite.

AGENTX_DDL = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE usage_daily (
    agent_id TEXT NOT NULL,
    model TEXT NOT NULL,
    day TEXT NOT NULL,
    input_tokens INTEGER DEFAULT 0,
    output_tokens INTEGER DEFAULT 0,
    cache_read_tokens INTEGER DEFAULT 0,
    cache_create_tokens INTEGER DEFAULT 0,
    tasks INTEGER DEFAULT 0,
    tier2_input_tokens INTEGER DEFAULT 0,
    tier2_output_tokens INTEGER DEFAULT 0,
    tier2_cache_read_tokens INTEGER DEFAULT 0,
    tier2_cache_create_tokens INTEGER DEFAULT 0,
    PRIMARY KEY (agent_id, model, day)
);
CREATE TABLE task_history (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    channel TEXT,
    chat_id TEXT,
    status TEXT NOT NULL,
    message_preview TEXT,
    error TEXT,
    duration_ms INTEGER,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_read_tokens INTEGER,
    cache_create_tokens INTEGER,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE TABLE task_traces (
    task_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    channel TEXT, chat_id TEXT, workflow_run_id TEXT, workflow_id TEXT, workflow_node_id TEXT,
    intent_event_id TEXT, intent_decided_by TEXT, resume_session_id TEXT, final_session_id TEXT,
    model TEXT,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms INTEGER,
    input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_create_tokens INTEGER,
    error TEXT,
    message_preview TEXT,
    original_message TEXT,
    final_response TEXT
);
CREATE TABLE rotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    last_turn_input_tokens INTEGER,
    rotated_at TEXT NOT NULL
);
"""

# An early schema version: usage_daily without the tier-2 columns, no task_traces, no rotations.
AGENTX_OLD_DDL = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE usage_daily (
    agent_id TEXT NOT NULL, model TEXT NOT NULL, day TEXT NOT NULL,
    input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0,
    cache_read_tokens INTEGER DEFAULT 0, cache_create_tokens INTEGER DEFAULT 0,
    tasks INTEGER DEFAULT 0,
    PRIMARY KEY (agent_id, model, day)
);
CREATE TABLE task_history (
    id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, channel TEXT, chat_id TEXT, status TEXT NOT NULL,
    message_preview TEXT, error TEXT, duration_ms INTEGER, input_tokens INTEGER, output_tokens INTEGER,
    cache_read_tokens INTEGER, cache_create_tokens INTEGER, started_at TEXT NOT NULL, finished_at TEXT NOT NULL
);
"""

ROTATION_REASONS = ("stale", "tier-2", "max-turns")
TIER2_LIMIT = 200_000           # input + cache tokens above this bill at 1.5x (SCHEMAS.md part B)
DEFAULT_TIER2_THRESHOLD = 195_000  # session.tierTwoThresholdTokens when agentx.json does not set it


@dataclass
class DailyUsage:
    """One usage_daily row: tier-1 tokens, then the tier-2 columns."""

    agent_id: str
    model: str
    day: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_create_tokens: int = 0
    tasks: int = 0
    tier2_input_tokens: int = 0
    tier2_output_tokens: int = 0
    tier2_cache_read_tokens: int = 0
    tier2_cache_create_tokens: int = 0


@dataclass
class TaskRow:
    """One finished task, as either task table holds it (times as naive UTC datetimes here)."""

    id: str
    agent_id: str
    started: datetime
    duration_ms: int | None
    status: str = "ok"
    channel: str | None = "telegram"
    chat_id: str | None = "chat-1"
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_create_tokens: int = 0
    preview: str | None = "hello"
    error: str | None = None
    finished_after_ms: int | None = None  # finished_at - started_at when duration_ms is NULL

    def wall_ms(self) -> int | None:
        """What finished_at - started_at is as written (None: task_traces gets no finished_at)."""
        return self.duration_ms if self.duration_ms is not None else self.finished_after_ms

    def effective_duration(self, table: str) -> int | None:
        """duration_ms, else finish minus start; task_history always has a finish (NOT NULL)."""
        wall = self.wall_ms()
        return wall if wall is not None or table == "task_traces" else 0


@dataclass
class Rotation:
    agent_id: str
    reason: str
    rotated_at: str
    last_turn_input_tokens: int | None = None
    channel: str = "telegram"
    chat_id: str = "chat-1"


def epoch_ms(moment: datetime) -> int:
    """A naive UTC datetime as epoch milliseconds (task_traces' time form)."""
    return int(round(moment.replace(tzinfo=timezone.utc).timestamp() * 1000))


def iso_z(moment: datetime) -> str:
    """A naive UTC datetime in JavaScript's toISOString() form (task_history's time form)."""
    return iso_form(moment)


@dataclass
class AgentxDB:
    """An agentx working directory `cwd` with `.agentx/db.sqlite` in agentx's schema.

    `old=True` builds the early schema (no tier-2 columns, no task_traces, no rotations).
    Each call commits and closes its connection.
    """

    cwd: Path
    old: bool = False

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        try:
            con.executescript(AGENTX_OLD_DDL if self.old else AGENTX_DDL)
            con.execute("INSERT INTO schema_version VALUES (?)", (3 if self.old else 9,))
            con.commit()
        finally:
            con.close()

    @property
    def path(self) -> Path:
        return self.cwd / ".agentx" / "db.sqlite"

    def _run(self, statement: str, rows: Iterable[tuple]) -> None:
        con = sqlite3.connect(self.path)
        try:
            con.executemany(statement, list(rows))
            con.commit()
        finally:
            con.close()

    def daily(self, *rows: DailyUsage) -> None:
        if self.old:
            self._run("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      [(r.agent_id, r.model, r.day, r.input_tokens, r.output_tokens, r.cache_read_tokens,
                        r.cache_create_tokens, r.tasks) for r in rows])
            return
        self._run("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [(r.agent_id, r.model, r.day, r.input_tokens, r.output_tokens, r.cache_read_tokens,
                    r.cache_create_tokens, r.tasks, r.tier2_input_tokens, r.tier2_output_tokens,
                    r.tier2_cache_read_tokens, r.tier2_cache_create_tokens) for r in rows])

    def history(self, *rows: TaskRow) -> None:
        """task_history rows: ISO 8601 times."""
        self._run("INSERT INTO task_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [(r.id, r.agent_id, r.channel, r.chat_id, r.status, r.preview, r.error, r.duration_ms,
                    r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_create_tokens, iso_z(r.started),
                    iso_z(r.started + timedelta(milliseconds=r.wall_ms() or 0))) for r in rows])

    def traces(self, *rows: TaskRow) -> None:
        """task_traces rows: epoch-millisecond times."""
        self._run("INSERT INTO task_traces (task_id, agent_id, channel, chat_id, model, status, started_at, "
                  "finished_at, duration_ms, input_tokens, output_tokens, cache_read_tokens, cache_create_tokens, "
                  "error, message_preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [(r.id, r.agent_id, r.channel, r.chat_id, r.model, r.status, epoch_ms(r.started),
                    None if r.wall_ms() is None else epoch_ms(r.started + timedelta(milliseconds=r.wall_ms())),
                    r.duration_ms,
                    r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_create_tokens, r.error,
                    r.preview) for r in rows])

    def rotations(self, *rows: Rotation) -> None:
        self._run("INSERT INTO rotations (agent_id, channel, chat_id, reason, last_turn_input_tokens, rotated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  [(r.agent_id, r.channel, r.chat_id, r.reason, r.last_turn_input_tokens, r.rotated_at)
                   for r in rows])

    def config(self, content: object) -> Path:
        """Write <cwd>/agentx.json (a dict as JSON, or raw text as it is)."""
        path = self.cwd / "agentx.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path

    def custom_prices(self, content: object) -> Path:
        """Write <cwd>/.agentx/pricing/custom.json (a dict as JSON, or raw text as it is)."""
        path = self.cwd / ".agentx" / "pricing" / "custom.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path


# --- agentx oracle: SCHEMAS.md part B in plain Python -----------------------------------

Rates = tuple[float, float, float, float]  # input, output, cache read, cache write; USD per 1M tokens


def provider_of(model: str) -> str:
    """claude -> anthropic, gpt / o-series / codex -> openai, gemini -> google, else unknown."""
    m = model.lower()
    if "claude" in m:
        return "anthropic"
    if m.startswith("gpt") or (len(m) > 1 and m[0] == "o" and m[1].isdigit()) or "codex" in m:
        return "openai"
    if "gemini" in m:
        return "google"
    return "unknown"


def daily_cost(row: DailyUsage, rates: Rates | None) -> float:
    """Tier-1 tokens at the rates plus 1.5 x tier-2 tokens at the same rates; 0 when unpriced."""
    if rates is None:
        return 0.0
    r_in, r_out, r_cr, r_cw = rates
    tier1 = row.input_tokens * r_in + row.output_tokens * r_out + row.cache_read_tokens * r_cr \
        + row.cache_create_tokens * r_cw
    tier2 = row.tier2_input_tokens * r_in + row.tier2_output_tokens * r_out + row.tier2_cache_read_tokens * r_cr \
        + row.tier2_cache_create_tokens * r_cw
    return (tier1 + 1.5 * tier2) / 1e6


def tier2_extra(row: DailyUsage, rates: Rates | None) -> float:
    """What tier 2 added on top of tier-1 rates: 0.5 x the tier-2 tokens at the rates."""
    if rates is None:
        return 0.0
    r_in, r_out, r_cr, r_cw = rates
    return 0.5 * (row.tier2_input_tokens * r_in + row.tier2_output_tokens * r_out
                  + row.tier2_cache_read_tokens * r_cr + row.tier2_cache_create_tokens * r_cw) / 1e6


def tier2_tokens(row: DailyUsage) -> int:
    return row.tier2_input_tokens + row.tier2_output_tokens + row.tier2_cache_read_tokens \
        + row.tier2_cache_create_tokens


def percentile(values: list[float], q: float) -> float | None:
    """numpy.percentile's default ('linear'): rank (n-1)*q, interpolated between neighbours."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class RandomAgentx:
    daily: list[DailyUsage] = field(default_factory=list)
    history: list[TaskRow] = field(default_factory=list)
    traces: list[TaskRow] = field(default_factory=list)
    rotations: list[Rotation] = field(default_factory=list)

    def write(self, db: AgentxDB) -> AgentxDB:
        if self.daily:
            db.daily(*self.daily)
        if self.history:
            db.history(*self.history)
        if self.traces:
            db.traces(*self.traces)
        if self.rotations:
            db.rotations(*self.rotations)
        return db


AGENTX_AGENTS = ("main", "coder", "scout", "night-owl")
AGENTX_MODELS = ("claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5", "gpt-5.4", "house-model-x")
# Rates every random agentx model gets from custom.json, except house-model-x (unpriced).
RANDOM_AGENTX_RATES = {
    "claude-opus-4-7": (5.0, 25.0, 0.5, 6.25),
    "claude-sonnet-4-6": (3.0, 15.0, 0.3, 3.75),
    "claude-haiku-4-5": (1.0, 5.0, 0.1, 1.25),
    "gpt-5.4": (2.5, 15.0, 0.25, 2.5),
}
AGENTX_CHANNELS = ("telegram", "whatsapp", "gitlab", "cron", "workflow", "api", "heartbeat")


def random_agentx(seed: int, first_day: date = date(2026, 3, 1), days: int = 30, traces: bool = True) -> RandomAgentx:
    """Seeded agentx rows over `days` days (and two days either side): usage_daily with tier-2
    columns on some rows, tasks in task_traces (epoch ms) or task_history (ISO) with every
    status and some NULL durations, and rotations of every reason in both time forms."""
    rng = random.Random(seed)
    data = RandomAgentx()
    seen: set[tuple[str, str, str]] = set()
    for offset in range(-2, days + 2):
        day = (first_day + timedelta(days=offset)).isoformat()
        for agent in AGENTX_AGENTS:
            for model in rng.sample(AGENTX_MODELS, rng.randrange(0, 3)):
                if (agent, model, day) in seen:
                    continue
                seen.add((agent, model, day))
                row = DailyUsage(agent, model, day, rng.randrange(0, 50_000), rng.randrange(0, 20_000),
                                 rng.randrange(0, 3_000_000), rng.randrange(0, 200_000), rng.randrange(0, 40))
                if rng.random() < 0.2:
                    row.tier2_input_tokens = rng.randrange(1, 30_000)
                    row.tier2_output_tokens = rng.randrange(0, 8_000)
                    row.tier2_cache_read_tokens = rng.randrange(200_000, 900_000)
                    row.tier2_cache_create_tokens = rng.randrange(0, 60_000)
                data.daily.append(row)
    start = datetime(first_day.year, first_day.month, first_day.day) - timedelta(days=2)
    span = (days + 4) * 86_400
    target = data.traces if traces else data.history
    for i in range(400):
        status = rng.choices(["ok", "error", "timeout"], [0.8, 0.12, 0.08])[0]
        duration = None if rng.random() < 0.05 else rng.randrange(200, 900_000)
        target.append(TaskRow(f"task-{i:04d}", rng.choice(AGENTX_AGENTS),
                              start + timedelta(seconds=rng.uniform(0, span), microseconds=0),
                              duration, status, rng.choice(AGENTX_CHANNELS), f"chat-{rng.randrange(5)}",
                              rng.choice(AGENTX_MODELS), rng.randrange(0, 9_000), rng.randrange(0, 3_000),
                              rng.randrange(0, 150_000), rng.randrange(0, 20_000), f"preview {i}",
                              "boom" if status == "error" else None,
                              rng.choice([None, rng.randrange(0, 60_000)]) if duration is None else None))
    for t in target:  # epoch ms loses nothing below a millisecond, so keep whole milliseconds
        t.started = t.started.replace(microsecond=(t.started.microsecond // 1000) * 1000)
    for i in range(120):
        moment = start + timedelta(seconds=rng.uniform(0, span))
        moment = moment.replace(microsecond=(moment.microsecond // 1000) * 1000)
        reason = rng.choice(ROTATION_REASONS)
        stamp = iso_form(moment) if rng.random() < 0.5 else sqlite_form(moment)
        tokens = rng.randrange(150_000, 210_000) if reason == "tier-2" else rng.choice([None, rng.randrange(0, 150_000)])
        data.rotations.append(Rotation(rng.choice(AGENTX_AGENTS), reason, stamp, tokens))
    return data


def oracle_agents(data: RandomAgentx, start: date, end: date, rates: dict[str, Rates]) -> dict[str, dict]:
    """Per agent, the JSON of `cli.py agents` for the days start..end (UTC), from the rows alone."""
    agents: dict[str, dict] = {}

    def entry(agent: str) -> dict:
        return agents.setdefault(agent, dict(agent_id=agent, tasks=0, input_tokens=0, output_tokens=0,
                                             cache_read_tokens=0, cache_write_tokens=0, tier2_tokens=0,
                                             estimated_cost=0.0, durations=[]))

    for row in data.daily:
        if not start.isoformat() <= row.day <= end.isoformat():
            continue
        e = entry(row.agent_id)
        e["tasks"] += row.tasks
        e["input_tokens"] += row.input_tokens + row.tier2_input_tokens
        e["output_tokens"] += row.output_tokens + row.tier2_output_tokens
        e["cache_read_tokens"] += row.cache_read_tokens + row.tier2_cache_read_tokens
        e["cache_write_tokens"] += row.cache_create_tokens + row.tier2_cache_create_tokens
        e["tier2_tokens"] += tier2_tokens(row)
        e["estimated_cost"] += daily_cost(row, rates.get(row.model))
    window_start = datetime(start.year, start.month, start.day)
    window_end = datetime(end.year, end.month, end.day) + timedelta(days=1)
    tasks, table = (data.traces, "task_traces") if data.traces else (data.history, "task_history")
    for t in tasks:
        if window_start <= t.started < window_end:
            e = entry(t.agent_id)
            if t.effective_duration(table) is not None:
                e["durations"].append(t.effective_duration(table))
    for e in agents.values():
        durations = e.pop("durations")
        e["p50_duration_ms"] = percentile(durations, 0.5)
        e["p95_duration_ms"] = percentile(durations, 0.95)
    return agents


# =======================================================================================
# Claude Code session logs (SCHEMAS.md part C): <projects>/<project>/<sessionId>.jsonl,
# subagents under <project>/<sessionId>/subagents/*.jsonl.

@dataclass
class Turn:
    """One assistant API response as Claude Code logs it."""

    message_id: str | None
    request_id: str | None
    timestamp: str
    model: str = "claude-sonnet-4-6"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    sidechain: bool = False
    cache_write_1h_tokens: int = 0  # the 1-hour part of cache_write_tokens (usage.cache_creation)

    def line(self, session_id: str, cwd: str = "/home/dev/project") -> str:
        message: dict[str, object] = {"role": "assistant", "model": self.model, "content": [{"type": "text", "text": "ok"}],
                                      "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                                                "cache_creation_input_tokens": self.cache_write_tokens,
                                                "cache_read_input_tokens": self.cache_read_tokens}}
        if self.cache_write_1h_tokens:
            message["usage"]["cache_creation"] = {  # type: ignore[index]
                "ephemeral_5m_input_tokens": self.cache_write_tokens - self.cache_write_1h_tokens,
                "ephemeral_1h_input_tokens": self.cache_write_1h_tokens}
        if self.message_id is not None:
            message["id"] = self.message_id
        record: dict[str, object] = {"type": "assistant", "sessionId": session_id, "timestamp": self.timestamp,
                                     "isSidechain": self.sidechain, "cwd": cwd, "message": message}
        if self.request_id is not None:
            record["requestId"] = self.request_id
        return json.dumps(record)


def user_line(session_id: str, timestamp: str, text: str = "hello") -> str:
    return json.dumps({"type": "user", "sessionId": session_id, "timestamp": timestamp,
                       "message": {"role": "user", "content": text}})


MALFORMED_LINES = ('{"type": "assistant", "message": {"id": "broken"', "not json at all", "[1, 2, 3]", "42")


@dataclass
class ClaudeProjects:
    """A ~/.claude/projects directory that tests fill file by file."""

    root: Path

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def session_file(self, project: str, session_id: str, lines: Iterable[str]) -> Path:
        path = self.root / project / f"{session_id}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    def subagent_file(self, project: str, session_id: str, name: str, lines: Iterable[str]) -> Path:
        path = self.root / project / session_id / "subagents" / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path


def oracle_claude_turns(root: Path) -> tuple[dict[str, list[dict]], int]:
    """Sessions -> their deduplicated turns, and the count of malformed lines, read with `json`.

    A turn is an assistant line with a message and usage, and a model other than `<synthetic>`;
    lines sharing message id + request id (message id alone when there is no request id) are
    one API response, counted once with the largest output count seen (usage only grows while
    a response streams). Malformed = not a JSON object, or an assistant line without a usable
    message.
    """
    files = sorted(root.glob("*/*.jsonl")) + sorted(root.glob("*/*/subagents/*.jsonl"))
    malformed = 0
    seen: dict[tuple[str, str], dict] = {}
    loose: list[dict] = []
    for path in files:
        subagent = path.parent.name == "subagents"
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                malformed += 1
                continue
            if not isinstance(record, dict):
                malformed += 1
                continue
            if record.get("type") != "assistant":
                continue
            message = record.get("message")
            if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
                malformed += 1
                continue
            usage = message["usage"]
            if message.get("model") == "<synthetic>":
                continue
            session = record.get("sessionId") or (path.parent.parent.name if subagent else path.stem)
            turn = dict(session_id=session, timestamp=record.get("timestamp"), model=message.get("model"),
                        input_tokens=usage.get("input_tokens") or 0, output_tokens=usage.get("output_tokens") or 0,
                        cache_read_tokens=usage.get("cache_read_input_tokens") or 0,
                        cache_write_tokens=usage.get("cache_creation_input_tokens") or 0,
                        cache_write_1h_tokens=(usage.get("cache_creation") or {}).get("ephemeral_1h_input_tokens") or 0,
                        subagent=subagent or bool(record.get("isSidechain")),
                        # the project: the line's cwd, else the project folder's name (the canonical view's rule)
                        project=record["cwd"] if isinstance(record.get("cwd"), str)
                        else (path.parent.parent.parent.name if subagent else path.parent.name))
            key = (message.get("id"), record.get("requestId"))
            if key[0] is None:
                loose.append(turn)
            elif key not in seen or turn["output_tokens"] > seen[key]["output_tokens"]:
                seen[key] = turn
    sessions: dict[str, list[dict]] = {}
    for turn in [*seen.values(), *loose]:
        sessions.setdefault(turn["session_id"], []).append(turn)
    return sessions, malformed


def random_claude_projects(seed: int, projects: ClaudeProjects, n_sessions: int = 12) -> ClaudeProjects:
    """Seeded Claude Code logs: several projects and sessions, responses written on 1-3 lines
    (same message id + request id, output growing), user lines, malformed lines, a reused
    message id under a new request id, sidechain turns, and subagent files."""
    rng = random.Random(seed)
    models = ["claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5", "house-model-x"]
    base = datetime(2026, 3, 1, 8)
    for s in range(n_sessions):
        project = f"-home-dev-proj{rng.randrange(3)}"
        session = f"{s:02d}{rng.randrange(16 ** 6):06x}-session"
        start = base + timedelta(hours=rng.randrange(0, 24 * 30))
        lines: list[str] = []
        for n in range(rng.randrange(1, 9)):
            moment = start + timedelta(minutes=n)
            lines.append(user_line(session, iso_form(moment)))
            turn = Turn(f"msg_{s}_{n}", f"req_{s}_{n}", iso_form(moment + timedelta(seconds=5)), rng.choice(models),
                        rng.randrange(0, 5_000), rng.randrange(1, 2_000), rng.randrange(0, 30_000),
                        rng.randrange(0, 250_000), sidechain=rng.random() < 0.1)
            for copy in range(rng.randrange(1, 4)):  # the same response on several lines, output growing
                lines.append(Turn(turn.message_id, turn.request_id, turn.timestamp, turn.model, turn.input_tokens,
                                  max(1, turn.output_tokens - 50 * (2 - copy)), turn.cache_write_tokens,
                                  turn.cache_read_tokens, turn.sidechain).line(session))
            if rng.random() < 0.15:
                lines.append(rng.choice(MALFORMED_LINES))
            if rng.random() < 0.05:  # a retried request: same message id, another request id
                lines.append(Turn(turn.message_id, f"{turn.request_id}-retry", turn.timestamp, turn.model,
                                  10, 10).line(session))
            if rng.random() < 0.2:  # a response without a request id, written on two lines, some 1-hour writes
                loose = Turn(f"msg_{s}_{n}_noreq", None, turn.timestamp, turn.model, rng.randrange(0, 5_000),
                             rng.randrange(1, 2_000), 20_000, rng.randrange(0, 250_000), cache_write_1h_tokens=12_000)
                lines += [loose.line(session), loose.line(session)]
            if rng.random() < 0.1:  # Claude Code's own API-error entry: no turn
                lines.append(Turn(f"msg_{s}_{n}_err", f"req_{s}_{n}_err", turn.timestamp, "<synthetic>").line(session))
        rng.shuffle(lines)
        projects.session_file(project, session, lines)
        if rng.random() < 0.4:
            sub = [Turn(f"msg_{s}_sub{k}", f"req_{s}_sub{k}", iso_form(start + timedelta(minutes=30 + k)),
                        "claude-haiku-4-5", rng.randrange(0, 3_000), rng.randrange(1, 900), sidechain=True).line(session)
                   for k in range(rng.randrange(1, 4))]
            projects.subagent_file(project, session, f"agent-{s}", sub)
    return projects


def claude_turn_cost(turn: dict, rates: Rates | None) -> float:
    """A turn's cost at custom.json rates: four rates, 1-hour writes at 2x input (Anthropic's
    rule), x1.5 when input + cache tokens exceed 200,000 (agentx's rule); 0 when unpriced."""
    if rates is None:
        return 0.0
    r_in, r_out, r_cr, r_cw = rates
    one_hour = turn.get("cache_write_1h_tokens", 0)
    cost = (turn["input_tokens"] * r_in + turn["output_tokens"] * r_out + turn["cache_read_tokens"] * r_cr
            + (turn["cache_write_tokens"] - one_hour) * r_cw + one_hour * 2 * r_in) / 1e6
    prompt = turn["input_tokens"] + turn["cache_read_tokens"] + turn["cache_write_tokens"]
    return cost * 1.5 if prompt > TIER2_LIMIT else cost


def texts(at) -> str:
    """Every piece of text an AppTest page sends: markdown, captions, alerts, html, labels, options
    (markdown as the text it shows, escapes taken out, so a leaked path or name is still found)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader"):
        parts += [shown(str(e.value)) for e in at.get(kind)]
    parts += [str(e.value) for e in at.get("code")]
    parts += [e.proto.body for e in at.get("html")]
    parts += [m.label + " " + m.value for m in at.metric]
    for box in at.selectbox:
        parts += [box.label, *map(str, box.options)]
    return "\n".join(parts)


def shown(markdown: str) -> str:
    """The text a markdown body shows once md_text's backslash escapes and invisible word joiners are taken out."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# ---------------------------------------------------------------------------------------
# Hostile text for property tests: what breaks markdown, HTML and spreadsheets, not short
# random strings (which almost never form a tag or a link).

HOSTILE_FRAGMENTS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>", "</b>", "<a href='https://evil.example'>",
    "[click me](https://evil.example)", "![i](https://evil.example/i.png)", "<https://evil.example>",
    "https://evil.example", "`", "```", "$", "$a$", "$$x^2$$", "\\(", "\\", "**", "__", "*", "_", "~~", "~",
    ":red[", ":blue-background[", "]", ":material/home:", ":smile:", "&amp;", "&lt;", "#", "> ", "- ", "1. ", "|",
    "{", "}", "'", '"', "=1+1", "@", "+", "-", "%", "\x00", "\x07", "\x1b[31m", "\r", "\n", "\t", "\u202e", "\u200b",
)


def hostile_text(max_fragments: int = 8):
    """Hypothesis strategy: strings glued from markup fragments, control characters and a little random text."""
    from hypothesis import strategies as hs

    piece = hs.one_of(hs.sampled_from(HOSTILE_FRAGMENTS), hs.text(max_size=4))
    return hs.lists(piece, max_size=max_fragments).map("".join)


def plain(body: str) -> str:
    """The text a markdown body shows, asserting that none of it can be read as markup: every ASCII
    punctuation mark is backslash-escaped (no emphasis, link, code span, LaTeX, directive or tag can
    form), and no GFM autolink literal (http://, https://, www., an e-mail address) is left in the
    text, which Streamlit links whatever the escapes; invisible word joiners (U+2060) that break
    them are dropped from the text returned. The body may start with one icon of ours (`:material/x: `)."""
    import re
    import string

    body = re.sub(r"^:material/[a-z_]+: ", "", body, count=1)
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            assert i + 1 < len(body) and body[i + 1] in string.punctuation, (body, i)
            out.append(body[i + 1])
            i += 2
            continue
        assert ch not in string.punctuation, f"unescaped {ch!r} at {i} in {body!r}"
        out.append(ch)
        i += 1
    text = "".join(out)
    assert not re.search(r"(?i)https?://|www\.|[-.\w+]@[-\w]", text), f"an autolink would form in {text!r}"
    return text.replace("\u2060", "")


def fresh_app_env(monkeypatch, password: str) -> None:
    """The app's environment for an AppTest: this admin password, run from the repository, empty caches."""
    import streamlit as st

    monkeypatch.setenv("ADMIN_PASSWORD", password)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()


def signed_in(password: str, page: str = "token_usage", **query: str):
    """An AppTest of app.py opened with `query` in the link, signed in, on pages/<page>.py; no exception on the way."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    if page != "token_usage":
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------------------------------
# Shown numbers as Axiom's page (JavaScript) writes them, by hand on exact fractions.

def oracle_half_away(x: float, places: int) -> tuple[int, int]:
    """(sign, |x| * 10**places rounded half away from zero), on the exact value of x (toFixed, Intl)."""
    from fractions import Fraction
    import math

    exact = abs(Fraction(x)) * 10 ** places
    n = math.floor(exact)
    if exact - n >= Fraction(1, 2):
        n += 1
    return (-1 if x < 0 else 1), n


def oracle_usd(x: float) -> str:
    """Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', minimumFractionDigits: 2,
    maximumFractionDigits: 4}).format(x): Axiom's formatCurrency, written out by hand."""
    sign, n = oracle_half_away(x, 4)
    whole, frac = divmod(n, 10_000)
    digits = str(frac).rjust(4, "0")
    while len(digits) > 2 and digits.endswith("0"):
        digits = digits[:-1]
    return f"{'-' if sign < 0 else ''}${whole:,}.{digits}"


def has_js_constant(value: object) -> bool:
    """NaN or +-Infinity anywhere: json.dumps writes them as literals JSON.parse refuses."""
    if isinstance(value, float):
        import math

        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(has_js_constant(v) for v in value.values())
    if isinstance(value, list):
        return any(has_js_constant(v) for v in value)
    return False


def spiky_axiom(path: Path, today: date) -> AxiomDB:
    """Budgets (issue 14): today-13 .. today-1 at $3.00 a day (one request of 1,000,000 Sonnet
    prompt tokens at Axiom's default $3 per 1M) except today-5 at $30.00 (10,000,000): 10x the
    median of its 7 days before, the one unusual day (earlier days' medians are $0 or $3 and their
    cost $3). Nothing today."""
    db = AxiomDB(path)
    spike = today - timedelta(days=5)
    for n in range(1, 14):
        day = today - timedelta(days=n)
        db.usage(f"{day} 12:00:00", "anthropic", "claude-sonnet-4-20250514",
                 prompt=10_000_000 if day == spike else 1_000_000)
    return db
