"""--page and --page-size: every command that pages refuses the same bad values, whichever
data it reads (Claude Code logs, an Axiom database, an agentx database), with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

BAD_PAGING = [("0", "50"), ("-3", "50"), ("1", "0"), ("1", "-1"), ("1", "1001")]


@pytest.fixture
def paths(axiom_db, agentx_db, claude_projects):
    """One way in per data path: logs (--projects), Axiom (--db), agentx (--cwd)."""
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 10, 10)
    (Path.home() / ".claude" / "projects").mkdir(parents=True)  # agentx's sessions: the logs it ran
    return {"logs": ["--projects", str(claude_projects.root)], "axiom": ["--db", str(axiom_db.path)],
            "agentx": ["--cwd", str(agentx_db.cwd)]}


PAGING_COMMANDS = [("sessions", "logs"), ("sessions", "axiom"), ("sessions", "agentx"), ("tasks", "agentx")]


def command(name: str, where: list[str]) -> list[str]:
    return ["tasks", "coder", *where] if name == "tasks" else [name, *where]


@pytest.mark.parametrize("page, page_size", BAD_PAGING)
@pytest.mark.parametrize("name, path", PAGING_COMMANDS)
def test_bad_paging_exits_2_with_a_message_on_every_path(run_cli, paths, name, path, page, page_size):
    result = run_cli(*command(name, paths[path]), "--page", page, "--page-size", page_size)
    assert result.code == 2, (result.out, result.err)
    assert "--page must be 1 or more and --page-size between 1 and 1000" in result.err
    assert not result.out


@pytest.mark.parametrize("name, path", PAGING_COMMANDS)
def test_the_limits_themselves_are_accepted_on_every_path(run_cli, paths, name, path):
    result = run_cli(*command(name, paths[path]), "--page", "1", "--page-size", "1000", "--format", "json")
    assert result.code == 0, result.err
