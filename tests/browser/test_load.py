"""The load benchmark's short version: several browser sessions changing filters at once on
one server get the CLI's numbers, with no error (bench/load.py has the 20-session, 60 s run
and the memory figures; nothing here is timed)."""

from __future__ import annotations

import sys

import pytest

from factories import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py)

pytestmark = pytest.mark.browser


def test_concurrent_sessions_changing_filters_see_the_clis_numbers(tmp_path):
    result = load.run(rows=20_000, sessions=4, seconds=15, workdir=tmp_path, warmup=0, answer_timeout=60)
    assert result["errors"] == 0, result["error_examples"]
    # Every session got its first view and then at least two filter changes, each checked.
    assert all(n >= 3 for n in result["per_session_changes"]), result["per_session_changes"]
