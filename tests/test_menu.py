"""The menu lists only the pages some configured source can fill (issue 12), through AppTest.

The expected menus are written by hand from what each kind provides: Axiom has per-request
rows and sessions but no agents, tasks, tier 2 or rotations; agentx has all four pages' data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from factories import ROOT
from pages.common import menu_specs
from queries.sources import Capability

PASSWORD = "correct horse battery staple"
AXIOM_MENU = ["token_usage.py", "sessions.py", "compare.py", "budgets.py"]
AGENTX_MENU = ["token_usage.py", "agents.py", "tier2.py", "sessions.py", "compare.py", "budgets.py"]
CLAUDE_CODE_MENU = ["token_usage.py", "sessions.py", "compare.py", "budgets.py", "blocks.py"]
EVERY_PAGE = AGENTX_MENU + ["blocks.py"]


@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.delenv("USAGE_DB", raising=False)
    monkeypatch.delenv("USAGE_SOURCE", raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()


def signed_in_menu() -> list[str]:
    """The page files of the menu app.py registers once signed in, in menu order."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    # AppTest keeps the pages st.navigation registered (what switch_page looks pages up in).
    return [Path(str(info["script_path"])).name for info in at._registered_pages.values()]


def test_the_axiom_demo_menu_has_no_agents_or_tier2_page(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "axiom")
    assert signed_in_menu() == AXIOM_MENU


def test_the_agentx_demo_menu_has_every_page(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "agentx")
    assert signed_in_menu() == AGENTX_MENU


def test_an_axiom_database_gets_the_axiom_menu(axiom_db, monkeypatch):
    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    assert signed_in_menu() == AXIOM_MENU


def test_an_unreadable_database_keeps_every_page_to_say_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(tmp_path / "missing.db"))
    assert signed_in_menu() == EVERY_PAGE


def test_compare_needs_per_request_rows_or_a_daily_rollup():
    # A source with sessions alone (no usage figures) gets neither Compare nor Agents.
    assert [p.file for p in menu_specs(frozenset({Capability.SESSIONS}))] == ["token_usage.py", "sessions.py"]
    assert [p.file for p in menu_specs(frozenset({Capability.DAILY_USAGE}))] == ["token_usage.py", "compare.py", "budgets.py"]
    assert [p.file for p in menu_specs(None)] == EVERY_PAGE


def test_a_claude_code_projects_directory_gets_usage_windows_and_no_agent_pages(claude_projects, monkeypatch):
    from factories import Turn

    claude_projects.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "m", 1, 1).line("s1")])
    monkeypatch.setenv("USAGE_DB", str(claude_projects.root))
    assert signed_in_menu() == CLAUDE_CODE_MENU
