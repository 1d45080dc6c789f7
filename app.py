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
require_login()
st.navigation(
    [st.Page("pages/token_usage.py", title="Token Usage", icon=":material/bar_chart:", default=True)],
    position="top",
).run()
