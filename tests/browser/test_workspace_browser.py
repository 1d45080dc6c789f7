"""A workspace of several sources in a real browser (issue 12, items 2 and 6): the default demo,
a workspace of every demo. What is drawn is checked: the Source column of the breakdown, the
Source filter and its link, and chart bars that never overlap one another.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import Server, fresh_page, running_server
from playwright.sync_api import expect

from test_browser import choose, metric_value, selectbox, sign_in, url_params, wait_for_params
from test_look import settle

from queries.sources import Capability

pytestmark = pytest.mark.browser

SLACK_PX = 0.5  # sub-pixel rounding of the browser's boxes: stacked segments touch, they do not overlap
# The demo workspace's sources, in order: one per kind that brings demo data (the registry's list).
WORKSPACE_SOURCES = [kind.name for kind in __import__("queries.sources", fromlist=["demo_kinds"]).demo_kinds()]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the default demo: a workspace of every demo (USAGE_DEMO=all)."""
    with running_server(tmp_path_factory.mktemp("workspace-browser"), {"USAGE_DEMO": "all"}) as srv:
        yield srv


@pytest.fixture
def ws_page(browser, workspace: Server):
    yield from fresh_page(browser, workspace)


def open_signed_in(page, server: Server, link: str = "/") -> dict:
    page.goto(server.url + link)
    sign_in(page, server.password)
    expect(metric_value(page, "Total Tokens")).to_be_visible()
    return settle(page, "Token Usage")


def source_cells(page) -> list[str]:
    """The first cell of every body row of the breakdown (the Source column), totals row left out."""
    return page.eval_on_selector_all("table.tu-table tbody tr:not(.totals)",
                                     "rows => rows.map(r => r.cells[0].innerText.trim())")


def overlapping_bars(look: dict) -> list[tuple[str, str, str]]:
    """Pairs of bars of one chart whose boxes overlap by more than sub-pixel rounding."""
    clashes = []
    for chart in look["charts"]:
        bars = [m for m in chart.get("marks", []) if m["w"] > SLACK_PX and m["h"] > SLACK_PX]
        for i, a in enumerate(bars):
            for b in bars[i + 1:]:
                across = min(a["right"], b["right"]) - max(a["x"], b["x"])
                down = min(a["bottom"], b["bottom"]) - max(a["y"], b["y"])
                if across > SLACK_PX and down > SLACK_PX:
                    clashes.append((chart["key"], a["label"][:60], b["label"][:60]))
    return clashes


def test_the_breakdown_has_a_source_column_naming_every_source(ws_page, workspace):
    open_signed_in(ws_page, workspace)
    header = ws_page.eval_on_selector_all("table.tu-table thead th", "ths => ths.map(t => t.innerText.trim())")
    assert header[0].lower() == "source"
    assert set(source_cells(ws_page)) == set(WORKSPACE_SOURCES)


def test_the_source_filter_is_drawn_and_narrows_the_page_through_the_link(ws_page, workspace):
    open_signed_in(ws_page, workspace)
    expect(selectbox(ws_page, "Source")).to_have_value("All sources")
    choose(ws_page, "Source", "agentx")
    wait_for_params(ws_page, {"source": "agentx"})
    expect(metric_value(ws_page, "Tasks")).to_be_visible()  # agentx's own unit
    expect(ws_page.locator("table.tu-table thead th").first).not_to_have_text("Source")
    # The link round-trips: a fresh browser with it opens the same source.
    link = "/?" + "&".join(f"{k}={v}" for k, v in url_params(ws_page).items())
    ws_page.context.clear_cookies()
    again = ws_page.context.new_page()
    again.goto(workspace.url + link)
    sign_in(again, workspace.password)
    expect(selectbox(again, "Source")).to_have_value("agentx")
    expect(metric_value(again, "Tasks")).to_be_visible()
    again.close()


def test_the_charts_of_the_workspace_draw_bars_that_do_not_overlap(ws_page, workspace):
    look = open_signed_in(ws_page, workspace, "/?range=30d")
    keys = [c["key"] for c in look["charts"]]
    assert "Daily token volume" in keys and "Main Agent vs. Task Agent vs. Heartbeat" in keys, keys
    assert all(c.get("svg") and c["marks"] for c in look["charts"]), "a chart drew no SVG marks"
    assert not overlapping_bars(look)
    split = [k.name for k in __import__("queries.sources", fromlist=["KINDS"]).KINDS
             if k.has_demo and k.can(Capability.INITIATOR_SPLIT)]
    assert f"The initiator split covers {', '.join(split)};" in look["text"]


# ---------------------------------------------------------------------------------------
# A Claude-Code-only workspace: the logs alone fill Token Usage (needs the claude-code kind,
# built on wip-cc: skipped by name until it is merged).

@pytest.fixture(scope="module")
def claude_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a workspace file naming one source: seeded Claude Code logs over March 2026."""
    pytest.importorskip("queries.sources.claude_code", reason="the claude-code kind is on wip-cc until the merge")
    from factories import ClaudeProjects, random_claude_projects

    base = tmp_path_factory.mktemp("claude-only-browser")
    projects = random_claude_projects(20261201, ClaudeProjects(base / "projects"), n_sessions=16)
    file = base / "sources.toml"
    file.write_text(f'[sources.laptop]\npath = "{projects.root}"\n', encoding="utf-8")
    with running_server(base, {"USAGE_SOURCES": str(file)}) as srv:
        yield srv


def test_a_claude_code_only_workspace_draws_its_charts_without_a_source_filter(browser, claude_only):
    for page in fresh_page(browser, claude_only):
        look = open_signed_in(page, claude_only, "/?range=custom&from=2026-03-01&until=2026-03-31")
        expect(selectbox(page, "Source")).to_have_count(0)  # one source: no filter, no column
        assert page.eval_on_selector_all("table.tu-table thead th", "ths => ths[0].innerText.trim()") != "Source"
        keys = [c["key"] for c in look["charts"]]
        assert "Daily token volume" in keys and len(keys) == 2, keys  # the subagents split is the second chart
        assert all(c.get("svg") and c["marks"] for c in look["charts"]), "a chart drew no SVG marks"
        assert not overlapping_bars(look)
