"""Token usage and cost dashboard for AI agent systems: `streamlit run app.py`.

The admin gate runs here before navigation and again at the top of every page script
(`page_chrome`), so nothing from the data, not even a provider name, is sent to a browser
that has not logged in, however the page was reached. Token Usage is the default page.
"""

from __future__ import annotations

import streamlit as st

from pages.common import PAGE_TITLE
from pages.common.auth import require_login

st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide")
# st.navigation comes first, in every run, logged in or not: the first call of a server process
# switches Streamlit out of its "pages directory" mode, and when that happened on the first
# login, another session's Sign in pressed at that moment was dropped (measured with two
# browsers signing in together; tests/browser/test_load.py). Before login the menu is hidden.
navigation = st.navigation(
    [st.Page("pages/token_usage.py", title="Token Usage", icon=":material/bar_chart:", default=True)],
    position="top" if st.session_state.get("authenticated") else "hidden",
)
require_login()
navigation.run()
