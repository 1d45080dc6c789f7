"""The Token Usage page on a LiteLLM database, through Streamlit's AppTest (real Postgres, tests/pg.py).

Expected numbers come from tests/pg.py's plain-Python oracle over the inserted rows."""

from __future__ import annotations

import pytest
import streamlit as st

from factories import ROOT, texts
from pg import insert_spend_logs, oracle_totals, random_spend_logs
from test_app import PASSWORD, logged_in  # the same login as the other page tests


@pytest.fixture
def litellm_app(litellm_pg, monkeypatch):
    """The app configured for a seeded LiteLLM database; returns (rows, url)."""
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=5, n=300)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("LITELLM_DATABASE_URL", url)
    monkeypatch.setenv("USAGE_SOURCE", "litellm")
    monkeypatch.setenv("USAGE_DB", "litellm")
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield rows, url
    st.cache_resource.clear()


def test_token_usage_shows_the_litellm_requests_and_the_failure_note(litellm_app):
    from datetime import datetime

    rows, url = litellm_app
    at = logged_in(**{"range": "custom", "from": "2026-03-01", "until": "2026-03-31"})
    assert not at.exception
    expected = oracle_totals(rows, datetime(2026, 3, 1), datetime(2026, 4, 1))
    shown = {m.label: m.value for m in at.metric}
    assert any(value.replace(",", "") == str(expected["requests"]) for value in shown.values()), shown
    page = texts(at)
    assert f"{expected['failed']:,} failed request(s)" in page
    assert url not in page and "s3cret" not in page
    assert "By key, user, team and tag" not in page and "By key, user, team, end user and tag" in page


def test_the_dimension_card_groups_by_team_and_filters_by_tag(litellm_app):
    from pg import oracle_dimension

    rows, _url = litellm_app
    at = logged_in(**{"range": "custom", "from": "2026-03-01", "until": "2026-03-31"})
    from queries.sources.base import Capability

    at.selectbox(key="dim_group").set_value(Capability.TEAM).run()
    assert not at.exception
    at.selectbox(key="dim_filter_tag").set_value("batch").run()
    assert not at.exception
    table = at.dataframe[0].value
    expected: dict = {}
    for r in rows:
        if r.status != "failure" and "batch" in (r.tags or []):
            team = oracle_dimension(r, "team")[0] or "(none)"
            expected[team] = expected.get(team, 0) + 1
    got = {row["Team"]: int(row["Requests"].replace(",", "")) for row in table.to_dict("records")
           if int(row["Requests"].replace(",", ""))}
    assert got == expected


def test_the_dimension_card_is_not_drawn_for_a_source_without_dimensions(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = logged_in()
    assert not at.exception
    assert "By key, user, team" not in texts(at)
