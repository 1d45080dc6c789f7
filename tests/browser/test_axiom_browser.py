"""The page on an Axiom database in a real browser: hostile names stay text, auto-refresh re-reads.

The database is built by the test factories in Axiom's exact schema (both timestamp forms,
a heartbeat session, a model name that is HTML), and the server runs with a 2-second
auto-refresh, as on a wall screen.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from test_browser import metric_value, sign_in, wait_until

pytestmark = pytest.mark.browser

HOSTILE_MODEL = '<img src=x onerror="window.__pwned=1">'  # the same string the axiom fixture stores
TODAY = datetime.now(timezone.utc).date()


def test_a_model_name_that_is_html_is_shown_as_text_and_never_runs(axiom_page, axiom):
    page = axiom_page
    srv, _db = axiom
    page.goto(f"{srv.url}/?range=today")
    sign_in(page, srv.password)
    expect(metric_value(page, "Requests")).to_have_text("2")
    expect(page.locator("table.tu-table")).to_contain_text(HOSTILE_MODEL)
    assert page.locator("table.tu-table img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    expect(metric_value(page, "Estimated Cost")).to_have_text("$4.50")


def test_auto_refresh_picks_up_new_rows_without_a_click(axiom_page, axiom):
    page = axiom_page
    srv, db = axiom
    page.goto(f"{srv.url}/?range=today")
    sign_in(page, srv.password)
    before = int(metric_value(page, "Requests").inner_text().replace(",", ""))
    db.usage(f"{TODAY} 10:00:00", provider="anthropic", model="claude-sonnet-4-20250514", prompt=5, completion=5)
    wait_until(lambda: int(metric_value(page, "Requests").inner_text().replace(",", "")) == before + 1,
               "the new row to appear through auto-refresh", timeout=20)
