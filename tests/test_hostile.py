"""Hostile input: query parameters, CLI arguments and stored model names chosen to break things.

Property-based (Hypothesis): whatever arrives, the page renders without an exception, the
CLI answers 0 or 2 with a one-line message, and data from the database is shown as text,
never as markup.
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

import cli
from factories import ROOT, hostile_text, plain
from pages.common.tables import breakdown_html
from queries.usage import BreakdownRow, Totals

PASSWORD = "hostile-test-password"

NASTY_TEXT = hs.one_of(
    hostile_text(),
    hs.sampled_from([
        "", " ", "'", "\"", "' OR 1=1 --", "'); DROP TABLE token_usage; --", "%", "_", "\\", "\x00",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}", "${jndi:x}",
        "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13-01", "20260101", "-1", "1e309",
        "today", "custom", "7d", "30d", "anthropic", "claude-opus-4-7", "x" * 10_000, "日本語", "🙂" * 50,
        "2026-11-23T00:00:00Z", "NaN", "None", "null", "[]", "{}",
    ]),
)
PARAM_KEYS = hs.sampled_from(["range", "from", "until", "provider", "model", "unknown", "range[]", ""])


@pytest.fixture(autouse=True)
def app_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)


def logged_in_with(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    return at


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(hs.dictionaries(PARAM_KEYS, NASTY_TEXT, max_size=5))
def test_any_query_parameters_render_a_page_without_an_exception(query):
    st.cache_resource.clear()  # a fresh login throttle per example
    at = logged_in_with(query)
    assert not at.exception
    assert [m.label for m in at.metric] == ["Requests", "Total Tokens", "Estimated Cost"]
    for caption in at.caption:  # the notices quote the link's values: as text, never markup
        if caption.value.startswith(":material/info:"):
            plain(caption.value)
    for html in at.get("html"):
        assert "<script" not in html.proto.body.lower() and "onerror" not in html.proto.body.lower()


CLI_VALUE = hs.one_of(NASTY_TEXT.filter(lambda s: "\x00" not in s), hs.integers(-10**12, 10**12).map(str))


@settings(max_examples=150, deadline=None)
@given(flag_values=hs.lists(hs.tuples(hs.sampled_from(["--from", "--until", "--days", "--provider", "--model",
                                                        "--tz", "--format", "--source", "--settings"]),
                                       CLI_VALUE), max_size=4))
def test_any_cli_arguments_exit_0_or_2_with_a_message_and_no_traceback(flag_values):
    args = ["report"] + [part for flag, value in flag_values for part in (flag, value)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(args)
        except SystemExit as exit_:  # argparse's own refusal of a malformed flag
            code = exit_.code
    assert code in (0, 2), (args, code, err.getvalue()[-500:])
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert err.getvalue().strip(), "a refusal says why"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


OUR_TAGS = {"style", "div", "table", "thead", "tbody", "tr", "th", "td", "code", "b", "span"}


@given(hs.lists(hs.tuples(hostile_text(), hostile_text()), min_size=1, max_size=5))
def test_provider_and_model_names_are_never_markup(names):
    rows = [BreakdownRow(p, m, 1, 1, 1, 2, 0.5, 0.5, False) for p, m in names]
    html = breakdown_html(rows, Totals(len(rows), len(rows), len(rows), 2 * len(rows), 0.5 * len(rows)))
    parser = _Tags()
    parser.feed(html)
    assert set(parser.tags) <= OUR_TAGS
    assert parser.tags.count("code") == len(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=hostile_text().filter(lambda s: s and "\x00" not in s),
       provider=hostile_text(4).filter(lambda s: s and "\x00" not in s))
def test_names_stored_in_the_database_reach_the_cli_unchanged(tmp_path_factory, model, provider):
    from factories import AxiomDB

    db = AxiomDB(tmp_path_factory.mktemp("hostile") / "openagent.db")
    today = datetime.now(timezone.utc).date()
    db.usage(f"{today} 10:00:00", provider=provider, model=model, prompt=7, completion=3)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["report", "--db", str(db.path), "--days", "1", "--format", "json"]) == 0
    import json

    report = json.loads(out.getvalue())
    assert [(b["provider"], b["model"], b["total_tokens"]) for b in report["breakdown"]] == [(provider, model, 10)]
