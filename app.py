"""Token usage and cost dashboard for AI agent systems: `streamlit run app.py`.

The admin gate runs first, so nothing from the data (not even a provider name) is sent
to a browser that has not logged in. Token Usage is the default page.
"""

from __future__ import annotations

import streamlit as st

from pages.auth import logout_button, require_login

st.set_page_config(page_title="Token Usage", page_icon=":material/bar_chart:", layout="wide")

require_login()

navigation = st.navigation(
    [st.Page("pages/token_usage.py", title="Token Usage", icon=":material/bar_chart:", default=True)]
)
logout_button()
navigation.run()
