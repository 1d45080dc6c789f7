"""Budgets in a real browser (issue 14): on Token Usage, the daily cost chart draws the daily budget
as a dashed rule at its height and flags the unusual day with a mark whose tooltip says by how much.

Data: an Axiom database, TODAY-13 .. TODAY-1 at $3.00 a day (1,000,000 Sonnet prompt tokens at
Axiom's default $3 per 1M) except TODAY-5 at $30.00: 10x the median of its 7 days before. A budget
of $20 a day. So the rule is drawn above every $3 bar and below the top of the $30 one, and there
is exactly one flag.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from live_server import fresh_page, running_server, wait_until
from playwright.sync_api import expect

from test_browser import choose, metric_value, sign_in, tooltip_rows

pytestmark = pytest.mark.browser

TODAY = datetime.now(timezone.utc).date()
SPIKE = TODAY - timedelta(days=5)


@pytest.fixture(scope="module")
def budget_server(tmp_path_factory):
    from factories import spiky_axiom

    base = tmp_path_factory.mktemp("budgets-browser")
    db = spiky_axiom(base / "data" / "db" / "openagent.db", TODAY)
    budgets = base / "budgets.toml"
    budgets.write_text("[budgets.all]\nmonthly = 1000\ndaily = 20\n", encoding="utf-8")
    with running_server(base, {"USAGE_DB": str(db.path), "USAGE_BUDGETS": str(budgets),
                               "USAGE_PRICE_LIBRARY": "false"}) as srv:
        yield srv


@pytest.fixture
def budget_page(browser, budget_server):
    yield from fresh_page(browser, budget_server)


# The drawn marks of the chart whose SVG holds the cost bars (Vega names each mark group after
# its layer: `g.<name>_marks`), as screen boxes.
MARKS = """() => {
  const svg = [...document.querySelectorAll('svg.marks')].find(s => s.querySelector('g.cost_bars_marks'));
  if (!svg) return null;
  const boxes = (sel) => [...svg.querySelectorAll(sel)].map(e => { const b = e.getBoundingClientRect();
      return {x: b.x, y: b.y, w: b.width, h: b.height}; });
  return {
    rule: boxes('g.budget_rule_marks line, g.budget_rule_marks path'),
    flags: boxes('g.unusual_flags_marks path'),
    bars: boxes('g.cost_bars_marks path, g.cost_bars_marks rect'),
    groups: [...svg.querySelectorAll('g.role-mark')].map(g => g.getAttribute('class')),
  };
}"""


# The script run has finished and nothing on the page is stale (test_look.py's rule): the CSV
# button then carries the new choice's numbers.
SETTLED = """() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'
                 && !document.querySelector('[data-stale=true]')"""


def test_the_daily_budget_is_a_rule_and_the_unusual_day_a_flag_on_token_usage(budget_page, budget_server):
    page = budget_page
    page.goto(f"{budget_server.url}/")
    sign_in(page, budget_server.password)
    expect(metric_value(page, "Estimated Cost")).to_have_text("$66.00")   # 12 x $3 + $30
    chart = page.locator("svg.marks:has(g.cost_bars_marks)")
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    wait_until(lambda: (page.evaluate(MARKS) or {}).get("bars"), 20, "no cost bars drawn")
    marks = page.evaluate(MARKS)
    assert len(marks["rule"]) == 1, marks["groups"]
    assert len(marks["flags"]) == 1, marks["groups"]
    drawn = [b for b in marks["bars"] if b["h"] > 0]
    assert len(drawn) == 13   # today has no cost: no bar
    rule_y = marks["rule"][0]["y"] + marks["rule"][0]["h"] / 2
    spike = min(drawn, key=lambda b: b["y"])          # the tallest bar's top
    others = [b for b in drawn if b is not spike]
    # $20 sits below the $30 bar's top and above every $3 bar's top (screen y grows downwards)
    assert spike["y"] < rule_y < min(b["y"] for b in others)
    # the flag stands over the spike's bar
    flag = marks["flags"][0]
    assert spike["x"] <= flag["x"] + flag["w"] / 2 <= spike["x"] + spike["w"]
    assert flag["y"] + flag["h"] <= spike["y"] + 2
    page.mouse.move(flag["x"] + flag["w"] / 2, flag["y"] + flag["h"] / 2)
    wait_until(lambda: "Unusual day" in tooltip_rows(page), 10, "no tooltip over the flag")
    assert tooltip_rows(page)["Unusual day"] == "10.0x its 7-day median ($3.00)"


def test_the_budgets_page_draws_the_same_rule_and_flag_and_the_what_if_table(budget_page, budget_server):
    page = budget_page
    page.goto(f"{budget_server.url}/budgets")
    sign_in(page, budget_server.password)
    expect(page.get_by_role("heading", name="What if")).to_be_visible()
    chart = page.locator("svg.marks:has(g.cost_bars_marks)")
    expect(chart).to_be_visible()   # the default range (last 30 days) holds all 13 days of data
    chart.scroll_into_view_if_needed()
    wait_until(lambda: (page.evaluate(MARKS) or {}).get("bars"), 20, "no cost bars drawn")
    marks = page.evaluate(MARKS)
    assert (len(marks["rule"]), len(marks["flags"])) == (1, 1), marks["groups"]
    # what if every request had been gpt-4o: 22,000,000 prompt tokens at $2.50 = $55.00 against $66.00 at $3
    choose(page, "Price every request as", "gpt-4o")
    wait_until(lambda: page.evaluate(SETTLED), 20, "the run after choosing gpt-4o did not finish")
    with page.expect_download() as download:
        page.locator(".st-key-whatif_csv button").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert (rows[-1]["provider"], rows[-1]["model"]) == ("Total", "gpt-4o")
    assert (float(rows[-1]["actual_cost"]), float(rows[-1]["whatif_cost"])) == (66.0, 55.0)
