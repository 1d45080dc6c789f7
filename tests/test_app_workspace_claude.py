"""Workspaces with Claude Code logs (issue 12, items 2 and 3), through AppTest: one workspace of all
three kinds (Axiom, agentx, Claude Code) and a Claude-Code-only workspace.

Expected figures are summed per source from plain-Python oracles over the factory rows and logs
(factories.oracle_report, SCHEMAS.md part B's rules, oracle_claude_turns + claude_turn_cost).

They need the claude-code kind (queries/sources/claude_code.py, built on wip-cc): on a branch
without it this module is skipped as a whole, by name; on the merge it runs (all pass on
wip-ws + wip-cc@361282d, Dec 1 00:44 UTC).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("queries.sources.claude_code", reason="the claude-code kind is on wip-cc until the merge")

from factories import (RANDOM_AGENTX_RATES, RANDOM_SETTINGS, AgentxDB, AxiomDB, ClaudeProjects,  # noqa: E402
                       claude_turn_cost, oracle_claude_turns, random_claude_projects, signed_in, texts)
from test_app_workspace import (END, MARCH, PASSWORD, START, agentx_totals, axiom_totals,  # noqa: E402
                                configure_workspace, expected_kpis, fresh_app, kpis, prod_settings, summed)

__all__ = ["fresh_app"]  # the same autouse fixture: admin password, empty caches, no price library


@pytest.fixture
def laptop(claude_projects: ClaudeProjects, tmp_path: Path) -> tuple[ClaudeProjects, Path]:
    """Seeded Claude Code logs over March 2026, priced by a custom.json of RANDOM_AGENTX_RATES."""
    random_claude_projects(20261201, claude_projects, n_sessions=16)
    prices = tmp_path / "laptop-custom.json"
    prices.write_text(json.dumps({m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
                                  for m, r in RANDOM_AGENTX_RATES.items()}), encoding="utf-8")
    return claude_projects, prices


def claude_totals(root: Path) -> dict:
    """The logs' deduplicated turns on March's UTC days: one request each, input as prompt (cache apart),
    output as completion, total tokens with cache reads and writes (as ccusage counts them), cost at
    the custom.json rates with cache reads and writes."""
    sessions, _malformed = oracle_claude_turns(root)
    turns = [t for ts in sessions.values() for t in ts
             if t["timestamp"] and START.isoformat() <= t["timestamp"][:10] <= END.isoformat()]
    prompt, completion = sum(t["input_tokens"] for t in turns), sum(t["output_tokens"] for t in turns)
    cache = sum(t["cache_read_tokens"] + t["cache_write_tokens"] for t in turns)
    return dict(requests=len(turns), prompt_tokens=prompt, completion_tokens=completion,
                total_tokens=prompt + completion + cache,
                estimated_cost=sum(claude_turn_cost(t, RANDOM_AGENTX_RATES.get(t["model"])) for t in turns))


@pytest.fixture
def three_kinds(tmp_path: Path, random_db: AxiomDB, random_agentx_db: AgentxDB, laptop, monkeypatch) -> Path:
    projects, prices = laptop
    prod = {"path": random_db.path, "settings": prod_settings(tmp_path)}
    return configure_workspace(tmp_path, monkeypatch, prod=prod,
                               team={"path": random_agentx_db.path},
                               laptop={"path": projects.root, "settings": prices})


def test_a_workspace_of_all_three_kinds_sums_every_source(three_kinds, random_db, random_agentx_data, laptop):
    at = signed_in(PASSWORD, **MARCH)
    assert not at.exception
    expected = summed(axiom_totals(random_db, RANDOM_SETTINGS), agentx_totals(random_agentx_data),
                      claude_totals(laptop[0].root))
    assert kpis(at) == expected_kpis(expected)
    assert at.selectbox(key="f_source").options == ["All sources", "prod", "team", "laptop"]
    assert "The initiator split covers prod, laptop; team has none" in texts(at)


def test_the_source_filter_narrows_the_three_kinds_to_the_claude_code_logs(three_kinds, laptop):
    at = signed_in(PASSWORD, **MARCH)
    at.selectbox(key="f_source").select("laptop").run()
    assert not at.exception
    assert kpis(at) == expected_kpis(claude_totals(laptop[0].root))
    assert at.query_params["source"] == "laptop"


def test_a_claude_code_only_workspace_fills_token_usage_with_the_logs(laptop, tmp_path, monkeypatch):
    projects, prices = laptop
    configure_workspace(tmp_path, monkeypatch, laptop={"path": projects.root, "settings": prices})
    at = signed_in(PASSWORD, **MARCH)
    assert not at.exception
    assert kpis(at) == expected_kpis(claude_totals(projects.root))
    assert not [box for box in at.selectbox if box.label == "Source"]  # one source: no Source filter
    assert "needs" not in texts(at)


@pytest.mark.parametrize("page", ["sessions", "compare"])
def test_the_other_pages_of_a_claude_code_only_workspace_render(laptop, tmp_path, monkeypatch, page):
    projects, prices = laptop
    configure_workspace(tmp_path, monkeypatch, laptop={"path": projects.root, "settings": prices})
    at = signed_in(PASSWORD, page=page)
    assert not at.exception
    assert "No data" not in texts(at)
