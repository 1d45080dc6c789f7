"""The admin password gate: nothing from the data reaches the browser before it is passed.

Where the password comes from, in order: ADMIN_PASSWORD_HASH / `admin_password_hash` in
.streamlit/secrets.toml (a salted PBKDF2 hash, so the password need not sit on disk),
ADMIN_PASSWORD / `admin_password`. With none configured the app is not left open: a random
password is made once per server process and printed to the server log.

Wrong tries are throttled per client address (`client_address`, `_Throttle`) and over the
whole server, and a try is admitted before its hash is computed. After the right password the
browser stays signed in for a while through a signed, revocable HttpOnly cookie (`LoginTokens`,
set by the HTTP routes of `login_routes`, which app.py serves beside the app).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import streamlit as st
from streamlit import config as st_config

from queries.settings import resolve_config

log = logging.getLogger("token_usage.auth")

FREE_TRIES = 5                # wrong passwords allowed before any delay
MAX_DELAY_SECONDS = 300       # the delay doubles per further wrong try, up to five minutes
HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 600_000     # OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256
GLOBAL_WINDOW_SECONDS = 60.0  # the server-wide budget (setting login_budget_per_minute) counts tries per minute
FORGET_AFTER_SECONDS = 3600.0  # a client's wrong tries are forgotten an hour after its last one (> the 300 s cap)
MAX_CLIENTS = 10_000          # clients remembered at most (~2 MB); the oldest is forgotten first
KNOWN_GOOD_SECONDS = 30 * 86_400  # an address that signed in is exempt from the server-wide budget for 30 days
MAX_KNOWN_GOOD = 1_000        # such addresses remembered at most; the oldest sign-in is forgotten first


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


def client_address(remote: str | None, forwarded_for: str | None, trusted: tuple[str, ...] = ()) -> str:
    """The address the throttle keys on: the connection's own, or, when that connection comes from a
    trusted proxy, the nearest X-Forwarded-For hop that is not itself a trusted proxy.

    Streamlit reports no address (None) for a loopback connection, which is then "127.0.0.1".
    Anything the client sends besides its address (User-Agent, other headers) is ignored: it
    can change on every try. Hops are read from the right, because a proxy appends the address
    it saw, and anything to the left of that was written by the client.
    """
    networks = [ipaddress.ip_network(item, strict=False) for item in trusted]
    address = _normal_address(remote) or "127.0.0.1"

    def is_trusted(text: str) -> bool:
        ip = ipaddress.ip_address(text)
        return any(ip.version == net.version and ip in net for net in networks)

    if networks and forwarded_for and is_trusted(address):
        for hop in reversed(forwarded_for.split(",")):
            hop_address = _normal_address(hop.strip())
            if hop_address is None:  # a malformed hop: keep the last address a trusted proxy vouched for
                break
            address = hop_address
            if not is_trusted(hop_address):
                break
    return address


def _normal_address(text: str | None) -> str | None:
    """`text` as a canonical IP address (an IPv4-mapped IPv6 address as IPv4), or None if it is not one."""
    try:
        ip = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def throttle_key(address: str) -> str:
    """The throttle's client: the IPv4 address, or the IPv6 /64 (one host's usual allocation,
    so an attacker cannot get fresh tries by walking through its own /64)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Admission:
    """Whether a try may be checked now; if not, how long to wait and whose limit it hit."""

    allowed: bool
    wait_seconds: float = 0.0
    server_wide: bool = False      # the global budget, not this client's own delay
    delay_if_wrong: float = 0.0    # the delay a wrong password at this try costs the client


@dataclass
class _Client:
    failures: int
    locked_until: float
    last_try: float


@dataclass
class _Throttle:
    """Wrong tries per client address and over the whole server, kept by the server so a reload or a
    new tab does not reset them.

    A try is counted as wrong when it is admitted, before the password hash is computed, and
    forgiven when the password turns out right: so tries sent at once cannot all slip in before
    the first one is counted, and a refused try costs no hash at all. Memory is bounded: a client
    is forgotten FORGET_AFTER_SECONDS after its last wrong try, and beyond MAX_CLIENTS the client
    with the oldest wrong try goes first; the global window holds at most one minute's budget.

    An address that signed in with the right password in the last 30 days is exempt from the
    server-wide budget (not from its own delay): many addresses guessing at once cannot lock
    the admin out from where the admin usually signs in.
    """

    clients: OrderedDict[str, _Client] = field(default_factory=OrderedDict)  # oldest wrong try first
    recent: deque[float] = field(default_factory=deque)  # admitted tries in the last minute, server-wide
    known_good: OrderedDict[str, float] = field(default_factory=OrderedDict)  # address -> last sign-in
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, client: str, now: float, budget_per_minute: int) -> Admission:
        """Admit one try from `client` (counted as wrong until `succeed`), or say how long to wait."""
        with self.lock:
            self._forget(now)
            known = self.clients.get(client)
            if known is not None and known.locked_until > now:
                return Admission(False, known.locked_until - now)
            while self.recent and self.recent[0] <= now - GLOBAL_WINDOW_SECONDS:
                self.recent.popleft()
            if client not in self.known_good:
                if len(self.recent) >= budget_per_minute:
                    return Admission(False, self.recent[0] + GLOBAL_WINDOW_SECONDS - now, server_wide=True)
                self.recent.append(now)
            failures = (known.failures if known else 0) + 1
            delay = delay_after(failures)
            self.clients[client] = _Client(failures, now + delay, now)
            self.clients.move_to_end(client)
            while len(self.clients) > MAX_CLIENTS:
                self.clients.popitem(last=False)
            return Admission(True, delay_if_wrong=delay)

    def succeed(self, client: str, now: float) -> None:
        """The admitted try was right: forget the client's wrong tries, give back its budget slot
        and remember the address as one the admin signs in from."""
        with self.lock:
            self.clients.pop(client, None)
            if client not in self.known_good and self.recent:
                self.recent.pop()
            self.known_good[client] = now
            self.known_good.move_to_end(client)
            while len(self.known_good) > MAX_KNOWN_GOOD:
                self.known_good.popitem(last=False)

    def _forget(self, now: float) -> None:
        while self.known_good and next(iter(self.known_good.values())) <= now - KNOWN_GOOD_SECONDS:
            self.known_good.popitem(last=False)
        while self.clients:
            oldest = next(iter(self.clients.values()))
            if oldest.last_try > now - FORGET_AFTER_SECONDS:
                break
            self.clients.popitem(last=False)


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


def _client() -> str:
    """Who is trying: the throttle key of the client's address (see `client_address`)."""
    trusted = tuple(resolve_config(os.environ).trusted_proxies)
    try:
        remote = st.context.ip_address
        forwarded = (st.context.headers or {}).get("X-Forwarded-For")
    except Exception:  # no browser behind this run (a bare script run): the local machine
        remote, forwarded = None, None
    return throttle_key(client_address(remote if isinstance(remote, str) else None, forwarded, trusted))


def is_signed_in() -> bool:
    """Whether this session may see the data: it signed in (and its stay-signed-in token, if any,
    still holds: not expired, not revoked by a Log out, password unchanged), or this browser's
    cookie holds a valid token, which signs the session in."""
    plain, hashed, _ = configured_password()
    fingerprint, now = _password_fingerprint(plain, hashed), time.time()
    if st.session_state.get("authenticated"):
        token = st.session_state.get("login_token")
        if token is None or LOGINS.verify(token, fingerprint, now) is not None:
            return True
        st.session_state["authenticated"] = False  # expired, logged out in another tab, or a new password
        st.session_state.pop("login_token", None)
        return False
    token = _cookie_token()
    if LOGINS.verify(token, fingerprint, now) is None:
        return False
    st.session_state["authenticated"] = True
    st.session_state["login_token"] = token
    return True


def require_login() -> None:
    """Show the login form and stop the script unless this session is signed in (`is_signed_in`)."""
    if is_signed_in():
        return
    config = resolve_config(os.environ)
    plain, hashed, generated = configured_password()
    box = st.container(width=460)
    box.title("Token Usage", anchor=False)
    box.caption("Admin only. Sign in to see token usage and estimated cost.")
    with box.form("login", clear_on_submit=True):
        password = st.text_input("Admin password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    with box:
        _clear_cookie_after_logout()
        _login_messages(submitted, password, plain, hashed, generated, config)
    st.stop()


def _login_messages(submitted: bool, password: str | None, plain: str | None, hashed: str | None,
                    generated: bool, config) -> None:
    """Check a submitted password (logging in on success) and say what happened.

    The throttle admits the try before the hash is computed: a refused try costs no PBKDF2 rounds.
    """
    if generated:
        st.info("No admin password is configured. A password for this server was printed to the server's log; "
                "set ADMIN_PASSWORD or admin_password in .streamlit/secrets.toml to choose your own.")
    if not submitted:
        return
    throttle, client = _throttle(), _client()
    admission = throttle.admit(client, time.monotonic(), int(config.login_budget_per_minute))
    if not admission.allowed:
        where = " on this server" if admission.server_wide else ""
        st.error(f"Too many wrong passwords{where}. Try again in {max(1, round(admission.wait_seconds))} s.")
    elif check_password(password or "", plain=plain, hashed=hashed):
        throttle.succeed(client, time.monotonic())
        st.session_state["authenticated"] = True
        lifetime = int(config.login_lifetime_seconds)
        if lifetime:
            token = LOGINS.issue(_password_fingerprint(plain, hashed), time.time(), lifetime)
            st.session_state["login_token"] = token
            st.session_state["cookie_ticket"] = LOGINS.ticket_for(token, time.time())
        st.rerun()
    else:
        log.warning("wrong admin password from %s", client)
        if admission.delay_if_wrong:
            st.error(f"Wrong password. Too many wrong passwords: wait {admission.delay_if_wrong:.0f} s "
                     "before the next try.")
        else:
            st.error("Wrong password.")


def logout_button() -> None:
    """A Log out button that ends this session's login and this browser's stay-signed-in cookie
    (revoked on the server, then cleared in the browser); other browsers stay logged in."""
    if st.button("Log out", icon=":material/logout:", key="logout", type="tertiary", width="stretch"):
        token = st.session_state.pop("login_token", None)
        if token is not None:
            LOGINS.revoke(token)
        st.session_state.pop("cookie_ticket", None)
        st.session_state["authenticated"] = False
        st.session_state["clear_cookie"] = True
        st.rerun()


# --- staying signed in ---------------------------------------------------------------------
#
# Streamlit's script runs talk to the browser over a websocket, which cannot set a cookie, so
# app.py serves two small HTTP routes beside the app (st.App). After a right password the page
# runs one line of JavaScript that posts a one-time ticket to /api/login/session; the answer
# sets the HttpOnly, SameSite=Strict cookie. Every new websocket (a reload, a new tab) carries
# it, and `require_login` accepts it while its signature, expiry and nonce hold.

COOKIE_NAME = "token_usage_login"
SESSION_ROUTE = "/api/login/session"
LOGOUT_ROUTE = "/api/login/logout"
TICKET_SECONDS = 120.0   # a ticket not redeemed within two minutes is dropped
MAX_TICKETS = 1_000      # tickets are made only after a right password; this bounds them anyway


class LoginTokens:
    """Signs, checks and revokes stay-signed-in tokens: `<expiry>.<nonce>.<HMAC-SHA256>`.

    The HMAC key is derived from a random secret made once per server process and from the
    configured password (or its hash): a token cannot be forged without the secret, changing the
    password invalidates every token, and a token holds nothing from which the password could be
    guessed offline (the secret never leaves the server). A restart of the server ends all logins.
    """

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._revoked: dict[str, int] = {}
        self._tickets: OrderedDict[str, tuple[str, float]] = OrderedDict()  # ticket -> (token, made at)
        self._lock = threading.Lock()

    def _mac(self, fingerprint: str, message: str) -> str:
        key = hmac.new(self._secret, b"stay-signed-in\0" + fingerprint.encode(), hashlib.sha256).digest()
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()

    def issue(self, fingerprint: str, now: float, lifetime_seconds: int) -> str:
        """A new token for this password, valid for `lifetime_seconds` from `now`."""
        message = f"{int(now) + int(lifetime_seconds)}.{secrets.token_urlsafe(16)}"
        return f"{message}.{self._mac(fingerprint, message)}"

    def verify(self, token: str | None, fingerprint: str, now: float) -> int | None:
        """The token's expiry (seconds since the epoch) if it is well-formed, signed for this
        password, unexpired and not revoked; else None."""
        parts = _token_parts(token)
        if parts is None:
            return None
        expires, nonce, mac = parts
        if not hmac.compare_digest(mac.encode(), self._mac(fingerprint, f"{expires}.{nonce}").encode()):
            return None
        if expires <= now:
            return None
        with self._lock:
            self._revoked = {n: e for n, e in self._revoked.items() if e > now}
            if nonce in self._revoked:
                return None
        return expires

    def revoke(self, token: str) -> None:
        """Refuse this token from now on (remembered until it would have expired anyway)."""
        parts = _token_parts(token)
        if parts is not None:
            with self._lock:
                self._revoked[parts[1]] = parts[0]

    def ticket_for(self, token: str, now: float) -> str:
        """A one-time ticket the browser exchanges for the cookie holding `token`."""
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._drop_old_tickets(now)
            self._tickets[ticket] = (token, now)
            while len(self._tickets) > MAX_TICKETS:
                self._tickets.popitem(last=False)
        return ticket

    def ticket_pending(self, ticket: str) -> bool:
        with self._lock:
            return ticket in self._tickets

    def redeem(self, ticket: str, now: float) -> tuple[str, int] | None:
        """(token, seconds it has left) for a ticket not yet redeemed nor too old; the ticket is used up."""
        with self._lock:
            self._drop_old_tickets(now)
            entry = self._tickets.pop(ticket, None)
        parts = None if entry is None else _token_parts(entry[0])
        if parts is None or parts[0] <= now:
            return None
        return entry[0], parts[0] - int(now)

    def _drop_old_tickets(self, now: float) -> None:
        while self._tickets and next(iter(self._tickets.values()))[1] < now - TICKET_SECONDS:
            self._tickets.popitem(last=False)


LOGINS = LoginTokens()


def _token_parts(token: str | None) -> tuple[int, str, str] | None:
    """(expiry, nonce, mac) of a token's text, or None if it is not one (or absurdly long)."""
    if not token or len(token) > 200:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1], parts[2]


def _password_fingerprint(plain: str | None, hashed: str | None) -> str:
    """What a token is bound to: the configured hash, else the plain password (never sent anywhere)."""
    return f"hash:{hashed}" if hashed else f"plain:{plain or ''}"


def _cookie_token() -> str | None:
    try:
        return (st.context.cookies or {}).get(COOKIE_NAME)
    except Exception:  # no browser behind this run
        return None


def _script_box(route: str | None = None, body: str = "", key: str = "login_fetch") -> None:
    """A container that takes no room (hidden by a style-only st.html, which Streamlit puts in
    its event container, out of the layout), holding a script that POSTs `body` to `route`.

    It is drawn on every run where it may be needed, empty when there is nothing to send, so
    the elements after it keep their places from one run to the next (when it came and went,
    the browser kept a stale copy of a page's widgets for a run). Under AppTest there is no
    browser and no route, so nothing is drawn (the browser tests cover it). `key`: one per call
    site, since a run checks the gate twice (app.py, then the page) and a password changed or a
    login expired in between draws the login form's box after the signed-in one."""
    if st_config.get_option("global.appTest"):
        return
    st.html(f"<style>[data-testid=stLayoutWrapper]:has(> .st-key-{key}), .st-key-{key} "
            "{display: none}</style>")
    with st.container(key=key):
        if route is not None:
            st.html(f"<script>fetch({route!r}, {{method: 'POST', body: {body!r}, credentials: 'same-origin', "
                    "cache: 'no-store'});</script>", unsafe_allow_javascript=True, width="content")


def send_pending_cookie() -> None:
    """On every signed-in run: right after a password login, have the browser fetch its cookie
    (until the ticket is redeemed); otherwise an empty, hidden box in the same place."""
    ticket = st.session_state.get("cookie_ticket")
    if ticket is not None and not LOGINS.ticket_pending(ticket):
        del st.session_state["cookie_ticket"]
        ticket = None
    _script_box(None if ticket is None else SESSION_ROUTE, ticket or "")


def _clear_cookie_after_logout() -> None:
    _script_box(LOGOUT_ROUTE if st.session_state.pop("clear_cookie", False) else None, key="logout_fetch")


def login_routes() -> list:
    """The two HTTP routes app.py serves beside the app: a ticket for the cookie, and its removal."""
    from starlette.responses import Response
    from starlette.routing import Route

    async def session(request) -> Response:
        body = b""
        async for chunk in request.stream():  # a ticket is 32 characters: read no more than that needs
            body += chunk
            if len(body) > 200:
                return Response(status_code=413)
        ticket = body.decode("ascii", errors="replace")
        redeemed = LOGINS.redeem(ticket, time.time())
        if redeemed is None:
            return Response(status_code=403)
        token, max_age = redeemed
        answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
        answer.set_cookie(COOKIE_NAME, token, max_age=max_age, path="/", httponly=True, samesite="strict",
                          secure=request.url.scheme == "https")
        return answer

    async def logout(request) -> Response:
        answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
        answer.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
        return answer

    return [Route(SESSION_ROUTE, session, methods=["POST"]), Route(LOGOUT_ROUTE, logout, methods=["POST"])]
