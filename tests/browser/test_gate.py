"""The admin gate on the real server (`streamlit run app.py`): the login throttle as a script
meets it, and staying signed in across reloads and tabs in Debian's chromium.

The throttle tests speak Streamlit's websocket protocol directly (bench/login_client.py), as an
attacker's script would: each picks its own loopback source addresses (127.0.x.y), so the
tests do not share a client with one another. The browser tests read the cookie the way the
browser keeps it (Playwright's context cookies) and check what the page shows after a reload,
in a new tab, after expiry, after Log out and after a password change.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from typing import TYPE_CHECKING

import pytest
from live_server import ROOT, VIEWPORT, fresh_page, running_server, wait_until
from playwright.sync_api import Page, expect

sys.path.insert(0, str(ROOT / "bench"))
from login_client import try_password_sync  # noqa: E402  (bench/login_client.py)

if TYPE_CHECKING:
    from live_server import Server

pytestmark = pytest.mark.browser

COOKIE = "token_usage_login"


@pytest.fixture(scope="module")
def gate_server(tmp_path_factory: pytest.TempPathFactory):
    """The demo app, trusting a reverse proxy on 127.0.0.1 for X-Forwarded-For."""
    with running_server(tmp_path_factory.mktemp("gate"), {"USAGE_TRUSTED_PROXIES": "127.0.0.1"}) as srv:
        yield srv


@pytest.fixture
def page(browser, gate_server: Server):
    """A fresh browser on the gate server (this module's, not the shared demo server)."""
    yield from fresh_page(browser, gate_server)


# --- the throttle, as a script meets it -----------------------------------------------------

def test_fifty_wrong_tries_from_fifty_user_agents_are_delayed(gate_server: Server):
    answers = [try_password_sync(gate_server.url, "wrong", source="127.0.1.1", user_agent=f"agent/{i}")
               for i in range(50)]
    assert [a.delayed for a in answers[:4]] == [False] * 4
    assert "wait 2 s" in answers[4].errors[0]
    assert all(a.delayed for a in answers[5:]), [a.errors for a in answers if not a.delayed]
    assert not any(a.signed_in for a in answers)


def test_a_spoofed_x_forwarded_for_from_an_untrusted_address_gets_no_fresh_tries(gate_server: Server):
    answers = [try_password_sync(gate_server.url, "wrong", source="127.0.2.1",
                                 headers={"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(8)]
    assert [a.delayed for a in answers] == [False] * 4 + [True] * 4


def test_behind_the_trusted_proxy_each_forwarded_client_has_its_own_delay(gate_server: Server):
    # 127.0.0.1 is the trusted proxy: the address it appended is the client
    attacker = [try_password_sync(gate_server.url, "wrong", source="127.0.0.1",
                                  headers={"X-Forwarded-For": "198.51.100.66"}) for _ in range(6)]
    assert attacker[-1].delayed
    admin = try_password_sync(gate_server.url, gate_server.password, source="127.0.0.1",
                              headers={"X-Forwarded-For": "198.51.100.1"})
    assert admin.signed_in


def test_a_hammering_address_does_not_delay_the_right_password_from_another(gate_server: Server):
    for _ in range(12):
        try_password_sync(gate_server.url, "wrong", source="127.0.3.1")
    assert try_password_sync(gate_server.url, "wrong", source="127.0.3.1").delayed
    admin = try_password_sync(gate_server.url, gate_server.password, source="127.0.3.2")
    assert admin.signed_in and not admin.errors


def test_a_delayed_address_is_refused_even_the_right_password(gate_server: Server):
    for _ in range(5):
        try_password_sync(gate_server.url, "wrong", source="127.0.4.1")
    answer = try_password_sync(gate_server.url, gate_server.password, source="127.0.4.1")
    assert answer.delayed and not answer.signed_in


# --- staying signed in --------------------------------------------------------------------

def login_cookie(page: Page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def expect_login_form(page: Page) -> None:
    expect(page.get_by_label("Admin password")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def expect_signed_in(page: Page) -> None:
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Admin password")).to_have_count(0)


def expect_another_browser_gets_the_login_form(browser, server: Server, path: str, cookie: str | None = None) -> None:
    """A fresh browser (holding `cookie` as the login cookie, if given) opens `path` and sees the form."""
    other = browser.new_context(viewport=VIEWPORT)
    try:
        if cookie is not None:
            other.add_cookies([{"name": COOKIE, "value": cookie, "url": server.url}])
        stranger = other.new_page()
        stranger.goto(server.url + path)
        expect_login_form(stranger)
    finally:
        other.close()


def sign_in(page: Page, server: Server, password: str | None = None) -> None:
    page.goto(server.url + "/?range=7d")
    page.get_by_label("Admin password").fill(password or server.password)
    page.get_by_role("button", name="Sign in").click()
    expect_signed_in(page)
    # the page fetches its cookie right after the login
    wait_until(lambda: login_cookie(page) is not None, 20, "no stay-signed-in cookie 20 s after signing in")


def title_top(page: Page) -> float:
    title = page.get_by_role("heading", name="Token Usage").first
    expect(title).to_be_visible()
    return title.bounding_box()["y"]


def test_a_reload_keeps_the_browser_signed_in(page: Page, gate_server: Server):
    sign_in(page, gate_server)
    page.reload()
    expect_signed_in(page)
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()


def test_fetching_the_cookie_takes_no_room_on_the_page(page: Page, gate_server: Server):
    sign_in(page, gate_server)
    first = title_top(page)  # the page that fetched the cookie
    page.reload()
    expect_signed_in(page)
    assert title_top(page) == first


def test_the_cookie_is_httponly_samesite_and_holds_no_password(page: Page, gate_server: Server):
    with page.expect_response(lambda r: r.url.endswith("/api/login/session")) as answer:
        sign_in(page, gate_server)
    cookie = login_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    set_cookie = answer.value.header_value("set-cookie") or ""  # .headers leaves Set-Cookie out
    assert "Max-Age=43200" in set_cookie or "Max-Age=43199" in set_cookie, set_cookie  # the default 12 hours
    assert gate_server.password not in cookie["value"]
    assert COOKIE not in page.evaluate("document.cookie")  # scripts in the page cannot read it


def test_a_new_tab_of_the_same_browser_is_signed_in_and_another_browser_is_not(page: Page, gate_server: Server,
                                                                               browser):
    sign_in(page, gate_server)
    tab = page.context.new_page()
    tab.goto(gate_server.url + "/agents")
    expect_signed_in(tab)
    expect_another_browser_gets_the_login_form(browser, gate_server, "/agents")


def test_a_forged_cookie_is_refused(page: Page, gate_server: Server, browser):
    sign_in(page, gate_server)
    expires, nonce, mac = login_cookie(page)["value"].split(".")
    for forged in (f"{int(expires) + 86_400}.{nonce}.{mac}", f"{expires}.{nonce}.{'0' * len(mac)}"):
        expect_another_browser_gets_the_login_form(browser, gate_server, "/", cookie=forged)


def test_log_out_ends_the_login_in_every_tab_and_on_the_server(page: Page, gate_server: Server, browser):
    sign_in(page, gate_server)
    stolen = login_cookie(page)["value"]
    tab = page.context.new_page()
    tab.goto(gate_server.url + "/")
    expect_signed_in(tab)
    page.get_by_role("button", name="Log out").click()
    expect_login_form(page)
    # the page clears the cookie too
    wait_until(lambda: login_cookie(page) is None, 20, "the cookie is still there 20 s after Log out")
    page.reload()
    expect_login_form(page)
    tab.get_by_role("button", name="Refresh").click()  # the other tab's next run
    expect_login_form(tab)
    # the old cookie, replayed in another browser: revoked on the server
    expect_another_browser_gets_the_login_form(browser, gate_server, "/", cookie=stolen)


def test_the_login_ends_when_its_lifetime_is_over(browser, tmp_path):
    lifetime = 30  # long enough for a sign-in and a reload on a busy 2-core machine
    with running_server(tmp_path, {"USAGE_LOGIN_LIFETIME_SECONDS": str(lifetime)}) as short:
        assert try_password_sync(short.url, short.password).signed_in  # builds the demo mirror before the clock runs
        for page in fresh_page(browser, short):
            sign_in(page, short)
            signed_at = time.time()
            stolen = login_cookie(page)["value"]
            page.reload()
            expect_signed_in(page)
            page.wait_for_timeout(max(0.0, signed_at + lifetime + 1 - time.time()) * 1000)
            page.reload()
            expect_login_form(page)
            # the server refuses it too, not only the browser that dropped it
            page.context.add_cookies([{"name": COOKIE, "value": stolen, "url": short.url}])
            page.reload()
            expect_login_form(page)


def _secrets_hash(password: str) -> str:
    salt = os.urandom(16)
    return f"pbkdf2_sha256$1000${salt.hex()}${hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 1000).hex()}"


def test_changing_the_password_ends_every_login(browser, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'admin_password_hash = "{_secrets_hash("first-password")}"\n', encoding="utf-8")
    no_env_password = {"ADMIN_PASSWORD": "", "ADMIN_PASSWORD_HASH": ""}
    with running_server(tmp_path, no_env_password, args=("--secrets.files", str(secrets))) as srv:
        srv.password = "first-password"
        for page in fresh_page(browser, srv):
            sign_in(page, srv, "first-password")
            page.reload()
            expect_signed_in(page)
            secrets.write_text(f'admin_password_hash = "{_secrets_hash("second-password")}"\n', encoding="utf-8")
            def signed_out_after_reload() -> bool:
                page.reload()
                try:
                    expect_login_form(page)
                    return True
                except AssertionError:
                    return False

            # Streamlit's file watcher rereads secrets.toml within a few seconds
            wait_until(signed_out_after_reload, 30, "still signed in 30 s after the password changed")
            sign_in(page, srv, "second-password")
            page.reload()
            expect_signed_in(page)


def _post(url: str, body: bytes) -> tuple[int, str | None]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=20) as answer:
            return answer.status, answer.headers.get("Set-Cookie")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Set-Cookie")


def test_the_cookie_route_sets_nothing_without_a_live_ticket(gate_server: Server):
    assert _post(gate_server.url + "/api/login/session", b"not-a-ticket") == (403, None)
    assert _post(gate_server.url + "/api/login/session", b"x" * 100_000) == (413, None)
    status, cookie = _post(gate_server.url + "/api/login/logout", b"")
    assert status == 204 and cookie.startswith(f"{COOKIE}=") and "Max-Age=0" in cookie
