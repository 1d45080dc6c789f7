"""Built-in demo data: a generated database in Axiom's exact schema, about 90 days to today.

With no database configured, the app and the CLI read this, labelled "Demo data"
everywhere. It is written once per day under the user's cache directory (never in the
repo) and is deterministic for a given end day, so tests and screenshots are repeatable.
It exercises every rule the page has: several providers, a model priced by settings.json,
models priced by Axiom's defaults and by the price library, one unpriced model, stored
costs, all three initiators, telegram sessions, NULL and orphaned session ids, both
timestamp forms in one column, and a quiet stretch of zero days.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

DEMO_DAYS = 90
QUIET_DAYS = range(38, 44)  # days-ago with no requests at all: the zero stretch on the chart

# Axiom's own DDL for the three tables we read (shared/reference/SCHEMAS.md, part A).
AXIOM_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, user_id INTEGER, source TEXT NOT NULL DEFAULT 'web',
    type TEXT NOT NULL DEFAULT 'interactive', parent_session_id TEXT, started_at TEXT NOT NULL,
    ended_at TEXT, message_count INTEGER, summary_written INTEGER, last_activity TEXT,
    session_user TEXT, prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, prompt TEXT NOT NULL, status TEXT, trigger_type TEXT,
    trigger_source_id TEXT, provider TEXT, model TEXT, is_default_model INTEGER,
    max_duration_minutes INTEGER, prompt_tokens INTEGER, completion_tokens INTEGER,
    estimated_cost REAL, tool_call_count INTEGER, result_summary TEXT, result_status TEXT,
    error_message TEXT, created_at TEXT, started_at TEXT, completed_at TEXT, session_id TEXT
);
CREATE TABLE IF NOT EXISTS token_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL DEFAULT (datetime('now')),
    provider TEXT NOT NULL, model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
    estimated_cost REAL NOT NULL DEFAULT 0.0, session_id TEXT
);
CREATE INDEX IF NOT EXISTS idx_token_usage_timestamp ON token_usage(timestamp);
CREATE INDEX IF NOT EXISTS idx_token_usage_provider ON token_usage(provider);
"""

# (provider, model, weight, prompt tokens mean, completion tokens mean, writes stored cost?)
DEMO_MODELS = [
    ("anthropic", "claude-opus-4-7", 30, 9_000, 1_400, False),          # priced by demo settings.json
    ("anthropic", "claude-sonnet-4-20250514", 25, 6_000, 900, True),   # Axiom default; cost stored at write
    ("openai", "gpt-4o", 12, 4_000, 700, False),                       # Axiom default
    ("openai", "gpt-4o-mini", 10, 2_500, 400, False),                  # Axiom default
    ("openai-codex", "gpt-5.4", 15, 40_000, 2_000, False),             # only the price library knows it
    ("ollama", "llama3.1:8b-local", 8, 3_000, 600, False),             # unpriced everywhere
]
DEMO_SETTINGS = {"tokenPriceTable": {"claude-opus-4-7": {"input": 5.0, "output": 25.0}}}


def cache_dir() -> Path:
    """Where generated demo files live: $XDG_CACHE_HOME or ~/.cache, never the repo."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "token-usage-dashboard"


def _stamp(moment: datetime, iso: bool) -> str:
    """Axiom's two timestamp forms: SQLite's datetime('now') text, or JS's toISOString()."""
    if iso:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def write_demo_database(path: Path, end_day: date, seed: int = 7, days: int = DEMO_DAYS) -> None:
    """Write a demo database ending on `end_day` (UTC) to `path`, replacing any file there."""
    rng = random.Random(seed)
    sessions: list[tuple] = []
    tasks: list[tuple] = []
    usage: list[tuple] = []
    kinds = [("interactive", "web", None), ("interactive", "telegram", None), ("interactive", "telegram-group", None),
             ("task", "task", "user"), ("task", "task", "cronjob"), ("task", "task", "agent"),
             ("consolidation", "task", "consolidation"), ("heartbeat", "task", None)]
    kind_weights = [30, 10, 3, 8, 10, 4, 2, 8]
    weights = [m[2] for m in DEMO_MODELS]
    for ago in range(days - 1, -1, -1):
        if ago in QUIET_DAYS:
            continue
        day = end_day - timedelta(days=ago)
        busy = 1.0 + 0.6 * (day.weekday() < 5) + (2.5 if ago in (12, 13) else 0.0)  # a spike two weeks ago
        for _ in range(int(rng.randint(2, 5) * busy)):
            session_id = f"s-{day.isoformat()}-{len(sessions)}"
            stype, ssource, trigger = rng.choices(kinds, kind_weights)[0]
            start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 86_000))
            sessions.append((session_id, 1, ssource, stype, _stamp(start, False)))
            if trigger:
                tasks.append((f"t-{len(tasks)}", f"demo task {len(tasks)}", "Summarise the inbox", "completed",
                               trigger, session_id, _stamp(start, False)))
            provider, model, _w, p_mean, c_mean, stores_cost = rng.choices(DEMO_MODELS, weights)[0]
            if stype == "heartbeat":
                provider, model, _w, p_mean, c_mean, stores_cost = DEMO_MODELS[3]
            for turn in range(rng.randint(1, 12)):
                moment = start + timedelta(seconds=40 * turn + rng.randint(0, 30), milliseconds=rng.randint(0, 999))
                if moment.date() != day:
                    moment = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=timezone.utc)
                prompt = max(0, int(rng.gauss(p_mean, p_mean / 3)))
                completion = max(0, int(rng.gauss(c_mean, c_mean / 3)))
                cost = round((prompt * 3.0 + completion * 15.0) / 1e6, 6) if stores_cost else 0.0
                sid: str | None = session_id
                roll = rng.random()
                if stype == "interactive" and roll < 0.05:
                    sid = None                     # written before the session row existed
                elif stype == "interactive" and roll < 0.08:
                    sid = f"gone-{session_id}"     # session since deleted: still main agent
                usage.append((_stamp(moment, iso=rng.random() < 0.3), provider, model, prompt, completion, cost, sid))

    usage.sort(key=lambda row: row[0].replace("T", " "))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp_name)
        con.executescript(AXIOM_SCHEMA)
        con.executemany("INSERT INTO sessions (id, user_id, source, type, started_at) VALUES (?, ?, ?, ?, ?)", sessions)
        con.executemany("INSERT INTO tasks (id, name, prompt, status, trigger_type, session_id, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", tasks)
        con.executemany("INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens, "
                        "estimated_cost, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)", usage)
        con.commit()
        con.close()
        os.replace(tmp_name, path)  # atomic: a concurrent reader sees the old file or the whole new one
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def demo_paths(today: date | None = None) -> tuple[Path, Path]:
    """The demo database and settings.json for `today` (UTC), created on first use."""
    today = today or datetime.now(timezone.utc).date()
    folder = cache_dir()
    db = folder / f"demo-{today.isoformat()}.db"
    settings = folder / "demo-settings.json"
    if not db.exists():
        write_demo_database(db, today)
        for old in folder.glob("demo-*.db"):
            if old != db:
                old.unlink(missing_ok=True)
    if not settings.exists():
        settings.write_text(json.dumps(DEMO_SETTINGS, indent=2), encoding="utf-8")
    return db, settings
