"""The admin password gate: nothing from the data reaches the browser before it is passed.

Where the password comes from, in order: ADMIN_PASSWORD_HASH / `admin_password_hash` in
.streamlit/secrets.toml (a salted PBKDF2 hash, so the password need not sit on disk),
ADMIN_PASSWORD / `admin_password`. With none configured the app is not left open: a random
password is made once per server process and printed to the server log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

log = logging.getLogger("token_usage.auth")

FREE_TRIES = 5                # wrong passwords allowed before any delay
MAX_DELAY_SECONDS = 300       # the delay doubles per further wrong try, up to five minutes
HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 600_000     # OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256


def make_password_hash(password: str, iterations: int = HASH_ITERATIONS, salt: bytes | None = None) -> str:
    """`pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>` for `password` (what secrets.toml holds)."""
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{HASH_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def check_password(candidate: str, *, plain: str | None = None, hashed: str | None = None) -> bool:
    """Constant-time check of `candidate` against a stored hash, else a plain password."""
    if hashed:
        try:
            scheme, iterations, salt_hex, digest_hex = hashed.split("$")
            if scheme != HASH_SCHEME:
                return False
            digest = hashlib.pbkdf2_hmac("sha256", candidate.encode(), bytes.fromhex(salt_hex), int(iterations))
            return hmac.compare_digest(digest, bytes.fromhex(digest_hex))
        except (ValueError, TypeError):
            return False
    if plain:
        return hmac.compare_digest(candidate.encode(), plain.encode())
    return False


def delay_after(failures: int) -> float:
    """Seconds a client must wait after `failures` wrong tries: none for the first five, then 2, 4, 8 … 300."""
    if failures < FREE_TRIES:
        return 0.0
    return float(min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_TRIES + 1)))


@dataclass
class _Throttle:
    """Wrong tries per client, kept by the server so a reload or a new tab does not reset them."""

    failures: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, client: str, now: float) -> float:
        with self.lock:
            return max(0.0, self.locked_until.get(client, 0.0) - now)

    def fail(self, client: str, now: float) -> float:
        with self.lock:
            self.failures[client] = self.failures.get(client, 0) + 1
            delay = delay_after(self.failures[client])
            self.locked_until[client] = now + delay
            return delay

    def succeed(self, client: str) -> None:
        with self.lock:
            self.failures.pop(client, None)
            self.locked_until.pop(client, None)


@st.cache_resource
def _throttle() -> _Throttle:
    return _Throttle()


@st.cache_resource
def _generated_password() -> str:
    """A random password for this server process, printed once to the server log."""
    password = secrets.token_urlsafe(12)
    print(
        "\n  No admin password is configured (ADMIN_PASSWORD or .streamlit/secrets.toml).\n"
        f"  This server's generated admin password: {password}\n",
        flush=True,
    )
    return password


def _secret(name: str) -> str | None:
    """A value from .streamlit/secrets.toml, or None (missing or unreadable file)."""
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file, or a malformed one: treat as not configured
        return None
    return str(value) if value else None


def configured_password() -> tuple[str | None, str | None, bool]:
    """(plain, hashed, generated): the password the gate checks against.

    The environment wins over secrets.toml (an operator's explicit setting for this run),
    and within each place a hash wins over a plain password.
    """
    for hashed, plain in ((os.environ.get("ADMIN_PASSWORD_HASH"), os.environ.get("ADMIN_PASSWORD")),
                          (_secret("admin_password_hash"), _secret("admin_password"))):
        if hashed or plain:
            return (None if hashed else plain), hashed, False
    return _generated_password(), None, True


def _client_key() -> str:
    """Who is trying: this browser's address and user agent (the same across reloads and tabs)."""
    try:
        headers = st.context.headers or {}
        agent = headers.get("User-Agent", "")
        address = st.context.ip_address
        address = address if isinstance(address, str) else ""
    except Exception:
        agent, address = "", ""
    return hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()


def require_login() -> None:
    """Show the login form and stop the script unless this session has logged in."""
    if st.session_state.get("authenticated"):
        return
    plain, hashed, generated = configured_password()
    throttle, client = _throttle(), _client_key()

    box = st.container(width=460)
    box.title("Token Usage", anchor=False)
    box.caption("Admin only. Sign in to see token usage and estimated cost.")
    with box.form("login", clear_on_submit=True):
        password = st.text_input("Admin password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    with box:
        _login_messages(submitted, password, plain, hashed, generated, throttle, client)
    st.stop()


def _login_messages(submitted: bool, password: str | None, plain: str | None, hashed: str | None,
                    generated: bool, throttle: _Throttle, client: str) -> None:
    """Check a submitted password (logging in on success) and say what happened."""
    if generated:
        st.info("No admin password is configured. A password for this server was printed to the server's log; "
                "set ADMIN_PASSWORD or admin_password in .streamlit/secrets.toml to choose your own.")
    if submitted:
        now = time.monotonic()
        wait = throttle.wait_seconds(client, now)
        if wait > 0:
            st.error(f"Too many wrong passwords. Try again in {wait:.0f} s.")
        elif check_password(password or "", plain=plain, hashed=hashed):
            throttle.succeed(client)
            st.session_state["authenticated"] = True
            st.rerun()
        else:
            delay = throttle.fail(client, now)
            log.warning("wrong admin password from client %s", client[:8])
            if delay:
                st.error(f"Wrong password. Too many wrong passwords: wait {delay:.0f} s before the next try.")
            else:
                st.error("Wrong password.")


def logout_button() -> None:
    """A Log out button that ends this session's login only (other sessions stay logged in)."""
    if st.button("Log out", icon=":material/logout:", key="logout", type="tertiary", width="stretch"):
        st.session_state["authenticated"] = False
        st.rerun()
