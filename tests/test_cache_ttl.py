"""The cache_ttl_seconds setting: how long the app reuses what it read; 0 means it never does.

Streamlit decorates the app's cached reads once per process, at import, with the configured
ttl, so each case runs in a fresh Python process: it reads the database, a row is added
behind its back, and it reads again without pressing Refresh.
"""

from __future__ import annotations

import os

import pytest

from factories import AxiomDB, run_python

READ_TWICE = """
import sqlite3
from pages.common.data import configured_data
data = configured_data()
first = data.snapshot().catalog.total_requests
con = sqlite3.connect({db!r})
con.execute("INSERT INTO token_usage (timestamp, provider, model, prompt_tokens, completion_tokens, estimated_cost) "
            "VALUES ('2026-03-20 11:00:00', 'openai', 'gpt-4o', 5, 5, 0)")
con.commit()
con.close()
second = data.snapshot().catalog.total_requests
print(first, second)
"""


def reads(db: AxiomDB, ttl: str | None) -> tuple[int, int]:
    env = dict(os.environ, USAGE_DB=str(db.path))
    if ttl is not None:
        env["USAGE_CACHE_TTL_SECONDS"] = ttl
    done = run_python(READ_TWICE.format(db=str(db.path)), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    first, second = map(int, done.stdout.split()[-2:])
    return first, second


@pytest.fixture
def one_row(axiom_db: AxiomDB) -> AxiomDB:
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 10)
    return axiom_db


def test_a_ttl_of_0_reads_the_database_again_on_every_run(one_row):
    assert reads(one_row, "0") == (1, 2)


def test_the_default_ttl_reuses_the_first_read_until_refresh(one_row):
    assert reads(one_row, None) == (1, 1)
