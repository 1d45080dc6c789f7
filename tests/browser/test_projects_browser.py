"""Cache tokens and the By project card of Claude Code logs in a real browser (issue 12, item 3):
what is drawn is checked: the breakdown's Cache read and Cache write columns in place, the
By project card with a non-empty table, and nothing wider than the window.
"""

from __future__ import annotations

import pytest
from live_server import fresh_page
from playwright.sync_api import expect

from test_workspace_browser import claude_only, open_signed_in  # noqa: F401  (claude_only: the fixture)

pytestmark = pytest.mark.browser


def test_claude_code_logs_draw_cache_columns_and_a_by_project_table_within_the_window(browser, claude_only):  # noqa: F811
    for page in fresh_page(browser, claude_only):
        open_signed_in(page, claude_only, "/?range=custom&from=2026-03-01&until=2026-03-31")
        heads = page.eval_on_selector_all("table.tu-table thead th", "ths => ths.map(t => t.innerText.trim())")
        assert [h.lower() for h in heads[4:8]] == ["completion", "cache read", "cache write", "total tokens"], heads
        expect(page.get_by_role("heading", name="By project")).to_be_visible()
        grid = page.get_by_test_id("stDataFrame")  # the page's one dataframe: the By project table
        expect(grid).to_have_count(1)
        expect(grid).to_be_visible()
        box = grid.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40, box  # a header row and one project row at least
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width  # the wider breakdown scrolls inside its own box, not the page
