"""SQLite helpers shared by every source kind that reads an agent's SQLite file through DuckDB.

The agent keeps writing while we read, so the file is attached READ_ONLY and we never
create anything in it: our views and macros live in DuckDB's own in-memory catalog (each
kind in `queries/sources/` creates its own). This module knows no kind: it checks a file,
lists its tables, attaches it, explains WAL and lock failures and retries locked reads. The
sqlite extension is loaded from the `duckdb-extension-sqlite-scanner` wheel (pinned to
the same version as `duckdb`), because these machines cannot download extensions.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

import duckdb

# A source locked by the agent (a rollback-journal agent committing) is retried after 1, 2,
# 4 ... 20 ms, for up to LOCK_BUDGET_S in all, like better-sqlite3's 5 s default busy timeout.
# SQLite's own busy handler in DuckDB's build sleeps whole seconds between tries, so against an
# agent that commits every few ms it never found a gap: 11 of 12 refreshes failed in bench/soak.py.
LOCK_BUDGET_S = 5.0
LOCK_STEP_MAX_S = 0.020

SQLITE_MAGIC = b"SQLite format 3\x00"  # first 16 bytes of every SQLite 3 file (sqlite.org/fileformat.html)


class SourceError(Exception):
    """A database we cannot read; the message is written for the person who configured it.

    The page must not reveal where the data lives, so `public_message()` says the same
    thing with every path replaced by "the configured path".
    """

    def public_message(self) -> str:
        """The message with file-system paths removed, safe to show in a browser."""
        text = str(self)
        hidden = getattr(self, "paths", {})
        for path in sorted(hidden, key=len, reverse=True):
            text = text.replace(path, hidden[path])
        return text[:1].upper() + text[1:]

    def with_path(self, path: Path) -> "SourceError":
        """Remember `path` and its directory (as given and resolved) so `public_message()` can hide them."""
        self.paths = {str(p): "the configured path" for p in (path, path.resolve())}
        self.paths |= {str(p.parent): "the configured directory" for p in (path, path.resolve()) if str(p.parent) not in ("/", ".")}
        return self


def sqlite_extension_path() -> Path:
    """The sqlite_scanner binary shipped in the PyPI wheel for the installed DuckDB version."""
    import duckdb_extension_sqlite_scanner as wheel

    version = duckdb.__version__
    path = Path(wheel.__file__).parent / "extensions" / f"v{version}" / "sqlite_scanner.duckdb_extension"
    if not path.exists():
        raise SourceError(
            f"The sqlite extension for DuckDB {version} is not installed "
            f"(expected {path}). Install the matching pinned versions: pip install -r requirements.txt"
        )
    return path


def new_duckdb_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads anything and works in UTC."""
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    # GLOBAL: every query runs on a cursor, and a cursor does not inherit session settings
    # (a plain SET left cursors on the machine's own zone and on typed sqlite columns).
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    con.execute(f"LOAD '{sqlite_extension_path()}'")  # a path we own, not user input
    # Every column arrives as text and the adapter casts it: a stray string in an INTEGER
    # column (SQLite allows it) becomes 0 instead of a failed page.
    con.execute("SET GLOBAL sqlite_all_varchar = true")
    return con


def sqlite_tables(path: Path) -> set[str]:
    """Table names of a SQLite file, read through a read-only URI connection."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=LOCK_BUDGET_S)
        try:
            rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise SourceError(f"{path} stayed locked by a writer for {LOCK_BUDGET_S:g} s (SQLite: {exc}); "
                              "the agent may be in a long write. Try again in a moment.") from None
        raise SourceError(wal_hint(path) or f"{path} could not be read as a SQLite database: {exc}.") from None
    except sqlite3.DatabaseError as exc:
        raise SourceError(wal_hint(path) or f"{path} could not be read as a SQLite database: {exc}.") from None
    return {name for (name,) in rows}


# (device, inode) of a database file -> a descriptor kept open on it, for is_wal_file.
_HEADER_FDS: dict[tuple[int, int], int] = {}
_HEADER_FDS_LOCK = threading.Lock()


def is_wal_file(path: Path) -> bool:
    """Whether a SQLite file is in WAL mode: bytes 18 and 19 of its header, the write and read
    format versions, are 2 (sqlite.org/fileformat.html, section 1.3.3). False if unreadable.

    The header is read through a descriptor that stays open: SQLite's locks are POSIX locks,
    and closing ANY descriptor of a file drops every lock this process holds on it, so opening
    and closing the file here used to drop the SHARED lock of a read in progress on another
    cursor (the agent could then commit under that read). One descriptor per file (a replaced
    file, another inode, gets its own), closed with the Source (`forget_header_fd`).
    """
    try:
        stat = os.stat(path)
        key = (stat.st_dev, stat.st_ino)
        with _HEADER_FDS_LOCK:
            fd = _HEADER_FDS.get(key)
            if fd is None:
                fd = _HEADER_FDS[key] = os.open(path, os.O_RDONLY)
        header = os.pread(fd, 20, 0)
    except OSError:
        return False
    return len(header) == 20 and header[18:20] == b"\x02\x02"


def forget_header_fd(path: Path) -> None:
    """Close is_wal_file's descriptor on `path` (when its reader is closed)."""
    try:
        stat = os.stat(path)
    except OSError:
        return
    with _HEADER_FDS_LOCK:
        fd = _HEADER_FDS.pop((stat.st_dev, stat.st_ino), None)
    if fd is not None:
        os.close(fd)


def wal_hint(path: Path) -> str | None:
    """Why a WAL-mode database cannot be opened read-only here, and how to fix it; None if that is not it.

    A reader of a WAL database needs the `-shm` index beside it, which SQLite creates in the
    database's directory when the file was closed cleanly (no writer running). On a directory
    this process cannot write, the open then fails with a bare "unable to open database file".
    """
    if not is_wal_file(path) or Path(f"{path}-shm").exists():
        return None
    return (f"{path} is in SQLite's WAL mode and has no -shm file beside it; SQLite needs to create one "
            f"in the database's directory to read it, and that directory is not writable for this process. "
            "Fix it in one of these ways: let the dashboard's user write to that directory, start the "
            "agent (a running agent keeps the -shm file there), or point the dashboard at a copy of the "
            "database in a writable directory.")


def check_sqlite_file(path: Path) -> None:
    """Raise SourceError unless `path` is an existing, readable SQLite 3 file."""
    try:
        exists = path.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise SourceError(f"The database path cannot be used: {exc.strerror}.") from None
    if not exists:
        raise SourceError(f"No database at {path}. Check the path (--db or USAGE_DB).")
    if path.is_dir():
        raise SourceError(f"{path} is a directory, not a database file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise SourceError(f"{path} cannot be opened: {exc.strerror}.") from None
    if head != SQLITE_MAGIC:
        raise SourceError(f"{path} is not a SQLite database (its first bytes are not a SQLite header).")


# What SQLite says when a read meets the agent's write in progress. The last one comes from a
# rollback-journal file: a read-only reader that finds the agent's journal between two of the
# agent's steps takes it for a hot journal it would have to roll back, and cannot (2 of 309
# soak iterations against a writer at 200 rows/s); a moment later the journal is gone.
TRANSIENT_READ_ERRORS = ("database is locked", "SQLITE_BUSY", "attempt to write a readonly database")


def is_locked(exc: BaseException) -> bool:
    """Whether SQLite refused a read because of the agent's write in progress (worth a retry)."""
    return isinstance(exc, (duckdb.Error, SourceError)) and any(text in str(exc) for text in TRANSIENT_READ_ERRORS)


def retry_while_locked(attempt: Callable[[], object]):
    """`attempt()`, again after a short sleep while SQLite says the file is locked (see
    LOCK_BUDGET_S); any other error, or the budget spent, is raised."""
    deadline, step = time.monotonic() + LOCK_BUDGET_S, 0.001
    while True:
        try:
            return attempt()
        except (duckdb.Error, SourceError) as exc:
            if not is_locked(exc) or time.monotonic() + step > deadline:
                raise
        time.sleep(step)
        step = min(step * 2, LOCK_STEP_MAX_S)


def attach_statement(path: Path, busy_timeout_ms: int | None = None) -> str:
    """`ATTACH '<path>' AS src (TYPE sqlite, READ_ONLY[, busy_timeout N])` for the agent's file.

    ATTACH accepts no bound parameters (checked on DuckDB 1.5.5), so the path is written as a
    SQL string literal with its quotes doubled. It comes from the operator's own configuration
    (--db / USAGE_DB), never from a page visitor.
    """
    literal = "'" + str(path.resolve()).replace("'", "''") + "'"
    busy = "" if busy_timeout_ms is None else f", busy_timeout {int(busy_timeout_ms)}"
    return f"ATTACH {literal} AS src (TYPE sqlite, READ_ONLY{busy})"


def attach_sqlite(path: Path, busy_timeout_ms: int | None = None) -> duckdb.DuckDBPyConnection:
    """A new DuckDB connection with `path` attached read-only as `src` (SourceError if it cannot be)."""
    con = new_duckdb_connection()
    try:
        con.execute(attach_statement(path, busy_timeout_ms))
    except duckdb.Error as exc:
        con.close()
        raise SourceError(wal_hint(path) or f"{path} could not be attached read-only: {exc}") from None
    return con
