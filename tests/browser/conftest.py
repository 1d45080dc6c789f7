"""Fixtures for the real-browser test: the app served by `streamlit run`, Debian's chromium
driven by Playwright, and the CLI run with the very same environment as the server.

The server gets a clean environment (no USAGE_* or ADMIN_* from the developer's shell), a
known admin password, and HOME / XDG_CACHE_HOME in a temp dir, so the demo database is
generated there and the CLI, run with the same environment, reads the very same file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Server, fresh_page, running_server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the real app in Debian's chromium through Playwright")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the built-in demo data, shared by a test module."""
    with running_server(tmp_path_factory.mktemp("browser-server")) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless; a missing browser is a failure (CI installs it), not a skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`apt-get install -y chromium`; .ci/run does). "
                    "Playwright's own browser download does not work on these machines.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server: Server):
    """A page on the demo-data server."""
    yield from fresh_page(browser, server)


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def axiom(tmp_path_factory: pytest.TempPathFactory):
    """An Axiom database (a heartbeat session, both timestamp forms, a model id that is HTML)
    served with a 2-second auto-refresh, as on a wall screen."""
    from datetime import datetime, timezone

    from factories import AxiomDB

    today = datetime.now(timezone.utc).date()
    base = tmp_path_factory.mktemp("axiom-browser")
    db = AxiomDB(base / "data" / "db" / "openagent.db")
    db.session("hb", type="heartbeat", source="task")
    db.usage(f"{today} 08:00:00", provider="anthropic", model="claude-sonnet-4-20250514",
             prompt=1_000_000, completion=100_000, session_id="hb")          # $4.50 at Axiom's default
    db.usage(f"{today}T09:00:00.000Z", provider="evil", model='<img src=x onerror="window.__pwned=1">', prompt=10, completion=1)
    with running_server(base, {"USAGE_DB": str(db.path), "USAGE_AUTO_REFRESH_SECONDS": "2"}) as srv:
        yield srv, db


@pytest.fixture
def axiom_page(browser, axiom):
    """A page on the Axiom-database server."""
    yield from fresh_page(browser, axiom[0])
