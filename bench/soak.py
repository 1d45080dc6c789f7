"""Live-writer soak: the dashboard's query layer reads while an Axiom-like process writes.

    python bench/soak.py --seconds 60 --journal both          # the full soak, WAL and rollback journal
    python bench/soak.py --seconds 6 --journal wal --mirror off

An Axiom-shaped SQLite file (tests/factories.py's AXIOM_DDL, pre-filled with seeded rows) is
put in WAL mode or left in rollback-journal (DELETE) mode. Then, for `--seconds`:

* a WRITER process (multiprocessing, spawn; plain `sqlite3`, no DuckDB) writes the way Axiom
  does: one autocommitted INSERT into token_usage per model request, paced at `--rate` rows/s,
  both timestamp forms (SQLite's `datetime('now')` default and JavaScript's ISO form), plus a
  session INSERT every 50 rows. Two kinds (`--writer`):
  - `probe` (the default): a 5 s busy timeout (better-sqlite3's default) and better-sqlite3's
    synchronous level (NORMAL in WAL, FULL otherwise). Every write is first tried with no
    busy timeout, so it is known whether it waited on a lock (see `writer_main`): only our
    reader can hold one, so "writes > 100 ms that waited on a lock" are the stalls our reads
    caused; other slow writes are the machine's (CPU, disk). Time a write spent waiting for a
    CPU (/proc/self/schedstat) is not counted against our lock: on a busy machine a write can
    wait 150 ms for a CPU with no lock in sight;
  - `sqlite3`: Python's `sqlite3.connect(path, timeout=5)` as it comes, SQLite's default
    busy handler (it sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries, so
    it commits at its first poll after our lock ends, not at once) and Python's default
    synchronous level (FULL). Whether a write waited is not known here: a write that took
    over 100 ms besides the time it spent waiting for a CPU (/proc/self/schedstat) is counted
    as a lock wait (on tmpfs nothing else makes a write wait).
  Failures (exceptions) are counted;
* the READER, in this process, opens the file with the project's query layer
  (`open_source`, with the mirror when the layer has one and `--mirror` allows it) and loops:
  `refresh()` when the source has one, `load_dataset` (the catalog and prices, what Refresh
  reads) and `usage_report` for three filter states. It counts errors, iterations and
  latencies;
* a sampler thread records the size of the `-wal` file every second: a reader that held a
  read transaction would stop checkpoints from reusing the WAL, which would then grow
  without bound.

At the end: rows written (prefill + the writer's), rows in the file (sqlite3), rows the
reader sees after a last refresh (`SELECT count(*) FROM requests`: the mirror's rows when a
mirror is in use). Prints a table and writes bench/results/soak-<journal>.json.

On a disk, a rollback-journal writer with synchronous=FULL is bound by its own fsyncs (about
57 commits/s on the development VM, reader or not), so it cannot reach 200 rows/s and holds
its write lock nearly all the time; `--dir /dev/shm` takes the disk out of the picture.

`--hold-read-transaction` is a negative control, not a mode: the reader also keeps one
DuckDB transaction open on the attached file for the whole run, which is what a leaking
reader would do; the soak's checks must then fail (WAL growth in WAL mode, writer stalls
and failures in rollback mode).
"""

from __future__ import annotations

import argparse
import inspect
import json
import multiprocessing as mp
import os
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "tests")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from factories import AxiomDB, iso_form, random_axiom  # noqa: E402  (AxiomDB creates Axiom's exact DDL)

RESULTS = ROOT / "bench" / "results"
SLOW_WRITE_SECONDS = 0.100   # a write slower than this is a stall
BUSY_TIMEOUT_SECONDS = 5.0   # better-sqlite3's default `timeout`
SESSION_EVERY = 50           # a session INSERT every this many token_usage rows
PREFILL_ROWS = 20_000
FAST_PREFILL_ROWS = 100_000  # above this, the prefill is bench/generate.py's (random_axiom takes minutes)
WAL_SAMPLE_SECONDS = 1.0
HOLD_POLL_SECONDS = 0.0005  # between reads of /proc/locks: ~1 ms resolution, a few % of one core
JOURNALS = ("wal", "delete")
WRITERS = ("probe", "sqlite3")
# (provider, model) the writer cycles through: priced by defaults, by nothing, and a third provider.
WRITER_MODELS = (
    ("anthropic", "claude-sonnet-4-20250514"),
    ("openai", "gpt-4o"),
    ("openai-codex", "gpt-5.4"),
    ("anthropic", "claude-opus-4-7"),
)
SESSION_TYPES = ("interactive", "task", "heartbeat", "interactive", "consolidation")


# --- small helpers ---------------------------------------------------------------------------

def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)



def filesystem_of(path: Path) -> str:
    """The file-system type holding `path` (tmpfs, ext4, ...), from /proc/mounts; "?" elsewhere."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                    best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


# --- the database ----------------------------------------------------------------------------

def make_database(path: Path, journal: str, prefill: int = PREFILL_ROWS, seed: int = 11) -> int:
    """Create an Axiom-shaped file at `path` in `journal` mode with `prefill` seeded rows; returns the row count."""
    if journal not in JOURNALS:
        raise ValueError(f"journal must be one of {JOURNALS}, not {journal!r}")
    if prefill > FAST_PREFILL_ROWS:  # bench/generate.py: the same schema, a million rows in seconds
        import generate

        generate.generate(path, prefill, days=40)
    else:
        db = AxiomDB(path)
        today = datetime.now(timezone.utc).date()
        random_axiom(seed, n_rows=prefill, first_day=today - timedelta(days=40), days=40).write(db)
    con = sqlite3.connect(path)
    try:
        mode = con.execute(f"PRAGMA journal_mode={journal.upper()}").fetchone()[0]
        if mode.lower() != journal:
            raise RuntimeError(f"could not put {path} in {journal} mode (got {mode})")
        return int(con.execute("SELECT count(*) FROM token_usage").fetchone()[0])
    finally:
        con.close()


def sqlite_row_count(path: Path) -> int:
    """token_usage rows as plain sqlite3 sees them (the ground truth)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        return int(con.execute("SELECT count(*) FROM token_usage").fetchone()[0])
    finally:
        con.close()


# --- who holds SQLite's SHARED lock (another process) ------------------------------------------

class SharedLockProbe:
    """A child process that says, when asked, which process holds a SHARED lock on a SQLite file.

    SQLite's unix locks are POSIX advisory locks: a reader holds a read lock on the 510-byte
    "shared" range that starts 2 bytes past PENDING_BYTE (0x40000000; sqlite.org/fileformat.html,
    os_unix.c). `fcntl(F_GETLK)` for a write lock on that range reports a conflicting lock and its
    process id without taking anything, so asking never disturbs the reader or the agent. POSIX
    locks never conflict within one process, hence the child. Asking is synchronous and involves
    no clock: `holder()` is the state at the moment the child looks.
    """

    SCRIPT = (
        "import fcntl, os, struct, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "for _ in sys.stdin:\n"
        "    ask = struct.pack('hhqqi4x', fcntl.F_WRLCK, os.SEEK_SET, 0x40000002, 510, 0)\n"
        "    kind, _w, _s, _l, pid = struct.unpack('hhqqi4x', fcntl.fcntl(fd, fcntl.F_GETLK, ask))\n"
        "    print(0 if kind == fcntl.F_UNLCK else pid, flush=True)\n"
    )

    def __init__(self, path: Path) -> None:
        import subprocess

        self.process = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def holder(self) -> int | None:
        """The id of a process holding a SHARED (or stronger) lock on the file now, or None."""
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        return pid or None

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def __enter__(self) -> "SharedLockProbe":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def hold_sampler_main(path: str, pid: int, ready, stop, results) -> None:
    """Until `stop` is set, read /proc/locks in a tight loop and time each stretch during which
    process `pid` holds a read lock on `path`'s shared range (SQLite's SHARED lock; see
    SharedLockProbe); put the stretches, (start on time.monotonic(), seconds), on `results`.

    /proc/locks lists every lock with its owner, so the agent's own locks do not hide ours. A
    stretch is measured from the first read that saw the lock to the first that did not: it is
    exact to within one read of /proc/locks and HOLD_POLL_SECONDS (more on a loaded machine).
    """
    inode = os.stat(path).st_ino
    mine = f" {pid} "
    suffix = f":{inode} {0x40000002} "
    stretches: list[float] = []
    began = None
    parent = os.getppid()
    ready.set()
    while not stop.is_set() and os.getppid() == parent:  # ends with the soak, even one that was killed
        with open("/proc/locks") as handle:
            held = any(mine in line and suffix in line and " READ " in line for line in handle)
        now = time.monotonic()
        if held and began is None:
            began = now
        elif not held and began is not None:
            stretches.append((began, now - began))
            began = None
        time.sleep(HOLD_POLL_SECONDS)
    if began is not None:  # still held at the end (the negative control's lock)
        stretches.append((began, time.monotonic() - began))
    results.put(stretches)


# --- the writer (its own process, no DuckDB) --------------------------------------------------

def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection (here: only ours, the reader) holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (5, 6) or "locked" in str(exc) or "busy" in str(exc)


def run_queue_seconds() -> float | None:
    """Seconds this process has spent runnable but waiting for a CPU (/proc/self/schedstat's second
    field; Linux): a write slowed by a busy machine, not by a lock, shows it. None elsewhere."""
    try:
        with open("/proc/self/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def writer_main(path: str, journal: str, rate: int, seconds: float, ready, start, results,
                writer_kind: str = "probe") -> None:
    """Write like Axiom for `seconds` after `start` is set; put a summary dict on `results`.

    Each write is first tried with no busy timeout. Only if SQLite says the database is
    locked (which here only our reader can cause) is it retried with the 5 s busy timeout,
    which is then exactly what better-sqlite3 would have done. So every write's latency is
    known, and so is whether it waited on a lock. A write that fails with SQLITE_BUSY outside
    an explicit transaction is rolled back by SQLite, so the retry never writes a row twice
    (the row counts at the end would show it).
    """
    summary: dict[str, object] = {"rows_written": 0}
    try:
        # autocommit: one transaction per INSERT
        con = sqlite3.connect(path, timeout=0 if writer_kind == "probe" else BUSY_TIMEOUT_SECONDS, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL" if journal == "wal" else "PRAGMA journal_mode=DELETE")
        if writer_kind == "probe":
            # better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: NORMAL in WAL, FULL otherwise.
            con.execute("PRAGMA synchronous=NORMAL" if journal == "wal" else "PRAGMA synchronous=FULL")
    except BaseException as exc:  # reported, not hung on
        summary["setup_error"] = repr(exc)
        ready.set()
        results.put(summary)
        return
    ready.set()
    start.wait()
    latencies: list[float] = []
    # (seconds into the run, latency, table, waited on a lock, seconds of it spent waiting for a CPU)
    slow: list[tuple[float, float, str, bool, float]] = []
    slow_spans: list[tuple[float, float]] = []  # (start on time.monotonic(), seconds) of each slow write
    failures: list[str] = []
    lock_waits = 0
    rows = sessions = 0
    session_id: str | None = None
    t0 = time.monotonic()
    end = t0 + seconds
    timeout_ms = int(BUSY_TIMEOUT_SECONDS * 1000)

    def write(statement: str, params: tuple, what: str) -> bool:
        nonlocal lock_waits
        waited = False
        queued = run_queue_seconds()
        began = time.monotonic()
        try:
            try:
                con.execute(statement, params)
            except sqlite3.OperationalError as exc:
                if writer_kind != "probe" or not _is_busy(exc):
                    raise
                waited = True
                lock_waits += 1
                con.execute(f"PRAGMA busy_timeout={timeout_ms}")
                try:
                    con.execute(statement, params)
                finally:
                    con.execute("PRAGMA busy_timeout=0")
            ok = True
        except sqlite3.Error as exc:
            failures.append(f"{what}: {type(exc).__name__}: {exc}")
            ok = False
        took = time.monotonic() - began
        latencies.append(took)
        cpu_wait = run_queue_seconds() - queued if queued is not None else 0.0
        if writer_kind != "probe" and took - cpu_wait > SLOW_WRITE_SECONDS:
            waited = True  # SQLite's own busy handler: slow, and not for want of a CPU, is taken for a lock wait
        # A stall of ours: a write that met our lock and took over 100 ms besides waiting for a CPU.
        waited = waited and took - cpu_wait > SLOW_WRITE_SECONDS
        if took > SLOW_WRITE_SECONDS:
            slow.append((round(began - t0, 3), took, what, waited, cpu_wait))
            slow_spans.append((began, took))
        return ok

    i = 0
    while True:
        due = t0 + i / rate
        now = time.monotonic()
        if due >= end or now >= end:
            break
        if due > now:
            time.sleep(due - now)
        if i % SESSION_EVERY == 0:  # a new conversation, task or heartbeat starts
            sid = f"soak-{i // SESSION_EVERY}"
            kind = SESSION_TYPES[(i // SESSION_EVERY) % len(SESSION_TYPES)]
            if write("INSERT INTO sessions (id, source, type, started_at, last_activity) "
                     "VALUES (?, ?, ?, datetime('now'), datetime('now'))",
                     (sid, "web" if kind == "interactive" else "task", kind), "sessions"):
                sessions += 1
                session_id = sid
        provider, model = WRITER_MODELS[i % len(WRITER_MODELS)]
        sid = None if i % 7 == 0 else session_id  # some requests carry no session
        prompt, completion = 500 + (i * 37) % 4000, 20 + (i * 11) % 900
        cost = 0.0 if i % 3 else round((prompt * 3 + completion * 15) / 1e6, 6)
        if i % 2:  # Axiom's main path: the column default, datetime('now')
            ok = write("INSERT INTO token_usage (provider, model, prompt_tokens, completion_tokens, "
                       "estimated_cost, session_id) VALUES (?, ?, ?, ?, ?, ?)",
                       (provider, model, prompt, completion, cost, sid), "token_usage")
        else:      # other code paths: JavaScript's toISOString()
            ok = write("INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens, "
                       "estimated_cost, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (iso_form(datetime.now(timezone.utc).replace(tzinfo=None)), provider, model, prompt,
                        completion, cost, sid), "token_usage")
        rows += ok
        i += 1
    elapsed = time.monotonic() - t0
    try:  # the WAL as the writer leaves it (closing the last connection checkpoints and removes it)
        wal_at_end = os.stat(path + "-wal").st_size
    except FileNotFoundError:
        wal_at_end = 0
    con.close()
    summary.update(
        rows_written=rows, sessions_written=sessions, writes=len(latencies), writer_seconds=elapsed,
        failures=len(failures), failure_examples=failures[:5], lock_waits=lock_waits if writer_kind == "probe" else None,
        slow_writes=len(slow), slow_lock_waits=sum(1 for s in slow if s[3]),
        max_lock_wait=max((took for _at, took, _w, waited, _c in slow if waited), default=None),
        slowest=[{"at_s": at, "ms": _ms(took), "table": what, "waited_on_lock": waited, "cpu_wait_ms": _ms(cpu)}
                 for at, took, what, waited, cpu in sorted(slow, key=lambda s: -s[1])[:5]],
        p50=_pct(latencies, 0.50), p99=_pct(latencies, 0.99), max=max(latencies, default=None),
        wal_at_end=wal_at_end, slow_spans=slow_spans,
    )
    results.put(summary)


# --- the reader (this process, the project's query layer) -------------------------------------

def open_reader_source(path: Path, mirror: str):
    """`open_source(path)`, mirrored when asked for ("on") or available ("auto")."""
    try:
        from queries.mirror import open_mirrored_source
        from queries.sources import open_source
    except ImportError:  # a query layer from before the source registry (issue 12)
        return _open_reader_source_before_registry(path, mirror)
    if mirror != "off":
        return open_mirrored_source(path)
    return open_source(path)


def _open_reader_source_before_registry(path: Path, mirror: str):
    """`open_reader_source` for a query layer whose open_source lived in queries/source.py."""
    from queries.source import open_source

    has_mirror = "mirror" in inspect.signature(open_source).parameters
    if mirror == "on" and not has_mirror:
        raise RuntimeError("this query layer has no mirror (open_source takes no mirror=)")
    if mirror != "off" and has_mirror:
        return open_source(path, mirror=True)
    return open_source(path)


def filter_states():
    """A few filter states a person would click through (UTC presets and a zone off whole hours)."""
    from queries.dates import preset_range, today_in
    from queries.usage import Filters

    today = today_in("UTC")
    return [
        Filters(preset_range("7d", today)),
        Filters(preset_range("today", today), provider="anthropic"),
        Filters(preset_range("30d", today_in("Asia/Kolkata"), "Asia/Kolkata"),
                provider="openai", model="gpt-4o"),
    ]


def count_seen(source) -> int:
    """Rows the reader sees: `requests` (the mirror's rows when the source is mirrored)."""
    cur = source.cursor()
    try:
        return int(cur.execute("SELECT count(*) FROM requests").fetchone()[0])
    finally:
        cur.close()


class WalSampler(threading.Thread):
    """Samples the -wal file's size every `every` seconds until stopped."""

    def __init__(self, path: Path, every: float = WAL_SAMPLE_SECONDS) -> None:
        super().__init__(name="wal-sampler", daemon=True)
        self.wal = Path(str(path) + "-wal")
        self.every = every
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()
        self._t0 = time.monotonic()

    def size(self) -> int:
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0

    def run(self) -> None:
        while True:
            self.samples.append((round(time.monotonic() - self._t0, 2), self.size()))
            if self._stop_event.wait(self.every):
                break

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.samples.append((round(time.monotonic() - self._t0, 2), self.size()))


# --- the soak --------------------------------------------------------------------------------

def run_soak(seconds: float, journal: str, rate: int = 200, *, mirror: str = "auto", prefill: int = PREFILL_ROWS,
             directory: str | os.PathLike[str] | None = None, pause: float = 0.0,
             hold_read_transaction: bool = False, writer: str = "probe", min_iterations: int = 1,
             lock_holds: bool = False) -> dict:
    """Run one soak (see the module doc) and return its figures as a JSON-ready dict.

    `mirror`: "auto" (use the query layer's mirror if it has one), "on" or "off" (read the
    attached file directly). `directory`: where the temporary database goes (default: the
    system's temp dir). `pause`: seconds the reader waits between iterations (0: a tight loop,
    the worst case). `hold_read_transaction`: the negative control; never set in a passing test.
    `writer`: "probe" or "sqlite3" (see the module doc). `min_iterations`: the reader goes on
    past `seconds` until it has done this many (a test asks for a count, not a time).
    `lock_holds`: time each SHARED lock the reader holds (hold_sampler_main; Linux).
    """
    from queries import load_dataset
    from queries.usage import usage_report

    if journal not in JOURNALS:
        raise ValueError(f"journal must be one of {JOURNALS}, not {journal!r}")
    if writer not in WRITERS:
        raise ValueError(f"writer must be one of {WRITERS}, not {writer!r}")
    with tempfile.TemporaryDirectory(prefix=f"soak-{journal}-", dir=directory) as tmp:
        path = Path(tmp) / "openagent.db"
        prefilled = make_database(path, journal, prefill)

        ctx = mp.get_context("spawn")
        ready, start, results = ctx.Event(), ctx.Event(), ctx.Queue()
        writer_kind = writer
        writer = ctx.Process(target=writer_main, name="axiom-writer",
                             args=(str(path), journal, rate, seconds, ready, start, results, writer_kind), daemon=True)
        writer.start()
        deadline = time.monotonic() + 60
        while not ready.wait(0.2):
            if not writer.is_alive() or time.monotonic() > deadline:
                writer.kill()
                raise RuntimeError(f"the writer process did not start (exit code {writer.exitcode})")

        opened = time.monotonic()
        source = open_reader_source(path, mirror)
        open_seconds = time.monotonic() - opened
        holds = None
        if lock_holds and os.path.exists("/proc/locks"):  # how long each of the reader's SHARED locks lasts
            hold_ready, hold_stop, hold_results = ctx.Event(), ctx.Event(), ctx.Queue()
            holds = ctx.Process(target=hold_sampler_main, name="lock-holds", daemon=True,
                                args=(str(path), os.getpid(), hold_ready, hold_stop, hold_results))
            holds.start()
            hold_ready.wait(60)
        mirrored = hasattr(source, "refresh")
        holder = None
        if hold_read_transaction:  # negative control: a reader that never ends its transaction
            holder = source.cursor()
            holder.begin()
            # A result left open keeps the SQLite read going: the SHARED lock of a rollback-journal
            # file, the snapshot of a WAL file (a finished count(*) there left no lock behind).
            holder.execute("SELECT id FROM src.token_usage")
            holder.fetchone()

        states = filter_states()
        sampler = WalSampler(path)
        ops: dict[str, list[float]] = {"refresh": [], "catalog": [], "usage_report": []}
        iteration_seconds: list[float] = []
        errors: dict[str, list[str]] = {"refresh": [], "catalog": [], "usage_report": []}
        backwards = 0      # times the catalog's total went down between iterations
        last_total = 0

        def timed(kind: str, fn, *args):
            began = time.monotonic()
            try:
                return fn(*args)
            except Exception as exc:  # every kind of read failure counts
                errors[kind].append(f"{kind}: {type(exc).__name__}: {exc}")
                raise
            finally:
                ops[kind].append(time.monotonic() - began)

        sampler.start()
        start.set()
        t0 = time.monotonic()
        end = t0 + seconds
        while time.monotonic() < end or len(iteration_seconds) < min_iterations:
            began = time.monotonic()
            try:
                if mirrored:
                    timed("refresh", source.refresh)
                dataset = timed("catalog", load_dataset, source, None, False)
                total = dataset.catalog.total_requests
                backwards += total < last_total
                last_total = total
                for filters in states:
                    timed("usage_report", usage_report, source, filters, dataset.prices, dataset.catalog)
            except Exception:  # counted by timed(); the loop goes on, as the app keeps serving
                time.sleep(0.05)
            iteration_seconds.append(time.monotonic() - began)
            if pause:
                time.sleep(pause)
        reader_seconds = time.monotonic() - t0
        sampler.stop()
        hold_spans: list[tuple[float, float]] = []
        if holds is not None:
            hold_stop.set()
            try:
                hold_spans = hold_results.get(timeout=60)
            except Exception:
                pass
            holds.join(30)
        hold_lengths = sorted((length for _start, length in hold_spans), reverse=True)

        try:  # before join: a child cannot exit while its queued result is unread
            summary = results.get(timeout=seconds + 120)
        except Exception:
            summary = {"setup_error": f"the writer sent no result (exit code {writer.exitcode})"}
        writer.join(30)
        if holder is not None:
            holder.rollback()
            holder.close()

        final_error = None
        try:
            if mirrored:
                source.refresh()
            seen = count_seen(source)
        except Exception as exc:
            final_error = f"{type(exc).__name__}: {exc}"
            seen = -1
        mirror_rows = getattr(source, "rows", None) if mirrored else None
        source.close()
        in_file = sqlite_row_count(path)
        fs = filesystem_of(path)

    all_reads = [v for values in ops.values() for v in values]
    # How long each slow write ran while our reader held its SHARED lock (both on time.monotonic(),
    # one clock for every process): a write cannot have waited on our lock longer than that, plus
    # one step of its busy handler.
    overlaps = sorted((sum(max(0.0, min(w0 + wl, h0 + hl) - max(w0, h0)) for h0, hl in hold_spans)
                       for w0, wl in summary.get("slow_spans", [])), reverse=True) if holds is not None else []
    all_errors = [e for kind in errors.values() for e in kind]
    written = int(summary.get("rows_written", 0))
    wal_sizes = [size for _t, size in sampler.samples]
    return {
        "journal": journal,
        "seconds": seconds,
        "rate_target": rate,
        "writer_kind": writer_kind,
        "filesystem": fs,
        "hold_read_transaction": hold_read_transaction,
        "prefill_rows": prefilled,
        "writer": {
            "setup_error": summary.get("setup_error"),
            "rows_written": written,
            "sessions_written": summary.get("sessions_written", 0),
            "writes": summary.get("writes", 0),
            "rate_achieved": round(written / summary["writer_seconds"], 1) if summary.get("writer_seconds") else None,
            "failures": summary.get("failures", 0),
            "failure_examples": summary.get("failure_examples", []),
            "lock_waits": summary.get("lock_waits", 0),                 # writes that found a lock held by the reader
            "slow_writes": summary.get("slow_writes", 0),               # writes > 100 ms, whatever the cause
            "slow_lock_waits": summary.get("slow_lock_waits", 0),       # ... of which waited on a lock: caused by reads
            "slow_other": summary.get("slow_writes", 0) - summary.get("slow_lock_waits", 0),  # CPU, disk
            "max_lock_wait_ms": _ms(summary.get("max_lock_wait")),
            "p50_latency_ms": _ms(summary.get("p50")),
            "p99_latency_ms": _ms(summary.get("p99")),
            "max_latency_ms": _ms(summary.get("max")),
            "slowest": summary.get("slowest", []),
            # slow writes (> 100 ms) that ran over 50 ms while our reader held the lock, and the longest such time
            "slow_overlapping_our_lock": sum(v > 0.050 for v in overlaps) if holds is not None else None,
            "slow_longest_overlap_ms": _ms(overlaps[0]) if overlaps else None,
        },
        "reader": {
            "kind": "mirror" if mirrored else "direct",
            "open_seconds": round(open_seconds, 3),
            "pause_seconds": pause,
            "iterations": len(iteration_seconds),
            "errors": len(all_errors),
            "errors_by_call": {kind: len(values) for kind, values in errors.items()},
            "error_examples": all_errors[:5],
            "final_error": final_error,
            "count_went_backwards": backwards,
            "busy_fraction": round(sum(all_reads) / reader_seconds, 3) if reader_seconds else None,
            "read_p50_ms": _ms(_pct(all_reads, 0.50)),
            "read_p95_ms": _ms(_pct(all_reads, 0.95)),
            **{f"{kind}_p50_ms": _ms(_pct(values, 0.50)) for kind, values in ops.items() if values},
            **{f"{kind}_p95_ms": _ms(_pct(values, 0.95)) for kind, values in ops.items() if values},
            "iteration_p50_ms": _ms(_pct(iteration_seconds, 0.50)),
            "iteration_p95_ms": _ms(_pct(iteration_seconds, 0.95)),
            # the reader's SHARED locks on the file during the run (from /proc/locks; none in WAL is normal too)
            "lock_holds": len(hold_lengths),
            "lock_hold_longest_ms": [_ms(v) for v in hold_lengths[:5]],
            "lock_holds_over_50ms": sum(v > 0.050 for v in hold_lengths),
            "lock_held_fraction": round(sum(hold_lengths) / reader_seconds, 3) if reader_seconds else None,
        },
        "cpu_pressure": _cpu_pressure(),
        "rows": {
            "written": prefilled + written,
            "in_file": in_file,
            "seen": seen,
            "mirror_rows": mirror_rows,
            "seen_equals_written": seen == prefilled + written == in_file,
        },
        "wal": {
            "max_bytes": max(wal_sizes) if journal == "wal" and wal_sizes else None,
            "final_bytes": summary.get("wal_at_end") if journal == "wal" else None,  # as the writer stopped
            "samples": sampler.samples if journal == "wal" else [],
        },
        "versions": _versions(),
    }


def _cpu_pressure() -> str | None:
    """/proc/pressure/cpu's "some" line at the end of the run: other work on the machine inflates every timing."""
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def _versions() -> dict[str, str]:
    import duckdb

    return {"python": sys.version.split()[0], "duckdb": duckdb.__version__, "sqlite_writer": sqlite3.sqlite_version,
            "cpus": str(os.cpu_count())}


# --- output ----------------------------------------------------------------------------------

def _or_na(value: object) -> str:
    return "n/a" if value is None else str(value)


def _mb(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1e6:.2f} MB"


def table(reports: list[dict]) -> str:
    """The figures of one or more soaks side by side."""
    w, r_ = "writer", "reader"
    rows = [
        ("reader (pause between iterations)", lambda r: f"{r[r_]['kind']} ({r[r_]['pause_seconds']:g} s)"),
        ("seconds, file system, writer", lambda r: f"{r['seconds']:g} s, {r['filesystem']}, {r['writer_kind']}"),
        ("rows written (prefill + writer)", lambda r: f"{r['rows']['written']:,} "
                                                      f"({r['prefill_rows']:,} + {r[w]['rows_written']:,})"),
        ("writer rate achieved", lambda r: f"{r[w]['rate_achieved']} rows/s"),
        ("rows seen by the reader at end", lambda r: f"{r['rows']['seen']:,}"
                                                     + (" (mirror)" if r[r_]["kind"] == "mirror" else "")),
        ("seen == written == in file", lambda r: str(r["rows"]["seen_equals_written"])),
        ("write failures", lambda r: str(r[w]["failures"])),
        ("writes that waited on a lock", lambda r: f"{_or_na(r[w]['lock_waits'])} of {r[w]['writes']:,}"),
        ("writes > 100 ms: lock wait / other", lambda r: f"{r[w]['slow_lock_waits']} / {r[w]['slow_other']}"),
        ("longest lock wait > 100 ms", lambda r: f"{r[w]['max_lock_wait_ms'] or '-'} ms"),
        ("write latency p50 / p99 / max", lambda r: f"{r[w]['p50_latency_ms']} / "
                                                    f"{r[w]['p99_latency_ms']} / {r[w]['max_latency_ms']} ms"),
        ("read iterations (busy fraction)", lambda r: f"{r[r_]['iterations']} ({r[r_]['busy_fraction']})"),
        ("read errors", lambda r: f"{r[r_]['errors']}" + (f" ({r[r_]['final_error']})" if r[r_]["final_error"] else "")),
        ("read latency p50 / p95 (per call)", lambda r: f"{r[r_]['read_p50_ms']} / {r[r_]['read_p95_ms']} ms"),
        ("refresh p50 / p95", lambda r: f"{r[r_].get('refresh_p50_ms', '-')} / {r[r_].get('refresh_p95_ms', '-')} ms"),
        ("reader's SHARED locks (> 50 ms)", lambda r: f"{r[r_]['lock_holds']:,} ({r[r_]['lock_holds_over_50ms']})"),
        ("longest SHARED lock held", lambda r: f"{(r[r_]['lock_hold_longest_ms'] or ['-'])[0]} ms"),
        ("writes > 100 ms that met our lock > 50 ms", lambda r: f"{_or_na(r[w]['slow_overlapping_our_lock'])} "
                                                                f"(longest {r[w]['slow_longest_overlap_ms'] or '-'} ms)"),
        ("WAL max / at writer's end", lambda r: f"{_mb(r['wal']['max_bytes'])} / {_mb(r['wal']['final_bytes'])}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{r['journal']:>30}" for r in reports)]
    for name, get in rows:
        lines.append(f"{name:{width}}  " + "  ".join(f"{get(r):>30}" for r in reports))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--journal", choices=(*JOURNALS, "both"), default="both")
    parser.add_argument("--rate", type=int, default=200, help="token_usage rows per second (default 200)")
    parser.add_argument("--mirror", choices=("auto", "on", "off"), default="auto",
                        help="read through the query layer's mirror (auto: when it has one, as the app does)")
    parser.add_argument("--prefill", type=int, default=PREFILL_ROWS)
    parser.add_argument("--dir", default=None,
                        help="where the temporary database goes (default: the system temp dir; /dev/shm takes "
                             "the disk's fsync cost out of the writer)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds the reader waits between iterations")
    parser.add_argument("--writer", choices=WRITERS, default="probe",
                        help="probe: better-sqlite3-like, knows which writes waited on a lock; sqlite3: Python's "
                             "sqlite3 with SQLite's default busy handler (timeout=5)")
    parser.add_argument("--no-lock-holds", action="store_true",
                        help="do not time the reader's SHARED locks (read from /proc/locks by another process)")
    parser.add_argument("--hold-read-transaction", action="store_true",
                        help="negative control: keep one read transaction open all along (the checks must fail)")
    parser.add_argument("--tag", default="", help="results go to bench/results/soak-<journal>[-<tag>].json")
    parser.add_argument("--no-save", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)

    journals = JOURNALS if args.journal == "both" else (args.journal,)
    reports = []
    for journal in journals:
        print(f"== soak: {journal}, {args.seconds:g} s, {args.rate} rows/s, {args.writer} writer ...", flush=True)
        report = run_soak(args.seconds, journal, args.rate, mirror=args.mirror, prefill=args.prefill,
                          directory=args.dir, pause=args.pause, hold_read_transaction=args.hold_read_transaction,
                          writer=args.writer, lock_holds=not args.no_lock_holds)
        reports.append(report)
        if not args.no_save:
            RESULTS.mkdir(parents=True, exist_ok=True)
            out = RESULTS / f"soak-{journal}{'-' + args.tag if args.tag else ''}.json"
            out.write_text(json.dumps(report, indent=2, default=str) + "\n")
            print(f"   wrote {out.relative_to(ROOT)}")
        for example in report["writer"]["failure_examples"] + report["reader"]["error_examples"]:
            print(f"   ! {example[:300]}")
    print(table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
