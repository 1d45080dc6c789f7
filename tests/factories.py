"""Test data in Axiom's exact schema, and a plain-Python oracle of Axiom's numbers.

Everything here is written from shared/reference/SCHEMAS.md (part A), not from the code
under test: the DDL, the price table, the initiator partition, the cost rule and the day
rule. Nothing in this module imports `queries`, `pricing` or `cli`. (Also a few helpers the
test modules share, kept here because `conftest` is not importable by name: tests/browser
has a conftest of its own.)
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent  # the repository

# Everything the dashboard reads from the environment, and the admin secrets of the app.
OWN_ENV_VARS = (
    "USAGE_DB", "USAGE_SETTINGS", "USAGE_SOURCE", "USAGE_TZ", "USAGE_PRICE_LIBRARY", "USAGE_MIRROR",
    "USAGE_AUTO_REFRESH_SECONDS", "USAGE_CACHE_TTL_SECONDS", "ADMIN_PASSWORD", "ADMIN_PASSWORD_HASH",
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


def axiom_price_table(settings: dict | None) -> dict[str, tuple[float, float]]:
    """Axiom's table: user entries (non-negative numbers only) merged over the defaults."""
    table = dict(AXIOM_DEFAULTS)
    for model, entry in ((settings or {}).get("tokenPriceTable") or {}).items():
        ok = isinstance(entry, dict) and all(
            isinstance(entry.get(k), (int, float)) and not isinstance(entry.get(k), bool) and entry.get(k) >= 0
            for k in ("input", "output"))
        if ok:
            table[model] = (float(entry["input"]), float(entry["output"]))
    return table


def row_cost(row: Usage, prices: dict[str, tuple[float, float]]) -> float:
    stored = as_cost(row.estimated_cost)
    if stored > 0:
        return stored
    if row.model in prices:
        rate_in, rate_out = prices[row.model]
        return (as_tokens(row.prompt_tokens) * rate_in + as_tokens(row.completion_tokens) * rate_out) / 1e6
    return 0.0


def oracle_report(rows: list[Usage], session_types: dict[str, str], prices: dict[str, tuple[float, float]],
                  start: date, end: date, tz: str = "UTC", provider: str | None = None,
                  model: str | None = None) -> dict:
    """totals, daily, by_initiator, breakdown (unordered) and unpriced_models, as the CLI's JSON names them."""
    zone = ZoneInfo(tz)
    n_days = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(n_days)]
    daily = {d: dict(day=d.isoformat(), requests=0, prompt_tokens=0, completion_tokens=0, total_tokens=0,
                     estimated_cost=0.0) for d in days}
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
        cost = row_cost(row, prices)
        bucket = daily[day]
        bucket["requests"] += 1
        bucket["prompt_tokens"] += p
        bucket["completion_tokens"] += c
        bucket["total_tokens"] += p + c
        bucket["estimated_cost"] += cost
        split[day][f"{initiator_of(row.session_id, session_types)}_tokens"] += p + c
        g = groups.setdefault((row.provider, row.model), dict(
            provider=row.provider, model=row.model, requests=0, prompt_tokens=0, completion_tokens=0,
            total_tokens=0, estimated_cost=0.0))
        g["requests"] += 1
        g["prompt_tokens"] += p
        g["completion_tokens"] += c
        g["total_tokens"] += p + c
        g["estimated_cost"] += cost
        if as_cost(row.estimated_cost) <= 0 and row.model not in prices and p + c > 0:
            unpriced.add(row.model)
    total_cost = sum(g["estimated_cost"] for g in groups.values())
    for g in groups.values():
        g["cost_share"] = g["estimated_cost"] / total_cost if total_cost > 0 else None
    totals = dict(requests=0, prompt_tokens=0, completion_tokens=0, total_tokens=0, estimated_cost=0.0)
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
