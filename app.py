"""Token usage and cost dashboard for AI agent systems: `streamlit run app.py`.

The admin gate runs here before navigation and again at the top of every page script
(`page_chrome`), so nothing from the data, not even a provider name, is sent to a browser
that has not logged in, however the page was reached. Token Usage is the default page.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config

from pages.common import PAGE_TITLE
from pages.common.auth import require_login

st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide")
PAGES = [
    st.Page("pages/token_usage.py", title="Token Usage", icon=":material/bar_chart:", default=True),
    st.Page("pages/agents.py", title="Agents", icon=":material/smart_toy:"),
    st.Page("pages/tier2.py", title="Tier 2 & rotations", icon=":material/autorenew:"),
    st.Page("pages/sessions.py", title="Sessions", icon=":material/forum:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
]

# Before login, st.navigation is called first, with the menu hidden. Streamlit switches its
# page registry at the first st.navigation call of a server process; when that first call
# came with the first login, another browser's Sign in pressed at that moment was dropped
# (two browsers signing in together on a fresh server, measured; the browser test
# test_two_browsers_signing_in_together_on_a_fresh_server_both_get_in). Streamlit's AppTest
# (global.appTest) then replays the next run on the registered page, where the login form's
# submission no longer matches, so under AppTest the call is skipped; the browser test
# covers this path on the real server.
if not st.session_state.get("authenticated") and not config.get_option("global.appTest"):
    st.navigation(PAGES, position="hidden")
require_login()
st.navigation(PAGES, position="top").run()
