"""The agentx pages (Agents, Tier 2 & rotations, Sessions, Compare) through Streamlit's AppTest.

Every expected number comes from the CLI's JSON for the same data and range, run
in-process in the same environment (the CLI is checked against plain-Python oracles in
test_agentx / test_cli_agentx / test_sessions), formatted with the page's formatters.
Data are real SQLite files and JSONL logs built by the factories; nothing is mocked.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from factories import ROOT, DailyUsage, Rotation, TaskRow, texts
from pages.common.views import duration
from queries.formatting import fmt_int, fmt_usd

PASSWORD = "correct horse battery staple"
TODAY = datetime.now(timezone.utc).date()
MARCH = ("2026-03-01", "2026-03-30")
HOSTILE = "<b>x</b>**y**[z](http://e.test) $1$ :red[r]"


@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(page: str) -> AppTest:
    """Log in, then switch to `pages/<page>.py`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    run(at)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    run(at)
    at.switch_page(f"pages/{page}.py")
    return run(at)


def open_page_by_link(page: str) -> AppTest:
    """Log in on `pages/<page>.py` itself: a page the menu does not list, reached by its link
    (Streamlit's pages-folder shim runs the script without app.py)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=90)
    run(at)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    return run(at)


def pick_range(at: AppTest, prefix: str, start: str, end: str) -> AppTest:
    at.selectbox(key=f"{prefix}_range").set_value("custom")
    run(at)
    at.date_input(key=f"{prefix}_from").set_value(date.fromisoformat(start))
    at.date_input(key=f"{prefix}_until").set_value(date.fromisoformat(end))
    return run(at)


def cli(*args: str):
    import cli as cli_module

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert cli_module.main([*args, "--format", "json"]) == 0
    return json.loads(out.getvalue())


def table(at: AppTest, index: int = 0) -> list[dict[str, str]]:
    return at.dataframe[index].value.to_dict("records")


# --- Agents -----------------------------------------------------------------------------

def test_agents_table_matches_the_cli(random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    at = pick_range(open_page("agents"), "agents", *MARCH)
    expected = cli("agents", "--from", MARCH[0], "--until", MARCH[1])
    assert expected, "the seeded data has agents in March"
    shown = table(at)
    assert [r["Agent"] for r in shown] == [e["agent_id"] for e in expected]
    for row, e in zip(shown, expected):
        assert row["Est. cost"] == fmt_usd(e["estimated_cost"])
        assert row["Input"] == fmt_int(e["input_tokens"]) and row["Output"] == fmt_int(e["output_tokens"])
        assert row["Cache read"] == fmt_int(e["cache_read_tokens"])
        assert row["Cache write"] == fmt_int(e["cache_write_tokens"])
        assert row["Tier 2"] == fmt_int(e["tier2_tokens"]) and row["Tasks"] == fmt_int(e["tasks"])
        assert row["p50 duration"] == duration(e["p50_duration_ms"])
        assert row["p95 duration"] == duration(e["p95_duration_ms"])
    csv = at.get("download_button")
    assert csv, "a CSV download is offered"
    assert sum(1 for e in at.main if getattr(e, "type", "") == "vega_lite_chart") == 1  # the daily chart


def test_picking_an_agent_lists_its_tasks_newest_first_and_pages(random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    at = pick_range(open_page("agents"), "agents", *MARCH)
    assert "Pick an agent" in texts(at) or at.selectbox(key="agents_pick").value is None
    at.selectbox(key="agents_pick").set_value("coder")
    run(at)
    for page in (1, 2):
        expected = cli("tasks", "coder", "--from", MARCH[0], "--until", MARCH[1], "--page", str(page),
                       "--page-size", "25")
        shown = table(at, 1)
        assert len(shown) == len(expected["tasks"]) > 0
        for row, t in zip(shown, expected["tasks"]):
            assert row["Started (UTC)"] == t["started_at"].replace("T", " ")[:19]
            assert row["Status"] == t["status"] and row["Duration"] == duration(t["duration_ms"])
            assert row["Tokens"] == fmt_int(t["input_tokens"] + t["output_tokens"] + t["cache_read_tokens"]
                                            + t["cache_write_tokens"])
            assert row["Preview"] == (t["preview"] or "")
        assert f"Page {page} of {expected['pages']} ({fmt_int(expected['total'])} tasks" in texts(at)
        at.number_input(key="agents_page_coder").set_value(2)
        run(at)


def test_the_top_row_matches_the_clis_per_agent_sums(agentx_db, monkeypatch):
    rows = [DailyUsage("main", "claude-sonnet-4-6", (TODAY - timedelta(days=back)).isoformat(), 1_000 * (back + 1),
                       200, 5_000, 300, tasks=back + 2) for back in (0, 3, 20, 40)]
    agentx_db.daily(*rows)
    agentx_db.custom_prices({"claude-sonnet-4-6": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheCreate": 3.75}})
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("agents")
    metrics = {m.label: m.value for m in at.metric}
    for label, days in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        agents = cli("agents", "--days", str(days))
        assert metrics[f"{label}: cost"] == fmt_usd(sum(a["estimated_cost"] for a in agents))
        assert metrics[f"{label}: tokens"] == fmt_int(sum(a["input_tokens"] + a["output_tokens"] for a in agents))
    assert metrics["Today: tokens"] == "1,200"


def test_an_empty_agentx_database_says_so(agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("agents")
    assert "No agent has usage or tasks in this range." in [e.value for e in at.info]
    assert "No daily usage to chart for this range." in [e.value for e in at.info]
    assert not at.dataframe
    assert {m.value for m in at.metric} == {"$0.00", "0"}


@pytest.mark.parametrize("page", ["agents", "tier2", "sessions", "compare"])
def test_an_empty_database_says_no_data_names_the_file_and_how_to_point_elsewhere(agentx_db, monkeypatch, page):
    """Seed 004's troubleshooting: "No data." ... the store is at a different path. The page names the
    file by its name, never its full path (README: the database path never appears in the page)."""
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page(page)
    notes = [e.value.replace("\\", "") for e in at.info]  # the page escapes markdown marks in the name
    assert any(n.startswith("No data. No token usage yet: db.sqlite has no rows") and "USAGE_DB" in n
               for n in notes), notes
    assert not [n for n in notes if str(agentx_db.cwd) in n]


def test_axiom_data_gets_a_reason_not_agent_numbers(axiom_db, monkeypatch):
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=100, completion=20)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page_by_link("agents")  # not in Axiom's menu (tests/test_menu.py)
    assert any("needs agentx data" in e.value for e in at.info)
    assert not at.dataframe
    report = cli("report", "--days", "1")
    assert {m.label: m.value for m in at.metric}["Today: tokens"] == fmt_int(report["totals"]["total_tokens"])


def test_hostile_agent_and_model_names_render_as_text(agentx_db, monkeypatch):
    day = TODAY.isoformat()
    agentx_db.daily(DailyUsage(HOSTILE, "<img src=x onerror=alert(1)>", day, 10, 5, 0, 0, tasks=1))
    agentx_db.traces(TaskRow("t1", HOSTILE, datetime.combine(TODAY, datetime.min.time()), 1500,
                             preview="<script>alert(1)</script> **bold**"))
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("agents")
    assert [r["Agent"] for r in table(at)] == [HOSTILE]
    assert HOSTILE in at.selectbox(key="agents_pick").options
    at.selectbox(key="agents_pick").set_value(HOSTILE)
    run(at)
    assert table(at, 1)[0]["Preview"] == "<script>alert(1)</script> **bold**"
    assert "<img src=x onerror=alert(1)>" in [c.value for c in at.code][0]
    assert not any("<b>x" in e.proto.body or "<img" in e.proto.body for e in at.get("html"))


# --- Tier 2 & rotations ---------------------------------------------------------------

def unescaped(markdown: str) -> str:
    """A markdown string written by md_text, back as the text it shows."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # md_text's invisible link breakers


def chart_count(at: AppTest) -> int:
    return sum(1 for e in at.main if getattr(e, "type", "") == "vega_lite_chart")


def test_tier2_hotspots_match_the_cli(random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    at = pick_range(open_page("tier2"), "tier2", *MARCH)
    expected = cli("tier2", "--from", MARCH[0], "--until", MARCH[1])
    assert expected["agents"], "the seeded data crosses into tier 2"
    assert {m.label: m.value for m in at.metric}["Extra spend caused by tier 2"] == fmt_usd(expected["extra_cost"])
    shown = table(at, 0)
    assert [r["Agent"] for r in shown] == [a["agent_id"] for a in expected["agents"]]
    for row, a in zip(shown, expected["agents"]):
        assert row["Tier-2 days"] == fmt_int(a["tier2_days"])
        assert row["Tier-2 rotations"] == fmt_int(a["tier2_rotations"])
        assert row["Tier-2 tokens"] == fmt_int(a["tier2_tokens"])
        assert row["Tier-2 cost"] == fmt_usd(a["tier2_cost"])
        assert row["Extra (0.5×)"] == fmt_usd(a["tier2_extra_cost"])
    assert f"Threshold {expected['threshold']:,} tokens" in unescaped(texts(at))


def test_rotation_reasons_match_the_cli_as_chart_and_table(random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    at = pick_range(open_page("tier2"), "tier2", *MARCH)
    expected = cli("rotations", "--from", MARCH[0], "--until", MARCH[1])
    assert chart_count(at) == 1
    shown = table(at, 1)
    assert [r["Agent"] for r in shown] == [a["agent_id"] for a in expected["agents"]]
    for row, a in zip(shown, expected["agents"]):
        for reason in ("stale", "tier-2", "max-turns", "other"):
            assert row[reason] == fmt_int(a[reason])
        assert row["Total"] == fmt_int(a["total"])
    shown_hints = [unescaped(w.value) for w in at.warning]
    for hint in expected["hints"]:  # the CLI names agentx.json by its full path, the page by its name
        assert hint.replace(str(random_agentx_db.cwd / "agentx.json"), "agentx.json") in shown_hints


def test_frequent_tier2_rotations_give_the_lower_the_threshold_hint(agentx_db, monkeypatch):
    stamp = f"{TODAY}T09:00:00.000Z"
    agentx_db.rotations(*[Rotation(HOSTILE, "tier-2", stamp, 198_000) for _ in range(3)],
                        Rotation(HOSTILE, "stale", stamp), Rotation("calm", "max-turns", stamp))
    agentx_db.config({"session": {"tierTwoThresholdTokens": 150_000}})
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("tier2")
    expected = cli("rotations", "--days", "30")
    assert len(expected["hints"]) == 1 and "Lower session.tierTwoThresholdTokens" in expected["hints"][0]
    config_path = str(agentx_db.cwd / "agentx.json")
    assert config_path in expected["hints"][0]  # the CLI names the file by its path ...
    page_hint = expected["hints"][0].replace(config_path, "agentx.json")  # ... the page by its name only
    assert page_hint in [unescaped(w.value) for w in at.warning]
    assert not [w.value for w in at.warning if str(agentx_db.cwd) in unescaped(w.value)]
    # tier-2 rotations count as crossings even with no tier-2 tokens in usage_daily
    tier2 = cli("tier2", "--days", "30")
    assert [r["Agent"] for r in table(at, 0)] == [a["agent_id"] for a in tier2["agents"]] == [HOSTILE]
    assert table(at, 0)[0]["Tier-2 rotations"] == "3" and table(at, 0)[0]["Over threshold"] == "3"
    assert [r["Agent"] for r in table(at, 1)] == [HOSTILE, "calm"]
    assert table(at, 1)[0]["tier-2"] == "3" and table(at, 1)[0]["Total"] == "4"
    assert not any("<b>x" in e.proto.body for e in at.get("html"))


def test_tier2_page_empty_states(agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("tier2")
    notes = [e.value for e in at.info]
    assert notes[0].startswith("No data\\.")  # the empty file itself (seed 004's troubleshooting)
    assert notes[1:] == ["No agent crossed into tier 2 in this range.", "No rotations in this range."]
    assert chart_count(at) == 0 and not at.dataframe


def test_tier2_page_on_axiom_data_gives_the_reason(axiom_db, monkeypatch):
    axiom_db.usage(f"{TODAY} 10:00:00", prompt=100, completion=20)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page_by_link("tier2")  # not in Axiom's menu (tests/test_menu.py)
    assert len(at.info) == 1 and "needs agentx data" in at.info[0].value
    assert not at.dataframe and not at.metric


# --- Sessions -------------------------------------------------------------------------

def check_listing(at: AppTest, expected: dict, claude: bool) -> None:
    shown = table(at, 0)
    assert [r["Session"] for r in shown] == [s["session_id"] for s in expected["sessions"]]
    for row, s in zip(shown, expected["sessions"]):
        assert row["Turns"] == fmt_int(s["turns"]) and row["Est. cost"] == fmt_usd(s["estimated_cost"])
        assert row["Input"] == fmt_int(s["input_tokens"]) and row["Output"] == fmt_int(s["output_tokens"])
        if claude:
            assert row["Cache read"] == fmt_int(s["cache_read_tokens"])
            assert row["Subagent turns"] == fmt_int(s["subagent_turns"])
        else:
            assert row["Cache read"] == "—"
        assert row["Models"] == ", ".join(s["models"])
    assert f"({expected['total']:,} in all)" in unescaped(texts(at))


def check_turns(at: AppTest, expected: dict) -> None:
    shown = table(at, 1)
    assert len(shown) == len(expected["turns"]) > 0
    for row, t in zip(shown, expected["turns"]):
        assert row["Model"] == t["model"] and row["Input"] == fmt_int(t["input_tokens"])
        assert row["Output"] == fmt_int(t["output_tokens"]) and row["Cost"] == fmt_usd(t["estimated_cost"])
        assert row["Subagent"] == ("subagent" if t["subagent"] else "")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Turns"] == fmt_int(expected["session"]["turns"])
    assert metrics["Estimated cost"] == fmt_usd(expected["session"]["estimated_cost"])


def test_claude_code_sessions_and_turns_match_the_cli(claude_projects, monkeypatch):
    from factories import random_claude_projects

    random_claude_projects(7, claude_projects, n_sessions=14)
    monkeypatch.setenv("CLAUDE_PROJECTS_DIR", str(claude_projects.root))
    at = open_page("sessions")
    expected = cli("sessions")
    assert expected["kind"] == "claude-code" and expected["sessions"]
    check_listing(at, expected, claude=True)
    assert f"{expected['malformed_lines']:,} malformed line(s) skipped" in unescaped(texts(at))
    assert expected["where"] == str(claude_projects.root)  # the CLI names the folder by its path ...
    assert f"Claude Code sessions in the folder {claude_projects.root.name}," in unescaped(texts(at))
    assert str(claude_projects.root) not in unescaped(texts(at))  # ... the page by its name only
    with_sub = next(s for s in expected["sessions"] if s["subagent_turns"])
    at.text_input(key="sessions_id").input(with_sub["session_id"][:8])  # a unique start is enough
    run(at)
    detail = cli("session", with_sub["session_id"])
    check_turns(at, detail)
    assert "subagent" in [r["Subagent"] for r in table(at, 1)]
    at.text_input(key="sessions_id").input("nope")
    run(at)
    errors = [unescaped(e.value) for e in at.error]
    assert any(f"No session 'nope' in {claude_projects.root.name}." in e for e in errors), errors
    assert not [e for e in errors if str(claude_projects.root) in e]


def test_the_search_box_narrows_the_list_like_the_cli(claude_projects, monkeypatch):
    from factories import random_claude_projects

    random_claude_projects(7, claude_projects, n_sessions=14)
    monkeypatch.setenv("CLAUDE_PROJECTS_DIR", str(claude_projects.root))
    at = open_page("sessions")
    at.text_input(key="sessions_search").input("proj1")
    run(at)
    expected = cli("sessions", "--search", "proj1")
    assert 0 < expected["total"] < 14
    check_listing(at, expected, claude=True)
    at.text_input(key="sessions_search").input("no-such-session-anywhere")
    run(at)
    assert "No sessions match." in [e.value for e in at.info]


def test_axiom_sessions_and_turns_match_the_cli(axiom_db, monkeypatch):
    axiom_db.session("chat-a")
    axiom_db.session(HOSTILE)
    axiom_db.usage(f"{TODAY} 09:00:00", prompt=1_000, completion=200, session_id="chat-a")
    axiom_db.usage(f"{TODAY} 09:05:00", model="gpt-4o", provider="openai", prompt=3_000, completion=50,
                   session_id="chat-a")
    axiom_db.usage(f"{TODAY} 10:00:00", model=HOSTILE, prompt=10, completion=5, session_id=HOSTILE)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page("sessions")
    expected = cli("sessions")
    assert expected["kind"] == "axiom" and len(expected["sessions"]) == 2
    check_listing(at, expected, claude=False)
    at.text_input(key="sessions_id").input("chat-a")
    run(at)
    check_turns(at, cli("session", "chat-a"))
    at.text_input(key="sessions_id").input(HOSTILE)
    run(at)
    assert [r["Model"] for r in table(at, 1)] == [HOSTILE]
    assert f"Session {HOSTILE}" in [unescaped(c.value) for c in at.caption]  # escaped markdown, shown as text
    assert not any("<b>x" in e.proto.body for e in at.get("html"))
    at.text_input(key="sessions_id").input("nope")
    run(at)
    assert any("No session 'nope'" in unescaped(e.value) for e in at.error)
    assert f"Sessions of the database {axiom_db.path.name}," in unescaped(texts(at))
    assert str(axiom_db.path.parent) not in unescaped(texts(at))


def test_sessions_empty_and_missing_log_directories(claude_projects, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PROJECTS_DIR", str(claude_projects.root))
    at = open_page("sessions")
    assert "No sessions yet." in [e.value for e in at.info] and not at.dataframe
    st.cache_resource.clear()
    monkeypatch.setenv("CLAUDE_PROJECTS_DIR", str(tmp_path / "nowhere"))
    at = open_page("sessions")
    assert any("No Claude Code logs at nowhere" in unescaped(e.value) for e in at.info)
    assert str(tmp_path) not in unescaped(texts(at))
    assert not at.dataframe


def test_agentx_sessions_read_the_default_claude_logs(agentx_db, monkeypatch, isolated_environment):
    import os
    from pathlib import Path

    from factories import ClaudeProjects, Turn as LogTurn

    projects = ClaudeProjects(Path(os.environ["HOME"]) / ".claude" / "projects")
    projects.session_file("-srv-agentx", "abc-123", [LogTurn("m1", "r1", f"{TODAY}T08:00:00.000Z",
                                                             input_tokens=100, output_tokens=20).line("abc-123")])
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("sessions")
    assert [r["Session"] for r in table(at, 0)] == ["abc-123"]
    expected = cli("sessions")  # the CLI too reads ~/.claude/projects for an agentx database
    assert expected["kind"] == "claude-code" and expected["where"] == str(projects.root)
    check_listing(at, expected, claude=True)


# --- Compare --------------------------------------------------------------------------

def check_compare(at: AppTest, expected: dict, key_label: str) -> None:
    from pages.common.views import KPI_LABELS, pct, shown
    from queries.overview import Change

    metrics = {m.label: m.value for m in at.metric}
    for k in expected["kpis"]:
        label = KPI_LABELS[k["name"]] if not (k["name"] == "cost_per_task" and expected["by"] == "model") \
            else "Cost per request"
        assert metrics[label] == shown(k["name"], k["b"])
    rows = table(at, 0)
    assert [r[key_label] for r in rows] == [r["key"] for r in expected["rows"]]
    unit = "Tasks" if expected["by"] == "agent" else "Requests"
    # A, B and % per figure; the change B - A is in the CSV only (the table fits its card, issue 15 item 5)
    assert list(rows[0]) == [key_label] + [f"{n} {h}" for n in ("Cost", "Tokens", unit) for h in ("A", "B", "%")]
    for row, e in zip(rows, expected["rows"]):
        for name, label in (("estimated_cost", "Cost"), ("tokens", "Tokens"), (unit.lower(), unit)):
            c = e[name]
            assert row[f"{label} A"] == shown(name, c["a"]) and row[f"{label} B"] == shown(name, c["b"])
            assert row[f"{label} %"] == pct(Change(name, c["a"], c["b"]))


def pick_two(at: AppTest, a: tuple[str, str], b: tuple[str, str]) -> AppTest:
    pick_range(at, "cmp_a", *a)
    return pick_range(at, "cmp_b", *b)


def test_compare_two_agentx_ranges_matches_the_cli(random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    a, b = ("2026-03-01", "2026-03-07"), ("2026-03-08", "2026-03-14")
    at = pick_two(open_page("compare"), a, b)
    expected = cli("compare", "--from", a[0], "--until", a[1], "--vs-from", b[0], "--vs-until", b[1])
    assert expected["by"] == "agent" and expected["rows"]
    check_compare(at, expected, "Agent")


def test_compare_on_axiom_is_per_model(axiom_db, monkeypatch):
    axiom_db.usage(f"{TODAY} 09:00:00", prompt=1_000, completion=200)
    axiom_db.usage(f"{TODAY - timedelta(days=10)} 09:00:00", prompt=500, completion=100)
    axiom_db.usage(f"{TODAY - timedelta(days=9)} 09:00:00", model=HOSTILE, provider=HOSTILE, prompt=7, completion=3)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page("compare")  # defaults: A = 13..7 days ago, B = the last 7 days
    expected = cli("compare", "--from", str(TODAY - timedelta(days=13)), "--until", str(TODAY - timedelta(days=7)),
                   "--vs-from", str(TODAY - timedelta(days=6)), "--vs-until", str(TODAY))
    assert expected["by"] == "model" and len(expected["rows"]) == 2
    check_compare(at, expected, "Provider / model")
    assert f"{HOSTILE} / {HOSTILE}" in [r["Provider / model"] for r in table(at, 0)]
    assert not any("<b>x" in e.proto.body for e in at.get("html"))


def test_compare_with_no_activity_says_so(agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    at = open_page("compare")
    assert "No activity in either range." in [e.value for e in at.info]
    assert not at.dataframe and at.metric


# --- every page -----------------------------------------------------------------------

PAGES = ("agents", "tier2", "sessions", "compare")


@pytest.mark.parametrize("page", PAGES)
def test_each_page_script_run_directly_shows_only_the_login_form(page, random_agentx_db, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(random_agentx_db.path))
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    run(at)
    assert "Admin password" in [t.label for t in at.text_input]
    assert not at.metric and not at.dataframe and "coder" not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_says_when_the_database_cannot_be_read(page, tmp_path, monkeypatch):
    monkeypatch.setenv("USAGE_DB", str(tmp_path / "missing.sqlite"))
    at = open_page(page)
    assert at.error and not at.dataframe and not at.metric
    assert "Refresh" in [b.label for b in at.button]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_the_demo_data(page):
    # No database configured: the built-in (Axiom-shaped) demo data, whose menu has no Agents or
    # Tier 2 page (no agentx data); those are reached by their link.
    at = open_page(page) if page in ("sessions", "compare") else open_page_by_link(page)
    assert any("Demo data" in m.value for m in at.markdown)
    assert at.metric or at.dataframe or at.info


# --- the agentx demo data (USAGE_DEMO=agentx) -----------------------------------------

def test_the_agentx_demo_gives_every_page_something_to_show(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "agentx")
    at = open_page("agents")
    assert any("Demo data" in m.value for m in at.markdown)
    expected = cli("agents", "--days", "30")
    assert [r["Agent"] for r in table(at)] == [a["agent_id"] for a in expected] and len(expected) == 4
    assert [r["Est. cost"] for r in table(at)] == [fmt_usd(a["estimated_cost"]) for a in expected]
    assert "house-model-x" in at.code[0].value  # the unpriced demo model is listed

    at.switch_page("pages/tier2.py")
    run(at)
    tier2 = cli("tier2", "--days", "30")
    assert tier2["agents"] and [r["Agent"] for r in table(at, 0)] == [a["agent_id"] for a in tier2["agents"]]
    assert any("Lower session.tierTwoThresholdTokens" in unescaped(w.value) for w in at.warning)
    assert chart_count(at) == 1

    at.switch_page("pages/sessions.py")
    run(at)
    rows = table(at, 0)
    assert len(rows) == 16 and any(r["Subagent turns"] != "0" for r in rows)
    check_listing(at, cli("sessions"), claude=True)  # the CLI reads the demo's logs too
    assert "1 malformed line(s) skipped" in unescaped(texts(at))

    at.switch_page("pages/compare.py")
    run(at)
    assert table(at, 0) and at.metric


def test_the_agentx_demo_is_the_same_for_the_same_day(tmp_path):
    import sqlite3

    from queries.sources.agentx_demo import write_agentx_demo

    dumps = []
    for name in ("one", "two"):
        write_agentx_demo(tmp_path / name, date(2026, 3, 31))
        con = sqlite3.connect(tmp_path / name / ".agentx" / "db.sqlite")
        dumps.append(list(con.iterdump()))
        con.close()
    assert dumps[0] == dumps[1] and len(dumps[0]) > 1000


@pytest.mark.parametrize("page", ("agents", "tier2", "compare"))
def test_an_early_agentx_schema_renders_without_tier2_or_rotations(page, old_agentx_db, monkeypatch):
    old_agentx_db.daily(DailyUsage("main", "claude-sonnet-4-6", TODAY.isoformat(), 1_000, 200, tasks=2))
    monkeypatch.setenv("USAGE_DB", str(old_agentx_db.path))
    at = open_page(page)
    if page == "agents":
        assert [r["Agent"] for r in table(at)] == ["main"] and table(at)[0]["Tier 2"] == "0"
    elif page == "tier2":
        assert [e.value for e in at.info] == ["No agent crossed into tier 2 in this range.", "No rotations in this range."]
    else:
        assert [r["Agent"] for r in table(at)] == ["main"]


def test_md_text_escapes_every_markdown_mark():
    from pages.common.markdown import md_text

    assert md_text("a*b_c`d[e](f) $1$ :red[x] <b>\nnext") == \
        "a\\*b\\_c\\`d\\[e\\]\\(f\\) \\$1\\$ \\:red\\[x\\] \\<b\\> next"
    assert unescaped(md_text(HOSTILE)) == HOSTILE


def test_the_token_usage_page_renders_the_agentx_demo(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "agentx")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    run(at)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    run(at)
    assert [t.value for t in at.title] == ["Token Usage"]
    report = cli("report", "--days", "30")
    assert {m.label: m.value for m in at.metric}["Total Tokens"] == fmt_int(report["totals"]["total_tokens"])
    # usage_daily has no channel: the initiator chart is left out, with its one-line reason
    assert len(at.get("vega_lite_chart")) == 1
    assert any("cannot be split into main agent, task agents and heartbeat" in unescaped(w.value) for w in at.warning)
