"""The Token Usage page in a real browser: Debian's chromium, driven by Playwright, against
`streamlit run app.py` on the built-in demo data.

Every number the page shows here is checked against `python cli.py report --format json`
run with the server's own environment (same demo file), never against the app's code.
Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import oracle_usd
from playwright.sync_api import Page, expect

if TYPE_CHECKING:  # the fixture's type
    from live_server import Server

pytestmark = pytest.mark.browser

TODAY = datetime.now(UTC).date()           # the demo data ends today (UTC)
FROM, UNTIL = TODAY - timedelta(days=22), TODAY - timedelta(days=12)  # busy days, with the demo's spike
SHARED_LINK = f"/?range=custom&from={FROM}&until={UNTIL}&provider=anthropic"
SHARED_PARAMS = {"range": "custom", "from": FROM.isoformat(), "until": UNTIL.isoformat(), "provider": "anthropic"}
FULL_DATE = re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
                       r"(January|February|March|April|May|June|July|August|September|October|November|December) "
                       r"\d{1,2}, \d{4}$")


# --- helpers -------------------------------------------------------------------------------

def url_params(page: Page) -> dict[str, str]:
    """The query parameters of the address bar (read in the page: Playwright's page.url can lag behind
    history.replaceState)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.evaluate("location.href")).query).items()}


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def wait_for_params(page: Page, expected: dict[str, str]) -> None:
    try:
        wait_until(lambda: url_params(page) == expected, f"URL params {expected}")
    except AssertionError:
        raise AssertionError(f"URL params are {url_params(page)}, expected {expected} ({page.url})") from None


def metric_value(page: Page, label: str):
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return card.get_by_test_id("stMetricValue")


def selectbox(page: Page, label: str):
    """The combobox of the selectbox labelled `label` (its value is the option shown)."""
    return page.get_by_test_id("stSelectbox").get_by_role("combobox", name=label, exact=True)


def choose(page: Page, label: str, option: str) -> None:
    """Open the selectbox labelled `label` and pick `option`, as a person would."""
    selectbox(page, label).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(selectbox(page, label)).to_have_value(option)


def record_frames(page: Page) -> list[bytes]:
    """Every websocket frame the browser receives from now on, as bytes."""
    frames: list[bytes] = []

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: frames.append(payload if isinstance(payload, bytes)
                                                             else payload.encode("utf-8")))

    page.on("websocket", on_ws)
    return frames


def data_names(server: Server) -> set[str]:
    """Every provider and model id in the demo data (from the CLI, over the whole 90 days)."""
    breakdown = server.cli_json("--days", 90)["breakdown"]
    names = {row["provider"] for row in breakdown} | {row["model"] for row in breakdown}
    assert {"anthropic", "claude-opus-4-7"} <= names, names
    return names


def show_login(page: Page, server: Server, link: str) -> None:
    page.goto(server.url + link)
    expect(page.get_by_label("Admin password")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_timeout(750)  # let the gated script run finish sending whatever it sends


def sign_in(page: Page, password: str) -> None:
    page.get_by_label("Admin password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def login_via(page: Page, server: Server, link: str) -> None:
    show_login(page, server, link)
    sign_in(page, server.password)
    expect(metric_value(page, "Requests")).to_be_visible()


def expect_kpis(page: Page, report: dict) -> None:
    """The three KPI values equal the CLI's totals, written as the page writes them."""
    totals = report["totals"]
    expect(metric_value(page, "Requests")).to_have_text(f"{totals['requests']:,}")
    expect(metric_value(page, "Total Tokens")).to_have_text(f"{totals['total_tokens']:,}")
    cost = totals["estimated_cost"]
    expect(metric_value(page, "Estimated Cost")).to_have_text(oracle_usd(cost))


def assert_no_data(text: str | bytes, names: set[str], where: str) -> None:
    blob = text.lower() if isinstance(text, str) else text.lower().decode("utf-8", errors="replace")
    leaked = sorted(n for n in names | {"claude-"} if n.lower() in blob)
    assert not leaked, f"{where} carries data before login: {leaked}"


def tooltip_text(page: Page) -> str | None:
    return page.evaluate("""() => {
        const t = document.getElementById('vg-tooltip-element');
        return t && t.classList.contains('visible') ? t.innerText : null;
    }""")


def tooltip_rows(page: Page) -> dict[str, str]:
    return page.evaluate("""() => {
        const rows = {};
        for (const tr of document.querySelectorAll('#vg-tooltip-element tr')) {
            const cells = tr.querySelectorAll('td');
            if (cells.length >= 2) rows[cells[0].innerText.replace(/:\\s*$/, '').trim()] = cells[1].innerText.trim();
        }
        return rows;
    }""")


def hover_a_bar(page: Page, chart_key: str) -> tuple[float, float]:
    """Move the mouse across the chart's plot until Vega shows a tooltip; returns where."""
    chart = page.locator(f".st-key-{chart_key} [data-testid='stVegaLiteChart']")
    expect(chart).to_be_visible()
    surface = chart.locator("canvas, svg.marks").first
    expect(surface).to_be_visible()
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100, f"chart surface too small: {box}"
    # Low in the plot first: every non-zero day is drawn at least 8% of the max high.
    for share in (0.78, 0.72, 0.84, 0.65, 0.55, 0.45):
        y = box["y"] + box["height"] * share
        x = box["x"] + 30
        while x < box["x"] + box["width"] - 5:
            page.mouse.move(x, y)
            if tooltip_text(page):
                return x, y
            x += 6
    raise AssertionError(f"no tooltip anywhere over the chart at {box}")


# --- scenarios -----------------------------------------------------------------------------

def test_shared_link_shows_nothing_before_login_then_exactly_that_view(page: Page, server: Server, screenshots):
    names = data_names(server)
    frames = record_frames(page)
    show_login(page, server, SHARED_LINK)

    # Before login: the form, and nothing from the data in the page or on the wire.
    expect(page.get_by_text("Admin only. Sign in to see token usage and estimated cost.")).to_be_visible()
    assert frames, "no websocket frames recorded: the recorder is not working"
    assert_no_data(page.content(), names, "the login page's HTML")
    for i, frame in enumerate(frames):
        assert b"claude-" not in frame, f"websocket frame {i} before login carries a model name"
        assert_no_data(frame, names, f"websocket frame {i} before login")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    page.screenshot(path=str(screenshots / "login.png"))

    sign_in(page, server.password)

    # After login: the link's exact view, with the CLI's numbers for that filter state.
    expected = server.cli_json("--from", FROM, "--until", UNTIL, "--provider", "anthropic")
    assert expected["totals"]["requests"] > 0
    expect_kpis(page, expected)
    wait_for_params(page, SHARED_PARAMS)
    expect(selectbox(page, "Date range")).to_have_value("Custom")
    expect(selectbox(page, "Provider")).to_have_value("anthropic")
    expect(selectbox(page, "Model")).to_have_value("All models")
    table = page.locator("table.tu-table")
    expect(table).to_be_visible()
    for row in expected["breakdown"]:
        expect(table).to_contain_text(row["model"])
    expect(table).not_to_contain_text("gpt-4o")  # another provider's model: filtered out
    expect(page.get_by_text("Daily token volume", exact=True)).to_be_visible()
    content = page.content()
    assert server.password not in content, "the admin password is in the page"
    assert server.env["XDG_CACHE_HOME"] not in content, "the data source path is in the page"
    page.screenshot(path=str(screenshots / "shared_link.png"))


def test_wrong_password_is_refused_and_shows_no_data(page: Page, server: Server, screenshots):
    names = data_names(server)
    frames = record_frames(page)
    show_login(page, server, SHARED_LINK)
    sign_in(page, "not-the-password")

    expect(page.get_by_text("Wrong password.", exact=True)).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.get_by_label("Admin password")).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(0)
    assert_no_data(page.content(), names, "the page after a wrong password")
    for i, frame in enumerate(frames):
        assert b"claude-" not in frame, f"websocket frame {i} after a wrong password carries a model name"
        assert_no_data(frame, names, f"websocket frame {i} after a wrong password")
    page.screenshot(path=str(screenshots / "wrong_password.png"))


def test_default_view_after_login_matches_the_cli(page: Page, server: Server, screenshots):
    login_via(page, server, "/")
    expect_kpis(page, server.cli_json("--days", 30))  # the default preset: Last 30 days, everything
    expect(selectbox(page, "Date range")).to_have_value("Last 30 days")
    expect(selectbox(page, "Provider")).to_have_value("All providers")
    expect(page.get_by_text("Demo data")).to_be_visible()
    expect(page.get_by_text("Main Agent vs. Task Agent vs. Heartbeat", exact=True)).to_be_visible()
    assert url_params(page) == {}, f"the default view should keep the URL clean: {page.url}"
    page.screenshot(path=str(screenshots / "token_usage.png"))


def test_changing_filters_updates_the_link_and_the_numbers(page: Page, server: Server, screenshots):
    login_via(page, server, SHARED_LINK)
    before = server.cli_json("--from", FROM, "--until", UNTIL, "--provider", "anthropic")
    expect_kpis(page, before)

    # A model of that provider.
    choose(page, "Model", "claude-opus-4-7")
    wait_for_params(page, {**SHARED_PARAMS, "model": "claude-opus-4-7"})
    by_model = server.cli_json("--from", FROM, "--until", UNTIL, "--provider", "anthropic", "--model", "claude-opus-4-7")
    assert 0 < by_model["totals"]["requests"] < before["totals"]["requests"]
    expect_kpis(page, by_model)
    expect(page.locator("table.tu-table")).not_to_contain_text("claude-sonnet")

    # Another preset: from/until leave the link, provider and model stay.
    choose(page, "Date range", "Last 7 days")
    wait_for_params(page, {"range": "7d", "provider": "anthropic", "model": "claude-opus-4-7"})
    last_week = server.cli_json("--days", 7, "--provider", "anthropic", "--model", "claude-opus-4-7")
    assert last_week["totals"] != by_model["totals"]
    expect_kpis(page, last_week)
    page.screenshot(path=str(screenshots / "filtered.png"))

    # Another provider clears the model filter (the seed's rule).
    choose(page, "Provider", "openai")
    wait_for_params(page, {"range": "7d", "provider": "openai"})
    expect(selectbox(page, "Model")).to_have_value("All models")
    expect_kpis(page, server.cli_json("--days", 7, "--provider", "openai"))


def test_hovering_a_bar_shows_its_day_in_the_tooltip(page: Page, server: Server, screenshots):
    login_via(page, server, SHARED_LINK)
    expected = server.cli_json("--from", FROM, "--until", UNTIL, "--provider", "anthropic")
    expect_kpis(page, expected)
    daily = {row["day"]: row for row in expected["daily"]}

    hover_a_bar(page, "chart_daily")
    text = tooltip_text(page) or ""
    for word in ("Prompt", "Completion", "Estimated cost"):
        assert word in text, f"tooltip lacks {word!r}: {text!r}"
    rows = tooltip_rows(page)
    full_date = rows.get("Date", "")
    assert FULL_DATE.match(full_date), f"tooltip date is not a full date: {rows}"
    day: date = datetime.strptime(full_date, "%A, %B %d, %Y").date()
    assert FROM <= day <= UNTIL, f"tooltip day {day} is outside the range"
    cli_day = daily[day.isoformat()]
    assert cli_day["total_tokens"] > 0, f"a bar was hovered on {day}, a day without tokens"
    assert rows["Prompt"] == f"{cli_day['prompt_tokens']:,}", (rows, cli_day)
    assert rows["Completion"] == f"{cli_day['completion_tokens']:,}", (rows, cli_day)
    assert rows["Estimated cost"] == oracle_usd(cli_day['estimated_cost']), (rows, cli_day)
    # Hovering is not clicking: the range is still the link's.
    assert url_params(page) == SHARED_PARAMS
    page.screenshot(path=str(screenshots / "tooltip.png"))


def test_clicking_a_bar_narrows_the_page_to_that_day(page: Page, server: Server, screenshots):
    login_via(page, server, SHARED_LINK)
    expect_kpis(page, server.cli_json("--from", FROM, "--until", UNTIL, "--provider", "anthropic"))
    x, y = hover_a_bar(page, "chart_daily")
    day = datetime.strptime(tooltip_rows(page)["Date"], "%A, %B %d, %Y").date()
    page.mouse.click(x, y)
    wait_for_params(page, {"range": "custom", "from": day.isoformat(), "until": day.isoformat(),
                           "provider": "anthropic"})
    expect_kpis(page, server.cli_json("--from", day.isoformat(), "--until", day.isoformat(),
                                      "--provider", "anthropic"))
    page.screenshot(path=str(screenshots / "clicked_day.png"))


def test_two_browsers_signing_in_together_on_a_fresh_server_both_get_in(browser, tmp_path):
    """The first login of a server process used to switch Streamlit's page mode, and a second
    browser's Sign in pressed at that moment was dropped (it saw the login form again)."""
    from live_server import fresh_page, running_server

    with running_server(tmp_path) as fresh:
        first, second = fresh_page(browser, fresh), fresh_page(browser, fresh)
        pages = [next(first), next(second)]
        for page in pages:
            show_login(page, fresh, "/?range=7d")
        for page in pages:  # both presses land before either run has finished
            sign_in(page, fresh.password)
        for page in pages:
            expect(metric_value(page, "Requests")).to_have_text(f"{fresh.cli_json('--days', 7)['totals']['requests']:,}")
        for generator in (first, second):
            next(generator, None)  # closes the context and checks the server log
