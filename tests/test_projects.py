"""Per-project breakdown and cache tokens of a source with projects and cache tokens (issue 12, item 3):
Claude Code's project is the session's cwd; Total tokens counts cache reads and writes (ccusage's
totalTokens does).

Expected figures are worked by hand (the small logs below) or computed by a plain-Python oracle over
the logs (factories.oracle_claude_turns + claude_turn_cost), never by the code under test.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import (RANDOM_AGENTX_RATES, AxiomDB, ClaudeProjects, Turn, claude_turn_cost, fresh_app_env, iso_form,
                       oracle_claude_turns, signed_in, texts)
from queries.dates import DateRange
from queries.sources.claude_code import open_claude_code
from queries.usage import Filters, ProjectRow, _rows, project_breakdown, usage_report
from queries.workspace import merge_projects

MARCH = Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), "UTC"))
HOUSE = {"house-model": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheCreate": 3.75}}
HOSTILE = '=HYPERLINK("https://evil.example","x") **b** <i>it</i> $x$'
PASSWORD = "correct horse battery staple"

# The hand-worked projects (house-model: $3 in, $15 out, $0.30 cache read, $3.75 5-minute write,
# 1-hour writes at 2 x input = $6, per 1M tokens):
#  /home/dev/alpha: m1 1,000 in + 2,000 out + 10,000 cache read + 4,000 5m + 3,000 1h writes
#                   = 3,000 + 30,000 + 3,000 + 15,000 + 18,000 = 69,000 / 1M = $0.069 (written on two lines,
#                   streamed: counted once); m2 in a subagent file, 400 in + 100 out = $0.0027.
#                   -> 2 requests, 1,400 / 2,100 / 10,000 / 7,000, total 20,500, $0.0717
#  /home/dev/beta:  m3 2,000 in + 1,000 out + 100,000 cache read = 6,000 + 15,000 + 30,000 = $0.051
#                   (m4 on Feb 10 is outside March) -> 1 request, 2,000 / 1,000 / 100,000 / 0, total 103,000
#  HOSTILE:         m5 10 in = $0.00003 -> 1 request, total 10
ALPHA = ("/home/dev/alpha", 2, 1_400, 2_100, 10_000, 7_000, 20_500, 0.0717)
BETA = ("/home/dev/beta", 1, 2_000, 1_000, 100_000, 0, 103_000, 0.051)
EVIL = (HOSTILE, 1, 10, 0, 0, 0, 10, 0.00003)


def hand_worked(projects: ClaudeProjects, tmp_path: Path) -> Path:
    """Write the hand-worked logs; returns their custom.json."""
    m1 = dict(message_id="m1", request_id="r1", timestamp="2026-03-20T10:00:00Z", model="house-model",
              input_tokens=1_000, cache_write_tokens=7_000, cache_read_tokens=10_000, cache_write_1h_tokens=3_000)
    projects.session_file("-home-dev-alpha", "a1", [Turn(**m1, output_tokens=1_500).line("a1", cwd="/home/dev/alpha"),
                                                    Turn(**m1, output_tokens=2_000).line("a1", cwd="/home/dev/alpha")])
    projects.subagent_file("-home-dev-alpha", "a1", "agent-x", [
        Turn("m2", "r2", "2026-03-20T10:05:00Z", "house-model", 400, 100, sidechain=True).line("a1", cwd="/home/dev/alpha")])
    projects.session_file("-home-dev-beta", "b1", [
        Turn("m3", "r3", "2026-03-21T09:00:00Z", "house-model", 2_000, 1_000, 0, 100_000).line("b1", cwd="/home/dev/beta"),
        Turn("m4", "r4", "2026-02-10T09:00:00Z", "house-model", 5_000, 5_000).line("b1", cwd="/home/dev/beta")])
    projects.session_file("-evil", "h1", [Turn("m5", "r5", "2026-03-22T09:00:00Z", "house-model", 10, 0).line(
        "h1", cwd=HOSTILE)])
    settings = tmp_path / "custom.json"
    settings.write_text(json.dumps(HOUSE), encoding="utf-8")
    return settings


def opened(projects: ClaudeProjects, settings: Path | None, use_library: bool = False):
    source = open_claude_code(projects.root)
    cat = source.kind.catalog(source)
    return source, cat, source.kind.price_book(source, cat, settings, use_library)


def as_tuple(r: ProjectRow) -> tuple:
    return (r.project, r.requests, r.prompt_tokens, r.completion_tokens, r.cache_read_tokens, r.cache_write_tokens,
            r.total_tokens, r.estimated_cost)


def test_each_project_has_its_hand_worked_requests_tokens_and_cost_by_cost(claude_projects, tmp_path):
    source, _cat, prices = opened(claude_projects, hand_worked(claude_projects, tmp_path))
    try:
        rows = project_breakdown(source, MARCH, prices)
    finally:
        source.close()
    assert [as_tuple(r)[:-1] for r in rows] == [t[:-1] for t in (ALPHA, BETA, EVIL)]
    assert [r.estimated_cost for r in rows] == pytest.approx([0.0717, 0.051, 0.00003], abs=1e-15)
    assert [r.cost_share for r in rows] == pytest.approx([0.0717 / 0.12273, 0.051 / 0.12273, 0.00003 / 0.12273])


def test_the_project_costs_add_up_to_the_reports_total_cost_exactly(claude_projects, tmp_path):
    source, cat, prices = opened(claude_projects, hand_worked(claude_projects, tmp_path))
    try:
        report = usage_report(source, MARCH, prices, cat)
        assert source.rollup  # the report read the hourly rollup; the projects read every request
        rows = project_breakdown(source, MARCH, prices)
    finally:
        source.close()
    # Each float is the shortest repr of an exact 15-decimal sum: summed as decimals they are that sum.
    assert sum(Decimal(repr(r.estimated_cost)) for r in rows) == Decimal(repr(report.totals.estimated_cost)) \
        == Decimal("0.12273")
    assert sum(r.total_tokens for r in rows) == report.totals.total_tokens == 123_510


def test_total_tokens_count_cache_reads_and_writes_and_the_report_shows_them(claude_projects, tmp_path):
    source, cat, prices = opened(claude_projects, hand_worked(claude_projects, tmp_path))
    try:
        report = usage_report(source, MARCH, prices, cat)
    finally:
        source.close()
    t = report.totals
    # prompt 1,400 + 2,000 + 10; completion 2,100 + 1,000; cache read 10,000 + 100,000; writes 7,000 (5m + 1h)
    assert (t.prompt_tokens, t.completion_tokens, t.cache_read_tokens, t.cache_write_tokens, t.total_tokens) == (
        3_410, 3_100, 110_000, 7_000, 123_510)
    day = {d.day: d for d in report.daily}[date(2026, 3, 20)]
    assert (day.cache_read_tokens, day.cache_write_tokens, day.total_tokens) == (10_000, 7_000, 20_500)
    assert (day.main_tokens, day.task_tokens) == (20_000, 500)  # the initiator split counts cache tokens too
    (row,) = report.breakdown
    assert (row.cache_read_tokens, row.cache_write_tokens, row.total_tokens) == (110_000, 7_000, 123_510)
    payload = report.as_json()
    assert (payload["totals"]["cache_read_tokens"], payload["totals"]["cache_write_tokens"]) == (110_000, 7_000)
    assert payload["breakdown"][0]["cache_read_tokens"] == 110_000
    assert {d["day"]: d["cache_write_tokens"] for d in payload["daily"]}["2026-03-20"] == 7_000


# --- random logs against the oracle --------------------------------------------------------

CWDS = ("/home/dev/alpha", "/srv/beta", HOSTILE, "/home/dev/gamma delta")


def random_projects(seed: int, projects: ClaudeProjects, sessions: int = 14) -> None:
    """Seeded logs over four cwds: responses streamed on 1-3 lines, 1-hour writes, subagent files,
    an unpriced model, some turns in February."""
    rng = random.Random(seed)
    models = [*RANDOM_AGENTX_RATES, "house-model-x"]
    for s in range(sessions):
        cwd = rng.choice(CWDS)
        session, start = f"s{s:02d}", datetime(2026, 2, 25) + timedelta(hours=rng.randrange(24 * 34))
        lines = []
        for n in range(rng.randrange(1, 7)):
            write = rng.randrange(0, 30_000)
            turn = dict(message_id=f"m{s}_{n}", request_id=f"r{s}_{n}",
                        timestamp=iso_form(start + timedelta(minutes=n)), model=rng.choice(models),
                        input_tokens=rng.randrange(0, 5_000), cache_write_tokens=write,
                        cache_read_tokens=rng.randrange(0, 250_000), cache_write_1h_tokens=rng.randrange(0, write + 1))
            out = rng.randrange(1, 2_000)
            lines += [Turn(**turn, output_tokens=max(1, out - 50 * k)).line(session, cwd=cwd)
                      for k in range(rng.randrange(1, 4))]
        projects.session_file(f"p{s % 3}", session, lines)
        if rng.random() < 0.4:
            projects.subagent_file(f"p{s % 3}", session, "agent", [
                Turn(f"m{s}_sub", f"r{s}_sub", iso_form(start + timedelta(minutes=30)), "claude-haiku-4-5",
                     rng.randrange(0, 3_000), rng.randrange(1, 900), sidechain=True).line(session, cwd=cwd)])


def oracle_projects(root: Path) -> dict[str, tuple]:
    """Per project: requests, prompt, completion, cache read, cache write, total tokens, cost (March, UTC)."""
    sessions, _malformed = oracle_claude_turns(root)
    out: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, []])
    for turn in (t for ts in sessions.values() for t in ts if t["timestamp"].startswith("2026-03")):
        p = out[turn["project"]]
        tokens = (1, turn["input_tokens"], turn["output_tokens"], turn["cache_read_tokens"], turn["cache_write_tokens"])
        for i, v in enumerate(tokens):
            p[i] += v
        p[5] += sum(tokens[1:])
        p[6].append(claude_turn_cost(turn, RANDOM_AGENTX_RATES.get(turn["model"])))
    return {k: (*v[:6], math.fsum(v[6])) for k, v in out.items()}


@pytest.fixture
def random_logs(claude_projects, tmp_path) -> tuple[ClaudeProjects, Path]:
    random_projects(20261201, claude_projects)
    settings = tmp_path / "custom.json"
    settings.write_text(json.dumps({m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
                                    for m, r in RANDOM_AGENTX_RATES.items()}), encoding="utf-8")
    return claude_projects, settings


def test_random_logs_give_each_project_the_oracles_figures(random_logs):
    projects, settings = random_logs
    source, _cat, prices = opened(projects, settings)
    try:
        rows = project_breakdown(source, MARCH, prices)
    finally:
        source.close()
    expected = oracle_projects(projects.root)
    assert len(expected) >= 3
    assert {r.project: as_tuple(r)[1:-1] for r in rows} == {k: v[:-1] for k, v in expected.items()}
    assert {r.project: r.estimated_cost for r in rows} == pytest.approx({k: v[-1] for k, v in expected.items()},
                                                                        rel=1e-12, abs=1e-15)
    assert [r.estimated_cost for r in rows] == sorted((r.estimated_cost for r in rows), reverse=True)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])  # Kolkata: half-hour days, the report reads every request
def test_random_projects_sum_to_the_totals_and_the_rollup_to_the_last_decimal(random_logs, zone):
    projects, settings = random_logs
    source, _cat, prices = opened(projects, settings)
    filters = Filters(DateRange(date(2026, 3, 1), date(2026, 3, 31), zone))
    try:
        params = filters.params(prices)
        per_project = sum(r["estimated_cost"] for r in _rows(source, "project_breakdown", params))
        totals = _rows(source, "totals", params)[0]["estimated_cost"]
        rollup = _rows(source, "rollup_totals", params)[0]["estimated_cost"]
        report = usage_report(source, filters, prices)
        rows = project_breakdown(source, filters, prices)
    finally:
        source.close()
    assert isinstance(per_project, Decimal) and per_project > 0
    assert per_project == totals
    if zone == "UTC":
        assert per_project == rollup
    assert round(math.fsum(r.estimated_cost for r in rows), 2) == round(report.totals.estimated_cost, 2)
    assert math.fsum(r.estimated_cost for r in rows) == pytest.approx(report.totals.estimated_cost, rel=1e-14)


def test_a_workspace_of_two_project_sources_names_each_rows_source_and_shares_the_whole():
    a = [ProjectRow("/a", 1, 1, 0, 0, 0, 1, 3.0, 0.75), ProjectRow("/b", 2, 2, 0, 0, 0, 2, 1.0, 0.25)]
    b = [ProjectRow("/c", 5, 5, 0, 0, 0, 5, 2.0, 1.0), ProjectRow("/a", 1, 1, 0, 0, 0, 1, 1.0, None)]
    merged = merge_projects(MARCH, [("laptop", a), ("desk", b)])
    # by cost, then requests: $3 /a laptop, $2 /c desk, $1 (2 requests) /b laptop, $1 /a desk; shares of $7
    assert [(r.source, r.project, r.cost_share) for r in merged.rows] == [
        ("laptop", "/a", 3 / 7), ("desk", "/c", 2 / 7), ("laptop", "/b", 1 / 7), ("desk", "/a", 1 / 7)]
    assert merged.sources == ["laptop", "desk"] and merged.sourced
    assert list(merged.as_json()["projects"][0]) == ["source", "project", "requests", "prompt_tokens",
                                                       "completion_tokens", "cache_read_tokens",
                                                       "cache_write_tokens", "total_tokens", "estimated_cost",
                                                       "cost_share"]
    single = merge_projects(MARCH, [("laptop", a)])
    assert single.rows == a and not single.sourced and "source" not in single.as_json()["projects"][0]


# --- the CLI -------------------------------------------------------------------------------

def test_cli_report_by_project_prints_the_hand_worked_rows_as_json(run_cli, claude_projects, tmp_path):
    settings = hand_worked(claude_projects, tmp_path)
    result = run_cli("report", "--by", "project", "--db", claude_projects.root, "--settings", settings,
                     "--no-price-library", "--from", "2026-03-01", "--until", "2026-03-31", "--format", "json")
    assert result.code == 0, result.err
    got = result.json()
    assert [tuple(p[k] for k in ("project", "requests", "prompt_tokens", "completion_tokens", "cache_read_tokens",
                                 "cache_write_tokens", "total_tokens")) for p in got["projects"]] == [
        t[:-1] for t in (ALPHA, BETA, EVIL)]
    assert [p["estimated_cost"] for p in got["projects"]] == pytest.approx([0.0717, 0.051, 0.00003], abs=1e-15)
    assert got["source"] == {"adapter": "claude-code", "demo": False}


def test_cli_report_by_project_as_csv_neutralises_a_formula_project(run_cli, claude_projects, tmp_path):
    settings = hand_worked(claude_projects, tmp_path)
    result = run_cli("report", "--by", "project", "--db", claude_projects.root, "--settings", settings,
                     "--no-price-library", "--from", "2026-03-01", "--until", "2026-03-31", "--format", "csv")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == ("project,requests,prompt_tokens,completion_tokens,cache_read_tokens,cache_write_tokens,"
                        "total_tokens,estimated_cost,cost_share")
    assert lines[1].startswith("/home/dev/alpha,2,1400,2100,10000,7000,20500,0.0717,")
    assert lines[3].startswith("\"'=HYPERLINK(")  # a spreadsheet shows it as text


def test_cli_report_by_project_as_a_table_and_the_report_table_show_cache_tokens(run_cli, claude_projects, tmp_path):
    settings = hand_worked(claude_projects, tmp_path)
    args = ("--db", claude_projects.root, "--settings", settings, "--no-price-library", "--from", "2026-03-01",
            "--until", "2026-03-31")
    by_project = run_cli("report", "--by", "project", *args)
    assert by_project.code == 0, by_project.err
    header, alpha = by_project.out.splitlines()[2:4]
    assert header.split() == ["Project", "Requests", "Prompt", "Completion", "Cache", "read", "Cache", "write",
                              "Total", "tokens", "Est.", "cost", "Share"]
    assert alpha.split()[:8] == ["/home/dev/alpha", "2", "1,400", "2,100", "10,000", "7,000", "20,500", "$0.0717"]
    report = run_cli("report", *args)
    assert "123,510   3,410 prompt · 3,100 completion · 110,000 cache read · 7,000 cache write" in report.out


def test_cli_report_by_project_over_two_log_directories_names_each_rows_source(run_cli, tmp_path):
    laptop, desk = ClaudeProjects(tmp_path / "laptop"), ClaudeProjects(tmp_path / "desk")
    laptop.session_file("p", "s1", [Turn("m1", "r1", "2026-03-20T10:00:00Z", "house-model", 100, 10).line("s1", cwd="/a")])
    desk.session_file("p", "s2", [Turn(f"m{n}", f"r{n}", f"2026-03-21T10:0{n}:00Z", "house-model", 1, 2, 3, 4).line(
        "s2", cwd="/b") for n in range(2)])
    result = run_cli("report", "--by", "project", "--db", laptop.root, "--db", desk.root, "--no-price-library",
                     "--from", "2026-03-01", "--until", "2026-03-31", "--format", "json")
    assert result.code == 0, result.err
    got = result.json()
    # unpriced ($0 each): by requests; desk's /b has 2 requests of 1 + 2 + 4 + 3 = 10 tokens each
    assert [(p["source"], p["project"], p["requests"], p["total_tokens"], p["cost_share"]) for p in got["projects"]] == [
        ("claude-code-2", "/b", 2, 20, None), ("claude-code", "/a", 1, 110, None)]
    assert got["sources"] == ["claude-code", "claude-code-2"]


def test_cli_report_by_project_on_a_source_without_projects_says_so(run_cli, make_axiom_db):
    db: AxiomDB = make_axiom_db("plain.db")
    db.usage("2026-03-10 09:00:00", "openai", "gpt-4o", 100, 10)
    result = run_cli("report", "--by", "project", "--db", db.path, "--days", "7")
    assert result.code == 2
    assert "needs Claude Code data" in result.err and "no projects" in result.err


# --- the page ------------------------------------------------------------------------------

@pytest.fixture
def app_env(monkeypatch):
    fresh_app_env(monkeypatch, PASSWORD)
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")


PAGE_MARCH = {"range": "custom", "from": "2026-03-01", "until": "2026-03-31"}


def test_token_usage_draws_the_by_project_card_for_claude_code_logs(app_env, claude_projects, tmp_path, monkeypatch):
    settings = hand_worked(claude_projects, tmp_path)
    monkeypatch.setenv("USAGE_DB", str(claude_projects.root))
    monkeypatch.setenv("USAGE_SETTINGS", str(settings))
    at = signed_in(PASSWORD, **PAGE_MARCH)
    assert not at.exception
    assert "By project" in [s.value for s in at.subheader]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Project", "Requests", "Prompt", "Completion", "Cache read", "Cache write",
                                   "Total tokens", "Est. cost", "Share"]
    assert table.values.tolist() == [
        ["/home/dev/alpha", "2", "1,400", "2,100", "10,000", "7,000", "20,500", "$0.0717", "58%"],  # of $0.12273
        ["/home/dev/beta", "1", "2,000", "1,000", "100,000", "0", "103,000", "$0.051", "42%"],
        [HOSTILE, "1", "10", "0", "0", "0", "10", "$0.00", "0%"]]  # the path exactly, as text; money as Axiom writes it
    captions = texts(at)
    assert "3,410 prompt · 3,100 completion · 110,000 cache read · 7,000 cache write" in captions
    assert {m.label: m.value for m in at.metric}["Total Tokens"] == "123,510"


def test_token_usage_has_no_project_card_or_cache_columns_without_such_a_source(app_env, make_axiom_db, monkeypatch):
    db: AxiomDB = make_axiom_db("plain.db")
    db.usage("2026-03-10 09:00:00", "openai", "gpt-4o", 100, 10)
    monkeypatch.setenv("USAGE_DB", str(db.path))
    at = signed_in(PASSWORD, **PAGE_MARCH)
    assert not at.exception
    assert "By project" not in [s.value for s in at.subheader]
    assert "cache" not in texts(at).lower()
