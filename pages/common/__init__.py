"""What the page scripts share: the menu, the gate, cached data access, filters, charts and tables.

Streamlit has a compatibility mode for apps with a `pages/` folder: until some script of
the server process has called `st.navigation`, it serves each request through a shim that
lists app.py and every `pages/*.py` as pages and runs the requested one directly. A link
to /agents that is the first request of a freshly started server therefore runs
pages/agents.py without app.py, and that session never got the menu (measured on
Streamlit 1.67; the browser test test_a_link_to_a_page_on_a_fresh_server_gets_the_menu).
So the menu and the gate live here: app.py calls `run_app()`, and each page script starts
with `page_chrome()`, which runs the gate itself and, when the shim ran the page, draws
the same menu (the call also ends the shim for the process).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit import config

from pages.common.auth import is_signed_in, require_login, send_pending_cookie
from pages.common.data import configured_capabilities
from queries.sources.base import Capability

PAGE_TITLE = "Token Usage"
PAGES_DIR = Path(__file__).resolve().parent.parent

# Set while app.py's navigation runs a page script; a script run happens on one thread.
_inside_app = threading.local()


@dataclass(frozen=True)
class PageSpec:
    """One page of the menu and what it needs: a source that provides ANY of `needs` (none: always shown).

    This table is the one place a page's needs are declared: the menu filters on it and the page
    script asks `page_needs(__file__)` for the same capabilities before drawing.
    """

    file: str
    title: str
    icon: str
    needs: frozenset[Capability] = frozenset()
    default: bool = False

    def fits(self, capabilities: frozenset[Capability] | None) -> bool:
        """Whether some configured source can fill this page (None: not known, so shown)."""
        return capabilities is None or not self.needs or bool(self.needs & capabilities)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("token_usage.py", "Token Usage", ":material/bar_chart:", default=True),
    PageSpec("agents.py", "Agents", ":material/smart_toy:", frozenset({Capability.AGENTS})),
    PageSpec("tier2.py", "Tier 2 & rotations", ":material/autorenew:", frozenset({Capability.TIER2})),
    PageSpec("sessions.py", "Sessions", ":material/forum:", frozenset({Capability.SESSIONS})),
    PageSpec("compare.py", "Compare", ":material/compare_arrows:",
             frozenset({Capability.REQUESTS, Capability.DAILY_USAGE})),
    PageSpec("budgets.py", "Budgets", ":material/savings:", frozenset({Capability.REQUESTS, Capability.DAILY_USAGE})),
    PageSpec("blocks.py", "Usage windows", ":material/timer:", frozenset({Capability.BLOCKS})),
)


def page_needs(script: str | Path) -> frozenset[Capability]:
    """What the page script `script` (its `__file__`) needs, from PAGES."""
    name = Path(script).name
    return next(p.needs for p in PAGES if p.file == name)


def menu_specs(capabilities: frozenset[Capability] | None) -> list[PageSpec]:
    """The pages some configured source can fill, in menu order (all of them when not known)."""
    return [p for p in PAGES if p.fits(capabilities)]


def app_pages() -> list:
    """The menu, in order: only the pages that some configured source can fill (by capability);
    Token Usage is the default page."""
    return [st.Page(PAGES_DIR / p.file, title=p.title, icon=p.icon, default=p.default)
            for p in menu_specs(configured_capabilities())]


def _gate_with_menu():
    """The login form until this session has signed in, then the menu; returns the page asked for.

    Before login st.navigation is called first, with the menu hidden: Streamlit switches its
    page registry at the first st.navigation call of a server process, and when that first
    call came with the first login, another browser's Sign in pressed at that moment was
    dropped (test_two_browsers_signing_in_together_on_a_fresh_server_both_get_in). Streamlit's
    AppTest (global.appTest) replays the next run on the registered page, where the login
    form's submission no longer matches, so under AppTest that call is skipped; the browser
    tests cover this path on the real server.
    """
    if not is_signed_in() and not config.get_option("global.appTest"):
        st.navigation(app_pages(), position="hidden")
    require_login()
    send_pending_cookie()  # right after a password login: the browser fetches its stay-signed-in cookie
    return st.navigation(app_pages(), position="top")


def run_app() -> None:
    """app.py: the gate, the menu, then the page asked for."""
    page = _gate_with_menu()
    _inside_app.active = True
    try:
        page.run()
    finally:
        _inside_app.active = False


def page_chrome() -> None:
    """Wide layout, then the admin gate (it stops the script before login); the menu too when
    Streamlit's pages-folder shim ran this page without app.py."""
    st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide",
                       initial_sidebar_state="collapsed")
    if getattr(_inside_app, "active", False) or config.get_option("global.appTest"):
        require_login()  # app.py drew the menu; AppTest runs a page file alone, without a menu
    else:
        _gate_with_menu()  # the page it returns is this very script, already running
