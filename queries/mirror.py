"""An incremental DuckDB-native mirror of the agent's requests, so every filter change is fast.

On first use the token_usage rows are copied from the attached SQLite file (read-only, as
ever) into a typed DuckDB table, with a small per-session map (initiator, task kind,
channel) beside it and an hourly rollup (hour x provider x model x initiator) built from
both. The canonical `requests` view then reads the mirror (rows joined to the session map
at query time), so `usage.sql`'s blocks run unchanged on it; `queries.usage` prefers the
rollup's equivalent blocks whenever the range's day boundaries are whole UTC hours.

`refresh()` appends only the rows past the high-water mark (the largest id mirrored) and
their rollup rows, re-reads sessions and tasks in full and recomputes the rollup hours of
any session whose mapping changed, and rebuilds everything when the source went
backwards: fewer rows or a smaller largest id than mirrored, a row count that does not add
up after appending, or a sampled checksum of a few id ranges that no longer matches (rows
deleted or rewritten). A refresh is one DuckDB transaction, and a rebuild fills `_next`
tables and renames them over the current ones in one transaction, so readers on other
cursors always see one complete, consistent mirror.

The agent keeps writing meanwhile. On a rollback-journal file each SQLite read holds a
SHARED lock that keeps the agent's commit waiting, so the file is only ever read in short
statements over bounded id (or rowid) ranges, each result read to the end so that the lock
ends with the statement (`read_source`; sizes at COUNT_CHUNK).

Storage is a DuckDB file in the cache directory (`mirror_cache_dir()`: the `cache_dir` setting,
else $XDG_CACHE_HOME/token-usage, else ~/.cache/token-usage; the file is
`mirrors/<hash of the resolved source path>.duckdb`), so a restarted server finds its mirror
again. A stamp table in the file (our format version, the kind's conversion version, the kind,
the source path, rows and high-water mark) is written in the same transaction as every change,
and on open the file is checked against the source with exactly the checks of a Refresh (row
count, largest id, sampled checksums, the session map re-read): rows appended meanwhile are
appended, rows deleted or rewritten rebuild it. A stamp of another format, a foreign or corrupt
file is rebuilt with a log line. One process owns a cache file at a time (a lock file beside
it; DuckDB allows one writer); another process, or a second open in this one, gets a private
mirror in a temp dir, removed on close. DuckDB compresses row groups as it writes them, so a
10M-row copy peaks at a few hundred MB where an in-memory table needs 1.3 GB (measured;
bench/README.md). `raw_ts` is kept only where `ts` could not be read, which is the only place
anything reads it. No Streamlit here.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import random
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from queries.cachefile import claim_cache_file
from queries.settings import cache_dir
from queries.sources import KINDS, kind_named, open_source
from queries.sources.base import MirrorSpec, Source
from queries.sqlite import SourceError, is_wal_file, retry_while_locked
from queries.sql import sql

# progress(rows_copied, rows_total): called from the thread that builds, rows_copied rising
# to rows_total (reported once the copy is complete).
ProgressCallback = Callable[[int, int], None]

log = logging.getLogger(__name__)

# The layout of the mirror's own tables (rows, session map, rollup, stamp). A file stamped with
# another value is rebuilt: bump it whenever mirror.sql changes what a cache file holds (a kind
# bumps its MirrorSpec.version when its blocks change what is stored).
MIRROR_FORMAT = 1

PROGRESS_SECONDS = 0.2    # how often the first build reports rows copied
SAMPLE_RANGES = 4         # id ranges checksummed per refresh: the newest one and random others
SAMPLE_WIDTH = 1_000      # ids per sampled range
# Every read of the agent's file is one short SQLite statement over a bounded range, its result
# read to the end so that SQLite's SHARED lock ends with it. On a rollback-journal file that lock
# blocks the agent's commit: the agent then holds PENDING (no new reader gets in) and its busy
# handler polls after 1, 2, 5, 10, 15, 20, 25, 25 ms ..., so it commits at its first poll after our
# current statement ends. A write waits more than 100 ms only if one statement held the lock more
# than ~78 ms (the poll before 103 ms). Sizes, measured with bench/soak.py's lock probe on a 1M-row
# file (2-core VM): rows counted in id ranges of COUNT_CHUNK hold it ~3-4 ms (250k ids held ~30 ms;
# one count of 10M rows ~0.8 s cold); rows read as text, ROW_CHUNK per statement, ~15-25 ms (50k
# held 75-140 ms); sessions and tasks, SESSION_CHUNK rowids per statement (20k sessions in one
# scan held ~30 ms). Counting by ranges walks the table (~1.3 s for 10M rows, against ~0.3 s for
# one count(*) over the smallest index), so a WAL file, where readers never block the writer, is
# counted in one statement (and copied, and its sessions read, in one scan).
COUNT_CHUNK = 50_000
ROW_CHUNK = 10_000
SESSION_CHUNK = 10_000


@dataclass(frozen=True)
class RefreshStats:
    """What one refresh did: rows appended, whether it rebuilt (and why), sessions re-derived."""

    appended: int
    rebuilt: bool
    seconds: float
    rows: int                      # rows in the mirror afterwards
    sessions_changed: int = 0
    reason: str | None = None      # why it rebuilt, for logs


class _RollupOverflow(Exception):
    """A rollup sum left BIGINT; the mirror is rebuilt and then serves from its rows alone."""


@dataclass
class MirroredSource(Source):
    """A Source whose `requests` view reads the DuckDB-native mirror; see the module doc.

    Queries use `cursor()` as with any Source. `refresh()` may be called from any thread
    while others query; one refresh (or rebuild) runs at a time.
    """

    mirror_dir: Path | None = None       # the directory of the mirror's file
    mirror_file: Path | None = None      # the mirror's DuckDB file
    private: bool = False                # a temp mirror of this process alone (the cache file was taken)
    rollup: bool = False                 # whether the page's blocks may read the hourly rollup
    catalog_from_rollup: bool = True     # usage.requests_catalog reads mirror.sql's rollup_ catalog blocks
    high_water: int = 0                  # largest id mirrored
    rows: int = 0                        # rows mirrored
    min_id: int = 0                      # smallest id at the last build
    build_seconds: float = 0.0
    build_phases: dict[str, float] = field(default_factory=dict)  # seconds per step of the last build
    opened_from_cache: RefreshStats | None = None  # what opening an existing cache file did (None: built)
    _views_made: bool = False
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cleanup: weakref.finalize | None = field(default=None, repr=False)

    # --- public -----------------------------------------------------------------------

    @property
    def spec(self) -> MirrorSpec:
        """The kind's incremental key and blocks (what lets the generic mirror serve it)."""
        assert self.kind.mirror is not None
        return self.kind.mirror

    def refresh(self) -> RefreshStats:
        """Bring the mirror up to date with the source file (see the module doc).

        Each read of the agent's file waits out the agent's commits (`read_source`); a refresh
        that fails anyway leaves the mirror as it was (its writes are one transaction).
        """
        with self._refresh_lock:
            return self._refresh()

    def rebuild(self, progress: ProgressCallback | None = None) -> None:
        """Copy everything again into `_next` tables; they replace the current ones when complete."""
        with self._refresh_lock:
            self._build(progress)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._cleanup is not None:
                self._cleanup()

    # --- opening ------------------------------------------------------------------------

    def _open(self, progress: ProgressCallback | None) -> None:
        """Reuse the cache file when its stamp fits and it passes a Refresh's checks; else build."""
        with self._refresh_lock:
            reason = self._attach_storage()
            if reason is None:
                try:
                    stats = self._refresh(progress)
                except duckdb.Error as exc:
                    if _is_source_error(exc):
                        raise  # the agent's file, not ours: the caller reports it
                    reason = f"it could not be read ({exc})"  # a damaged block of our file
                else:
                    self.opened_from_cache = stats
                    log.info("mirror of %s: reused %s (%s)", self.path, self.mirror_file,
                             f"rebuilt: {stats.reason}" if stats.rebuilt
                             else f"{stats.appended:,} rows appended, {stats.sessions_changed:,} sessions changed")
                    return
                self._reset_storage(reason)
            self._build(progress)

    def _attach_storage(self) -> str | None:
        """ATTACH the mirror's file as `mirror`; None when it holds a usable mirror, else why not
        (a file that cannot be attached, or stamped otherwise, is removed and attached anew, empty,
        with a log line)."""
        con, file = self.connection, self.mirror_file
        assert file is not None
        existed = file.exists()
        try:
            con.execute(_attach_mirror_statement(file))
        except duckdb.Error as exc:
            log.warning("mirror of %s: %s is rebuilt: it is not a readable DuckDB file (%s)", self.path, file, exc)
            _remove_mirror_file(file)
            con.execute(_attach_mirror_statement(file))
            return "unreadable"
        if not existed:
            return "new"
        cur = self.cursor()
        try:
            stamp = cur.execute(sql("mirror_stamp_read")).fetchall()
        except duckdb.Error as exc:
            cur.close()
            self._reset_storage(f"it has no readable stamp ({type(exc).__name__})")
            return "reset"
        cur.close()
        want = (MIRROR_FORMAT, self.spec.version, self.adapter, str(self.path.resolve()))
        if len(stamp) != 1 or tuple(stamp[0][:4]) != want:
            found = tuple(stamp[0][:4]) if len(stamp) == 1 else f"{len(stamp)} stamp rows"
            self._reset_storage(f"its stamp {found} is not {want}")
            return "reset"
        self.rows, self.min_id, self.high_water, self.rollup = (int(stamp[0][4]), int(stamp[0][5]),
                                                                 int(stamp[0][6]), bool(stamp[0][7]))
        self._make_views()
        return None

    def _reset_storage(self, reason: str) -> None:
        """Detach, remove and attach the mirror's file anew (empty), saying why in the log."""
        log.warning("mirror of %s: %s is rebuilt: %s", self.path, self.mirror_file, reason)
        assert self.mirror_file is not None
        try:
            self.connection.execute("DETACH mirror")
        except duckdb.Error:
            pass
        _remove_mirror_file(self.mirror_file)
        self.connection.execute(_attach_mirror_statement(self.mirror_file))
        self._views_made = False
        self.rows = self.high_water = self.min_id = 0

    def _make_views(self) -> None:
        """The views that read the mirror's tables by name (once per connection)."""
        if self._views_made:
            return
        cur = self.cursor()
        try:
            cur.execute(sql(self.spec.blocks["view"]))
            cur.execute(sql("mirror_views"))
            cur.execute(sql("define_filtered_rollup"))
        finally:
            cur.close()
        self._views_made = True

    def _write_stamp(self, cur: duckdb.DuckDBPyConnection, rows: int, min_id: int, high_water: int,
                     rollup: bool) -> None:
        """Record what the file holds (inside the transaction that changes it)."""
        cur.execute(sql("mirror_stamp_clear"))
        cur.execute(sql("mirror_stamp_write"), {
            "format": MIRROR_FORMAT, "version": self.spec.version, "kind": self.adapter,
            "source": str(self.path.resolve()), "rows": rows, "min_id": min_id, "high_water": high_water,
            "rollup": rollup})

    # --- refreshing ---------------------------------------------------------------------

    def _refresh(self, progress: ProgressCallback | None = None) -> RefreshStats:
        """A refresh (the caller holds the refresh lock); a rebuild it decides on reports `progress`."""
        started = time.perf_counter()
        cur = self.cursor()
        try:
            n, _min_id, max_id = _source_state(cur, self.spec, self.path)
            reason = self._why_rebuild(cur, n, max_id)
            if reason is None:
                try:
                    appended, changed = self._append(cur, max_id)
                except _RollupOverflow:
                    appended, changed, reason = 0, 0, "token sums no longer fit the rollup"
            if reason is None and self.rows != n:
                reason = f"the source has {n:,} rows, the mirror {self.rows:,} after appending"
            if reason is None:
                return RefreshStats(appended, False, time.perf_counter() - started, self.rows, changed)
        finally:
            cur.close()
        self._build(progress)
        return RefreshStats(0, True, time.perf_counter() - started, self.rows, reason=reason)

    # --- building -----------------------------------------------------------------------

    def _build(self, progress: ProgressCallback | None = None) -> None:
        started = time.perf_counter()
        phases: dict[str, float] = {}

        def phase(name: str) -> None:
            phases[name] = round(time.perf_counter() - started - sum(phases.values()), 3)

        cur = self.cursor()
        try:
            n, min_id, max_id = _source_state(cur, self.spec, self.path)
            read_session_map(cur, self.spec, self.path)
            cur.execute(sql("mirror_create_next"))
            phase("prepare")
            if progress:
                progress(0, n)
            copied = self._copy_all(n, min_id or 0, max_id or 0, progress)
            phase("copy")
            try:
                cur.execute(sql("mirror_create_rollup_next"))
                rollup_ok = True
            except duckdb.OutOfRangeException:  # token sums past BIGINT: serve from the rows alone
                cur.execute(sql("mirror_create_empty_rollup_next"))
                rollup_ok = False
            phase("rollup")
            cur.begin()  # all three tables switch in one transaction: readers see old or new, never a mix
            cur.execute(sql("mirror_swap_next"))
            self._write_stamp(cur, copied, min_id or 0, max_id or 0, rollup_ok)
            cur.commit()
            self._make_views()
            try:
                cur.execute("CHECKPOINT mirror")  # write the new tables out compressed, now
            except duckdb.TransactionException:
                pass  # readers are busy; DuckDB checkpoints on its own later
            phase("swap")
        finally:
            cur.close()
        self.rollup = rollup_ok
        if progress:
            progress(copied, copied)
        self.rows, self.high_water, self.min_id = copied, max_id or 0, min_id or 0
        self.build_seconds = time.perf_counter() - started
        self.build_phases = phases

    def _copy_all(self, n: int, min_id: int, max_id: int, progress: ProgressCallback | None) -> int:
        """Copy the attached table into requests_rows_next, reporting progress.

        A WAL file is copied in one parallel scan (its readers never block the agent); the scan
        reads ids in ascending ranges, so the largest id copied so far (noted by the
        `mirror_progress` function the copy calls now and then) tells how far it is. A
        rollback-journal file is copied in id ranges of ROW_CHUNK, one short statement each, so
        that the agent's commits get in between (one scan of 1M rows there held the agent's
        commits back ~1.7 s; of 10M rows, longer than its 5 s busy timeout).
        """
        largest = [min_id - 1]

        def note_ids(ids):  # an Arrow array of ids; answers "keep every row"
            import pyarrow as pa
            import pyarrow.compute as pc

            if len(ids):
                top = pc.max(ids).as_py()
                if top is not None and top > largest[0]:
                    largest[0] = top
            return pa.array([True] * len(ids), type=pa.bool_())

        build = self.cursor()
        try:
            try:
                import pyarrow  # noqa: F401  (Arrow UDFs need it; Streamlit depends on it)

                build.create_function("mirror_progress", note_ids, ["BIGINT"], "BOOLEAN",
                                      type="arrow", side_effects=True)
            except (duckdb.Error, ImportError):  # no progress within the copy, same result
                build.execute("CREATE OR REPLACE TEMP MACRO mirror_progress(x) AS true")
            # Each copy thread writes whole row groups of neighbouring ids (so zone maps on
            # ts stay tight); not keeping the scan's exact order halves the copy's cost.
            build.execute("SET preserve_insertion_order = false")
            build.execute("SET sqlite_all_varchar = false")  # this cursor only: see axiom_mirror_copy
            outcome: dict[str, object] = {}
            careful = sql(self.spec.blocks["copy_range"])

            def copy_in_ranges() -> int:
                copied = 0
                for lo in range(min_id - 1, max_id, ROW_CHUNK):
                    copied += int(read_source(build, careful, {"lo": lo, "hi": min(lo + ROW_CHUNK, max_id)})[0])
                    largest[0] = min(lo + ROW_CHUNK, max_id)
                return copied

            def run() -> None:
                try:
                    if not is_wal_file(self.path):
                        outcome["rows"] = copy_in_ranges()
                        return
                    try:
                        outcome["rows"] = int(read_source(build, sql(self.spec.blocks["copy"]),
                                                          {"max_id": max_id})[0])
                    except (duckdb.TypeMismatchException, duckdb.ConversionException):
                        # A value of an unexpected storage class: copy as text, by id ranges.
                        outcome["rows"] = copy_in_ranges()
                except BaseException as exc:  # re-raised in the calling thread
                    outcome["error"] = exc

            worker = threading.Thread(target=run, name="mirror-copy", daemon=True)
            worker.start()
            last, span = 0, max(1, max_id - min_id + 1)
            while worker.is_alive():
                worker.join(PROGRESS_SECONDS)
                if progress and worker.is_alive():
                    done = min(n - 1, n * (largest[0] - min_id + 1) // span)
                    if done > last:
                        progress(done, n)
                        last = done
            if "error" in outcome:
                raise outcome["error"]  # type: ignore[misc]
            return int(outcome["rows"])
        finally:
            build.close()

    # --- refreshing ---------------------------------------------------------------------

    def _why_rebuild(self, cur: duckdb.DuckDBPyConnection, n: int, max_id: int | None) -> str | None:
        """A reason the mirror can no longer be appended to, or None."""
        if n < self.rows:
            return f"the source has {n:,} rows, fewer than the {self.rows:,} mirrored"
        if (max_id or 0) < self.high_water:
            return f"the source's largest {self.spec.key} went back from {self.high_water:,} to {max_id or 0:,}"
        for lo, hi in self._sample_ranges():
            params = {"lo": lo, "hi": hi}
            source_sum = read_source(cur, sql(self.spec.blocks["checksum"]), params)
            mirror_sum = cur.execute(sql("mirror_range_checksum"), params).fetchone()
            if tuple(source_sum[:2]) != tuple(mirror_sum[:2]) or not math.isclose(
                    source_sum[2], mirror_sum[2], rel_tol=1e-9, abs_tol=1e-9):
                return f"rows with {self.spec.key}s in ({lo:,}, {hi:,}] changed in the source"
        return None

    def _sample_ranges(self) -> list[tuple[int, int]]:
        """The newest mirrored ids, and a few random ranges of older ones."""
        if self.rows == 0:
            return []
        lo_all, hi_all = self.min_id - 1, self.high_water
        ranges = [(max(lo_all, hi_all - SAMPLE_WIDTH), hi_all)]
        span = hi_all - lo_all
        if span > SAMPLE_WIDTH:
            for _ in range(SAMPLE_RANGES - 1):
                lo = lo_all + random.randrange(0, span - SAMPLE_WIDTH + 1)
                ranges.append((lo, lo + SAMPLE_WIDTH))
        return ranges

    def _append(self, cur: duckdb.DuckDBPyConnection, max_id: int | None) -> tuple[int, int]:
        """One transaction: fresh session map (and the rollup hours of changed sessions), new rows."""
        spec = self.spec
        appended = 0
        # Read into this cursor's temp tables first (the mirror cannot change meanwhile: we hold
        # the refresh lock); the transaction below then writes to the mirror database only.
        read_session_map(cur, spec, self.path)
        new_rows = max_id is not None and max_id > self.high_water
        params = {"lo": self.high_water, "hi": max_id}
        if new_rows:  # into this cursor's temp table, in chunks, so the transaction below reads no SQLite
            cur.execute(sql("mirror_new_rows_empty"))
            for lo in range(self.high_water, max_id, ROW_CHUNK):
                read_source(cur, sql(spec.blocks["fetch_new"]), {"lo": lo, "hi": min(lo + ROW_CHUNK, max_id)})
        cur.execute(sql("mirror_changed_sessions"))
        (changed,) = cur.execute(sql("mirror_count_changed_sessions")).fetchone()
        if changed and self.rollup:
            cur.execute(sql("mirror_changed_hours"))
        cur.begin()
        try:
            if changed:
                cur.execute(sql("mirror_swap_session_map"))
                if self.rollup:
                    cur.execute(sql("mirror_fix_rollup"))
            if new_rows:
                cur.execute(sql("mirror_append_fetched"))
                (appended,) = cur.fetchone()
                if appended and self.rollup:
                    cur.execute(sql("mirror_append_rollup"), params)
            if changed or new_rows:
                self._write_stamp(cur, self.rows + int(appended), self.min_id,
                                  max(self.high_water, max_id or 0), self.rollup)
            cur.commit()
        except duckdb.OutOfRangeException:
            cur.rollback()
            raise _RollupOverflow() from None
        except BaseException:
            cur.rollback()
            raise
        if max_id is not None and max_id > self.high_water:
            self.high_water = max_id
        self.rows += int(appended)
        return int(appended), int(changed)


# --- helpers ---------------------------------------------------------------------------

def read_source(cur: duckdb.DuckDBPyConnection, statement: str, params: dict[str, object] | None = None):
    """Run one statement that reads the agent's file; its first row (or None).

    The result is read to the end before returning: a result left open (`fetchone()`) keeps
    DuckDB's transaction, and with it SQLite's SHARED lock on the agent's file, until the next
    statement on the cursor, which on a rollback-journal file holds back the agent's commit.
    Each such statement is retried on its own while the agent holds its write lock
    (`retry_while_locked`): a refresh reads the file in many short statements, and restarting
    the whole refresh on any one lock never finished against an agent that holds its lock a
    third of the time (measured). Statements that write the mirror read no SQLite.
    """
    def attempt():
        rows = cur.execute(statement, params or {}).fetchall()
        return rows[0] if rows else None

    return retry_while_locked(attempt)


def read_session_map(cur: duckdb.DuckDBPyConnection, spec: MirrorSpec, path: Path) -> None:
    """Read the agent's sessions and tasks into this cursor's temp tables and derive
    temp.session_map_new from them: a WAL file in one parallel scan, a rollback-journal file in
    rowid ranges of SESSION_CHUNK (see COUNT_CHUNK for why).

    The ranges are not one snapshot: a session added or changed meanwhile is read as before or
    after, and the next refresh sees it (a session whose attributes change recomputes its
    rollup hours).
    """
    if is_wal_file(path):
        read_source(cur, sql(spec.blocks["session_map"]))
        return
    s_min, s_max, t_min, t_max = read_source(cur, sql(spec.blocks["session_bounds"]))
    cur.execute(sql(spec.blocks["session_parts_empty"]))
    for block, low, top in ((spec.blocks["sessions_chunk"], s_min, s_max), (spec.blocks["tasks_chunk"], t_min, t_max)):
        if top is None:
            continue  # an empty table
        for lo in range(int(low) - 1, int(top), SESSION_CHUNK):
            read_source(cur, sql(block), {"lo": lo, "hi": min(lo + SESSION_CHUNK, int(top))})
    cur.execute(sql(spec.blocks["session_map_from_parts"]))


def _source_state(cur: duckdb.DuckDBPyConnection, spec: MirrorSpec, path: Path) -> tuple[int, int | None, int | None]:
    """(rows, min id, max id) of the source, in one statement for a WAL file; else rows are
    counted up to that max id in short statements (COUNT_CHUNK).

    Rows the agent appends meanwhile lie above max id and wait for the next refresh; a row
    deleted between two chunks shows up as a count that does not add up, which rebuilds.
    """
    if is_wal_file(path):
        n, min_id, max_id = read_source(cur, sql(spec.blocks["state"]))
        return int(n or 0), min_id, max_id
    min_id, max_id = read_source(cur, sql(spec.blocks["bounds"]))
    if max_id is None:
        return 0, None, None
    n, count = 0, sql(spec.blocks["count"])
    for lo in range(int(min_id) - 1, int(max_id), COUNT_CHUNK):
        n += int(read_source(cur, count, {"lo": lo, "hi": min(lo + COUNT_CHUNK, int(max_id))})[0] or 0)
    return n, min_id, max_id


def mirror_cache_dir(env: "os._Environ[str] | dict[str, str] | None" = None) -> Path:
    """The dashboard's cache directory (queries.settings.cache_dir); mirrors live in its `mirrors/`."""
    return cache_dir(env)


def mirror_file_for(source_path: Path, cache_dir: Path | None = None) -> Path:
    """`<cache dir>/mirrors/<hash of the resolved source path>.duckdb`: one mirror per source,
    the same across restarts, whatever relative path or symlink named it."""
    digest = hashlib.sha256(str(Path(source_path).expanduser().resolve()).encode()).hexdigest()[:32]
    return (cache_dir or mirror_cache_dir()) / "mirrors" / f"{digest}.duckdb"


def _attach_mirror_statement(file: Path) -> str:
    # A path we made (a hash in the cache dir, or mkdtemp), not user input; ATTACH takes no bound parameters.
    return "ATTACH '" + str(file).replace("'", "''") + "' AS mirror"


def _remove_mirror_file(file: Path) -> None:
    """Remove a mirror's DuckDB file and its write-ahead log."""
    for path in (file, Path(f"{file}.wal")):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _is_source_error(exc: BaseException) -> bool:
    """Whether a DuckDB error came from reading the agent's SQLite file (not from our mirror)."""
    from queries.source import is_locked

    return is_locked(exc) or "sqlite" in str(exc).lower()


def _claim_storage(source_path: Path, cache_dir: Path | None) -> tuple[Path, bool, Callable[[], None]]:
    """(mirror file, private?, release) for a source: its cache file when this open can lock it,
    else a private one (claim_cache_file)."""
    file, private, release = claim_cache_file(mirror_file_for(source_path, cache_dir), str(source_path))
    if private:
        return file, private, release
    try:
        Path(f"{file}.source").write_text(str(Path(source_path).expanduser().resolve()), encoding="utf-8")
        _sweep_orphans(file)
    except OSError as exc:  # tidying is optional
        log.info("mirror cache %s not tidied: %s", file.parent, exc)
    return file, False, release


def _sweep_orphans(keep: Path) -> None:
    """Remove the mirrors, beside `keep`, of sources that no longer exist (yesterday's demo
    database, a moved file): each mirror has a `<file>.source` note naming its source, and one
    whose source is gone and whose lock is free goes. A directory listing and a stat per mirror."""
    for note in keep.parent.glob("*.duckdb.source"):
        file = Path(str(note)[: -len(".source")])
        try:
            if file == keep or Path(note.read_text(encoding="utf-8")).exists():
                continue
        except OSError:
            continue
        fd = os.open(f"{file}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # in use: its owner's source may be back
            os.close(fd)
            continue
        try:
            _remove_mirror_file(file)
            note.unlink(missing_ok=True)
            Path(f"{file}.lock").unlink(missing_ok=True)
        finally:
            os.close(fd)
        log.info("mirror cache: removed %s, whose source is gone", file)


def attach_mirror(source: Source, progress: ProgressCallback | None = None,
                  cache_dir: Path | None = None) -> MirroredSource:
    """Turn an opened direct Source into a MirroredSource served by its kind's MirrorSpec: attach
    the mirror's file (its cache file, reused when it passes a Refresh's checks) or build it.

    The direct Source must not be used afterwards (the mirror takes over its connection).
    `progress(rows_copied, rows_total)` is called only when rows are copied.
    """
    spec = source.kind.mirror
    if spec is None:
        raise SourceError(f"The {source.kind.name} source cannot be mirrored yet.")
    file, private, release = _claim_storage(source.path, cache_dir)
    mirrored = MirroredSource(path=source.path, kind=source.kind, connection=source.connection,
                              is_demo=source.is_demo, mirror_dir=file.parent, mirror_file=file, private=private)
    mirrored._cleanup = weakref.finalize(mirrored, release)
    try:
        con = source.connection
        con.execute(sql("mirror_define_macros"))
        con.execute(sql(spec.blocks["macros"]))
        mirrored._open(progress)
    except BaseException:
        mirrored.close()
        raise
    return mirrored


def open_mirrored_source(path, kind: str | None = None, *, is_demo: bool = False,
                         progress: ProgressCallback | None = None) -> Source:
    """`open_source(path, kind, is_demo=...)`, its rows then copied into a DuckDB-native mirror that
    `requests` reads (a MirroredSource, with `.refresh()`) when the kind declares a MirrorSpec;
    `progress(rows_copied, rows_total)` is called from this thread as the copy goes.

    A kind without one (agentx: daily rollups and one row per task, small enough to read
    directly) comes back as the direct Source, which has no refresh().
    """
    path = Path(path).expanduser()
    own = _own_incremental_kind(path, kind)
    if own is not None:  # a kind with its own incremental store (Claude Code's logs) shows its first read
        try:  # a kind that keeps its store in the cache dir (LiteLLM's mirror) is told where it is
            where = {"cache_dir": mirror_cache_dir()} if getattr(own, "keeps_cache_file", False) else {}
            return own.open(path, is_demo=is_demo, progress=progress, **where)
        except SourceError as exc:
            raise exc.with_path(path) from None
    # The mirror's reads retry a locked file in short steps (retry_while_locked); one-shot
    # direct reads keep SQLite's own busy handler.
    source = retry_while_locked(lambda: open_source(path, kind, is_demo=is_demo, busy_timeout_ms=0))
    if source.kind.mirror is None:
        return source
    try:
        return attach_mirror(source, progress)
    except SourceError as exc:
        raise exc.with_path(path) from None
    except duckdb.Error as exc:
        raise SourceError(f"{path} could not be mirrored: {exc}").with_path(path) from None


def _own_incremental_kind(path: Path, kind: str | None):
    """The kind of `path` when it keeps its own incremental store and reports progress while it
    first reads (`opens_with_progress`), else None (the generic mirror or a direct open)."""
    if kind is not None:
        chosen = kind_named(kind)
        return chosen if getattr(chosen, "opens_with_progress", False) else None
    return next((k for k in KINDS if getattr(k, "opens_with_progress", False) and k.detect(path)), None)
