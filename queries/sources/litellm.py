"""LiteLLM proxy spend logs in Postgres as a source, read without ever loading the production database.

LiteLLM logs every request to `"LiteLLM_SpendLogs"`; its own Usage tab aggregates that table
per view and is known to take production databases down at scale (BerriAI/litellm #16276,
#13182, #2235). We instead copy the rows we need once into a DuckDB mirror and then ask
Postgres only for what is new: every read of the spend logs is a range on `"startTime"` (an
index of LiteLLM's own migrations), carrying only the mapped columns and the few JSON keys we
use. Filter changes never reach Postgres.

- Connection: one setting, env `LITELLM_DATABASE_URL` or `litellm_database_url` in
  `.streamlit/secrets.toml`. It is never shown: every error passes through `scrub()`, which
  removes the URL, its password and any other libpq URL in the text.
- Read-only with a statement timeout: the libpq `options` of our connection set
  `default_transaction_read_only=on` and `statement_timeout`, and DuckDB attaches READ_ONLY (its
  transactions are `READ ONLY` too). A read replica works by pointing the URL at it.
- Incremental mirror keyed by (startTime, request_id): Refresh re-reads `startTime >= newest
  mirrored - overlap` (late commits: LiteLLM writes spend logs in batches, and a long request is
  logged at its end under its start time), replaces the mirror's rows from there on and drops
  any older copy of a request_id it read again (DEDUPE_LOOKBACK). An hourly rollup in the shape
  of mirror.sql's (`request_rollup`) is recomputed for the hours touched, so usage.py's rollup
  blocks serve filter changes. A Postgres whose newest row is older than the mirror's window
  (restored, truncated) is copied again from scratch.
- The mirror is a DuckDB file in the dashboard's cache directory (queries.settings.cache_dir(),
  `litellm/<hash of the URL without its password>.duckdb`), so a restarted server does not copy
  the proxy's spend logs again. A stamp in the file says its copy completed (and in which format).
  On open it is checked like a Refresh (a database whose newest spend log is older than the
  mirror's is copied again, else what is new is appended) after two whole hours before the
  overlap window (the last one, and one picked at random) are compared with Postgres by rows and
  summed spend, two index ranges: a database replaced under the same URL is copied again. One
  process owns the file at a time (queries.cachefile.claim_cache_file); a second open gets a private
  mirror in a temp dir, removed on close, as does an open without a cache dir (open_litellm's
  `cache`: queries.mirror.open_mirrored_source, the app's path, passes the dashboard's; the CLI
  and the direct open_source path keep a private mirror: this module cannot read the setting
  without an import cycle through queries.settings -> queries.sources).
- Days without raw logs (LiteLLM's retention purge, or spend logs turned off): LiteLLM's daily
  rollup `"LiteLLM_DailyUserSpend"` is mirrored too and fills those UTC days, with a note.

The mapping itself is in litellm.sql. No Streamlit here.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import tomllib
import weakref
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote

import duckdb

import pricing
from queries.cachefile import claim_cache_file
from queries.sources.base import Capability, Source, SqliteKind
from queries.sql import parse_named_queries
from queries.sqlite import SourceError, new_duckdb_connection
from queries.wording import Wording

NAME = "litellm"
URL_ENV = "LITELLM_DATABASE_URL"
SECRETS_KEY = "litellm_database_url"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"   # Streamlit's project-level secrets file
STATEMENT_TIMEOUT_MS = 30_000    # a read of ours never holds the proxy's database longer than this
OVERLAP = timedelta(minutes=15)  # LiteLLM's batch writer commits within seconds; long streams take minutes
# A request_id read again is also looked for in the mirror this far before the window. LiteLLM never
# moves a row (request_id is the primary key, spend logs are insert-only), so a copy older than the
# window cannot exist in practice; the bound keeps each Refresh off the whole mirror (zone maps on ts).
DEDUPE_LOOKBACK = timedelta(days=1)
COPY_CHUNK_ROWS = 500_000        # rows per first-copy window: a few seconds per statement, far below the timeout
COPY_THREADS = 2                 # first-copy windows read at once: two of the proxy's connections, briefly
DIMENSIONS = ("api_key", "user_id", "team", "end_user", "tag")  # key alias, user, team, end user, tags
FAR_FUTURE = "infinity"          # Postgres' own upper bound for an open range
MIRROR_FORMAT = 1                # of litellm_mirror_create's tables: a cached mirror of another format is copied again
CACHE_SUBDIR = "litellm"         # beside queries/mirror.py's `mirrors/` in the cache dir (its sweep never sees these)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


class LitellmError(SourceError):
    """A LiteLLM database we cannot read; its text never holds the connection string."""


@cache
def _blocks() -> dict[str, str]:
    text = (Path(__file__).with_suffix(".sql")).read_text(encoding="utf-8")
    return {name: q.sql for name, q in parse_named_queries(text).items()}


def block(name: str) -> str:
    """The text of one named block of litellm.sql."""
    return _blocks()[name]


def postgres_extension_path() -> Path:
    """The postgres_scanner binary shipped in the PyPI wheel for the installed DuckDB version."""
    try:
        import duckdb_extension_postgres_scanner as wheel
    except ImportError:
        raise LitellmError("The postgres extension for DuckDB is not installed: "
                           "pip install -r requirements.txt") from None
    version = duckdb.__version__
    path = Path(wheel.__file__).parent / "extensions" / f"v{version}" / "postgres_scanner.duckdb_extension"
    if not path.exists():
        raise LitellmError(f"The postgres extension for DuckDB {version} is not installed (expected {path}). "
                           "Install the matching pinned versions: pip install -r requirements.txt")
    return path


def database_url(env: Mapping[str, str] | None = None, secrets_file: Path | None = None) -> str | None:
    """The proxy database's URL: env LITELLM_DATABASE_URL, else `litellm_database_url` in secrets.toml."""
    env = os.environ if env is None else env
    value = (env.get(URL_ENV) or "").strip()
    if value:
        return value
    path = SECRETS_FILE if secrets_file is None else secrets_file
    try:
        secrets = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    value = secrets.get(SECRETS_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


_ANY_URL = re.compile(r"postgres(?:ql)?://[^\s'\"]*", re.IGNORECASE)
_KV_SECRET = re.compile(r"(password|passfile|sslpassword)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def scrub(text: str, url: str | None) -> str:
    """`text` without the connection string: the URL as given and as we extended it, its
    password (URL-encoded or not), any other postgres:// URL and any `password=` pair."""
    secrets: set[str] = set()
    if url:
        secrets |= {url, reader_url(url)}
        match = re.match(r"postgres(?:ql)?://([^:@/]*):([^@/]*)@", url, re.IGNORECASE)
        if match and match.group(2):
            from urllib.parse import unquote

            secrets |= {match.group(2), unquote(match.group(2))}
        kv = _KV_SECRET.search(url)
        if kv:
            secrets.add(kv.group(2).strip("'"))
    for secret in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "[the configured database]" if "://" in secret or "=" in secret else "[hidden]")
    text = _ANY_URL.sub("[a database URL]", text)
    return _KV_SECRET.sub(r"\1=[hidden]", text)


def reader_url(url: str, timeout_ms: int = STATEMENT_TIMEOUT_MS) -> str:
    """`url` with libpq options that make every session read-only, with a statement timeout."""
    # jit=off: our statements are plain range reads, where JIT compiling costs more than it saves.
    options = f"-c statement_timeout={int(timeout_ms)} -c default_transaction_read_only=on -c jit=off"
    if "://" in url:
        return f"{url}{'&' if '?' in url else '?'}options={quote(options, safe='')}"
    return f"{url} options='{options}'"


def _literal(moment: datetime | date | None) -> str:
    """A Postgres timestamp (or date) literal for a value we computed; None is +infinity."""
    if moment is None:
        return f"'{FAR_FUTURE}'::timestamp"
    if isinstance(moment, datetime):
        return f"'{moment.replace(tzinfo=None).isoformat(sep=' ')}'::timestamp"
    if isinstance(moment, date):
        return f"'{moment.isoformat()}'"
    raise TypeError(f"not a date or datetime: {moment!r}")


def pg_text(name: str, **bounds: datetime | date | None) -> str:
    """A `litellm_pg_*` block with its :markers replaced by literals of typed bounds (see litellm.sql)."""
    text = block(name)
    for key, value in bounds.items():
        text = text.replace(f":{key}", _literal(value))
    if re.search(r"(?<!:):[a-z_]+\b", text.replace("::", "")):
        raise ValueError(f"{name}: a :marker was left unbound")
    return text


@dataclass(frozen=True)
class LitellmRefresh:
    """What one Refresh read from Postgres and what the mirror holds afterwards."""

    fetched: int            # spend rows read from Postgres (new ones plus the overlap window)
    rows: int               # rows mirrored afterwards
    seconds: float
    since: datetime | None  # the window's start (None: a full copy)
    rebuilt: bool = False
    reason: str | None = None


@dataclass
class LitellmSource(Source):
    """The opened LiteLLM database: a DuckDB connection with Postgres attached read-only as `pg`
    and the mirror attached as `lmirror`; `requests` reads the mirror. See the module doc."""

    url: str = field(default="", repr=False)
    overlap: timedelta = OVERLAP
    mirror_dir: Path | None = None
    mirror_file: Path | None = None
    private: bool = True                 # a temp-dir mirror (another open owns the cache file), removed on close
    reopened: LitellmRefresh | None = None  # what taking up the cached mirror on open did (None: a first copy)
    rows: int = 0
    high_water: datetime | None = None   # newest startTime mirrored
    first_ts: datetime | None = None     # oldest startTime mirrored
    build_seconds: float = 0.0
    rollup: bool = True                  # usage.py may read the hourly rollup (request_rollup)
    statements: list[str] = field(default_factory=list, repr=False)  # Postgres texts of the last refresh
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cleanup: weakref.finalize | None = field(default=None, repr=False)

    # --- public -----------------------------------------------------------------------

    def refresh(self) -> LitellmRefresh:
        """Read what is new since the high-water mark minus the overlap window, in one range read."""
        with self._refresh_lock, self._scrubbed():
            started = time.perf_counter()
            self.statements = []
            cur = self.cursor()
            try:
                first, last, _estimate = self._bounds(cur)
                reason = None
                if self.high_water is not None and (last is None or last < self.high_water - self.overlap):
                    reason = "the database's newest spend log is older than the mirror's"
                if reason is None and self.high_water is not None:
                    since = self.high_water - self.overlap
                    fetched = self._append(cur, since)
                    return LitellmRefresh(fetched, self.rows, time.perf_counter() - started, since)
            finally:
                cur.close()
            self._build(None)
            return LitellmRefresh(self.rows, self.rows, time.perf_counter() - started, None, True,
                                  reason or "first copy")

    def rebuild(self, progress: ProgressCallback | None = None) -> None:
        """Copy everything again (by startTime windows), reporting progress(rows_copied, rows_estimated)."""
        with self._refresh_lock, self._scrubbed():
            self._build(progress)

    def reopen(self, progress: ProgressCallback | None = None) -> LitellmRefresh:
        """Take up the cached mirror: compare a few whole hours with Postgres, then the checks of a
        Refresh; copy everything again (with progress) when they fail. See the module doc."""
        with self._refresh_lock, self._scrubbed():
            self.statements = []
            cur = self.cursor()
            try:
                self._note_state(cur)
                reason = self._cached_mismatch(cur)
            finally:
                cur.close()
        if reason is None:
            checks = self.statements
            self.reopened = self.refresh()
            self.statements = checks + self.statements  # the compared hours', then the Refresh's
            return self.reopened
        log.info("LiteLLM mirror %s is copied again: %s", self.mirror_file, reason)
        started = time.perf_counter()
        self.rebuild(progress)
        self.reopened = LitellmRefresh(self.rows, self.rows, time.perf_counter() - started, None, True, reason)
        return self.reopened

    def close(self) -> None:
        try:
            self.connection.close()  # nothing of ours is left on the proxy's database
        finally:
            if self._cleanup is not None:
                self._cleanup()

    # --- reading Postgres ------------------------------------------------------------------

    def _pg(self, cur: duckdb.DuckDBPyConnection, name: str, pg_sql: str) -> None:
        self.statements.append(pg_sql)
        cur.execute(block(name), {"pg_sql": pg_sql})

    def _bounds(self, cur: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None, int]:
        text = block("litellm_pg_bounds")
        self.statements.append(text)
        first, last, estimate = cur.execute("SELECT * FROM postgres_query('pg', $q)", {"q": text}).fetchone()
        return first, last, int(estimate or 0)

    def _cached_mismatch(self, cur: duckdb.DuckDBPyConnection) -> str | None:
        """Why the cached mirror cannot be taken up (None: it can): empty, a database whose newest
        spend log is older than the mirror's, or a compared hour whose rows or spend differ."""
        if self.high_water is None:
            return "the cached mirror is empty"
        first, last, _estimate = self._bounds(cur)
        if last is None or last < self.high_water - self.overlap:
            return "the database's newest spend log is older than the mirror's"
        end = (self.high_water - self.overlap).replace(minute=0, second=0, microsecond=0)
        hours = {end - timedelta(hours=1)}
        sampled = cur.execute(block("litellm_sample_hour"), {"until": end}).fetchone()
        if sampled:
            hours.add(sampled[0])
        for hour in sorted(hours):
            if first is None or hour < first:
                continue  # before Postgres' oldest row: purged by LiteLLM's retention, which the mirror keeps
            bounds = {"since": hour, "until": hour + timedelta(hours=1)}
            text = pg_text("litellm_pg_window_check", **bounds)
            self.statements.append(text)
            pg_rows, pg_spend = cur.execute("SELECT * FROM postgres_query('pg', $q)", {"q": text}).fetchone()
            rows, spend = cur.execute(block("litellm_window_check"), bounds).fetchone()
            if int(pg_rows) != int(rows) or not math.isclose(float(pg_spend), float(spend), rel_tol=1e-9,
                                                             abs_tol=1e-9):
                return f"its rows of {hour:%Y-%m-%d %H}:00 UTC differ from the database's"
        return None

    def _build(self, progress: ProgressCallback | None) -> None:
        started = time.perf_counter()
        cur = self.cursor()
        try:
            first, last, estimate = self._bounds(cur)
            cur.execute(block("litellm_mirror_create"))
            if progress:
                progress(0, estimate)
            if first is not None:
                windows = max(1, math.ceil(estimate / COPY_CHUNK_ROWS))
                step = (last - first) / windows
                edges = [first + step * i for i in range(windows)] + [None]
                texts = [pg_text("litellm_pg_spend_range", since=lo, until=hi) for lo, hi in zip(edges, edges[1:])]
                self.statements.extend(texts)
                self._copy_windows(texts, estimate, progress)
            everything = {"since": datetime.min, "floor": datetime.min}
            cur.execute(block("litellm_insert_rollup"), everything)
            cur.execute(block("litellm_insert_dim_daily"), everything)
            self._pg(cur, "litellm_fetch_daily", pg_text("litellm_pg_daily_user_spend", since_day=date.min))
            cur.execute(block("litellm_insert_daily"))
            cur.execute(block("litellm_stamp_write"), {"format": MIRROR_FORMAT})  # the copy is complete
            self._note_state(cur)
            try:
                cur.execute("CHECKPOINT lmirror")
            except duckdb.TransactionException:
                pass  # readers are busy; DuckDB checkpoints on its own later
        finally:
            cur.close()
        self.build_seconds = time.perf_counter() - started
        if progress:
            progress(self.rows, self.rows)

    def _copy_windows(self, texts: list[str], estimate: int, progress: ProgressCallback | None) -> int:
        """Run the window copies on COPY_THREADS cursors at once; progress is reported from the
        calling thread (a page's progress bar may only be drawn from its own thread) as each ends."""

        def copy(text: str) -> int:
            cur = self.cursor()
            try:
                cur.execute(block("litellm_copy_range"), {"pg_sql": text})
                return int(cur.fetchone()[0])
            finally:
                cur.close()

        copied = 0
        with ThreadPoolExecutor(max_workers=COPY_THREADS, thread_name_prefix="litellm-copy") as pool:
            for future in as_completed([pool.submit(copy, text) for text in texts]):
                copied += future.result()  # re-raises a window's error here
                if progress:
                    progress(copied, max(estimate, copied))
        return copied

    def _append(self, cur: duckdb.DuckDBPyConnection, since: datetime) -> int:
        """Fetch `startTime >= since` into temp tables, then swap them into the mirror in one transaction."""
        self._pg(cur, "litellm_fetch_range", pg_text("litellm_pg_spend_range", since=since, until=None))
        (fetched,) = cur.execute("SELECT count(*) FROM temp.fetched").fetchone()
        since_day = since.date()
        self._pg(cur, "litellm_fetch_daily", pg_text("litellm_pg_daily_user_spend", since_day=since_day))
        bounds = {"since": since, "floor": since - DEDUPE_LOOKBACK}
        cur.execute(block("litellm_touched_hours"), bounds)
        cur.begin()
        try:
            cur.execute(block("litellm_delete_refetched"), bounds)
            cur.execute(block("litellm_insert_fetched"))
            cur.execute(block("litellm_delete_rollup"), {"since": since})
            cur.execute(block("litellm_insert_rollup"), bounds)
            cur.execute(block("litellm_delete_dim_daily"), {"since": since})
            cur.execute(block("litellm_insert_dim_daily"), bounds)
            cur.execute(block("litellm_delete_daily"), {"since_day": since_day})
            cur.execute(block("litellm_insert_daily"))
            cur.commit()
        except BaseException:
            cur.rollback()
            raise
        self._note_state(cur)
        return int(fetched)

    def _note_state(self, cur: duckdb.DuckDBPyConnection) -> None:
        rows, last, first = cur.execute(block("litellm_state")).fetchone()
        self.rows, self.high_water, self.first_ts = int(rows), last, first

    def _scrubbed(self):
        return scrubbed_errors(self.url)


class scrubbed_errors:
    """Context manager: a duckdb.Error inside becomes a LitellmError whose text is scrubbed."""

    def __init__(self, url: str | None) -> None:
        self.url = url

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or not isinstance(exc, (duckdb.Error, LitellmError)):
            return False
        if isinstance(exc, LitellmError):
            text = str(exc)
        else:
            text = f"The LiteLLM database could not be read: {exc}"
        raise LitellmError(scrub(text, self.url)) from None


def url_without_password(url: str) -> str:
    """`url` with its password (user:PASSWORD@, or a password= pair) taken out: what names the
    database in the mirror's cache key, so the key never holds the password and survives its rotation."""
    out = re.sub(r"^(postgres(?:ql)?://[^:@/]*):[^@/]*@", r"\1@", url.strip(), flags=re.IGNORECASE)
    return _KV_SECRET.sub(r"\1=", out)


def mirror_file_for_url(url: str, cache: Path) -> Path:
    """`<cache dir>/litellm/<hash of the URL without its password>.duckdb`."""
    digest = hashlib.sha256(url_without_password(url).encode("utf-8")).hexdigest()[:32]
    return cache / CACHE_SUBDIR / f"{digest}.duckdb"


def _private_mirror() -> tuple[Path, bool, Callable[[], None]]:
    """A mirror file in a fresh temp dir, removed on release (no cache dir given)."""
    directory = Path(tempfile.mkdtemp(prefix="litellm-mirror-"))
    return directory / "mirror.duckdb", True, lambda: shutil.rmtree(directory, ignore_errors=True)


def _attach_mirror(con: duckdb.DuckDBPyConnection, file: Path, private: bool) -> bool:
    """Attach `file` as lmirror; True when it holds a completed copy of our format (to take up).
    A cache file DuckDB cannot open (foreign, damaged) is removed and started afresh."""
    statement = "ATTACH '" + str(file).replace("'", "''") + "' AS lmirror"  # a path we made, not user input
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        if private:
            raise
        log.info("LiteLLM mirror %s cannot be opened (%s); it is copied again", file, exc.__class__.__name__)
        for path in (file, Path(f"{file}.wal")):
            path.unlink(missing_ok=True)
        con.execute(statement)
        return False
    try:
        stamp = con.execute(block("litellm_stamp_read")).fetchone()
    except duckdb.CatalogException:
        return False  # a new file, or one from before the stamp
    return stamp is not None and stamp[0] == MIRROR_FORMAT


def open_litellm(url: str | None = None, *, progress: ProgressCallback | None = None,
                 overlap: timedelta = OVERLAP, timeout_ms: int = STATEMENT_TIMEOUT_MS,
                 is_demo: bool = False, cache: Path | None = None) -> LitellmSource:
    """Attach the proxy's Postgres read-only and make the first copy of its spend logs.

    `url` defaults to the setting (`database_url()`); a missing one, a refused connection or a
    database without LiteLLM's tables raises LitellmError with a scrubbed message. With `cache`
    (the dashboard's cache dir) the mirror is kept there and taken up by the next open; without,
    it is private to this open.
    """
    url = url if url is not None else database_url()
    if not url:
        raise LitellmError(f"No LiteLLM database is configured: set {URL_ENV} (or {SECRETS_KEY} in "
                           f"{SECRETS_FILE}) to its postgresql:// URL.")
    release = None
    with scrubbed_errors(url):
        con = new_duckdb_connection()
        try:
            con.execute(f"LOAD '{postgres_extension_path()}'")  # a path we own, not user input
            # ATTACH takes no bound parameters: the URL comes from the operator's own setting,
            # never from a page visitor, and is written as a SQL string literal.
            literal = "'" + reader_url(url, timeout_ms).replace("'", "''") + "'"
            con.execute(f"ATTACH {literal} AS pg (TYPE postgres, READ_ONLY)")
            (table,) = con.execute("SELECT * FROM postgres_query('pg', $q)",
                                   {"q": "SELECT to_regclass('\"LiteLLM_SpendLogs\"')::text AS t"}).fetchone()
            if table is None:
                raise LitellmError("The configured database has no LiteLLM_SpendLogs table: is it the "
                                   "LiteLLM proxy's database (DATABASE_URL of the proxy)?")
            from queries.sql import sql

            file, private, release = (claim_cache_file(mirror_file_for_url(url, cache), "the LiteLLM database")
                                      if cache is not None else _private_mirror())
            cached = _attach_mirror(con, file, private)
            # Macros first, then the tables (empty, unless a cached copy is taken up) and the views
            # over them, then the page's macros.
            con.execute(block("litellm_define_macros"))
            if not cached:
                con.execute(block("litellm_mirror_create"))
            con.execute(block("litellm_views"))
            con.execute(sql("define_filtered_requests"))  # usage.sql: exact_usd, filtered_requests
            con.execute(sql("define_filtered_rollup"))    # mirror.sql: the rollup blocks' macro
            con.execute(block("define_litellm_filtered_rows"))
        except BaseException:
            con.close()
            if release is not None:
                release()  # the cache file's lock, or the private temp dir
            raise
    source = LitellmSource(path=Path(NAME), kind=KIND, connection=con, is_demo=is_demo, url=url,
                           overlap=overlap, mirror_dir=file.parent, mirror_file=file, private=private)
    source._cleanup = weakref.finalize(source, release)
    try:
        if cached:
            source.reopen(progress)
        else:
            source.rebuild(progress)
    except BaseException:
        source.close()
        raise
    return source


# --- the report ------------------------------------------------------------------------

def _usage_params(filters) -> dict[str, object]:
    start_utc, end_utc = filters.range.utc_window()
    # Whole UTC days (a UTC range, or a zone at a whole-day offset): the daily dimension rollup serves it.
    daily = all(t.hour == t.minute == t.second == t.microsecond == 0 for t in (start_utc, end_utc))
    return {"start_utc": start_utc, "end_utc": end_utc, "provider": filters.provider or None,
            "model": filters.model or None, "daily": daily} | {d: getattr(filters, d) or None for d in DIMENSIONS}


def _rows(source: Source, name: str, params: dict[str, object]) -> list[dict[str, object]]:
    cur = source.cursor()
    try:
        text = block(name)
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", text))
        cur.execute(text, {k: v for k, v in params.items() if k in used})
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    finally:
        cur.close()


def failed_requests(source: Source, filters) -> int:
    """Failed requests (status 'failure') of one filter state: counted apart, never in `requests`."""
    return int(_rows(source, "litellm_failed_count", _usage_params(filters))[0]["failed"])


@dataclass(frozen=True)
class AggregateDay:
    """One (UTC day, provider, model) of LiteLLM's daily rollup for a day without spend logs."""

    day: date
    provider: str
    model: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    spend: Decimal
    failed: int


def aggregate_days(source: Source, filters) -> list[AggregateDay]:
    """LiteLLM's rollup rows for the days of the range that have no spend log at all (UTC days).
    None under a dimension filter: the mirrored rollup is per provider and model only."""
    if filters.dimensions():
        return []
    params = _usage_params(filters) | {"from_day": filters.range.start, "until_day": filters.range.end}
    return [AggregateDay(r["day"], r["provider"], r["model"], int(r["requests"]), int(r["prompt_tokens"]),
                         int(r["completion_tokens"]), Decimal(str(r["spend"] or 0)), int(r["failed"]))
            for r in _rows(source, "litellm_aggregate_days", params)]


@dataclass(frozen=True)
class DimensionRow:
    """One value of a dimension (key alias, user, team, end user or tag) in one filter state."""

    value: str | None        # None: requests that carry no value for it
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    stored_cost: float
    failed: int


def dimension_values(source: Source, dimension: str) -> list[str]:
    """The values `dimension` takes in the mirror, most requests first (a filter's options)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    name = "litellm_tag_values" if dimension == "tag" else "litellm_dimension_values"
    return [r["value"] for r in _rows(source, name, {"dimension": dimension})]


def dimension_breakdown(source: Source, filters, dimension: str,
                        where: Mapping[str, str | None] | None = None) -> list[DimensionRow]:
    """Spend per value of `dimension` for one filter state (its dimension filters included), narrowed
    further by `where` (dimension -> value)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    where = dict(where or {})
    unknown = set(where) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension filter(s): {', '.join(sorted(unknown))}")
    params = _usage_params(filters) | {"dimension": dimension} | {d: where[d] or None for d in where}
    return [DimensionRow(r["value"], int(r["requests"]), int(r["prompt_tokens"]), int(r["completion_tokens"]),
                         int(r["cache_read_tokens"]), int(r["cache_write_tokens"]), float(r["stored_cost"]),
                         int(r["failed"]))
            for r in _rows(source, "litellm_tag_breakdown" if dimension == "tag" else "litellm_dimension_breakdown",
                           params)]


def litellm_usage_report(source: Source, filters, prices, cat=None):
    """The shared per-request report over the mirror, with LiteLLM's daily rollup filling the days
    that have no spend logs (a note says which), and the failed requests counted apart (a note)."""
    from queries import usage

    report = usage.requests_usage_report(source, filters, prices, cat)
    warnings = list(report.warnings)
    failed = failed_requests(source, filters)
    aggregates = aggregate_days(source, filters)
    failed += sum(a.failed for a in aggregates)
    if failed:
        warnings.append(f"{failed:,} failed request(s) in this range are counted apart, not in Requests.")
    if filters.dimensions():
        unsplit = sorted({a.day for a in aggregate_days(source, replace(filters, **{d: None for d in DIMENSIONS}))})
        if unsplit:
            warnings.append(
                f"{len(unsplit)} day(s) ({unsplit[0].isoformat()} to {unsplit[-1].isoformat()}) have no spend logs, "
                "only LiteLLM's daily totals, which cannot be narrowed by key, user, team, end user or tag: "
                "they are left out while such a filter is set.")
    if not aggregates:
        return replace(report, warnings=warnings,
                       previous_totals=_with_aggregates(source, filters, report.previous_totals))
    days = sorted({a.day for a in aggregates})
    warnings.append(
        f"{len(days)} day(s) ({days[0].isoformat()} to {days[-1].isoformat()}) have no spend logs in LiteLLM "
        "(purged after its retention period, or not logged); their numbers come from LiteLLM's daily "
        "totals (LiteLLM_DailyUserSpend, UTC days) and carry no per-request detail.")
    tokens = sum(a.prompt_tokens + a.completion_tokens for a in aggregates)
    spend = sum((a.spend for a in aggregates), Decimal(0))
    totals = replace(report.totals,
                     requests=report.totals.requests + sum(a.requests for a in aggregates),
                     prompt_tokens=report.totals.prompt_tokens + sum(a.prompt_tokens for a in aggregates),
                     completion_tokens=report.totals.completion_tokens + sum(a.completion_tokens for a in aggregates),
                     total_tokens=report.totals.total_tokens + tokens,
                     estimated_cost=float(Decimal(str(report.totals.estimated_cost)) + spend))
    by_day: dict[date, list[AggregateDay]] = {}
    for a in aggregates:
        by_day.setdefault(a.day, []).append(a)
    daily = []
    for d in report.daily:
        extra = by_day.get(d.day, [])
        if extra:
            p = sum(a.prompt_tokens for a in extra)
            c = sum(a.completion_tokens for a in extra)
            d = replace(d, requests=d.requests + sum(a.requests for a in extra), prompt_tokens=d.prompt_tokens + p,
                        completion_tokens=d.completion_tokens + c, total_tokens=d.total_tokens + p + c,
                        estimated_cost=float(Decimal(str(d.estimated_cost)) + sum((a.spend for a in extra), Decimal(0))),
                        main_tokens=d.main_tokens + p + c)
        daily.append(d)
    rows = {(b.provider, b.model): b for b in report.breakdown}
    for a in aggregates:
        b = rows.get((a.provider, a.model))
        if b is None:
            b = usage.BreakdownRow(a.provider, a.model, 0, 0, 0, 0, 0.0, None, False,
                                   price_source="LiteLLM daily totals")
        rows[(a.provider, a.model)] = replace(
            b, requests=b.requests + a.requests, prompt_tokens=b.prompt_tokens + a.prompt_tokens,
            completion_tokens=b.completion_tokens + a.completion_tokens,
            total_tokens=b.total_tokens + a.prompt_tokens + a.completion_tokens,
            estimated_cost=float(Decimal(str(b.estimated_cost)) + a.spend),
            stored_requests=b.stored_requests + a.requests, stored_cost=float(Decimal(str(b.stored_cost)) + a.spend))
    merged = sorted(rows.values(), key=lambda b: (-b.estimated_cost, -b.requests, b.provider, b.model))
    total_cost = sum(b.estimated_cost for b in merged)
    merged = [replace(b, cost_share=(b.estimated_cost / total_cost) if total_cost else None) for b in merged]
    return replace(report, totals=totals, previous_totals=_with_aggregates(source, filters, report.previous_totals),
                   daily=daily, breakdown=merged, warnings=warnings)


def _with_aggregates(source: Source, filters, totals):
    """The previous period's totals with its own days without spend logs added from the rollup."""
    previous = replace(filters, range=filters.range.previous())
    extra = aggregate_days(source, previous)
    if not extra:
        return totals
    p, c = sum(a.prompt_tokens for a in extra), sum(a.completion_tokens for a in extra)
    return replace(totals, requests=totals.requests + sum(a.requests for a in extra),
                   prompt_tokens=totals.prompt_tokens + p, completion_tokens=totals.completion_tokens + c,
                   total_tokens=totals.total_tokens + p + c,
                   estimated_cost=float(Decimal(str(totals.estimated_cost)) + sum((a.spend for a in extra), Decimal(0))))


# --- the kind ----------------------------------------------------------------------------

WORDING = Wording("request", "tokenPriceTable in settings.json (USAGE_SETTINGS)", pricing.settings_snippet,
                  "for requests LiteLLM stored no spend for", price_key="tokenPriceTable")


class LitellmKind(SqliteKind):
    """The LiteLLM proxy's Postgres: per-request spend logs with LiteLLM's stored spend, cache tokens,
    and the key / user / team / end user / tag dimensions. Shares the REQUESTS report of SqliteKind
    (usage.sql over `requests`, the hourly rollup when the range allows) and adds LiteLLM's daily
    rollup for days without spend logs and the count of failed requests."""

    name = NAME
    label = "LiteLLM"
    capabilities = frozenset({Capability.REQUESTS, Capability.CACHE_TOKENS, Capability.KEY, Capability.USER,
                              Capability.TEAM, Capability.END_USER, Capability.TAGS})
    wording = WORDING
    mirror = None  # its own incremental mirror by startTime ranges (above), not queries/mirror.py's
    opens_with_progress = True  # queries/mirror.open_mirrored_source passes the page's progress bar to open()
    keeps_cache_file = True     # ... and the cache dir, where the mirror is kept across restarts
    tables = frozenset({"LiteLLM_SpendLogs"})

    @property
    def signature(self) -> str:
        return f"litellm: a LiteLLM proxy's Postgres, configured by {URL_ENV} (kind = \"litellm\")"

    def detect(self, path: Path) -> bool:
        """Never by a path: a LiteLLM source is chosen by kind = "litellm" and reads its URL setting."""
        return False

    def open(self, path: Path, *, is_demo: bool = False, busy_timeout_ms: int | None = None,
             progress: ProgressCallback | None = None, cache_dir: Path | None = None) -> Source:
        """Attach the database of the URL setting (`path` only names the source) and copy its spend
        logs (into `cache_dir` when given: taken up by the next open)."""
        return open_litellm(progress=progress, cache=cache_dir)  # never demo data, whatever the path

    def usage_report(self, source: Source, filters, prices: pricing.PriceBook, catalog=None):
        return litellm_usage_report(source, filters, prices, catalog)

    # Dimensions (KEY, USER, TEAM, END_USER, TAGS): what the Token Usage page's dimension card calls.
    dimension_names = {Capability.KEY: "api_key", Capability.USER: "user_id", Capability.TEAM: "team",
                       Capability.END_USER: "end_user", Capability.TAGS: "tag"}

    def dimension_values(self, source: Source, dimension: str) -> list[str]:
        return dimension_values(source, dimension)

    def dimension_breakdown(self, source: Source, filters, dimension: str,
                            where: Mapping[str, str | None] | None = None) -> list[DimensionRow]:
        return dimension_breakdown(source, filters, dimension, where)

    def price_file_hint(self, settings_path: Path | None) -> str:
        return (f"tokenPriceTable in {settings_path or 'settings.json'} (--settings or USAGE_SETTINGS); "
                "LiteLLM's own stored spend is used wherever it is above 0")

    def no_data_message(self, source: Source, for_app: bool = False) -> str:
        return (f"No data. The LiteLLM database (set by {URL_ENV}) has no spend logs yet, and no daily totals. "
                "Check that the proxy writes spend logs (general_settings.disable_spend_logs is off) and that "
                f"{URL_ENV} points at the proxy's database.")


KIND = LitellmKind()
