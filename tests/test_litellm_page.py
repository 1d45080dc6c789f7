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


def test_the_dimension_card_groups_by_team_and_follows_the_toolbar_tag_filter(litellm_app):
    from pg import oracle_dimension

    rows, _url = litellm_app
    at = logged_in(**{"range": "custom", "from": "2026-03-01", "until": "2026-03-31"})
    from queries.sources.base import Capability

    at.selectbox(key="dim_group").set_value(Capability.TEAM).run()
    assert not at.exception
    at.selectbox(key="f_tag").set_value("batch").run()
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


MARCH_LINK = {"range": "custom", "from": "2026-03-01", "until": "2026-03-31"}


def requests_shown(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Requests").replace(",", ""))


def oracle_requests(rows, **where) -> int:
    from datetime import datetime

    from pg import oracle_dimension

    matching = [r for r in rows if all(v in oracle_dimension(r, f) for f, v in where.items())]
    return oracle_totals(matching, datetime(2026, 3, 1), datetime(2026, 4, 1))["requests"]


def test_a_tag_in_the_link_narrows_the_kpis_and_stays_in_the_link(litellm_app):
    rows, _url = litellm_app
    at = logged_in(**MARCH_LINK, tag="batch", team="Platform")
    assert not at.exception
    expected = oracle_requests(rows, tag="batch", team="Platform")
    assert 0 < expected < oracle_requests(rows)
    assert requests_shown(at) == expected
    assert at.query_params["tag"] == "batch" and at.query_params["team"] == "Platform"


def test_the_toolbar_key_filter_narrows_the_page_and_writes_the_link(litellm_app):
    rows, _url = litellm_app
    at = logged_in(**MARCH_LINK)
    assert requests_shown(at) == oracle_requests(rows)
    key_box = at.selectbox(key="f_key")
    assert "key 33333333…" in key_box.options and not any("3" * 9 in str(o) for o in key_box.options)
    key_box.set_value("key 33333333…").run()
    assert not at.exception
    assert requests_shown(at) == oracle_requests(rows, api_key="key 33333333…")
    assert at.query_params["key"] == "key 33333333…"


def test_hostile_or_unknown_dimension_values_in_the_link_are_ignored_with_a_note(litellm_app):
    rows, _url = litellm_app
    hash_like = "f" * 64
    at = logged_in(**MARCH_LINK, key=hash_like, tag="<script>alert(1)</script>", user="x" * 600,
                   end_user="customer-7")
    assert not at.exception
    assert requests_shown(at) == oracle_requests(rows, end_user="customer-7")  # the good one still applies
    page = texts(at)
    assert "Key in the link has no data; showing all keys." in page
    assert "f" * 16 not in page
    assert "Tag '<script>alert(1)</script>' in the link has no data; showing all tags." in page
    assert "showing all users" in page and "x" * 41 not in page
    assert "key" not in at.query_params and "tag" not in at.query_params


def test_dimension_values_in_the_link_of_a_source_without_them_are_ignored_with_a_note(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = logged_in(tag="prod", key="ci-bot")
    assert not at.exception
    page = texts(at)
    assert "This data has no tags; the tag= filter in the link is ignored." in page
    assert "This data has no keys; the key= filter in the link is ignored." in page
    assert at.metric and "tag" not in at.query_params
    assert not [b for b in at.selectbox if b.key in ("f_key", "f_tag")]
