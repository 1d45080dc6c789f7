"""A cache file that one process at a time may write: the mirrors' lock-or-private-copy rule.

DuckDB lets one process write a database file. The generic mirror (queries/mirror.py) and the
LiteLLM mirror (queries/sources/litellm.py) both keep their file in the dashboard's cache dir and
take it with `claim_cache_file`; an open that cannot lock it gets a private file in a temp dir.
Standard library only, so any module (a source kind included) can import it without a cycle.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)


def claim_cache_file(file: Path, what: str) -> tuple[Path, bool, Callable[[], None]]:
    """(mirror file, private?, release): `file` when this open can lock it, else a private file in a
    fresh temp dir (another process, or another open in this one, owns the cache file: DuckDB lets
    one process write a file; flock's lock is per open file, so a second open in this process is
    refused too). `release` unlocks, or removes the temp dir. `what` names the source in the log."""
    fd = -1
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{file}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if fd >= 0:
            os.close(fd)
        directory = Path(tempfile.mkdtemp(prefix="token-usage-mirror-"))
        log.info("mirror of %s: %s is in use or cannot be written (%s); using a private mirror in %s",
                 what, file, exc.strerror or exc, directory)
        return directory / "mirror.duckdb", True, lambda: shutil.rmtree(directory, ignore_errors=True)
    return file, False, lambda: os.close(fd)  # closing the descriptor drops the lock
