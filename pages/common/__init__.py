"""What the page scripts share: the gate, cached data access, filters, charts and tables.

These modules live below `pages/common/` on purpose. Streamlit treats every `pages/*.py`
as a page of its own until the first `st.navigation` call of a server process (its
"pages directory" mode), and would then run such a file directly, without `app.py`. So
`pages/` holds only page scripts, and each one starts with `page_chrome()`, which runs
the admin gate itself.
"""

from __future__ import annotations

import streamlit as st

from pages.common.auth import require_login

PAGE_TITLE = "Token Usage"


def page_chrome() -> None:
    """Wide layout, then the admin gate (it stops the script before login)."""
    st.set_page_config(page_title=PAGE_TITLE, page_icon=":material/bar_chart:", layout="wide",
                       initial_sidebar_state="collapsed")
    require_login()
