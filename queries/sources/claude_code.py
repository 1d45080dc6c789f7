"""Claude Code's session logs as a source: `~/.claude/projects/<project>/<sessionId>.jsonl`, with
subagents under `<project>/<sessionId>/subagents/*.jsonl`.

Why a store: at a few GB of logs (ccusage users report timeouts there, ccusage issues #821,
#873, #1151) parsing every line on every page load is too slow. So the lines are parsed once
into a DuckDB file in the cache directory (`$XDG_CACHE_HOME/token-usage/claude-code/`, else
~/.cache/...), and each refresh parses only the bytes appended to each file since the last one.
A file is tracked by (size, mtime, inode) and the offset of the end of its last complete line;
a half-written last line waits for the next refresh. A file that shrank (truncated), has
another inode (replaced), was rewritten in place (the bytes before the offset changed) or is
gone has its old turns removed and is read again from the start (or not at all).

The parsing and dedupe rules live in claude_code.sql (and only there); the Sessions page
(`queries.sources.claude_code_sessions.ClaudeLogs`) and the Token Usage page read the same store. The logs are
never written to.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import duckdb

import pricing
from queries.sources.agentx_demo import claude_demo_paths
from queries.sources.base import Capability, Source, SqliteKind
from queries.sql import bind, sql
from queries.sqlite import SourceError
from queries.usage import Catalog, Filters, Totals, UsageReport
from queries.wording import Wording

SCHEMA_VERSION = 2  # 2: lines and turns carry their hour and subagent_file (the rollup's keys)
# Bytes parsed per DuckDB statement on a first load: big enough that DuckDB's per-statement cost
# is small, small enough that a batch's text (held twice: Python and Arrow) stays far below the
# 1.5 GB RSS target of issue 12 (bench/claude_logs.py measures it).
BATCH_BYTES = 48 * 1024 * 1024
# The bytes before a file's offset remembered to notice a rewrite in place (a log whose earlier
# lines changed while size and inode did not shrink).
TAIL_BYTES = 256
# The input size (cache tokens included) at which the hourly rollup splits its rows: the threshold
# of Anthropic's long-context prices in the price library, and agentx's tier 2 (pricing.TIER2_LIMIT).
ROLLUP_BAND = 200_000
# DuckDB's own memory for the store (a bound on RSS next to the batch in Python).
DUCKDB_MEMORY_LIMIT = "768MB"

Progress = Callable[[int, int], None]


def cache_root(env: dict[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/token-usage` (else ~/.cache/token-usage): where the stores live, so a
    restarted server reads only what changed while it was down."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base).expanduser() / "token-usage"


def store_path(root: Path) -> Path:
    """The store of one projects directory: one DuckDB file per resolved path."""
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_root() / "claude-code" / f"{digest}.duckdb"


def log_files(root: Path) -> list[tuple[str, str, str, bool]]:
    """(path, project, session id by path, is a subagent file) for every session log under `root`."""
    found = []
    for path in sorted(root.glob("*/*.jsonl")):
        found.append((str(path), path.parent.name, path.stem, False))
    for path in sorted(root.glob("*/*/subagents/*.jsonl")):
        found.append((str(path), path.parent.parent.parent.name, path.parent.parent.name, True))
    return found


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did: files read (wholly or their appended bytes), forgotten, bytes parsed."""

    files_read: int = 0
    files_forgotten: int = 0
    bytes_read: int = 0
    lines_added: int = 0


@dataclass
class _Known:
    file_id: int
    dev: int
    inode: int
    size: int
    mtime_ns: int
    offset: int
    tail: bytes


def _read_tail(path: str, offset: int) -> bytes | None:
    """The TAIL_BYTES before `offset` of a file (None if it cannot be read)."""
    start = max(0, offset - TAIL_BYTES)
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            return handle.read(offset - start)
    except OSError:
        return None


def _attach_literal(path: Path) -> str:
    """The store's path as a SQL string literal (ATTACH takes no bound parameters); the path is
    our own cache file's, built from a hash, never user text."""
    return "'" + str(path).replace("'", "''") + "'"


class ClaudeCodeStore:
    """The parsed, deduplicated turns of one projects directory, kept up to date by `refresh()`.

    One store per directory per process (`acquire_store`): DuckDB must not open its file twice.
    The connection is in-memory with the store file attached as `cc`; its views (`requests`,
    `claude_turns`) live in the in-memory catalog so every cursor sees them. When the file is
    locked by another process (a CLI next to the app) the store lives in memory for this run.
    """

    def __init__(self, root: Path, connection: duckdb.DuckDBPyConnection, persistent: Path | None) -> None:
        self.root = root
        self.connection = connection
        self.persistent = persistent
        self.lock = threading.RLock()
        self.users = 0
        self._scratch: Path | None = None  # where appended bytes are copied when the store has no file
        self.last_refresh = RefreshResult()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, connection: duckdb.DuckDBPyConnection) -> "ClaudeCodeStore":
        """Attach (or create) the store file for `root` on `connection`, checking its version."""
        path = store_path(root)
        persistent: Path | None = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"ATTACH {_attach_literal(path)} AS cc")
        except (OSError, duckdb.Error):
            persistent = None  # locked by another process, or no writable cache: this run only
            connection.execute("ATTACH ':memory:' AS cc")
        store = cls(root, connection, persistent)
        store._check_schema()
        return store

    def _check_schema(self) -> None:
        con = self.connection
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")  # a constant of ours
        con.execute("SET enable_progress_bar = false")  # our own progress callback reports the first load
        # Spill beside the store, not into the server's working directory (DuckDB's default `.tmp`).
        con.execute(f"SET temp_directory = {_attach_literal(self._chunk_dir().with_suffix('.spill'))}")
        version = None
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'cc' AND table_name = 'meta'"
                       ).fetchone()[0]:
            row = con.execute("SELECT schema_version FROM cc.meta").fetchone()
            version = row[0] if row else None
        if version != SCHEMA_VERSION:
            for table in ("meta", "files", "lines", "turns", "hourly"):
                con.execute(f"DROP TABLE IF EXISTS cc.{table}")  # names of our own tables
            con.execute(sql("cc_create_tables"))
            con.execute("INSERT INTO cc.meta VALUES (?, false)", [SCHEMA_VERSION])
        con.execute(sql("cc_create_tables"))
        con.execute(sql("cc_views"))
        con.execute(sql("cc_define_hourly_rows"))

    # -- refreshing ------------------------------------------------------------------------

    def _known(self) -> dict[str, _Known]:
        rows = self.connection.execute(
            'SELECT path, file_id, dev, inode, size, mtime_ns, "offset", tail FROM cc.files').fetchall()
        return {r[0]: _Known(r[1], r[2], r[3], r[4], r[5], r[6], bytes(r[7] or b"")) for r in rows}

    def refresh(self, progress: Progress | None = None) -> RefreshResult:
        """Read what changed in the logs since the last refresh (everything, the first time).

        `progress(bytes_done, bytes_total)` is called after each batch, from this thread.
        """
        with self.lock:
            self.last_refresh = self._refresh(progress)
            return self.last_refresh

    def _refresh(self, progress: Progress | None) -> RefreshResult:
        con = self.connection
        known = self._known()
        listed = log_files(self.root) if self.root.is_dir() else []
        gone: list[int] = []
        reads: list[tuple[int, str, int, int, os.stat_result]] = []  # file_id, path, from, upto, stat
        new_files: list[tuple] = []
        next_id = max((k.file_id for k in known.values()), default=0) + 1
        seen = set()
        for path, project, path_session, subagent in listed:
            seen.add(path)
            try:
                st = os.stat(path)
            except OSError:
                continue  # vanished between listing and stat: treated as gone below
            old = known.get(path)
            if old is not None:
                if (st.st_dev, st.st_ino) != (old.dev, old.inode) or st.st_size < old.offset:
                    gone.append(old.file_id)  # replaced or truncated: read it again from the start
                elif (st.st_size, st.st_mtime_ns) == (old.size, old.mtime_ns):
                    continue  # unchanged
                elif _read_tail(path, old.offset) != old.tail:
                    gone.append(old.file_id)  # rewritten in place before the offset
                else:
                    if st.st_size > old.offset:
                        reads.append((old.file_id, path, old.offset, st.st_size, st))
                    else:  # only its mtime moved: remember it, nothing to read
                        con.execute("UPDATE cc.files SET mtime_ns = ? WHERE file_id = ?", [st.st_mtime_ns, old.file_id])
                    continue
            # Size and mtime -1 until its bytes are read: a first load that stops midway (a crash,
            # a kill) leaves the files it did not reach looking changed, so the next start reads them.
            new_files.append((next_id, path, project, path_session, subagent, st.st_dev, st.st_ino, -1, -1, 0, b"",
                              0, 0, 0))
            reads.append((next_id, path, 0, st.st_size, st))
            next_id += 1
        gone += [k.file_id for p, k in known.items() if p not in seen]
        gone = sorted(set(gone))
        first_load = not known
        first_line_id = int(con.execute("SELECT COALESCE(max(line_id), 0) + 1 FROM cc.lines").fetchone()[0])

        if not reads and not gone and not self._turns_dirty() and not self._hourly_missing():
            return RefreshResult()  # nothing appended, nothing gone: no statement at all
        total = sum(upto - start for _f, _p, start, upto, _s in reads)
        done = 0
        lines_added = 0
        if progress:
            progress(0, total)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE cc_gone AS SELECT unnest(?::INTEGER[]) AS file_id", [gone])
            touched: set = set()  # hours whose rollup changes
            if not first_load:
                con.execute(*bind("cc_affected_keys", {"first_line_id": first_line_id}))
                if gone:
                    touched |= self._hours("cc_forget_keyless_turns")
                    con.execute(sql("cc_forget_files"))
            for row in new_files:
                con.execute("INSERT INTO cc.files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
            if first_load:
                con.execute("UPDATE cc.meta SET turns_dirty = true")
            for batch in self._batches(reads):
                lines_added += self._ingest(batch, first_line_id + lines_added)
                done += sum(upto - start for _f, _p, start, upto, _s in batch)
                if first_load:  # commit each batch of a long first load (turns rebuilt at the end)
                    con.execute("COMMIT")
                    con.execute("BEGIN TRANSACTION")
                if progress:
                    progress(done, total)
            if first_load or self._turns_dirty():
                con.execute(sql("cc_rebuild_turns"))
                con.execute("DELETE FROM cc.hourly")  # rebuilt whole below
            else:
                con.execute(*bind("cc_add_affected_keys", {"first_line_id": first_line_id}))
                touched |= self._hours("cc_delete_affected_turns")
                touched |= self._hours("cc_insert_affected_turns")
                touched |= self._hours("cc_insert_keyless_turns", {"first_line_id": first_line_id})
            if first_load or self._hourly_missing():
                con.execute(*bind("cc_rebuild_hourly", {"band": ROLLUP_BAND}))
            elif touched:
                con.execute("CREATE OR REPLACE TEMP TABLE cc_touched AS SELECT unnest(?::TIMESTAMP[]) AS hour",
                            [sorted(h for h in touched if h is not None)])
                con.execute(*bind("cc_update_hourly", {"band": ROLLUP_BAND}))
            con.execute("UPDATE cc.meta SET turns_dirty = false")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if progress:
            progress(total, total)
        return RefreshResult(len(reads), len(gone), done, lines_added)

    def _hours(self, block: str, params: dict[str, object] | None = None) -> set:
        """Run a block that changes turns and returns their hours (RETURNING hour); those hours."""
        return {row[0] for row in self.connection.execute(*bind(block, params or {})).fetchall()}

    def _hourly_missing(self) -> bool:
        """Turns without their hourly rollup (a store from before the rollup existed)."""
        return bool(self.connection.execute(
            "SELECT (SELECT count(*) FROM cc.hourly) = 0 AND (SELECT count(*) FROM cc.turns) > 0").fetchone()[0])

    def _turns_dirty(self) -> bool:
        row = self.connection.execute("SELECT turns_dirty FROM cc.meta").fetchone()
        return bool(row and row[0])

    def _batches(self, reads) -> Iterator[list[tuple[int, str, int, int, os.stat_result]]]:
        """The reads in batches of about BATCH_BYTES (a bigger file is a batch of its own)."""
        batch: list[tuple[int, str, int, int, os.stat_result]] = []
        size = 0
        for read in reads:
            batch.append(read)
            size += read[3] - read[2]
            if size >= BATCH_BYTES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _chunk_dir(self) -> Path:
        if self.persistent is not None:
            return self.persistent.with_suffix(".chunks")
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="claude-code-chunks-"))
        return self._scratch

    def _ingest(self, batch: list[tuple[int, str, int, int, os.stat_result]], first_line_id: int,
                copy_all: bool = False) -> int:
        """Parse one batch in DuckDB, add its turn lines, and move each file's state to its new offset.

        A whole log that ends in a newline is read where it is (DuckDB's JSON reader is several
        times faster than anything that hands it the text); appended bytes, and a log whose last
        line is incomplete, are first copied out up to their last complete line. A log that
        changed while DuckDB read it is read again from such a copy.
        """
        con = self.connection
        chunk_dir = self._chunk_dir()
        read_paths: list[str] = []
        file_ids: list[int] = []
        ends: dict[int, int] = {}
        copies: list[Path] = []
        direct: list[tuple[int, str, int, int, os.stat_result]] = []
        try:
            for read in batch:
                file_id, path, start, upto, _st = read
                if not copy_all and start == 0 and upto > 0 and _last_byte(path, upto) == b"\n":
                    read_paths.append(path)
                    ends[file_id] = upto
                    direct.append(read)
                else:
                    chunk_dir.mkdir(parents=True, exist_ok=True)
                    copy = chunk_dir / f"{file_id}-{start}.jsonl"
                    end = start
                    with copy.open("wb") as out:
                        for data, end in _complete_lines(path, start, upto):
                            out.write(data)
                    copies.append(copy)
                    if end == start:
                        continue  # no complete line yet
                    read_paths.append(str(copy))
                    ends[file_id] = end
                file_ids.append(file_id)
            if not read_paths:
                return 0
            con.execute("CREATE OR REPLACE TEMP TABLE cc_read_map AS "
                        "SELECT unnest(?::VARCHAR[]) AS read_path, unnest(?::INTEGER[]) AS file_id",
                        [read_paths, file_ids])
            con.execute(*bind("cc_parse_chunk", {"paths": read_paths}))
        finally:
            for copy in copies:
                copy.unlink(missing_ok=True)
        changed = [r for r in direct if _stat_key(r[1]) != (r[4].st_size, r[4].st_mtime_ns)]
        if changed:
            con.execute("DELETE FROM temp.cc_chunk WHERE file_id IN (SELECT unnest(?::INTEGER[]))",
                        [[r[0] for r in changed]])
            for r in changed:
                ends.pop(r[0])
        before = con.execute("SELECT count(*) FROM cc.lines").fetchone()[0]
        con.execute(*bind("cc_insert_chunk", {"first_line_id": first_line_id}))
        added = con.execute("SELECT count(*) FROM cc.lines").fetchone()[0] - before
        counts = {r[0]: r[1:] for r in con.execute(sql("cc_chunk_counts")).fetchall()}
        stats = {r[0]: r[4] for r in batch}
        paths = {r[0]: r[1] for r in batch}
        for file_id, end in ends.items():
            malformed, synthetic, turn_lines = counts.get(file_id, (0, 0, 0))
            st = stats[file_id]
            con.execute('UPDATE cc.files SET "offset" = ?, size = ?, mtime_ns = ?, tail = ?, malformed = malformed + ?, '
                        "synthetic = synthetic + ?, turn_lines = turn_lines + ? WHERE file_id = ?",
                        [end, st.st_size, st.st_mtime_ns, _read_tail(paths[file_id], end) or b"", malformed, synthetic,
                         turn_lines, file_id])
        con.execute("DROP TABLE IF EXISTS temp.cc_chunk")
        if changed:
            added += self._ingest(changed, first_line_id + int(added), copy_all=True)
        return int(added)

    def counts(self) -> dict[str, int]:
        """files, malformed_lines, synthetic_lines, duplicate_lines, turns."""
        cur = self.connection.cursor()
        try:
            cur.execute(sql("cc_counts"))
            names = [d[0] for d in cur.description]
            return {k: int(v) for k, v in zip(names, cur.fetchone())}
        finally:
            cur.close()


def _last_byte(path: str, upto: int) -> bytes:
    """The byte at `upto - 1` of a file (b"" if unreadable)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(upto - 1)
            return handle.read(1)
    except OSError:
        return b""


def _stat_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _complete_lines(path: str, start: int, upto: int) -> Iterator[tuple[bytes, int]]:
    """The bytes of `path` from `start` up to the end of its last complete line before `upto`, in
    pieces of about BATCH_BYTES, each ending in a newline, with the file offset after it."""
    try:
        handle = open(path, "rb")
    except OSError:
        return
    with handle:
        handle.seek(start)
        position, carry = start, b""
        while position < upto:
            block = handle.read(min(BATCH_BYTES, upto - position))
            if not block:
                break
            position += len(block)
            data = carry + block
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1], position - len(carry)


# One store per projects directory per process (DuckDB must not attach its file twice), shared
# by the Token Usage source and the Sessions page's reader, closed when its last user closes.
_STORES: dict[str, ClaudeCodeStore] = {}
_STORES_LOCK = threading.Lock()


def acquire_store(root: Path, progress: Progress | None = None) -> ClaudeCodeStore:
    """The store of `root`, refreshed (a first call parses every log; later ones what changed).
    Pair with `release_store`."""
    from queries.sqlite import new_duckdb_connection

    key = str(root.resolve())
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = _STORES[key] = ClaudeCodeStore.open(root, new_duckdb_connection())
        store.users += 1
    try:
        store.refresh(progress)
    except BaseException:
        release_store(store)
        raise
    return store


def release_store(store: ClaudeCodeStore) -> None:
    """One user fewer; the last one closes the connection (the file stays for the next start)."""
    with _STORES_LOCK:
        store.users -= 1
        if store.users > 0:
            return
        _STORES.pop(str(store.root.resolve()), None)
    store.connection.close()


# ---------------------------------------------------------------------------------------
# The kind and its opened source.

WORDING = Wording("request", "a custom.json given as the source's settings (agentx's shape)", pricing.custom_snippet,
                  "not by a custom.json", price_key="custom.json")


def rollup_fits(prices: pricing.PriceBook) -> bool:
    """Whether the hourly rollup prices exactly as per request: every long-context threshold of
    the price book is ROLLUP_BAND (the line the rollup's rows are split at)."""
    return all(above < 0 or above == ROLLUP_BAND for above in prices.schedule_params()["rate_above"])


class ClaudeCodeSource(Source):
    """An opened projects directory: the store's connection (its `requests` view) and `refresh()`,
    which reads what was appended to the logs since the last refresh (the Refresh button)."""

    def __init__(self, path: Path, kind: "ClaudeCodeKind", store: ClaudeCodeStore, is_demo: bool = False) -> None:
        super().__init__(path=path, kind=kind, connection=store.connection, is_demo=is_demo)
        self.store: ClaudeCodeStore | None = store
        self.rollup = False  # set per report by the kind: usage.py then reads the hourly rollup

    def refresh(self, progress: Progress | None = None) -> RefreshResult:
        """Read the bytes appended to each log (and forget removed, truncated or replaced ones)."""
        if self.store is None:
            raise SourceError(f"{self.path} is closed.")
        return self.store.refresh(progress)

    def close(self) -> None:
        """Let go of the shared store (closed with its last user; its file stays in the cache)."""
        if self.store is not None:
            release_store(self.store)
            self.store = None


class ClaudeCodeKind(SqliteKind):
    """Claude Code's logs: per-request rows with cache tokens, the main agent against its
    subagents as the initiator split, sessions, 5-hour windows, the project (the session's cwd).
    Shares SqliteKind's REQUESTS numbers (usage.sql over `requests`); reads a directory, not a file."""

    name = "claude-code"
    label = "Claude Code"
    capabilities = frozenset({Capability.REQUESTS, Capability.INITIATOR_SPLIT, Capability.CACHE_TOKENS,
                              Capability.SESSIONS, Capability.BLOCKS, Capability.PROJECT})
    wording = WORDING
    mirror = None  # the store is its own incremental copy
    sessions_in_logs = True  # its sessions are its own logs (the Sessions page and `cli.py sessions`)
    opens_with_progress = True  # open(progress=...) parses the logs the first time, with a progress bar
    has_demo = True

    def demo_paths(self) -> tuple[Path, Path | None]:
        """Built-in Claude Code logs (their own, not the agentx demo's), priced by the library."""
        return claude_demo_paths(), None

    @property
    def signature(self) -> str:
        return f"{self.name}: a directory of <project>/<session>.jsonl logs"

    def detect(self, path: Path) -> bool:
        """A directory holding `<project>/<session>.jsonl` files (stops at the first)."""
        try:
            return path.is_dir() and next(path.glob("*/*.jsonl"), None) is not None
        except OSError:
            return False

    def open(self, path: Path, *, is_demo: bool = False, busy_timeout_ms: int | None = None,
             progress: Progress | None = None) -> ClaudeCodeSource:
        """Open a projects directory: its store is brought up to date (a first open parses every
        log, calling `progress(bytes_done, bytes_total)`; later opens read only what changed)."""
        root = Path(path).expanduser()
        if not root.is_dir():
            raise SourceError(f"No Claude Code logs at {root} (not a directory). Point at a ~/.claude/projects "
                              "directory.")
        store = acquire_store(root, progress)
        store.connection.execute(sql(self.macros_block))
        store.connection.execute(sql("cc_define_filtered_rollup"))
        return ClaudeCodeSource(root, self, store, is_demo)

    macros_block = "define_filtered_requests"

    def price_book(self, source: Source, catalog: Catalog, settings_path: Path | None, use_library: bool,
                   settings_reader: pricing.LastGoodSettings | None = None) -> pricing.PriceBook:
        """The price library (by the request's day and long-context tier, 1-hour writes at their own
        rate), under an agentx-style custom.json when one is given as the source's settings."""
        custom = pricing.read_custom_prices(settings_path) if settings_path else pricing.CustomPrices()
        return pricing.resolve_agentx_prices(((p, m) for p, m, _n in catalog.pairs), custom, use_library)

    def usage_report(self, source: Source, filters: Filters, prices: pricing.PriceBook,
                     catalog: Catalog | None = None) -> UsageReport:
        """usage.sql's shared report, from the hourly rollup when the prices allow it (see `rollup_fits`)."""
        source.rollup = rollup_fits(prices)
        return super().usage_report(source, filters, prices, catalog)

    def totals(self, source: Source, filters: Filters, prices: pricing.PriceBook) -> Totals:
        source.rollup = rollup_fits(prices)
        return super().totals(source, filters, prices)

    def compare_keys(self, source: Source, rng, prices: pricing.PriceBook) -> dict[str, tuple[float, int, int]]:
        source.rollup = rollup_fits(prices)
        return super().compare_keys(source, rng, prices)

    def session_log_prices(self, source: Source, settings_path: Path | None) -> Path | None:
        """The Sessions page prices the logs as Token Usage does: the custom.json given, else the library."""
        return settings_path

    def price_file_hint(self, settings_path: Path | None) -> str:
        return f"{settings_path or 'a custom.json given with --settings'} (agentx's shape: input, output, " \
               "cacheRead, cacheCreate per 1M tokens)"

    def no_data_message(self, source: Source, for_app: bool = False) -> str:
        how = "set USAGE_DB (or a source's path) to it" if for_app else "use --db DIR"
        return (f"No data. No Claude Code responses in {source.path} yet (no <project>/<session>.jsonl with an "
                f"assistant line). To read another projects directory, {how}.")


def open_claude_code(path: str | os.PathLike[str], *, is_demo: bool = False,
                     progress: Progress | None = None) -> ClaudeCodeSource:
    """Open a projects directory as a Claude Code source (SourceError naming it when it is not one)."""
    path = Path(path).expanduser()
    try:
        return KIND.open(path, is_demo=is_demo, progress=progress)
    except SourceError as exc:
        raise exc.with_path(path) from None


KIND = ClaudeCodeKind()
