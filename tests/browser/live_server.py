"""The app served by `streamlit run` for the real-browser tests, and a fresh browser page on it.

A module of its own (not conftest.py) so that tests import it by a name no other folder shares:
`from conftest import ...` picks whichever conftest pytest imported first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

# The first page load builds the mirror; on a busy 2-core CI machine that can take longer
# than Playwright's 5-second default for an expectation.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1500, "height": 2400}
PASSWORD = "browser-test-pw-7f3a"
STARTUP_TIMEOUT_S = 60
SHUTDOWN_TIMEOUT_S = 10
SCREENSHOTS = ROOT / "artifacts" / "screenshots"



@dataclass
class Server:
    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen
    password: str = PASSWORD
    _cli_cache: dict = field(default_factory=dict)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def cli_json(self, *args: object) -> dict:
        """`python cli.py report <args> --format json`, run like a user would, with the server's environment
        (so it reads the same demo file). Each distinct call runs once per server."""
        return self.cli("report", *args)

    def cli(self, command: str, *args: object):
        """`python cli.py <command> <args> --format json` with the server's environment, parsed."""
        key = (command, *map(str, args))
        if key not in self._cli_cache:
            done = subprocess.run([sys.executable, "cli.py", *key, "--format", "json"], cwd=ROOT, env=self.env,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, f"cli.py {command} failed ({done.returncode}): {done.stderr}"
            self._cli_cache[key] = done.stdout
        return json.loads(self._cli_cache[key])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(home: Path, cache: Path) -> dict[str, str]:
    """A clean environment whose admin password is PASSWORD, given as a salted hash: the hash
    path is what the browser suite signs in through, whatever a developer's secrets.toml holds
    (the environment's hash wins over both secrets.toml and ADMIN_PASSWORD)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USAGE_", "ADMIN_"))}
    env.update(ADMIN_PASSWORD=PASSWORD, HOME=str(home), XDG_CACHE_HOME=str(cache), PYTHONUNBUFFERED="1")
    env["USAGE_DEMO"] = "axiom"  # the browser tests of one demo assert its figures; the workspace's ask for "all"
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, 1000)
    env["ADMIN_PASSWORD_HASH"] = f"pbkdf2_sha256$1000${salt.hex()}${digest.hex()}"
    return env


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(SHUTDOWN_TIMEOUT_S)


@contextlib.contextmanager
def running_server(base: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[Server]:
    """`python -m streamlit run app.py` on a free port (demo data unless extra_env names a database);
    `args` are more `streamlit run` flags."""
    home, cache = base / "home", base / "cache"
    home.mkdir(exist_ok=True)
    cache.mkdir(exist_ok=True)
    env = _server_env(home, cache) | (extra_env or {})
    port = _free_port()
    log = base / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    srv = Server(f"http://127.0.0.1:{port}", env, log, process)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode} before answering:\n{srv.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{srv.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer on port {port} within {STARTUP_TIMEOUT_S} s:\n"
                            f"{srv.log_text()[-3000:]}")
            time.sleep(0.25)
        yield srv
    finally:
        _stop(process)


def fresh_page(browser, server: Server):
    """A fresh browser context (its own Streamlit session) with a tall viewport; afterwards the
    server log must hold no traceback (they never reach the page: showErrorDetails = "none")."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert "Traceback" not in server.log_text(), f"the server logged an exception:\n{server.log_text()[-4000:]}"
    assert server.password not in server.log_text(), "the admin password reached the server log"


def wait_until(condition, seconds: float, message: str, every: float = 0.1) -> None:
    """Poll `condition` until it holds; fail the test with `message` if it still does not after
    `seconds`. A timeout for an event that must happen (like Playwright's `expect`), not a bound
    on how long it took: the bound is generous, and the test asserts only that it happened."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(every)
