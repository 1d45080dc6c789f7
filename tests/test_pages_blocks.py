"""The Usage windows page (and Token Usage) on Claude Code logs, through Streamlit's AppTest."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from factories import Turn, texts
from test_pages_agentx import fresh_app, open_page, open_page_by_link  # noqa: F401  (fresh_app: the autouse fixture)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def recent_logs(claude_projects, monkeypatch):
    """Two requests 50 and 20 minutes ago (one active window), one 3 days ago (an ended one)."""
    now = datetime.now(timezone.utc)
    claude_projects.session_file("-home-dev-app", "s1", [
        Turn("m0", "r0", stamp(now - timedelta(days=3)), "house", 1_000, 500).line("s1"),
        Turn("m1", "r1", stamp(now - timedelta(minutes=50)), "house", 1_000, 200, 300, 4_000).line("s1"),
        Turn("m2", "r2", stamp(now - timedelta(minutes=20)), "house", 2_000, 500).line("s1")])
    monkeypatch.setenv("USAGE_DB", str(claude_projects.root))
    return claude_projects


def test_the_active_window_shows_its_tokens_and_every_window_is_a_bar_and_a_row(recent_logs):
    at = open_page("blocks")
    metrics = {m.label: m.value for m in at.metric}
    # 1,000 + 200 + 300 + 4,000 and 2,000 + 500 tokens in the active window
    assert metrics["Active window: tokens"] == "8,000"
    assert metrics["Burn rate"] == f"{round(8_000 / 30):,} tokens/min"  # 30 minutes between its two requests
    assert sum(1 for e in at.main if getattr(e, "type", "") == "vega_lite_chart") == 1
    rows = at.dataframe[0].value.to_dict("records")
    assert [r["Tokens"] for r in rows] == ["8,000", "1,500"]  # newest first
    assert any(b.label == "Download CSV" for b in at.get("download_button"))


def test_the_menu_lists_usage_windows_for_claude_code_logs_and_token_usage_draws(recent_logs):
    at = open_page("token_usage")
    assert not at.exception
    assert [m.value for m in at.metric][:1] != []  # the Token Usage cards are drawn on the logs
    from pages.common import menu_specs
    from queries.sources.claude_code import KIND

    assert "Usage windows" in [p.title for p in menu_specs(KIND.capabilities)]


def test_axiom_data_gets_a_reason_not_windows(axiom_db, monkeypatch):
    axiom_db.usage(timestamp="2026-03-20 10:00:00", model="gpt-4o", prompt=10, completion=5)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page_by_link("blocks")
    assert "needs Claude Code data" in texts(at)
    assert not at.dataframe


def test_the_sessions_page_lists_the_sessions_of_the_configured_logs(recent_logs):
    at = open_page("sessions")
    assert f"Claude Code sessions in the folder {recent_logs.root.name}" in texts(at)
    assert at.dataframe and len(at.dataframe[0].value) == 1  # one session, s1


def test_compare_draws_on_claude_code_logs(recent_logs):
    at = open_page("compare")
    assert any("Per model" in str(e.value) for e in at.subheader)
