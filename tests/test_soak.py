"""Short live-writer soaks (bench/soak.py): an Axiom-like process writes while the query layer reads.

Each soak runs a writer process (200 rows/s, one row per transaction) and the dashboard's
reader in a loop (refresh when the source has a mirror, catalog, three usage reports) for a
few seconds; the 60 s versions and every timing (write latencies, stalls, rates) are
`python bench/soak.py`, reported in the README. These tests assert correctness only, so a
loaded machine cannot fail them: no write failed, no read failed, the reader never saw the
count go back, and at the end the reader sees exactly the rows written. That the reader's
SQLite lock ends with each statement and each statement reads a bounded range, which is what
keeps the agent's commits quick, is checked without a clock in tests/test_mirror.py.

What the checks would catch: a reader that held a read transaction open (a leaked cursor,
a transaction never committed) makes the WAL of a WAL database grow past the bound within
seconds, because checkpoints can no longer restart it (measured: 23 MB in 6 s against
4.1 MB), and makes every write to a rollback-journal database wait out the 5 s busy
timeout and fail. (`run_soak(..., hold_read_transaction=True)` is that negative control;
it is not run here.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

import soak  # noqa: E402  (bench/soak.py)

SECONDS = 6
RATE = 200
PREFILL = 5_000
MIN_ITERATIONS = 3  # the reader goes on until it has refreshed this often, however slow the machine
# SQLite checkpoints a WAL once it holds 1000 pages (4 KiB each here: ~4.1 MB) and restarts it
# from the beginning when no reader is using it; twice that is the bound. At 200 commits/s a
# WAL that is never restarted passes it in about 2 s.
WAL_BOUND_BYTES = 8_000_000
TMPFS = "/dev/shm"


def _directory(tmp_path: Path) -> Path | str:
    """tmpfs when there is one: on a disk a rollback-journal writer with synchronous=FULL is bound by
    its own fsyncs (about 57 commits/s on the CI machine), which makes the soak write less, not fail."""
    return TMPFS if os.path.isdir(TMPFS) and os.access(TMPFS, os.W_OK) else tmp_path


def _nothing_lost_nothing_failed(report: dict) -> None:
    writer, reader, rows = report["writer"], report["reader"], report["rows"]
    assert writer["setup_error"] is None, writer["setup_error"]
    assert writer["failures"] == 0, writer["failure_examples"]
    assert writer["rows_written"] > 0 and writer["rows_written"] == writer["writes"] - writer["sessions_written"]
    assert reader["errors"] == 0, reader["error_examples"]
    assert reader["final_error"] is None, reader["final_error"]
    assert reader["iterations"] >= MIN_ITERATIONS, reader
    assert reader["count_went_backwards"] == 0, reader
    # Nothing lost: what the reader (the mirror, when there is one) sees at the end is every row written.
    assert rows["written"] == report["prefill_rows"] + writer["rows_written"]
    assert rows["seen"] == rows["written"] == rows["in_file"], rows
    if reader["kind"] == "mirror":
        assert rows["mirror_rows"] == rows["written"], rows


def _soak(tmp_path: Path, journal: str, writer: str = "probe") -> dict:
    return soak.run_soak(SECONDS, journal, RATE, prefill=PREFILL, directory=_directory(tmp_path), writer=writer,
                         min_iterations=MIN_ITERATIONS)


def test_soak_wal(tmp_path: Path) -> None:
    report = _soak(tmp_path, "wal")
    _nothing_lost_nothing_failed(report)
    wal = report["wal"]
    assert wal["max_bytes"] is not None and wal["max_bytes"] < WAL_BOUND_BYTES, wal["samples"]
    assert wal["final_bytes"] < WAL_BOUND_BYTES, wal


def test_soak_rollback_journal(tmp_path: Path) -> None:
    _nothing_lost_nothing_failed(_soak(tmp_path, "delete"))


def test_soak_rollback_journal_with_pythons_default_busy_handler(tmp_path: Path) -> None:
    """The writer is Python's sqlite3 as it comes (timeout=5, SQLite's own busy handler)."""
    _nothing_lost_nothing_failed(_soak(tmp_path, "delete", writer="sqlite3"))
