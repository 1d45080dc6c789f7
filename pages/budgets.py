"""Budgets: each budget's month to date and forecast, cost per day against the daily budget with the
unusual days flagged, and what the range would have cost on another model (issue 14)."""

from __future__ import annotations

import streamlit as st

from pages.common import page_chrome
from pages.common.budgets import budget_file, cost_chart_card, file_problems, status_card, what_if_card
from pages.common.data import current_source
from pages.common.views import open_page, range_picker
from queries.usage import Filters

TITLE = "Budgets"
DESCRIPTION = "Month-to-date spend against each budget, the forecast to the month's end, unusual days, and what-if pricing."
ALL = "All"


def render() -> None:
    dataset = open_page(TITLE, DESCRIPTION)
    if dataset is None or not dataset.catalog.pairs:
        return
    read = budget_file()
    file_problems(read)
    status_card(read)
    with st.container(border=True):
        rng = range_picker("budgets")
        left, right = st.columns(2)
        provider = left.selectbox("Provider", [ALL, *dataset.catalog.providers()], key="budgets_provider")
        provider = None if provider == ALL else provider
        model = right.selectbox("Model", [ALL, *dataset.catalog.models(provider)], key="budgets_model")
    filters = Filters(rng, provider, None if model == ALL else model, current_source())  # the page's Source
    cost_chart_card(read, filters)
    what_if_card(filters, dataset.catalog.models())


page_chrome()
render()
