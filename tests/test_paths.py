"""pages/common/paths.py: a message of the query layer loses every path before it reaches a page
(README: paths never appear in the page; issue 11 item 7, issue 15 item 3)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pages.common.paths import file_name, without_paths

PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=12).filter(
    lambda p: p not in (".", ".."))


def test_the_database_is_named_by_its_file_name():
    text = "No data. No token usage yet: /srv/agentx/.agentx/db.sqlite has no rows in usage_daily."
    assert without_paths(text, Path("/srv/agentx/.agentx/db.sqlite")) == \
        "No data. No token usage yet: db.sqlite has no rows in usage_daily."


def test_a_folder_inside_another_is_replaced_whole():
    text = "No session 'x' in /data/home/.claude/projects. Database /data/home/db.sqlite."
    assert without_paths(text, "/data/home", "/data/home/.claude/projects", "/data/home/db.sqlite") == \
        "No session 'x' in projects. Database db.sqlite."


def test_a_path_given_with_a_tilde_is_replaced_in_its_expanded_form_too():
    home = str(Path("~").expanduser())
    assert without_paths(f"No Claude Code logs at {home}/.claude/projects (not a directory).",
                         "~/.claude/projects") == "No Claude Code logs at projects (not a directory)."


def test_no_paths_leaves_the_text_alone():
    assert without_paths("Threshold 195,000 tokens.", None) == "Threshold 195,000 tokens."
    assert file_name("/srv/agentx/agentx.json") == "agentx.json" and file_name("/") == "/"


NO_SLASH = st.text(max_size=30).filter(lambda t: "/" not in t)


@given(st.lists(PART, min_size=2, max_size=5), NO_SLASH, NO_SLASH)
def test_a_path_anywhere_in_a_message_becomes_its_name(parts, before, after):
    path = "/" + "/".join(parts)
    assert without_paths(f"{before}{path}{after}", path) == f"{before}{parts[-1]}{after}"
