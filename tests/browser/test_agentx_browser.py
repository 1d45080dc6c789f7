"""The agentx pages in a real browser, on the agentx demo data (USAGE_DEMO=agentx).

What only a browser can show: a click on a row of the agents table lists that agent's tasks, a
click on a bar of the daily chart narrows the page to that day, and a click on a session row
opens its turns. Every figure is checked against `python cli.py ... --format json`, run with the
server's own environment (the same demo files), never against the app's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from live_server import Server, fresh_page, running_server
from factories import oracle_usd
from playwright.sync_api import Page, expect

from test_browser import hover_a_bar, metric_value, selectbox, show_login, sign_in, tooltip_rows

pytestmark = pytest.mark.browser

GRID_ROW_PX = 35  # st.dataframe's default row height (and its header's), in CSS pixels
ROW_MARKER_X = 14  # inside the row-selection checkbox column that single-row selection adds on the left


@pytest.fixture(scope="module")
def agentx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the agentx demo: agents, tasks, tier 2, rotations and Claude Code logs of its own."""
    with running_server(tmp_path_factory.mktemp("agentx-browser"), {"USAGE_DEMO": "agentx"}) as srv:
        yield srv


@pytest.fixture
def agentx_page(browser, agentx: Server):
    yield from fresh_page(browser, agentx)


def open_signed_in(page: Page, server: Server, path: str, ready_text: str) -> None:
    show_login(page, server, path)
    sign_in(page, server.password)
    expect(page.get_by_text(ready_text, exact=True).first).to_be_visible()


def click_first_row(page: Page, table_key: str) -> None:
    """Click the row marker of the first data row of the st.dataframe with widget key `table_key`."""
    grid = page.locator(f".st-key-{table_key} [data-testid='stDataFrame']")
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": ROW_MARKER_X, "y": GRID_ROW_PX + GRID_ROW_PX // 2})


def date_input(page: Page, label: str):
    """The text box of the st.date_input labelled `label`."""
    return page.get_by_test_id("stDateInput").filter(has=page.get_by_text(label, exact=True)).locator("input")


def usd(value: float) -> str:
    """The page's money format (Axiom's Intl currency, two to four decimals), written out by hand."""
    return oracle_usd(value)


def test_the_agents_top_row_shows_the_clis_sums(agentx_page: Page, agentx: Server, screenshots):
    page = agentx_page
    open_signed_in(page, agentx, "/agents", "Per agent")
    for label, days in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        agents = agentx.cli("agents", "--days", days)
        expect(metric_value(page, f"{label}: cost")).to_have_text(usd(sum(a["estimated_cost"] for a in agents)))
        expect(metric_value(page, f"{label}: tokens")).to_have_text(
            f"{sum(a['input_tokens'] + a['output_tokens'] for a in agents):,}")
    page.screenshot(path=str(screenshots / "agentx_agents.png"), full_page=True)


def test_a_click_on_an_agents_row_lists_its_tasks(agentx_page: Page, agentx: Server, screenshots):
    page = agentx_page
    open_signed_in(page, agentx, "/agents", "Per agent")
    agents = agentx.cli("agents", "--days", 30)  # the page's default range: the last 30 days
    assert agents, "the agentx demo has agents in the last 30 days"
    click_first_row(page, "agents_table")
    expect(selectbox(page, "Agent")).to_have_value(agents[0]["agent_id"])
    tasks = agentx.cli("tasks", agents[0]["agent_id"], "--days", 30, "--page-size", 25)
    assert tasks["total"] > 0, "the demo's busiest agent has tasks"
    expect(page.get_by_text(f"Page 1 of {tasks['pages']} ({tasks['total']:,} tasks, 25 a page).")).to_be_visible()
    page.screenshot(path=str(screenshots / "agentx_tasks.png"), full_page=True)


def test_a_click_on_a_day_narrows_the_agents_page_to_it(agentx_page: Page, agentx: Server):
    page = agentx_page
    open_signed_in(page, agentx, "/agents", "Per agent")
    x, y = hover_a_bar(page, "agents_chart")
    day = datetime.strptime(tooltip_rows(page)["Date"], "%A, %B %d, %Y").date()
    page.mouse.click(x, y)
    expect(selectbox(page, "Date range")).to_have_value("Custom")
    expect(date_input(page, "From")).to_have_value(day.isoformat())
    expect(date_input(page, "Until")).to_have_value(day.isoformat())
    agents = agentx.cli("agents", "--from", day, "--until", day)
    assert agents, f"the day clicked ({day}) has usage"
    # The per-agent CSV of the narrowed page holds exactly that day's agents.
    with page.expect_download() as download:
        page.locator(".st-key-agents_csv button").click()
    csv_rows = download.value.path().read_text(encoding="utf-8").strip().splitlines()[1:]
    assert sorted(r.split(",")[0] for r in csv_rows) == sorted(a["agent_id"] for a in agents)


def test_a_click_on_a_session_shows_its_turns(agentx_page: Page, agentx: Server, screenshots):
    page = agentx_page
    open_signed_in(page, agentx, "/sessions", "Turns of one session")
    listing = agentx.cli("sessions")
    assert listing["sessions"], "the agentx demo has Claude Code sessions"
    newest = listing["sessions"][0]["session_id"]
    click_first_row(page, "sessions_table")
    expect(page.get_by_label("Session id")).to_have_value(newest)
    detail = agentx.cli("session", newest)
    s = detail["session"]
    expect(metric_value(page, "Turns")).to_have_text(f"{s['turns']:,}")
    expect(metric_value(page, "Input + output tokens")).to_have_text(f"{s['input_tokens'] + s['output_tokens']:,}")
    expect(metric_value(page, "Estimated cost")).to_have_text(usd(s["estimated_cost"]))
    page.screenshot(path=str(screenshots / "agentx_session.png"), full_page=True)



def test_a_link_to_a_page_on_a_fresh_server_gets_the_menu(browser, tmp_path):
    """A teammate's link to /agents, the first page a freshly started server serves: after login
    the page has the menu, and the menu leads to the other pages (Streamlit used to run the
    page script on its own there, with no menu at all)."""
    with running_server(tmp_path, {"USAGE_DEMO": "agentx"}) as fresh:
        pages = fresh_page(browser, fresh)
        page = next(pages)
        open_signed_in(page, fresh, "/agents", "Per agent")
        menu = page.get_by_test_id("stHeader")
        for title in ("Token Usage", "Agents", "Tier 2 & rotations", "Sessions", "Compare"):
            expect(menu.get_by_role("link", name=title)).to_be_visible()
        menu.get_by_role("link", name="Sessions").click()
        expect(page.get_by_text("Turns of one session", exact=True)).to_be_visible()
        assert page.evaluate("location.pathname") == "/sessions"
        next(pages, None)  # closes the context and checks the server log
