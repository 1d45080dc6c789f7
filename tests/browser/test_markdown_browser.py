"""Data stays text in the drawn page (issue 11, items 3 and 4), in Debian's chromium.

An Axiom database stores models named with markdown (a bold run and a link inside code
marks), with LaTeX between dollar signs, with a colour directive and with a bare domain and an
e-mail address (GFM autolinks); none of them is priced,
so the page names them in its unpriced notice, and gpt-5.4 is priced by the library, so the
caption carries "$… in / $… out" pairs. What chromium draws must hold no link to
evil.example, no bold BOLD and no KaTeX, and show the names exactly as stored. The tables
offer no download of their own (only the pages' neutralised Download CSV buttons).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from live_server import fresh_page, running_server
from playwright.sync_api import expect

from test_browser import metric_value, sign_in

pytestmark = pytest.mark.browser

BOLD_LINK = "x` **BOLD** [click me](https://evil.example) `y"
LATEX = "$a$ cost $b$"
DIRECTIVE = ":red[red] _em_"
AUTOLINKS = "www.evil.example or x@evil.example"
TODAY = datetime.now(timezone.utc).date()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    from factories import AxiomDB

    base = tmp_path_factory.mktemp("markdown-browser")
    db = AxiomDB(base / "data" / "db" / "openagent.db")
    db.session("s-1")
    for model in (BOLD_LINK, LATEX, DIRECTIVE, AUTOLINKS):
        db.usage(f"{TODAY} 00:00:01", provider="local", model=model, prompt=100, completion=10, session_id="s-1")
    db.usage(f"{TODAY} 00:00:02", provider="openai", model="gpt-5.4", prompt=1_000, completion=100, session_id="s-1")
    with running_server(base, {"USAGE_DB": str(db.path)}) as srv:
        yield srv


@pytest.fixture
def hostile_page(browser, hostile):
    yield from fresh_page(browser, hostile)


def test_hostile_model_names_are_drawn_as_text(hostile_page, hostile):
    page = hostile_page
    page.goto(f"{hostile.url}/?range=today")
    sign_in(page, hostile.password)
    expect(metric_value(page, "Requests")).to_have_text("5")
    notice = page.get_by_test_id("stAlert").filter(has_text="No price is known")
    expect(notice).to_be_visible()
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text="genai-prices")).to_be_visible()
    shown = notice.inner_text().replace("\u2060", "")  # md_text's invisible word joiners
    for name in (BOLD_LINK, LATEX, DIRECTIVE, AUTOLINKS):
        assert name in shown
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator("strong", has_text="BOLD").count() == 0
    assert page.locator("em", has_text="em").count() == 0
    assert page.locator(".katex, .katex-display, math").count() == 0
    # the notice's paragraph is text alone: no code, emphasis, link, colour or math element inside it
    assert notice.get_by_test_id("stMarkdownContainer").locator("p *").count() == 0


def test_tables_offer_no_download_of_their_own(hostile_page, hostile):
    page = hostile_page
    page.goto(f"{hostile.url}/?range=today")
    sign_in(page, hostile.password)
    expect(metric_value(page, "Requests")).to_have_text("5")
    page.get_by_role("link", name="Sessions").click()
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar.get_by_role("button", name="Search")).to_be_visible()  # the toolbar is drawn …
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0  # … without the raw CSV export
