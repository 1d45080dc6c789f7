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
    # Each session makes exactly three filter changes however long they take (no time limit:
    # seconds=0), so the numbers checked are a count, not a rate.
    result = load.run(rows=20_000, sessions=4, seconds=0, workdir=tmp_path, warmup=0, answer_timeout=60,
                      min_changes=3)
    assert result["errors"] == 0, result["error_examples"]
    # Every session got its first view and then its three filter changes, each checked against the CLI.
    assert result["per_session_changes"] == [1 + 3] * 4, result["per_session_changes"]
