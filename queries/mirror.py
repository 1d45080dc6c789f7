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

Storage is a DuckDB file in a private temporary directory, removed on close: DuckDB
compresses row groups as it writes them, so a 10M-row copy peaks at a few hundred MB where
an in-memory table needs 1.3 GB (measured; bench/README.md). `raw_ts` is kept only where
`ts` could not be read, which is the only place anything reads it. No Streamlit here.
"""

from __future__ import annotations

import math
import random
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from queries.sources import KINDS, kind_named, open_source
from queries.sources.base import Source
from queries.sqlite import SourceError, is_wal_file, retry_while_locked
from queries.sql import sql

# progress(rows_copied, rows_total): called from the thread that builds, rows_copied rising
# to rows_total (reported once the copy is complete).
ProgressCallback = Callable[[int, int], None]

# Kind name -> its named blocks in mirror.sql (each kind declares them in its MirrorSpec).
MIRRORS: dict[str, dict[str, str]] = {kind.name: dict(kind.mirror.blocks) for kind in KINDS if kind.mirror}

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

    mirror_dir: Path | None = None
    rollup: bool = False                 # whether the page's blocks may read the hourly rollup
    high_water: int = 0                  # largest id mirrored
    rows: int = 0                        # rows mirrored
    min_id: int = 0                      # smallest id at the last build
    build_seconds: float = 0.0
    build_phases: dict[str, float] = field(default_factory=dict)  # seconds per step of the last build
    _views_made: bool = False
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cleanup: weakref.finalize | None = field(default=None, repr=False)

    # --- public -----------------------------------------------------------------------

    def refresh(self) -> RefreshStats:
        """Bring the mirror up to date with the source file (see the module doc).

        Each read of the agent's file waits out the agent's commits (`read_source`); a refresh
        that fails anyway leaves the mirror as it was (its writes are one transaction).
        """
        with self._refresh_lock:
            started = time.perf_counter()
            cur = self.cursor()
            try:
                n, _min_id, max_id = _source_state(cur, self.adapter, self.path)
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
            self._build()
            return RefreshStats(0, True, time.perf_counter() - started, self.rows, reason=reason)

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

    # --- building -----------------------------------------------------------------------

    def _build(self, progress: ProgressCallback | None = None) -> None:
        started = time.perf_counter()
        phases: dict[str, float] = {}

        def phase(name: str) -> None:
            phases[name] = round(time.perf_counter() - started - sum(phases.values()), 3)

        cur = self.cursor()
        try:
            n, min_id, max_id = _source_state(cur, self.adapter, self.path)
            read_session_map(cur, self.adapter, self.path)
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
            cur.commit()
            if not self._views_made:  # first build: the views that read the mirror's tables by name
                cur.execute(sql("mirror_views"))
                cur.execute(sql("define_filtered_rollup"))
                self._views_made = True
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
            careful = sql(MIRRORS[self.adapter]["copy_range"])

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
                        outcome["rows"] = int(read_source(build, sql(MIRRORS[self.adapter]["copy"]),
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
            return f"the source's largest id went back from {self.high_water:,} to {max_id or 0:,}"
        for lo, hi in self._sample_ranges():
            params = {"lo": lo, "hi": hi}
            source_sum = read_source(cur, sql(MIRRORS[self.adapter]["checksum"]), params)
            mirror_sum = cur.execute(sql("mirror_range_checksum"), params).fetchone()
            if tuple(source_sum[:2]) != tuple(mirror_sum[:2]) or not math.isclose(
                    source_sum[2], mirror_sum[2], rel_tol=1e-9, abs_tol=1e-9):
                return f"rows with ids in ({lo:,}, {hi:,}] changed in the source"
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
        blocks = MIRRORS[self.adapter]
        appended = 0
        # Read into this cursor's temp tables first (the mirror cannot change meanwhile: we hold
        # the refresh lock); the transaction below then writes to the mirror database only.
        read_session_map(cur, self.adapter, self.path)
        new_rows = max_id is not None and max_id > self.high_water
        params = {"lo": self.high_water, "hi": max_id}
        if new_rows:  # into this cursor's temp table, in chunks, so the transaction below reads no SQLite
            cur.execute(sql("mirror_new_rows_empty"))
            for lo in range(self.high_water, max_id, ROW_CHUNK):
                read_source(cur, sql(blocks["fetch_new"]), {"lo": lo, "hi": min(lo + ROW_CHUNK, max_id)})
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


def read_session_map(cur: duckdb.DuckDBPyConnection, adapter: str, path: Path) -> None:
    """Read the agent's sessions and tasks into this cursor's temp tables and derive
    temp.session_map_new from them: a WAL file in one parallel scan, a rollback-journal file in
    rowid ranges of SESSION_CHUNK (see COUNT_CHUNK for why).

    The ranges are not one snapshot: a session added or changed meanwhile is read as before or
    after, and the next refresh sees it (a session whose attributes change recomputes its
    rollup hours).
    """
    blocks = MIRRORS[adapter]
    if is_wal_file(path):
        read_source(cur, sql(blocks["session_map"]))
        cur.execute(sql("mirror_session_map_from_parts"))
        return
    s_min, s_max, t_min, t_max = read_source(cur, sql(blocks["session_bounds"]))
    cur.execute(sql("mirror_session_parts_empty"))
    for block, low, top in ((blocks["sessions_chunk"], s_min, s_max), (blocks["tasks_chunk"], t_min, t_max)):
        if top is None:
            continue  # an empty table
        for lo in range(int(low) - 1, int(top), SESSION_CHUNK):
            read_source(cur, sql(block), {"lo": lo, "hi": min(lo + SESSION_CHUNK, int(top))})
    cur.execute(sql("mirror_session_map_from_parts"))


def _source_state(cur: duckdb.DuckDBPyConnection, adapter: str, path: Path) -> tuple[int, int | None, int | None]:
    """(rows, min id, max id) of the source, in one statement for a WAL file; else rows are
    counted up to that max id in short statements (COUNT_CHUNK).

    Rows the agent appends meanwhile lie above max id and wait for the next refresh; a row
    deleted between two chunks shows up as a count that does not add up, which rebuilds.
    """
    if is_wal_file(path):
        n, min_id, max_id = read_source(cur, sql(MIRRORS[adapter]["state"]))
        return int(n or 0), min_id, max_id
    min_id, max_id = read_source(cur, sql(MIRRORS[adapter]["bounds"]))
    if max_id is None:
        return 0, None, None
    n, count = 0, sql(MIRRORS[adapter]["count"])
    for lo in range(int(min_id) - 1, int(max_id), COUNT_CHUNK):
        n += int(read_source(cur, count, {"lo": lo, "hi": min(lo + COUNT_CHUNK, int(max_id))})[0] or 0)
    return n, min_id, max_id


def _remove_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def attach_mirror(source: Source, progress: ProgressCallback | None = None) -> MirroredSource:
    """Turn an opened direct Source into a MirroredSource: attach the mirror's storage and build it.

    The direct Source must not be used afterwards (the mirror takes over its connection).
    """
    if source.kind.mirror is None:
        raise SourceError(f"The {source.kind.name} source cannot be mirrored yet.")
    directory = Path(tempfile.mkdtemp(prefix="token-usage-mirror-"))
    mirrored = MirroredSource(path=source.path, kind=source.kind, connection=source.connection,
                              is_demo=source.is_demo, mirror_dir=directory)
    mirrored._cleanup = weakref.finalize(mirrored, _remove_dir, directory)
    try:
        # A path made by mkdtemp, not user input; ATTACH takes no bound parameters.
        literal = "'" + str(directory / "mirror.duckdb").replace("'", "''") + "'"
        con = source.connection
        con.execute(f"ATTACH {literal} AS mirror")
        con.execute(sql("mirror_define_macros"))
        mirrored.rebuild(progress)
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
        try:
            return own.open(path, is_demo=is_demo, progress=progress)
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
