"""Built-in agentx demo data (USAGE_DEMO=agentx): an agentx working directory about 90 days to today.

Written once per day under the user's cache directory, deterministic for a given end day:
`<cache>/agentx-demo-<day>/.agentx/db.sqlite` in agentx's schema (SCHEMAS.md part B), its
`.agentx/pricing/custom.json` and `agentx.json`, and Claude Code logs under `projects/`
(SCHEMAS.md part C) for the Sessions page. So every agentx page has something to show:
several agents and models (one priced only by the price library, one unpriced), tasks in
task_traces with every status and channel, tier-2 days (their tokens only in usage_daily's
tier2_* columns, as agentx writes them), rotations of every reason with tier-2 frequent
enough for one agent to get the "lower the threshold" hint, and logs with a repeated
response line, a malformed line and a subagent file.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from queries.sources.axiom_demo import DEMO_DAYS, cache_dir

AGENTX_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE usage_daily (
    agent_id TEXT NOT NULL, model TEXT NOT NULL, day TEXT NOT NULL,
    input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0,
    cache_read_tokens INTEGER DEFAULT 0, cache_create_tokens INTEGER DEFAULT 0, tasks INTEGER DEFAULT 0,
    tier2_input_tokens INTEGER DEFAULT 0, tier2_output_tokens INTEGER DEFAULT 0,
    tier2_cache_read_tokens INTEGER DEFAULT 0, tier2_cache_create_tokens INTEGER DEFAULT 0,
    PRIMARY KEY (agent_id, model, day)
);
CREATE TABLE task_history (
    id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, channel TEXT, chat_id TEXT, status TEXT NOT NULL,
    message_preview TEXT, error TEXT, duration_ms INTEGER, input_tokens INTEGER, output_tokens INTEGER,
    cache_read_tokens INTEGER, cache_create_tokens INTEGER, started_at TEXT NOT NULL, finished_at TEXT NOT NULL
);
CREATE TABLE task_traces (
    task_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
    channel TEXT, chat_id TEXT, workflow_run_id TEXT, workflow_id TEXT, workflow_node_id TEXT,
    intent_event_id TEXT, intent_decided_by TEXT, resume_session_id TEXT, final_session_id TEXT,
    model TEXT, status TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, duration_ms INTEGER,
    input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_create_tokens INTEGER,
    error TEXT, message_preview TEXT, original_message TEXT, final_response TEXT
);
CREATE TABLE rotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, channel TEXT NOT NULL, chat_id TEXT NOT NULL,
    reason TEXT NOT NULL, last_turn_input_tokens INTEGER, rotated_at TEXT NOT NULL
);
"""

# agent -> (models it uses, tasks per day (mean), its channels, chance a task crosses into tier 2)
DEMO_AGENTS = {
    "main": (["claude-opus-4-7", "claude-sonnet-4-6"], 9, ["telegram", "whatsapp", "api"], 0.04),
    "coder": (["claude-opus-4-7", "gpt-5.4"], 5, ["gitlab", "workflow"], 0.18),
    "scout": (["claude-haiku-4-5", "house-model-x"], 6, ["cron", "api"], 0.0),
    "heartbeat": (["claude-haiku-4-5"], 4, ["heartbeat"], 0.0),
}
# custom.json rates (USD per 1M tokens); gpt-5.4 is left to the price library, house-model-x to nobody.
DEMO_CUSTOM_PRICES = {
    "claude-opus-4-7": {"input": 5.0, "output": 25.0, "cacheRead": 0.5, "cacheCreate": 6.25},
    "claude-sonnet-4-6": {"input": 3.0, "output": 15.0, "cacheRead": 0.3, "cacheCreate": 3.75},
    "claude-haiku-4-5": {"input": 1.0, "output": 5.0, "cacheRead": 0.1, "cacheCreate": 1.25},
}
DEMO_THRESHOLD = 180_000
PREVIEWS = ["Summarise today's inbox", "Fix the failing pipeline on main", "What changed in the Q3 report?",
            "Check the staging deploy", "Draft a reply to the supplier", "Review merge request !42",
            "Scan the news for our competitors", "heartbeat"]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def write_agentx_demo(cwd: Path, end_day: date, seed: int = 11, days: int = DEMO_DAYS) -> None:
    """Write the agentx demo working directory `cwd` ending on `end_day` (UTC), replacing what is there."""
    rng = random.Random(seed)
    daily: dict[tuple[str, str, str], list[int]] = {}
    traces: list[tuple] = []
    rotations: list[tuple] = []
    for ago in range(days - 1, -1, -1):
        day = end_day - timedelta(days=ago)
        midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        busy = 1.0 + 0.5 * (day.weekday() < 5) + (2.0 if ago in (12, 13) else 0.0)  # a spike two weeks ago
        for agent, (models, per_day, channels, tier2_chance) in DEMO_AGENTS.items():
            for _ in range(max(0, int(rng.gauss(per_day * busy, per_day / 3)))):
                model = rng.choice(models)
                start = midnight + timedelta(seconds=rng.randint(0, 86_000), milliseconds=rng.randint(0, 999))
                status = rng.choices(["ok", "error", "timeout"], [0.88, 0.08, 0.04])[0]
                duration = rng.randint(40_000, 900_000) if status == "timeout" else int(rng.lognormvariate(10.5, 0.8))
                tokens = [int(rng.gauss(6_000, 2_000)), int(rng.gauss(1_500, 600)),
                          int(rng.gauss(90_000, 40_000)), int(rng.gauss(8_000, 4_000))]
                tokens = [max(0, t) for t in tokens]
                tier2 = rng.random() < tier2_chance
                row = daily.setdefault((agent, model, day.isoformat()), [0] * 9)
                row[4] += 1
                if tier2:  # agentx writes a tier-2 task's tokens only into the tier2_* columns
                    big = [tokens[0] + 20_000, tokens[1], tokens[2] + 180_000, tokens[3]]
                    for i, t in enumerate(big):
                        row[5 + i] += t
                    task_tokens = [0, 0, 0, 0]
                    if rng.random() < 0.7:
                        rotations.append((agent, channels[0], "chat-1", "tier-2", big[0] + big[2] + big[3],
                                          _iso(start + timedelta(milliseconds=duration))))
                else:
                    for i, t in enumerate(tokens):
                        row[i] += t
                    task_tokens = tokens
                channel = rng.choice(channels)
                traces.append((f"demo-task-{len(traces):05d}", agent, channel, f"chat-{rng.randint(1, 4)}", model,
                               status, _ms(start), _ms(start + timedelta(milliseconds=duration)), duration,
                               *task_tokens, "tool call failed: 502" if status == "error" else None,
                               rng.choice(PREVIEWS)))
            if rng.random() < 0.25:
                reason = rng.choices(["stale", "max-turns"], [3, 1])[0]
                moment = midnight + timedelta(seconds=rng.randint(0, 86_000))
                stamp = moment.strftime("%Y-%m-%d %H:%M:%S") if rng.random() < 0.5 else _iso(moment)
                rotations.append((agent, channels[0], "chat-1", reason, rng.randint(20_000, 150_000), stamp))

    # Prices, agentx.json and logs first, the database last (atomically): a reader that finds
    # the database finds everything else too.
    agentx_dir = cwd / ".agentx"
    pricing_dir = agentx_dir / "pricing"
    pricing_dir.mkdir(parents=True, exist_ok=True)
    (pricing_dir / "custom.json").write_text(json.dumps(DEMO_CUSTOM_PRICES, indent=2), encoding="utf-8")
    (cwd / "agentx.json").write_text(json.dumps({"session": {"tierTwoThresholdTokens": DEMO_THRESHOLD}}, indent=2),
                                     encoding="utf-8")
    write_demo_logs(cwd / "projects", end_day, rng)
    fd, tmp_name = tempfile.mkstemp(prefix="db.sqlite", suffix=".tmp", dir=agentx_dir)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp_name)
        try:
            con.executescript(AGENTX_SCHEMA)
            con.execute("INSERT INTO schema_version VALUES (9)")
            con.executemany("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(a, m, d, *v) for (a, m, d), v in sorted(daily.items())])
            con.executemany("INSERT INTO task_traces (task_id, agent_id, channel, chat_id, model, status, started_at, "
                            "finished_at, duration_ms, input_tokens, output_tokens, cache_read_tokens, "
                            "cache_create_tokens, error, message_preview) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", traces)
            con.executemany("INSERT INTO rotations (agent_id, channel, chat_id, reason, last_turn_input_tokens, "
                            "rotated_at) VALUES (?, ?, ?, ?, ?, ?)", rotations)
            con.commit()
        finally:
            con.close()
        os.replace(tmp_name, agentx_dir / "db.sqlite")
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _assistant(session: str, moment: datetime, msg: str, req: str, model: str, usage: list[int],
               sidechain: bool = False) -> str:
    return json.dumps({"type": "assistant", "sessionId": session, "timestamp": _iso(moment), "isSidechain": sidechain,
                       "cwd": "/srv/agentx", "requestId": req,
                       "message": {"id": msg, "role": "assistant", "model": model,
                                   "content": [{"type": "text", "text": "ok"}],
                                   "usage": {"input_tokens": usage[0], "output_tokens": usage[1],
                                             "cache_read_input_tokens": usage[2],
                                             "cache_creation_input_tokens": usage[3]}}})


def write_demo_logs(root: Path, end_day: date, rng: random.Random, sessions: int = 16) -> None:
    """Claude Code logs: sessions over the last weeks, one response on two lines, a malformed line, subagents."""
    shutil.rmtree(root, ignore_errors=True)
    for s in range(sessions):
        project = rng.choice(["-srv-agentx-main", "-srv-agentx-coder"])
        session = f"{rng.randrange(16 ** 8):08x}-demo-{s:02d}"
        start = datetime(end_day.year, end_day.month, end_day.day, tzinfo=timezone.utc) \
            - timedelta(days=rng.randint(0, 20), seconds=rng.randint(0, 80_000))
        model = "claude-opus-4-7" if "coder" in project else "claude-sonnet-4-6"
        lines = []
        for n in range(rng.randint(2, 10)):
            moment = start + timedelta(minutes=2 * n)
            lines.append(json.dumps({"type": "user", "sessionId": session, "timestamp": _iso(moment),
                                     "message": {"role": "user", "content": "continue"}}))
            usage = [rng.randint(5, 4_000), rng.randint(50, 2_500), rng.randint(0, 230_000), rng.randint(0, 20_000)]
            if n == 0:  # the same response written twice while it streamed: counted once
                lines.append(_assistant(session, moment, f"msg_{s}_{n}", f"req_{s}_{n}", model,
                                        [usage[0], usage[1] // 2, usage[2], usage[3]]))
            lines.append(_assistant(session, moment + timedelta(seconds=5), f"msg_{s}_{n}", f"req_{s}_{n}", model,
                                    usage))
        if s == 3:
            lines.append('{"type": "assistant", "message": {"id": "cut off')
        path = root / project / f"{session}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if s % 4 == 0:
            sub = [_assistant(session, start + timedelta(minutes=1, seconds=k), f"msg_{s}_sub{k}", f"req_{s}_sub{k}",
                              "claude-haiku-4-5", [rng.randint(100, 3_000), rng.randint(50, 900), 0, 0], True)
                   for k in range(rng.randint(1, 3))]
            sub_path = root / project / session / "subagents" / f"agent-{s}.jsonl"
            sub_path.parent.mkdir(parents=True, exist_ok=True)
            sub_path.write_text("\n".join(sub) + "\n", encoding="utf-8")


def agentx_demo_paths(today: date | None = None) -> tuple[Path, Path]:
    """(the agentx demo database, its Claude Code projects directory) for `today` (UTC), created on first use."""
    today = today or datetime.now(timezone.utc).date()
    folder = cache_dir()
    cwd = folder / f"agentx-demo-{today.isoformat()}"
    db = cwd / ".agentx" / "db.sqlite"
    if not db.exists():
        write_agentx_demo(cwd, today)
        for old in folder.glob("agentx-demo-*"):
            if old != cwd:
                shutil.rmtree(old, ignore_errors=True)
    return db, cwd / "projects"


CLAUDE_DEMO_SEED = 23  # not the agentx demo's: the Claude Code demo is other work, never the same tokens twice


def claude_demo_paths(today: date | None = None) -> Path:
    """The Claude Code demo's projects directory for `today` (UTC), created on first use: logs of their
    own (24 sessions, another seed), so a demo workspace never counts the agentx demo's logs twice."""
    today = today or datetime.now(timezone.utc).date()
    folder = cache_dir()
    root = folder / f"claude-code-demo-{today.isoformat()}" / "projects"
    if not root.exists():
        partial = root.with_name("projects.partial")
        write_demo_logs(partial, today, random.Random(CLAUDE_DEMO_SEED), sessions=24)
        partial.rename(root)  # whole or not at all: a reader never sees half the demo
        for old in folder.glob("claude-code-demo-*"):
            if old != root.parent:
                shutil.rmtree(old, ignore_errors=True)
    return root
