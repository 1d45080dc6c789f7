"""The Token Usage page through Streamlit's AppTest, on the pinned Streamlit.

Expected numbers come from the CLI's JSON for the same filter state (the CLI itself is
checked against a plain-Python oracle in test_usage/test_cli) or from hand-worked rows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from factories import ROOT, oracle_usd, shown, texts

PASSWORD = "correct horse battery staple"
TODAY = datetime.now(timezone.utc).date()


@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the password set and no cached config, data or login throttle."""
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)  # AppTest reads .streamlit/config.toml from the working directory
    st.cache_data.clear()
    st.cache_resource.clear()


def new_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    return at


def logged_in(**query: str) -> AppTest:
    at = new_app(**query)
    at.run()
    assert not at.exception
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def kpis(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_count(at: AppTest) -> int:
    """How many Vega-Lite charts the page drew (AppTest shows them as unknown elements)."""
    return sum(1 for e in at.main if getattr(e, "type", "") == "vega_lite_chart")


def cli_json(*args: str) -> dict:
    """The CLI's report for a filter state, in-process (same environment as the app)."""
    import contextlib
    import io

    import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["report", "--format", "json", *args]) == 0
    return json.loads(out.getvalue())


def expected_kpis(report: dict) -> dict[str, str]:
    t = report["totals"]
    cost = t["estimated_cost"]
    return {"Requests": f"{t['requests']:,}", "Total Tokens": f"{t['total_tokens']:,}",
            "Estimated Cost": oracle_usd(cost)}


# --- the gate -------------------------------------------------------------------------

def test_nothing_from_the_data_is_shown_before_login():
    at = new_app(provider="anthropic")
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Admin password" in [t.label for t in at.text_input]
    assert not at.metric and not at.selectbox
    for name in ("anthropic", "openai", "claude", "gpt-", "llama"):
        assert name not in page


def test_a_wrong_password_is_refused():
    at = new_app()
    at.run()
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert not at.exception
    assert "Wrong password." in [e.value for e in at.error]
    assert not at.metric


def test_the_right_password_opens_the_token_usage_page():
    at = logged_in()
    assert [t.value for t in at.title] == ["Token Usage"]
    assert list(kpis(at)) == ["Requests", "Total Tokens", "Estimated Cost"]


def test_after_five_wrong_tries_even_the_right_password_must_wait():
    at = new_app()
    at.run()
    for _ in range(5):
        at.text_input(key="login_password").input("wrong")
        at.button[0].click().run()
    assert any("wait" in e.value for e in at.error)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert any("Too many wrong passwords" in e.value for e in at.error)
    assert not at.metric


def test_the_delay_holds_for_a_new_session_of_the_same_browser():
    first = new_app()
    first.run()
    for _ in range(5):
        first.text_input(key="login_password").input("wrong")
        first.button[0].click().run()
    second = new_app()
    second.run()
    second.text_input(key="login_password").input(PASSWORD)
    second.button[0].click().run()
    assert not second.exception
    assert any("Too many wrong passwords" in e.value for e in second.error)


def test_log_out_returns_to_the_login_form():
    at = logged_in()
    at.button(key="logout").click().run()
    assert not at.exception
    assert not at.metric
    assert "Admin password" in [t.label for t in at.text_input]


def test_a_salted_hash_in_the_environment_works(monkeypatch: pytest.MonkeyPatch):
    import hashlib

    salt = bytes(range(16))
    digest = hashlib.pbkdf2_hmac("sha256", b"hashed secret", salt, 1000).hex()
    monkeypatch.delenv("ADMIN_PASSWORD")
    monkeypatch.setenv("ADMIN_PASSWORD_HASH", f"pbkdf2_sha256$1000${salt.hex()}${digest}")
    at = new_app()
    at.run()
    at.text_input(key="login_password").input("hashed secret")
    at.button[0].click().run()
    assert not at.exception
    assert at.metric


def test_without_a_configured_password_the_login_form_points_at_the_server_log(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ADMIN_PASSWORD")
    at = new_app()
    at.run()
    assert not at.exception
    assert any("printed to the server's log" in e.value for e in at.info)
    at.text_input(key="login_password").input("")
    at.button[0].click().run()
    assert not at.metric


# --- numbers and filters ----------------------------------------------------------------

@pytest.mark.parametrize("preset", ["today", "yesterday", "7d", "30d", "90d", "this-month", "last-month"])
def test_each_preset_shows_the_clis_numbers_for_its_days(preset: str):
    at = logged_in()
    at.selectbox(key="f_range").set_value(preset).run()
    assert not at.exception
    days = {
        "today": (TODAY, TODAY),
        "yesterday": (TODAY - timedelta(days=1), TODAY - timedelta(days=1)),
        "7d": (TODAY - timedelta(days=6), TODAY),
        "30d": (TODAY - timedelta(days=29), TODAY),
        "90d": (TODAY - timedelta(days=89), TODAY),
        "this-month": (TODAY.replace(day=1), TODAY),
        "last-month": ((TODAY.replace(day=1) - timedelta(days=1)).replace(day=1), TODAY.replace(day=1) - timedelta(days=1)),
    }[preset]
    expected = cli_json("--from", days[0].isoformat(), "--until", days[1].isoformat())
    assert kpis(at) == expected_kpis(expected)


def test_kpis_and_table_match_the_cli_for_a_provider_and_model():
    at = logged_in()
    at.selectbox(key="f_provider").set_value("anthropic").run()
    at.selectbox(key="f_model").set_value("claude-opus-4-7").run()
    assert not at.exception
    expected = cli_json("--days", "30", "--provider", "anthropic", "--model", "claude-opus-4-7")
    assert kpis(at) == expected_kpis(expected)
    table = at.get("html")[0].proto.body
    assert table.count("<tr>") == 1 + len(expected["breakdown"])  # header + rows (totals row has a class)
    assert f"{expected['totals']['prompt_tokens']:,}" in table


def test_models_are_scoped_to_the_selected_provider():
    at = logged_in()
    at.selectbox(key="f_provider").set_value("openai").run()
    assert at.selectbox(key="f_model").options == ["All models", "gpt-4o", "gpt-4o-mini"]


def test_picking_a_provider_clears_the_model_filter():
    at = logged_in()
    at.selectbox(key="f_model").set_value("gpt-5.4").run()
    assert at.selectbox(key="f_model").value == "gpt-5.4"
    at.selectbox(key="f_provider").set_value("anthropic").run()
    assert not at.exception
    assert at.selectbox(key="f_model").value == ""


def test_a_shared_link_opens_that_exact_view_after_login():
    start, end = TODAY - timedelta(days=20), TODAY - timedelta(days=10)
    at = logged_in(range="custom", **{"from": start.isoformat(), "until": end.isoformat()},
                   provider="openai", model="gpt-4o")
    assert at.selectbox(key="f_range").value == "custom"
    assert at.date_input(key="f_from").value == start
    assert at.date_input(key="f_until").value == end
    assert at.selectbox(key="f_provider").value == "openai"
    assert at.selectbox(key="f_model").value == "gpt-4o"
    expected = cli_json("--from", start.isoformat(), "--until", end.isoformat(), "--provider", "openai",
                        "--model", "gpt-4o")
    assert kpis(at) == expected_kpis(expected)
    assert at.query_params["provider"] == "openai"
    assert at.query_params["from"] == start.isoformat()


def test_changing_a_filter_writes_it_into_the_link():
    at = logged_in()
    at.selectbox(key="f_range").set_value("7d").run()
    at.selectbox(key="f_provider").set_value("openai-codex").run()
    assert at.query_params["range"] == "7d"
    assert at.query_params["provider"] == "openai-codex"


@pytest.mark.parametrize("query", [
    {"range": "forever"},
    {"range": "custom", "from": "2026-13-45", "until": "yesterday"},
    {"range": "custom", "from": "2026-05-01", "until": "2026-04-01"},
    {"range": "custom", "from": "0001-01-01", "until": "9999-12-31"},
    {"provider": "' OR 1=1 --"},
    {"provider": "x" * 5000},
    {"model": "<script>alert(1)</script>"},
    {"provider": "anthropic", "model": "gpt-4o"},
])
def test_a_malformed_link_falls_back_to_the_default_with_a_notice(query: dict[str, str]):
    at = logged_in(**query)
    assert not at.exception
    notices = [c.value for c in at.caption if ":material/info:" in c.value]
    assert notices, "a notice says what was ignored"
    assert at.metric  # the page still shows numbers
    assert "<script>" not in "".join(e.proto.body for e in at.get("html"))


# --- empty states and the initiator chart -------------------------------------------

def test_an_empty_database_says_no_token_usage_yet(axiom_db, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in()
    assert [e.value for e in at.info] == ["No token usage yet."]
    assert not at.metric and not at.selectbox and chart_count(at) == 0 and not at.get("html")


def test_filters_that_match_nothing_keep_zero_kpis_and_replace_charts_and_table(monkeypatch: pytest.MonkeyPatch):
    at = logged_in(range="custom", **{"from": "2020-01-01", "until": "2020-01-31"})
    assert kpis(at) == {"Requests": "0", "Total Tokens": "0", "Estimated Cost": "$0.00"}
    assert "No usage matches these filters." in [e.value for e in at.info]
    assert chart_count(at) == 0 and not at.get("html")


def test_rows_without_tokens_show_the_no_daily_usage_message(axiom_db, monkeypatch: pytest.MonkeyPatch):
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=0, completion=0)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="7d")
    assert kpis(at)["Requests"] == "1"
    assert "No daily usage to chart for the current filters." in [e.value for e in at.info]


def test_the_initiator_chart_is_hidden_when_only_the_main_agent_used_tokens(axiom_db, monkeypatch):
    axiom_db.session("chat", type="interactive", source="telegram")
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=100, completion=20, session_id="chat")
    axiom_db.usage(f"{TODAY}T11:00:00.000Z", prompt=50, completion=5, session_id=None)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="7d")
    assert chart_count(at) == 1
    assert "Main Agent vs. Task Agent vs. Heartbeat" not in [s.value for s in at.subheader]


def test_the_initiator_chart_appears_with_heartbeat_tokens(axiom_db, monkeypatch):
    axiom_db.session("hb", type="heartbeat", source="task")
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=100, completion=20, session_id="hb")
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="7d")
    assert chart_count(at) == 2
    assert "Main Agent vs. Task Agent vs. Heartbeat" in [s.value for s in at.subheader]


def test_hand_worked_costs_and_the_unpriced_notice(axiom_db, write_settings, monkeypatch):
    # claude-sonnet-4-20250514 is an Axiom default at $3/$15 per 1M: 1M prompt + 100k completion = $4.50.
    axiom_db.usage(f"{TODAY} 09:00:00", model="claude-sonnet-4-20250514", prompt=1_000_000, completion=100_000)
    # A stored cost wins over the price: $0.25.
    axiom_db.usage(f"{TODAY} 09:30:00", model="claude-sonnet-4-20250514", prompt=1_000_000, cost=0.25)
    # Nobody prices this one: $0.00 and listed.
    axiom_db.usage(f"{TODAY} 10:00:00", provider="local", model="my-llm", prompt=500, completion=50)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    monkeypatch.setenv("USAGE_SETTINGS", str(write_settings({"tokenPriceTable": {}})))
    at = logged_in(range="today")
    assert kpis(at) == {"Requests": "3", "Total Tokens": "2,100,550", "Estimated Cost": "$4.75"}
    assert any("my-llm" in shown(w.value) and "$0.00" in shown(w.value) for w in at.warning)
    assert '"my-llm"' in at.code[0].value
    table = at.get("html")[0].proto.body
    assert "$4.75" in table and "(100%)" in table and "(0%)" in table


def test_a_missing_database_is_a_clear_message_without_the_path(tmp_path, monkeypatch):
    missing = tmp_path / "secret-location" / "openagent.db"
    monkeypatch.setenv("USAGE_DB", str(missing))
    at = logged_in()
    assert not at.exception
    assert any("No database" in e.value for e in at.error)
    assert "secret-location" not in texts(at)


def test_a_foreign_database_names_the_tables_it_expected(tmp_path, monkeypatch):
    import sqlite3

    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    monkeypatch.setenv("USAGE_DB", str(other))
    at = logged_in()
    assert not at.exception
    message = " ".join(shown(e.value) for e in at.error)
    assert "token_usage" in message and "customers" in message


def test_malformed_settings_warn_and_the_page_keeps_working(monkeypatch):
    monkeypatch.setenv("USAGE_AUTO_REFRESH_SECONDS", "soon")
    monkeypatch.setenv("USAGE_TZ", "Mars/Olympus")
    at = logged_in()
    assert not at.exception
    warnings = " ".join(shown(w.value) for w in at.warning)
    assert "USAGE_AUTO_REFRESH_SECONDS" in warnings and "USAGE_TZ" in warnings
    assert at.metric


def test_demo_data_is_labelled():
    at = logged_in()
    assert "Demo data" in [b.proto.label for b in at.get("badge")] or "Demo data" in texts(at)


def test_refresh_rereads_the_database(axiom_db, monkeypatch):
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=10, completion=1)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="today")
    assert kpis(at)["Requests"] == "1"
    axiom_db.usage(f"{TODAY} 11:00:00", prompt=10, completion=1)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Requests"] == "2"


def test_every_script_streamlit_could_run_as_a_page_starts_with_the_gate():
    # Until a server process first calls st.navigation, Streamlit runs pages/*.py directly.
    scripts = [p for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"]
    assert scripts
    for script in scripts:
        assert "page_chrome()" in script.read_text(encoding="utf-8"), script.name


def test_a_page_script_run_directly_shows_only_the_login_form():
    at = AppTest.from_file(str(ROOT / "pages" / "token_usage.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "Admin password" in [t.label for t in at.text_input]
    assert not at.metric and "anthropic" not in texts(at)


def test_the_environment_password_wins_over_a_hash_in_secrets():
    import hashlib

    salt = bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", b"the file's password", salt, 1000).hex()
    at = new_app()
    at.secrets["admin_password_hash"] = f"pbkdf2_sha256$1000${salt.hex()}${digest}"
    at.run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.metric


def test_secrets_toml_is_used_when_the_environment_has_no_password(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ADMIN_PASSWORD")
    at = new_app()
    at.secrets["admin_password"] = "from secrets"
    at.run()
    at.text_input(key="login_password").input("from secrets")
    at.button[0].click().run()
    assert not at.exception
    assert at.metric


def test_nothing_is_read_before_login(isolated_environment):
    # The demo database is created on first read; before login it must not even exist.
    at = new_app()
    at.run()
    assert not at.exception
    assert not list(isolated_environment.rglob("demo-*.db"))
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert list(isolated_environment.rglob("demo-*.db"))


def test_one_sessions_logout_leaves_another_session_logged_in():
    first, second = logged_in(), logged_in()
    first.button(key="logout").click().run()
    assert not first.metric
    second.run()
    assert not second.exception
    assert second.metric


def test_the_generated_password_is_printed_once_per_server(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.delenv("ADMIN_PASSWORD")
    for _ in range(3):
        new_app().run()
    printed = capsys.readouterr().out
    assert printed.count("generated admin password") == 1


# --- faults while running (the mirror keeps serving; Refresh recovers) -----------------

def test_a_database_replaced_while_running_is_reopened_on_refresh(axiom_db, make_axiom_db, monkeypatch):
    import os

    axiom_db.usage(f"{TODAY} 10:00:00", prompt=10, completion=1)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="today")
    assert kpis(at)["Requests"] == "1"
    other = make_axiom_db("replacement.db")
    for hour in (10, 11, 12):
        other.usage(f"{TODAY} {hour}:00:00", prompt=10, completion=1)
    os.replace(other.path, axiom_db.path)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Requests"] == "3"


def test_a_database_deleted_while_running_keeps_the_page_and_recovers(axiom_db, tmp_path, monkeypatch):
    import shutil

    axiom_db.usage(f"{TODAY} 10:00:00", prompt=10, completion=1)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="today")
    backup = tmp_path / "backup.db"
    shutil.move(axiom_db.path, backup)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert any("No database" in e.value for e in at.error)
    assert not at.metric
    shutil.move(backup, axiom_db.path)
    axiom_db.usage(f"{TODAY} 11:00:00", prompt=10, completion=1)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Requests"] == "2"


def test_a_wal_database_in_a_read_only_directory_explains_and_recovers_on_refresh(tmp_path, read_only_dir,
                                                                                 monkeypatch):
    from factories import wal_axiom_db

    db = wal_axiom_db(tmp_path / "ro")
    read_only_dir.lock(db.path.parent)
    monkeypatch.setenv("USAGE_DB", str(db.path))
    at = logged_in(range="custom", **{"from": "2026-03-01", "until": "2026-03-31"})
    assert not at.exception
    assert any("-shm" in e.value and "not writable" in e.value for e in at.error)
    assert str(tmp_path) not in texts(at)
    read_only_dir.unlock(db.path.parent)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Requests"] == "1"


def test_settings_broken_mid_run_keep_prices_with_a_warning(axiom_db, write_settings, monkeypatch):
    axiom_db.usage(f"{TODAY} 10:00:00", model="my-model", prompt=1_000_000, completion=0)
    settings = write_settings({"tokenPriceTable": {"my-model": {"input": 2, "output": 0}}})
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    monkeypatch.setenv("USAGE_SETTINGS", str(settings))
    at = logged_in(range="today")
    assert kpis(at)["Estimated Cost"] == "$2.00"
    settings.write_text("{ half written", encoding="utf-8")
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Estimated Cost"] == "$2.00"
    assert any("keeping the prices last read" in w.value for w in at.warning)
    settings.write_text('{"tokenPriceTable": {"my-model": {"input": 3, "output": 0}}}', encoding="utf-8")
    at.button(key="refresh").click().run()
    assert kpis(at)["Estimated Cost"] == "$3.00"


def test_a_database_damaged_in_place_keeps_serving_the_mirror_with_a_warning(axiom_db, monkeypatch):
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=10, completion=1)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = logged_in(range="today")
    original = axiom_db.path.read_bytes()
    with open(axiom_db.path, "r+b") as handle:  # same file, same inode: truncated to garbage
        handle.truncate(0)
        handle.write(b"not a database any more" * 10)
    at.button(key="refresh").click().run()
    assert not at.exception
    assert any("could not be re-read just now" in shown(w.value) for w in at.warning)
    assert kpis(at)["Requests"] == "1"
    axiom_db.path.write_bytes(original)
    at.button(key="refresh").click().run()
    assert not any("could not be re-read" in shown(w.value) for w in at.warning)
    assert kpis(at)["Requests"] == "1"


def test_breakdown_names_each_price_source_and_never_shows_a_silent_zero(axiom_db, write_settings, monkeypatch):
    # gpt-4o: the agent stored $3.00 for 1M prompt tokens, Axiom's default price says $2.50 (+20 %).
    axiom_db.usage(f"{TODAY} 09:00:00", provider="openai", model="gpt-4o", prompt=1_000_000, cost=3.0)
    # my-llm: no stored cost and no price anywhere.
    axiom_db.usage(f"{TODAY} 10:00:00", provider="local", model="my-llm", prompt=500, completion=50)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    monkeypatch.setenv("USAGE_SETTINGS", str(write_settings({"tokenPriceTable": {}})))
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")
    at = logged_in(range="today")
    assert not at.exception
    table = at.get("html")[0].proto.body
    assert "Price from" in table
    gpt_row = table[table.index("gpt-4o"):].split("</tr>")[0]
    assert "$3.00" in gpt_row and "stored cost" in gpt_row and "stored $3.00 vs $2.50 by price (+20.0%)" in gpt_row
    llm_row = table[table.index("my-llm"):].split("</tr>")[0]
    assert ">unpriced<" in llm_row and "$0.00" not in llm_row
