"""Generate an Axiom-shaped SQLite database of N token_usage rows, fast.

Every row is made inside SQLite by one recursive CTE per batch (no per-row Python), then the
indexes Axiom has are built once at the end. The data looks like a busy deployment:

* ids follow time (Axiom's AUTOINCREMENT), spread evenly over `--days` days ending now;
* both timestamp forms in one column (60 % `YYYY-MM-DD HH:MM:SS`, 40 % ISO 8601 with
  milliseconds and `Z`) and one row in 100,000 in no known form;
* a weighted provider/model mix (11 pairs across anthropic, openai, openai-codex,
  openrouter, ollama), about a quarter with a stored cost, the rest priced from tokens;
* about one session per 50 requests (runs of consecutive requests share one), every
  session type, tasks for the task-like sessions; 4 % NULL and 1 % orphaned session ids.

    python bench/generate.py --rows 1000000 --out /tmp/bench/axiom-1m.db
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from factories import AXIOM_DDL  # noqa: E402  (Axiom's exact schema, written once for the tests)

# (provider, model, weight in ‰): the weights add up to 1000.
MODEL_MIX = [
    ("anthropic", "claude-sonnet-4-20250514", 300),
    ("anthropic", "claude-opus-4-7", 120),
    ("anthropic", "claude-3-haiku-20240307", 80),
    ("openai", "gpt-4o", 150),
    ("openai", "gpt-4o-mini", 120),
    ("openai", "gpt-4o-2024-08-06", 30),
    ("openai-codex", "gpt-5.4", 90),
    ("openrouter", "gpt-4o", 40),
    ("openrouter", "meta-llama/llama-3.1-70b-instruct", 30),
    ("ollama", "llama3.1:8b-local", 30),
    ("ollama", "qwen2.5-coder:7b", 10),
]
# session type, source, weight in ‰
SESSION_MIX = [
    ("interactive", "web", 350),
    ("interactive", "telegram", 150),
    ("interactive", "rest", 60),
    ("interactive", "telegram-group", 40),
    ("task", "task", 200),
    ("heartbeat", "task", 150),
    ("consolidation", "task", 30),
    ("loop_detection", "task", 20),
]
TRIGGERS = {"task": "user agent cronjob", "consolidation": "consolidation", "loop_detection": "agent",
            "heartbeat": "heartbeat"}
REQUESTS_PER_SESSION = 50
BATCH = 1_000_000


def _weighted_case(column: str, options: list[tuple], value_index: int) -> str:
    """A SQL CASE mapping `column` (0..999) onto the options' value by cumulative weight."""
    parts, upper = [], 0
    for option in options:
        upper += option[-1]
        value = str(option[value_index]).replace("'", "''")
        parts.append(f"WHEN {column} < {upper} THEN '{value}'")
    assert upper == 1000, upper
    return "CASE " + " ".join(parts) + " END"


def generate(path: Path, rows: int, days: int = 365, end: datetime | None = None,
             progress: bool = False) -> dict[str, object]:
    """Write a fresh Axiom database of `rows` requests at `path`; returns what was made and how fast."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    end = end or datetime.now(timezone.utc).replace(tzinfo=None)
    start_epoch = int((end - timedelta(days=days)).replace(tzinfo=timezone.utc).timestamp())
    span = days * 86400
    n_sessions = max(1, rows // REQUESTS_PER_SESSION)

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -400000")  # 400 MB page cache while building
        con.execute("PRAGMA temp_store = MEMORY")
        # Tables first, Axiom's indexes after the bulk insert (one sort instead of 10M inserts).
        ddl = AXIOM_DDL.split("CREATE INDEX")[0]
        con.executescript(ddl)

        # Sessions: s<k> for k in 0..n-1, type and source from a hash of k.
        session_type = _weighted_case("(k * 7919) % 1000", SESSION_MIX, 0)
        session_source = _weighted_case("(k * 7919) % 1000", SESSION_MIX, 1)
        con.execute("BEGIN")
        con.execute(f"""
            WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k + 1 < {n_sessions})
            INSERT INTO sessions (id, user_id, source, type, started_at, message_count)
            SELECT 's' || k, 1, {session_source}, {session_type},
                   datetime({start_epoch} + k * {span} / {n_sessions}, 'unixepoch'), 10
            FROM c""")
        # One task per task-like session (trigger from the session number), none for interactive.
        con.execute("""
            INSERT INTO tasks (id, name, prompt, status, trigger_type, session_id)
            SELECT 't' || substr(id, 2), 'task ' || id, 'do it', 'completed',
                   CASE type
                       WHEN 'task' THEN CASE CAST(substr(id, 2) AS INTEGER) % 3
                                        WHEN 0 THEN 'user' WHEN 1 THEN 'agent' ELSE 'cronjob' END
                       WHEN 'consolidation' THEN 'consolidation'
                       WHEN 'loop_detection' THEN 'agent'
                       ELSE 'heartbeat' END,
                   id
            FROM sessions WHERE type <> 'interactive'""")
        con.execute("COMMIT")

        provider = _weighted_case("m", MODEL_MIX, 0)
        model = _weighted_case("m", MODEL_MIX, 1)
        done = 0
        while done < rows:
            n = min(BATCH, rows - done)
            first = done
            # Per row: i (global), r = one random draw split into independent digit groups.
            con.execute("BEGIN")
            con.execute(f"""
                WITH RECURSIVE c(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM c WHERE i + 1 < {first + n}),
                g AS MATERIALIZED (  -- materialised: otherwise SQLite re-draws random() per reference
                    SELECT i, abs(random()) AS r,
                           {start_epoch} + i * {span}.0 / {rows} AS t
                    FROM c
                ),
                h AS (
                    SELECT i, t, r,
                           r % 1000 AS m,                 -- model mix
                           (r / 1000) % 1000 AS form,     -- timestamp form
                           (r / 1000000) % 1000 AS sess,  -- session NULL / orphan
                           (r / 1000000000) % 1000 AS cost_roll,
                           (r / 1000000000000) % 100000 AS bad
                    FROM g
                )
                INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens,
                                         estimated_cost, session_id)
                SELECT
                    CASE WHEN bad = 0 THEN 'not a time'
                         WHEN form < 600 THEN datetime(t, 'unixepoch')
                         ELSE strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch') END,
                    {provider},
                    {model},
                    100 + (r / 7) % 30000,
                    10 + (r / 11) % 3000,
                    CASE WHEN cost_roll < 250 THEN ((r / 13) % 200000) / 1000000.0 ELSE 0.0 END,
                    CASE WHEN sess < 40 THEN NULL
                         WHEN sess < 50 THEN 'orphan-' || (r % 997)
                         ELSE 's' || min({n_sessions - 1}, i / {REQUESTS_PER_SESSION}) END
                FROM h""")
            con.execute("COMMIT")
            done += n
            if progress:
                print(f"  {done:,}/{rows:,} rows  {time.perf_counter() - started:.1f}s", file=sys.stderr)
        con.execute("CREATE INDEX idx_token_usage_timestamp ON token_usage(timestamp)")
        con.execute("CREATE INDEX idx_token_usage_provider ON token_usage(provider)")
        con.execute("PRAGMA journal_mode = WAL")  # Axiom's mode (better-sqlite3 with journal_mode = WAL)
    finally:
        con.close()
    return {"path": str(path), "rows": rows, "sessions": n_sessions, "days": days,
            "seconds": round(time.perf_counter() - started, 2), "bytes": path.stat().st_size}


def append_rows(path: Path, rows: int, end: datetime | None = None) -> float:
    """Append `rows` new requests in the last minutes before `end` (what a Refresh then picks up); seconds taken."""
    started = time.perf_counter()
    end = end or datetime.now(timezone.utc).replace(tzinfo=None)
    end_epoch = int(end.replace(tzinfo=timezone.utc).timestamp())
    con = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        (n_sessions,) = con.execute("SELECT count(*) FROM sessions").fetchone()
        provider = _weighted_case("abs(random()) % 1000", MODEL_MIX, 0)
        model = _weighted_case("abs(random()) % 1000", MODEL_MIX, 1)
        con.execute("BEGIN")
        con.execute(f"""
            WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < {rows})
            INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens,
                                     estimated_cost, session_id)
            SELECT datetime({end_epoch} - 600 + i * 600 / {rows}, 'unixepoch'), {provider}, {model},
                   100 + abs(random()) % 30000, 10 + abs(random()) % 3000, 0.0,
                   's' || ({max(0, n_sessions - 20)} + abs(random()) % 20)
            FROM c""")
        con.execute("COMMIT")
    finally:
        con.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    info = generate(args.out, args.rows, args.days, progress=True)
    print(f"{info['rows']:,} rows, {info['sessions']:,} sessions in {info['seconds']}s -> {info['path']} "
          f"({info['bytes'] / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
