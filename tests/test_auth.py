"""The admin gate's parts (pages/common/auth.py), checked against hand-worked values, and the
gate through AppTest with each place a password can be configured.

Every test here is meant to fail against a broken gate: tests/test_gate_mutants.py applies
hand-made breakages to auth.py and runs this file against each.
"""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest
import streamlit as st
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from factories import ROOT
from pages.common import auth
from pages.common.auth import (FORGET_AFTER_SECONDS, KNOWN_GOOD_SECONDS, MAX_CLIENTS, LoginTokens, _Throttle, check_password,
                               client_address, delay_after, make_password_hash, throttle_key)
from queries.settings import resolve_config

SALT = bytes(range(16))


def pbkdf2(password: str, iterations: int = 1000, salt: bytes = SALT) -> str:
    """The stored form, written out with hashlib here (not with the code under test)."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest}"


# --- the password check ------------------------------------------------------------------

def test_the_right_password_matches_its_hash():
    assert check_password("s3cret", hashed=pbkdf2("s3cret"))


def test_a_wrong_password_does_not_match_the_hash():
    assert not check_password("s3cret!", hashed=pbkdf2("s3cret"))
    assert not check_password("", hashed=pbkdf2("s3cret"))


def test_a_hash_wins_over_a_plain_password_given_with_it():
    assert not check_password("plain", plain="plain", hashed=pbkdf2("hashed"))


def test_a_plain_password_matches_only_itself():
    assert check_password("plain pw", plain="plain pw")
    assert not check_password("plain pw ", plain="plain pw")
    assert not check_password("", plain="plain pw")


def test_nothing_configured_matches_nothing():
    assert not check_password("", plain=None, hashed=None)
    assert not check_password("anything", plain="", hashed="")


@pytest.mark.parametrize("malformed", [
    "pbkdf2_sha256$1000$00ff",                                    # a part missing
    "pbkdf2_sha256$many$00ff$00ff",                               # iterations not a number
    "pbkdf2_sha256$0$00ff$00ff",                                  # zero iterations
    "pbkdf2_sha256$1000$zz$00ff",                                 # salt not hex
    "pbkdf2_sha256$1000$00ff$not-hex",                            # digest not hex
    "pbkdf2_sha256$1000$00ff$",                                   # empty digest
    "md5$1000$" + SALT.hex() + "$" + pbkdf2("pw").split("$")[3],  # another scheme, right digest
    "pbkdf2_sha256$1000$00ff$00ff$extra",                         # a part too many
])
def test_a_malformed_hash_refuses_every_password(malformed: str):
    assert not check_password("pw", hashed=malformed)
    assert not check_password("", hashed=malformed)


def test_make_password_hash_writes_what_hashlib_computes():
    assert make_password_hash("pw", iterations=1000, salt=SALT) == pbkdf2("pw")


@given(hs.text(max_size=12), hs.text(max_size=12))
def test_a_hash_matches_exactly_its_own_password(password: str, candidate: str):
    stored = pbkdf2(password, iterations=1)
    assert check_password(candidate, hashed=stored) == (candidate == password)


# --- the delay ---------------------------------------------------------------------------

def test_the_delay_doubles_after_five_free_tries_up_to_300_seconds():
    # hand-worked: 5 free, then 2^1 … 2^8, then 2^9 = 512 is capped at 300
    assert [delay_after(n) for n in range(1, 16)] == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert delay_after(10_000) == 300


def test_a_client_that_waits_out_each_delay_waits_at_most_300_seconds():
    throttle, now, delays = _Throttle(), 0.0, []
    for _ in range(20):
        admission = throttle.admit("198.51.100.7", now, budget_per_minute=1000)
        assert admission.allowed
        delays.append(admission.delay_if_wrong)
        now += admission.delay_if_wrong + 60  # waits it out, and a minute more (the server-wide window)
    assert delays == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256] + [300] * 8


def test_a_try_inside_the_delay_is_refused_with_the_time_left():
    throttle = _Throttle()
    for _ in range(5):
        throttle.admit("198.51.100.7", 100.0, budget_per_minute=1000)
    refused = throttle.admit("198.51.100.7", 101.5, budget_per_minute=1000)
    assert not refused.allowed and not refused.server_wide
    assert refused.wait_seconds == pytest.approx(0.5)
    assert throttle.admit("198.51.100.7", 102.0, budget_per_minute=1000).allowed


def test_a_right_password_forgives_the_clients_wrong_tries():
    throttle = _Throttle()
    for _ in range(4):
        throttle.admit("198.51.100.7", 0.0, budget_per_minute=1000)
    throttle.succeed("198.51.100.7", 0.5)
    assert [throttle.admit("198.51.100.7", 1.0, budget_per_minute=1000).delay_if_wrong for _ in range(5)] == \
        [0, 0, 0, 0, 2]


def test_other_clients_are_not_delayed_by_one_clients_wrong_tries():
    throttle = _Throttle()
    for _ in range(8):
        throttle.admit("198.51.100.7", 0.0, budget_per_minute=1000)
    other = throttle.admit("203.0.113.9", 0.0, budget_per_minute=1000)
    assert other.allowed and other.delay_if_wrong == 0


# --- the server-wide budget ---------------------------------------------------------------

def test_the_server_wide_budget_refuses_tries_from_fresh_addresses_for_the_rest_of_the_minute():
    throttle = _Throttle()
    for i in range(3):
        assert throttle.admit(f"198.51.100.{i}", 10.0 + i, budget_per_minute=3).allowed
    refused = throttle.admit("203.0.113.1", 30.0, budget_per_minute=3)
    assert not refused.allowed and refused.server_wide
    assert refused.wait_seconds == pytest.approx(40.0)  # the first try (t=10) leaves the window at t=70
    assert throttle.admit("203.0.113.1", 70.0, budget_per_minute=3).allowed


def test_a_right_password_gives_its_budget_slot_back():
    throttle = _Throttle()
    assert throttle.admit("198.51.100.1", 0.0, budget_per_minute=1).allowed
    throttle.succeed("198.51.100.1", 0.5)
    assert throttle.admit("198.51.100.2", 1.0, budget_per_minute=1).allowed


def test_an_address_that_signed_in_is_not_locked_out_by_the_server_wide_budget():
    throttle = _Throttle()
    throttle.admit("192.0.2.1", 0.0, budget_per_minute=2)
    throttle.succeed("192.0.2.1", 0.0)                     # the admin signed in from here once
    for i in range(5):                                     # then many addresses use up the budget
        throttle.admit(f"198.51.100.{i}", 10.0, budget_per_minute=2)
    assert not throttle.admit("203.0.113.1", 11.0, budget_per_minute=2).allowed
    assert throttle.admit("192.0.2.1", 11.0, budget_per_minute=2).allowed
    later = KNOWN_GOOD_SECONDS + 100                      # a month later it is a stranger again
    throttle.admit("198.51.100.9", later, budget_per_minute=1)
    assert not throttle.admit("192.0.2.1", later, budget_per_minute=1).allowed


def test_an_address_that_signed_in_still_has_its_own_delay():
    throttle = _Throttle()
    throttle.admit("192.0.2.1", 0.0, budget_per_minute=30)
    throttle.succeed("192.0.2.1", 0.0)
    delays = [throttle.admit("192.0.2.1", 1.0, budget_per_minute=30).delay_if_wrong for _ in range(5)]
    assert delays == [0, 0, 0, 0, 2]
    assert not throttle.admit("192.0.2.1", 1.5, budget_per_minute=30).allowed


def test_a_refused_try_does_not_use_the_budget():
    throttle = _Throttle()
    for _ in range(5):
        throttle.admit("198.51.100.1", 0.0, budget_per_minute=6)
    for _ in range(50):  # the locked client hammers
        assert not throttle.admit("198.51.100.1", 0.5, budget_per_minute=6).allowed
    assert throttle.admit("203.0.113.1", 0.5, budget_per_minute=6).allowed


# --- bounded memory ----------------------------------------------------------------------

def test_memory_stays_bounded_after_100000_distinct_clients():
    throttle = _Throttle()
    tracemalloc.start()
    try:
        for i in range(100_000):
            throttle.admit(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", i * 0.001, budget_per_minute=10**9)
        # budget 10**9 keeps the minute's window full of tries: what stays is the clients' map
        throttle.recent.clear()
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(throttle.clients) == MAX_CLIENTS
    assert size < 8 * 1024 * 1024, f"{size / 2**20:.1f} MiB kept for {len(throttle.clients)} clients"


def test_a_clients_wrong_tries_are_forgotten_an_hour_after_the_last():
    throttle = _Throttle()
    for _ in range(6):
        throttle.admit("198.51.100.7", 0.0, budget_per_minute=1000)
    later = FORGET_AFTER_SECONDS + 1
    assert throttle.admit("203.0.113.1", later, budget_per_minute=1000).allowed
    assert "198.51.100.7" not in throttle.clients
    assert throttle.admit("198.51.100.7", later, budget_per_minute=1000).delay_if_wrong == 0


def test_the_minutes_window_holds_at_most_the_budget():
    throttle = _Throttle()
    for i in range(500):
        throttle.admit(f"198.51.{i >> 8}.{i & 255}", i * 0.01, budget_per_minute=30)
    assert len(throttle.recent) == 30


# --- who is trying -----------------------------------------------------------------------

def test_the_client_is_the_connections_address():
    assert client_address("198.51.100.7", None) == "198.51.100.7"
    assert client_address(None, None) == "127.0.0.1"  # Streamlit reports loopback as None
    assert client_address("::ffff:127.0.0.1", None) == "127.0.0.1"  # uvicorn's IPv4-mapped form


def test_x_forwarded_for_is_ignored_unless_the_connection_is_a_trusted_proxy():
    assert client_address("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert client_address("198.51.100.7", "203.0.113.1", ("10.0.0.0/8",)) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_appended():
    # the client wrote "1.2.3.4" itself; the proxy appended the address it saw
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.1", ("10.0.0.0/8",)) == "203.0.113.1"
    assert client_address(None, "203.0.113.1", ("127.0.0.1",)) == "203.0.113.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert client_address("10.0.0.2", "203.0.113.1, 10.0.0.9", ("10.0.0.0/8",)) == "203.0.113.1"


def test_a_malformed_forwarded_hop_falls_back_to_the_proxy():
    assert client_address("10.0.0.2", "203.0.113.1, not-an-ip", ("10.0.0.0/8",)) == "10.0.0.2"


def test_ipv6_clients_are_throttled_per_64_network():
    assert throttle_key("2001:db8:1:2::1") == throttle_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1")
    assert throttle_key("198.51.100.7") == "198.51.100.7"


def test_the_new_settings_parse_and_fall_back_with_a_warning():
    good = resolve_config({"USAGE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8", "USAGE_LOGIN_BUDGET_PER_MINUTE": "12",
                           "USAGE_LOGIN_LIFETIME_SECONDS": "60"})
    assert (good.trusted_proxies, good.login_budget_per_minute, good.login_lifetime_seconds) == \
        (("127.0.0.1", "10.0.0.0/8"), 12, 60)
    bad = resolve_config({"USAGE_TRUSTED_PROXIES": "proxy.example", "USAGE_LOGIN_BUDGET_PER_MINUTE": "0",
                          "USAGE_LOGIN_LIFETIME_SECONDS": "-1"})
    assert (bad.trusted_proxies, bad.login_budget_per_minute, bad.login_lifetime_seconds) == ((), 30, 43_200)
    assert len(bad.warnings) == 3


# --- stay-signed-in tokens ---------------------------------------------------------------

def test_a_token_holds_for_its_password_until_it_expires():
    tokens = LoginTokens()
    token = tokens.issue("hash:A", 1000.0, 60)
    assert tokens.verify(token, "hash:A", 1059.0) == 1060
    assert tokens.verify(token, "hash:A", 1060.0) is None


def test_a_token_is_refused_after_the_password_changes():
    tokens = LoginTokens()
    token = tokens.issue("plain:old", 0.0, 60)
    assert tokens.verify(token, "plain:new", 1.0) is None


def test_a_token_with_a_later_expiry_written_in_is_refused():
    tokens = LoginTokens()
    expires, nonce, mac = tokens.issue("hash:A", 0.0, 60).split(".")
    assert tokens.verify(f"{int(expires) + 10**6}.{nonce}.{mac}", "hash:A", 1.0) is None
    assert tokens.verify(f"{expires}.{nonce}x.{mac}", "hash:A", 1.0) is None


def test_another_server_process_refuses_the_token():
    token = LoginTokens().issue("hash:A", 0.0, 60)
    assert LoginTokens().verify(token, "hash:A", 1.0) is None


def test_a_revoked_token_is_refused():
    tokens = LoginTokens()
    token = tokens.issue("hash:A", 0.0, 60)
    tokens.revoke(token)
    assert tokens.verify(token, "hash:A", 1.0) is None


@pytest.mark.parametrize("junk", [None, "", "abc", "1.2", "x.y.z", "9" * 300, "1.2.3.4"])
def test_junk_is_not_a_token(junk):
    assert LoginTokens().verify(junk, "hash:A", 0.0) is None


def test_the_token_holds_nothing_of_the_password():
    token = LoginTokens().issue("plain:hunter2-secret", 0.0, 60)
    assert "hunter2" not in token and "secret" not in token


def test_a_ticket_is_redeemed_once_and_only_while_fresh():
    tokens = LoginTokens()
    token = tokens.issue("hash:A", 0.0, 600)
    ticket = tokens.ticket_for(token, 0.0)
    assert tokens.redeem(ticket, 10.0) == (token, 590)  # the cookie lives as long as the token has left
    assert tokens.redeem(ticket, 10.0) is None
    stale = tokens.ticket_for(token, 0.0)
    assert tokens.redeem(stale, auth.TICKET_SECONDS + 1) is None


# --- the gate through AppTest ---------------------------------------------------------------

@pytest.fixture(autouse=True)
def fresh_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()


def submit(at: AppTest, password: str) -> AppTest:
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def gate(**secrets: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    assert not at.exception
    assert "Admin password" in [t.label for t in at.text_input]
    return at


def signed_in(at: AppTest) -> bool:
    return bool(at.metric) and "Admin password" not in [t.label for t in at.text_input]


def test_a_wrong_password_is_refused_against_admin_password_hash(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", pbkdf2("env hash pw"))
    at = submit(gate(), "env hash pw?")
    assert "Wrong password." in [e.value for e in at.error]
    assert not signed_in(at)


def test_the_right_password_opens_against_admin_password_hash(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", pbkdf2("env hash pw"))
    assert signed_in(submit(gate(), "env hash pw"))


def test_a_wrong_password_is_refused_against_the_hash_in_secrets_toml():
    at = submit(gate(admin_password_hash=pbkdf2("file hash pw")), "file hash pw?")
    assert "Wrong password." in [e.value for e in at.error]
    assert not signed_in(at)


def test_the_right_password_opens_against_the_hash_in_secrets_toml():
    assert signed_in(submit(gate(admin_password_hash=pbkdf2("file hash pw")), "file hash pw"))


def test_a_wrong_password_is_refused_against_the_plain_password_in_secrets_toml():
    at = submit(gate(admin_password="file plain pw"), "file plain")
    assert not signed_in(at)


def test_a_malformed_hash_keeps_the_gate_shut_even_for_the_plain_password(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", "pbkdf2_sha256$many$zz$zz")
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    for candidate in ("plain pw", "", "pbkdf2_sha256$many$zz$zz"):
        at = submit(gate(), candidate)
        assert not signed_in(at), candidate


def test_an_empty_password_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    assert not signed_in(submit(gate(), ""))


def test_a_locked_client_gets_no_hash_computed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", pbkdf2("pw"))
    at = gate()
    for _ in range(5):
        submit(at, "wrong")
    computed = []
    real = hashlib.pbkdf2_hmac
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", lambda *a, **k: computed.append(1) or real(*a, **k))
    submit(at, "pw")
    assert any("Too many wrong passwords" in e.value for e in at.error)
    assert computed == [] and not signed_in(at)


def test_the_server_wide_budget_refuses_before_hashing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", pbkdf2("pw"))
    monkeypatch.setenv("USAGE_LOGIN_BUDGET_PER_MINUTE", "2")
    throttle = auth._throttle()
    for client in ("198.51.100.1", "198.51.100.2"):  # two other addresses used the minute's budget
        throttle.admit(client, auth.time.monotonic(), 2)
    computed = []
    real = hashlib.pbkdf2_hmac
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", lambda *a, **k: computed.append(1) or real(*a, **k))
    at = submit(gate(), "pw")
    assert any("Too many wrong passwords on this server" in e.value for e in at.error)
    assert computed == [] and not signed_in(at)


# --- an open session's stay-signed-in token (mutmut found these paths untested in AppTest) --------

def test_an_open_session_is_signed_out_when_its_token_is_revoked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    at = submit(gate(), "plain pw")
    assert signed_in(at)
    auth.LOGINS.revoke(at.session_state["login_token"])  # as Log out in another tab of this browser does
    at.run()
    assert not at.exception and not signed_in(at)
    assert "Admin password" in [t.label for t in at.text_input]


def test_an_open_session_is_signed_out_when_the_password_changes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    at = submit(gate(), "plain pw")
    assert signed_in(at)
    monkeypatch.setenv("ADMIN_PASSWORD", "new plain pw")
    at.run()
    assert not at.exception and not signed_in(at)
    assert signed_in(submit(at, "new plain pw"))


def test_log_out_revokes_the_sessions_token(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    at = submit(gate(), "plain pw")
    token = at.session_state["login_token"]
    assert auth.LOGINS.verify(token, auth._password_fingerprint("plain pw", None), auth.time.time()) is not None
    at.button(key="logout").click().run()
    assert not at.exception and not signed_in(at)
    assert auth.LOGINS.verify(token, auth._password_fingerprint("plain pw", None), auth.time.time()) is None


def test_without_a_lifetime_no_token_is_made(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "plain pw")
    monkeypatch.setenv("USAGE_LOGIN_LIFETIME_SECONDS", "0")
    at = submit(gate(), "plain pw")
    assert signed_in(at) and "login_token" not in at.session_state


def test_the_right_password_opens_against_the_plain_password_in_secrets_toml():
    assert signed_in(submit(gate(admin_password="file plain pw"), "file plain pw"))


def test_the_right_password_opens_against_admin_password(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "env plain pw")
    assert signed_in(submit(gate(), "env plain pw"))


def test_a_new_client_is_still_delayed_when_the_map_is_full():
    throttle = _Throttle()
    for i in range(MAX_CLIENTS):
        throttle.admit(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 0.0, budget_per_minute=10**9)
    delays = [throttle.admit("198.51.100.7", 1.0, budget_per_minute=10**9).delay_if_wrong for _ in range(5)]
    assert delays == [0, 0, 0, 0, 2]  # the oldest client made room, not the newest
    assert not throttle.admit("198.51.100.7", 1.5, budget_per_minute=10**9).allowed


def test_forgetting_old_clients_keeps_the_recent_ones():
    throttle = _Throttle()
    for _ in range(6):
        throttle.admit("198.51.100.7", 0.0, budget_per_minute=1000)      # old
    for _ in range(6):
        throttle.admit("203.0.113.5", FORGET_AFTER_SECONDS - 10, budget_per_minute=1000)  # recent, delayed
    later = FORGET_AFTER_SECONDS + 1
    assert throttle.admit("192.0.2.9", later, budget_per_minute=1000).allowed
    assert "198.51.100.7" not in throttle.clients
    assert throttle.admit("203.0.113.5", later, budget_per_minute=1000).delay_if_wrong == 4  # its 6th admitted wrong try (the 6th at 3590 was refused)
