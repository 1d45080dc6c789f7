"""A minimal Streamlit websocket client that tries one admin password, as a script would.

A browser costs a second of CPU per page; an attacker's script does not render anything. This
client speaks Streamlit's own protocol (protobuf BackMsg/ForwardMsg over /_stcore/stream):
it opens a session, reads the login form's widget ids from the first run, submits a password
and returns what the gate answered. It can pick its source address (any 127.x.y.z on
loopback) and its User-Agent, which is how the tests and bench/login.py play several clients
on one machine. Used by tests/test_login_throttle.py and bench/login.py.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

RUN_TIMEOUT_S = 30.0  # one script run of the login form; far more than it ever takes


@dataclass(frozen=True)
class LoginAnswer:
    """What the gate said to one submitted password, and how long the answer took."""

    signed_in: bool
    errors: tuple[str, ...]
    seconds: float                  # until the answer's script run finished (the whole page, when signed in)
    first_seconds: float | None = None  # until the signed-in page's Log out button arrived (the gate's answer)

    @property
    def delayed(self) -> bool:
        return any("Too many wrong passwords" in e for e in self.errors)


def _elements(msg: ForwardMsg):
    if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
        yield msg.delta.new_element


async def _run(ws, cache: dict[str, ForwardMsg], page_hash: list[str], seen: dict | None = None) -> list:
    """Read ForwardMsgs until the script run finishes; returns its new elements. The first time a
    Log out button arrives is noted in `seen["log_out"]` (perf_counter)."""
    found = []
    while True:
        raw = await asyncio.wait_for(ws.recv(), RUN_TIMEOUT_S)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "ref_hash":  # a message this session was sent before
            msg = cache[msg.ref_hash]
        elif msg.hash:
            cache[msg.hash] = msg
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            page_hash[:] = [msg.new_session.page_script_hash]
        elif kind == "page_info_changed" or kind == "navigation":
            if kind == "navigation" and msg.navigation.page_script_hash:
                page_hash[:] = [msg.navigation.page_script_hash]
        for element in _elements(msg):
            found.append(element)
            if (seen is not None and "log_out" not in seen and element.WhichOneof("type") == "button"
                    and element.button.label == "Log out"):
                seen["log_out"] = time.perf_counter()
        if kind == "script_finished":
            return found


def _rerun(query: str, page_hash: str, widgets=()) -> bytes:
    back = BackMsg()
    state = back.rerun_script
    state.query_string = query
    state.page_script_hash = page_hash
    for widget in widgets:
        state.widget_states.widgets.append(widget)
    return back.SerializeToString()


async def try_password(url: str, password: str, *, source: str | None = None,
                       user_agent: str = "login-client", query: str = "",
                       headers: dict[str, str] | None = None) -> LoginAnswer:
    """Open a session on `url` (http://host:port), submit `password` once, return the gate's answer."""
    parts = urlsplit(url)
    kwargs = {"local_addr": (source, 0)} if source else {}
    async with connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                       origin=url, user_agent_header=user_agent, additional_headers=headers or {},
                       open_timeout=RUN_TIMEOUT_S,
                       max_size=None, **kwargs) as ws:
        cache: dict[str, ForwardMsg] = {}
        page_hash = [""]
        await ws.send(_rerun(query, ""))
        form = await _run(ws, cache, page_hash)
        field = next((e.text_input.id for e in form if e.WhichOneof("type") == "text_input"), None)
        button = next((e.button.id for e in form if e.WhichOneof("type") == "button"
                       and e.button.is_form_submitter), None)
        if field is None or button is None:
            raise RuntimeError("no login form in the first run")
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        typed, pressed = WidgetState(id=field, string_value=password), WidgetState(id=button, trigger_value=True)
        start, seen = time.perf_counter(), {}
        await ws.send(_rerun(query, page_hash[0], (typed, pressed)))
        answer = await _run(ws, cache, page_hash, seen)
        errors = tuple(e.alert.body for e in answer if e.WhichOneof("type") == "alert")
        if not any("Too many" in e or "Wrong password" in e for e in errors):
            # a right password reruns the script at once; the signed-in run has a Log out button
            while "Log out" not in {e.button.label for e in answer if e.WhichOneof("type") == "button"}:
                answer = await _run(ws, cache, page_hash, seen)
        seconds = time.perf_counter() - start
        labels = {e.button.label for e in answer if e.WhichOneof("type") == "button"}
        first = seen["log_out"] - start if "log_out" in seen else None
        return LoginAnswer("Log out" in labels, errors, seconds, first)


def try_password_sync(url: str, password: str, **kwargs) -> LoginAnswer:
    """`try_password` from synchronous code; in a thread of its own, since Playwright's sync API
    keeps an event loop running in the caller's thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, try_password(url, password, **kwargs)).result()
