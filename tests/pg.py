"""A real, throwaway PostgreSQL for the LiteLLM tests and bench: Debian's server, LiteLLM's own schema.

`PgServer.start()` runs initdb and pg_ctl on a fresh temporary directory and a free local
port (as the `postgres` system user, or `nobody`, when we are root: initdb refuses root),
with pg_stat_statements preloaded so a test can see what each of our reads cost the server.
`migrate()` applies LiteLLM's Prisma migrations, the `migration.sql` files that PyPI's
`litellm-proxy-extras` ships, in sorted directory order (some names contain spaces), and then
the two indexes that LiteLLM's migration job creates itself (the migrations hold `SELECT 1`
placeholders for them; SCHEMAS.md, section D). A migrated template database makes each test's
own database a cheap `CREATE DATABASE ... TEMPLATE`.

No mock anywhere: the same server, schema and SQL as a LiteLLM proxy in production.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

# Debian installs the server under /usr/lib/postgresql/<major>/bin, outside PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
TEMPLATE_DB = "litellm_template"
READER_ROLE = "dashboard_reader"       # the read-only role the dashboard connects as
READER_PASSWORD = "s3cret-Reader-pw"   # only ever on 127.0.0.1 of a throwaway server
SUPERUSER_PASSWORD = "fixture-Admin-pw"  # passwords are checked (scram), so a wrong one is refused

# The indexes LiteLLM's migration job creates after the migrations (request_log_indexes.py in
# litellm-proxy-extras): the migrations carry `SELECT 1` placeholders for them.
JOB_INDEXES = (
    'CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_api_key_startTime_idx" '
    'ON "LiteLLM_SpendLogs" ("api_key", "startTime")',
    'CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_litellm_call_id_idx" '
    'ON "LiteLLM_SpendLogs" ("litellm_call_id")',
)


def pg_bin(tool: str) -> str:
    """The path of a PostgreSQL server tool (initdb, pg_ctl): on PATH, else Debian's newest."""
    found = shutil.which(tool)
    if found:
        return found
    for directory in sorted(glob.glob(PG_BIN_GLOB), reverse=True):
        candidate = Path(directory) / tool
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{tool} not found: install Debian's postgresql (apt-get install -y postgresql)")


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migration_files() -> list[Path]:
    """LiteLLM's migration.sql files in the order Prisma applies them (directory names sort by timestamp)."""
    import litellm_proxy_extras

    root = Path(litellm_proxy_extras.__file__).parent / "migrations"
    return sorted(root.glob("*/migration.sql"), key=lambda p: p.parent.name)


@dataclass
class PgServer:
    """One running PostgreSQL cluster in a temporary directory; `stop()` removes it all."""

    directory: Path
    port: int
    user: str | None                     # the OS user the server runs as (None: ourselves)
    databases: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, *, shared_buffers: str = "128MB") -> "PgServer":
        """initdb + pg_ctl start on a free port, listening on 127.0.0.1 with password authentication."""
        directory = Path(tempfile.mkdtemp(prefix="litellm-pg-"))
        user = None
        if os.geteuid() == 0:
            user = "postgres" if _has_user("postgres") else "nobody"
            entry = pwd.getpwnam(user)
            os.chmod(directory, 0o755)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        server = cls(directory=directory, port=free_port(), user=user)
        data = directory / "data"
        pwfile = directory / "pwfile"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if user:
            os.chown(pwfile, pwd.getpwnam(user).pw_uid, -1)
        server._run(pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                    "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C", "-N")
        options = (f"-c port={server.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={directory} -c shared_buffers={shared_buffers} "
                   "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        server._run(pg_bin("pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
                    "-o", options, "-w", "-t", "60", "start")
        return server

    def _run(self, *argv: str) -> None:
        prefix = ["setpriv", f"--reuid={self.user}", f"--regid={pwd.getpwnam(self.user).pw_gid}",
                  "--clear-groups", "--"] if self.user else []
        subprocess.run(prefix + list(argv), check=True, cwd=self.directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def url(self, database: str = "postgres", user: str = "postgres", password: str = SUPERUSER_PASSWORD) -> str:
        """A libpq URL for `database` on this server."""
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        """A superuser connection in autocommit mode (the fixture's own, never the code under test's)."""
        return psycopg.connect(self.url(database), autocommit=True)

    def migrate_template(self) -> None:
        """Create TEMPLATE_DB with LiteLLM's full schema, pg_stat_statements and the reader role."""
        with self.connect() as con:
            con.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
            con.execute(f"CREATE ROLE {READER_ROLE} LOGIN PASSWORD '{READER_PASSWORD}'")
        with self.connect(TEMPLATE_DB) as con:
            for path in migration_files():
                con.execute(path.read_text(encoding="utf-8"))
            for statement in JOB_INDEXES:
                con.execute(statement)
            con.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            con.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER_ROLE}")

    def new_database(self, name: str) -> str:
        """A fresh database `name` holding LiteLLM's schema (a copy of the template); its URL for the reader role."""
        with self.connect() as con:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
        self.databases.append(name)
        return self.url(name, READER_ROLE, READER_PASSWORD)

    def drop_database(self, name: str) -> None:
        """Drop a test's database (its connections are closed by then, else forced)."""
        with self.connect() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        try:
            self._run(pg_bin("pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def wait_for(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll `predicate()` until true or `timeout` seconds pass (an event wait, not a timing assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


# --- LiteLLM rows: seeded factories and a plain-Python oracle ------------------------------

import json  # noqa: E402
import random  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402


@dataclass
class SpendLog:
    """One "LiteLLM_SpendLogs" row as LiteLLM writes it (only the columns we read vary)."""

    request_id: str
    start: datetime
    model: str = "gpt-4o"
    custom_llm_provider: str | None = "openai"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    spend: float = 0.0
    status: str | None = "success"
    api_key: str = ""
    key_alias: str | None = None
    team_alias: str | None = None
    user: str | None = ""
    team_id: str | None = None
    end_user: str | None = ""
    tags: list | None = None
    usage_object: dict | None = None
    call_type: str = "acompletion"
    model_group: str | None = ""

    def metadata(self) -> str:
        meta: dict[str, object] = {"user_api_key_alias": self.key_alias, "user_api_key_team_alias": self.team_alias,
                                   "requester_ip_address": "10.0.0.1", "spend_logs_metadata": None}
        if self.usage_object is not None:
            meta["usage_object"] = self.usage_object
        return json.dumps(meta)


SPEND_LOG_COLUMNS = ('request_id', 'call_type', 'api_key', 'spend', 'total_tokens', 'prompt_tokens',
                     'completion_tokens', '"startTime"', '"endTime"', 'model', 'model_group',
                     'custom_llm_provider', '"user"', 'metadata', 'request_tags', 'team_id', 'end_user', 'status')


def insert_spend_logs(con: psycopg.Connection, rows: list[SpendLog]) -> None:
    """Write rows with COPY, as fast as LiteLLM's batch writer (startTime in UTC, no zone)."""
    with con.cursor() as cur:
        with cur.copy(f'COPY "LiteLLM_SpendLogs" ({", ".join(SPEND_LOG_COLUMNS)}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row((r.request_id, r.call_type, r.api_key, r.spend, r.prompt_tokens + r.completion_tokens,
                                r.prompt_tokens, r.completion_tokens, r.start, r.start + timedelta(seconds=2),
                                r.model, r.model_group, r.custom_llm_provider, r.user, r.metadata(),
                                json.dumps(r.tags if r.tags is not None else []), r.team_id, r.end_user, r.status))


@dataclass
class DailySpend:
    """One "LiteLLM_DailyUserSpend" row (LiteLLM's own daily rollup)."""

    day: date
    model: str
    custom_llm_provider: str | None
    prompt_tokens: int
    completion_tokens: int
    spend: float
    successful_requests: int
    failed_requests: int = 0
    user_id: str | None = "u1"
    api_key: str = "k" * 64
    cache_read: int = 0
    cache_creation: int = 0


def insert_daily_spend(con: psycopg.Connection, rows: list[DailySpend]) -> None:
    """Insert rollup rows the way LiteLLM's daily job keeps them."""
    with con.cursor() as cur:
        for i, r in enumerate(rows):
            cur.execute(
                'INSERT INTO "LiteLLM_DailyUserSpend" (id, user_id, date, api_key, model, custom_llm_provider, '
                'prompt_tokens, completion_tokens, cache_read_input_tokens, cache_creation_input_tokens, spend, '
                'api_requests, successful_requests, failed_requests, updated_at) '
                'VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())',
                (f"d{i}-{r.day}", r.user_id, r.day.isoformat(), r.api_key, r.model, r.custom_llm_provider,
                 r.prompt_tokens, r.completion_tokens, r.cache_read, r.cache_creation, r.spend,
                 r.successful_requests + r.failed_requests, r.successful_requests, r.failed_requests))


MODELS = (  # (model column, custom_llm_provider column, cache style)
    ("claude-sonnet-4-5", "anthropic", "anthropic"),
    ("gpt-4o", "openai", "openai"),
    ("gemini-2.5-pro", "gemini", "openai"),
    ("bedrock/anthropic.claude-3-haiku", "", None),     # provider only in the model id
    ("mistral/mistral-large", None, None),
)
KEY_HASHES = tuple(f"{i:x}" * 64 for i in range(1, 5))
KEY_ALIASES = ("ci-bot", "prod-app", None, "data-team")   # the third key has no alias


def random_spend_logs(seed: int, n: int, first: datetime = datetime(2026, 3, 1), days: int = 10,
                      prefix: str = "r") -> list[SpendLog]:
    """`n` seeded rows over `days` days from `first`: failures, cache tokens, aliases, tags, odd values."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        model, provider, cache = rng.choice(MODELS)
        k = rng.randrange(len(KEY_HASHES))
        failed = rng.random() < 0.08
        prompt, completion = rng.randrange(0, 20_000), rng.randrange(0, 2_000)
        usage = None
        if cache == "anthropic" and rng.random() < 0.7:
            read, write = rng.randrange(0, prompt // 2 + 1), rng.randrange(0, prompt // 4 + 1)
            usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                     "cache_read_input_tokens": read, "cache_creation_input_tokens": write,
                     "prompt_tokens_details": {"cached_tokens": read}}
        elif cache == "openai" and rng.random() < 0.6:
            usage = {"prompt_tokens": prompt, "prompt_tokens_details": {"cached_tokens": rng.randrange(0, prompt + 1)}}
        rows.append(SpendLog(
            request_id=f"{prefix}{seed}-{i}",
            start=first + timedelta(seconds=rng.randrange(days * 86_400), milliseconds=rng.randrange(1000)),
            model=model, custom_llm_provider=provider,
            prompt_tokens=0 if failed else prompt, completion_tokens=0 if failed else completion,
            spend=0.0 if failed else round(rng.uniform(0, 0.5), 6),
            status=rng.choice(("failure",)) if failed else rng.choice(("success", "success", None)),
            api_key=KEY_HASHES[k], key_alias=KEY_ALIASES[k],
            team_id=rng.choice((None, "", "team-uuid-1", "team-uuid-2")),
            team_alias=None, user=rng.choice(("", None, "alice", "bob")),
            end_user=rng.choice(("", None, "customer-7", "customer-9")),
            tags=rng.choice(([], ["prod"], ["prod", "batch"], ["eval"])),
            usage_object=usage))
        if rows[-1].team_id == "team-uuid-1":
            rows[-1].team_alias = "Platform"
    return rows


# The oracle: plain Python over the inserted rows, written from SCHEMAS.md section D and the issue.

def oracle_provider(r: SpendLog) -> str:
    if r.custom_llm_provider:
        return r.custom_llm_provider
    return r.model.split("/", 1)[0] if "/" in r.model else ""


def oracle_cache(r: SpendLog) -> tuple[int, int]:
    """(cache reads, cache writes): Anthropic's top-level keys, else OpenAI's cached_tokens; each once."""
    u = r.usage_object or {}
    if "cache_read_input_tokens" in u or "cache_creation_input_tokens" in u:
        return int(u.get("cache_read_input_tokens") or 0), int(u.get("cache_creation_input_tokens") or 0)
    return int((u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0), 0


def oracle_prompt(r: SpendLog) -> int:
    read, write = oracle_cache(r)
    return max(r.prompt_tokens - read - write, 0)


def oracle_key(r: SpendLog) -> str | None:
    if r.key_alias:
        return r.key_alias
    return f"key {r.api_key[:8]}…" if r.api_key else None


def oracle_dimension(r: SpendLog, dimension: str) -> list[str | None]:
    if dimension == "api_key":
        return [oracle_key(r)]
    if dimension == "user_id":
        return [r.user or None]
    if dimension == "team":
        return [r.team_alias or r.team_id or None]
    if dimension == "end_user":
        return [r.end_user or None]
    return list(r.tags) if r.tags else [None]


def in_window(r: SpendLog, start: datetime, end: datetime) -> bool:
    return start <= r.start < end


def oracle_totals(rows: list[SpendLog], start: datetime, end: datetime) -> dict[str, object]:
    ok = [r for r in rows if in_window(r, start, end) and r.status != "failure"]
    return {"requests": len(ok), "prompt_tokens": sum(oracle_prompt(r) for r in ok),
            "completion_tokens": sum(r.completion_tokens for r in ok),
            "cost": sum((Decimal(repr(r.spend)) for r in ok), Decimal(0)),
            "failed": sum(1 for r in rows if in_window(r, start, end) and r.status == "failure")}
