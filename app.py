"""Token usage and cost dashboard for AI agent systems: `streamlit run app.py`.

The admin gate runs here before navigation and again at the top of every page script
(`page_chrome`), so nothing from the data, not even a provider name, is sent to a browser
that has not logged in, however the page was reached. Token Usage is the default page.
The menu and the gate are in pages/common/__init__.py, shared with the page scripts.

This file is read twice. `streamlit run app.py` imports it as a module (it finds `app`, an
st.App) and serves that: the app plus two HTTP routes that set and clear the stay-signed-in
cookie, which a script run cannot do over its websocket. Each browser session then runs it
as a script (`__main__`, also under AppTest), which draws the gate and the pages.
"""

from __future__ import annotations

import streamlit as st

from pages.common import PAGE_TITLE, run_app
from pages.common.auth import login_routes

if __name__ == "__main__":
    st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide")
    run_app()
else:
    app = st.App(__file__, routes=login_routes())
