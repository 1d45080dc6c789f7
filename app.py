"""Token usage and cost dashboard for AI agent systems: `streamlit run app.py`.

The admin gate runs here before navigation and again at the top of every page script
(`page_chrome`), so nothing from the data, not even a provider name, is sent to a browser
that has not logged in, however the page was reached. Token Usage is the default page.
The menu and the gate are in pages/common/__init__.py, shared with the page scripts.
"""

from __future__ import annotations

import streamlit as st

from pages.common import PAGE_TITLE, run_app

st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide")
run_app()
