"""Workspaces (issue 12, item 2): the workspace file, and the merged report of several sources.

The merged figures are worked by hand from two small reports written out below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pricing import ModelPrice
from queries.dates import DateRange
from queries.usage import BreakdownRow, Catalog, DailyRow, Filters, Totals, UsageReport
from queries.workspace import (WorkspaceError, merge_catalogs, merge_reports, parse_workspace, read_workspace,
                               sources_file, unique_names)

FILE = Path("/etc/usage/sources.toml")
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
FILTERS = Filters(DateRange(DAY1, DAY2, "UTC"))


def row(provider: str, model: str, requests: int, prompt: int, completion: int, cost: float) -> BreakdownRow:
    return BreakdownRow(provider, model, requests, prompt, completion, prompt + completion, cost, None, False)


# Source "prod" (Axiom-like, with an initiator split): 3 requests, $6.00.
PROD = UsageReport(
    filters=FILTERS,
    totals=Totals(3, 300, 30, 330, 6.0),
    previous_totals=Totals(1, 100, 10, 110, 1.0),
    daily=[DailyRow(DAY1, 2, 200, 20, 220, 4.0, 200, 20, 0), DailyRow(DAY2, 1, 100, 10, 110, 2.0, 50, 0, 60)],
    breakdown=[row("anthropic", "opus", 2, 200, 20, 5.0), row("openai", "gpt-4o", 1, 100, 10, 1.0)],
    prices=[ModelPrice("gpt-4o", 2.5, 10.0, "axiom-default"), ModelPrice("opus", 5.0, 25.0, "settings")],
    unpriced_models=[],
    warnings=["settings.json is old"],
)
# Source "team" (agentx-like: no initiator split): 5 tasks, $2.00, one unpriced model.
NO_SPLIT = "team's data cannot be split by initiator."
TEAM = UsageReport(
    filters=FILTERS,
    totals=Totals(5, 500, 50, 550, 2.0),
    previous_totals=Totals(2, 40, 4, 44, 0.5),
    daily=[DailyRow(DAY1, 0, 0, 0, 0, 0.0, 0, 0, 0), DailyRow(DAY2, 5, 500, 50, 550, 2.0, 0, 0, 0)],
    breakdown=[row("anthropic", "opus", 4, 400, 40, 2.0), row("local", "house-x", 1, 100, 10, 0.0)],
    prices=[ModelPrice("opus", 5.0, 25.0, "settings")],
    unpriced_models=["house-x"],
    warnings=[NO_SPLIT, "custom.json lacks house-x"],
    initiator_split_reason=NO_SPLIT,
)


def test_one_source_is_its_own_report_unchanged():
    assert merge_reports([("prod", PROD)]) is PROD


def test_totals_previous_totals_and_days_are_summed():
    merged = merge_reports([("prod", PROD), ("team", TEAM)])
    assert merged.totals == Totals(8, 800, 80, 880, 8.0)          # 3+5, 300+500, 30+50, 330+550, $6+$2
    assert merged.previous_totals == Totals(3, 140, 14, 154, 1.5)  # 1+2, 100+40, 10+4, 110+44, $1+$0.50
    assert [(d.day, d.requests, d.total_tokens, d.estimated_cost) for d in merged.daily] == [
        (DAY1, 2, 220, 4.0), (DAY2, 6, 660, 4.0)]


def test_breakdown_rows_carry_their_source_sorted_by_cost_with_shares_over_the_workspace():
    merged = merge_reports([("prod", PROD), ("team", TEAM)])
    # $5 / $8, $2 / $8, $1 / $8, $0 (no share of a $0 row is still 0 of a non-zero total)
    assert [(b.source, b.model, b.estimated_cost, b.cost_share) for b in merged.breakdown] == [
        ("prod", "opus", 5.0, 0.625), ("team", "opus", 2.0, 0.25), ("prod", "gpt-4o", 1.0, 0.125),
        ("team", "house-x", 0.0, 0.0)]


def test_shares_are_absent_when_the_workspace_costs_nothing():
    free = UsageReport(FILTERS, Totals(1, 1, 0, 1, 0.0), Totals(), [DailyRow(DAY1, 1, 1, 0, 1, 0.0, 1, 0, 0)],
                       [row("x", "y", 1, 1, 0, 0.0)], [], ["y"])
    merged = merge_reports([("a", free), ("b", free)])
    assert [b.cost_share for b in merged.breakdown] == [None, None]


def test_the_initiator_split_sums_only_the_sources_that_have_one_and_says_which():
    merged = merge_reports([("prod", PROD), ("team", TEAM)])
    assert [(d.main_tokens, d.task_tokens, d.heartbeat_tokens) for d in merged.daily] == [(200, 20, 0), (50, 0, 60)]
    assert merged.has_initiator_split
    assert merged.initiator_note is not None
    assert "covers prod" in merged.initiator_note and "team has none" in merged.initiator_note


def test_no_source_with_a_split_means_no_initiator_chart():
    merged = merge_reports([("a", TEAM), ("b", TEAM)])
    assert not merged.has_initiator_split and merged.as_json()["by_initiator"] == []


def test_warnings_name_their_source_and_catalog_facts_are_united():
    merged = merge_reports([("prod", PROD), ("team", TEAM)])
    assert merged.warnings == ["prod: settings.json is old", "team: custom.json lacks house-x"]
    assert merged.unpriced_models == ["house-x"]
    assert [(p.model, p.source) for p in merged.prices] == [("gpt-4o", "axiom-default"), ("opus", "settings")]


def test_only_a_workspace_report_has_a_source_key_in_its_json():
    assert all("source" not in b for b in PROD.as_json()["breakdown"])
    merged = merge_reports([("prod", PROD), ("team", TEAM)]).as_json()
    assert [b["source"] for b in merged["breakdown"]] == ["prod", "team", "prod", "team"]


def test_catalogs_unite_pairs_and_sum_their_requests():
    a = Catalog((("anthropic", "opus", 3), ("openai", "gpt-4o", 1)), 2, "yesterday")
    b = Catalog((("anthropic", "opus", 4), ("local", "house-x", 1)))
    merged = merge_catalogs([a, b])
    assert merged.pairs == (("anthropic", "opus", 7), ("local", "house-x", 1), ("openai", "gpt-4o", 1))
    assert (merged.unparseable_timestamps, merged.unparseable_example) == (2, "yesterday")
    assert merged.providers() == ["anthropic", "local", "openai"]


# ---------------------------------------------------------------------------------------
# The workspace file.

def test_a_workspace_file_lists_named_sources_in_order(tmp_path: Path):
    file = tmp_path / "sources.toml"
    text = ('[sources.prod]\npath = "/srv/axiom/db/openagent.db"\nkind = "axiom"\n'
            'settings = "/srv/axiom/config/settings.json"\n\n[sources.laptop]\npath = "projects"\n')
    prod, laptop = parse_workspace(text, file, kinds=("axiom", "agentx", "claude-code"))
    assert (prod.name, prod.path, prod.kind, prod.settings) == (
        "prod", Path("/srv/axiom/db/openagent.db"), "axiom", Path("/srv/axiom/config/settings.json"))
    assert (laptop.name, laptop.path, laptop.kind) == ("laptop", tmp_path / "projects", None)  # beside the file


def test_a_home_relative_path_is_expanded(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("HOME", str(tmp_path))
    (source,) = parse_workspace('[sources.me]\npath = "~/.claude/projects"\n', FILE)
    assert source.path == tmp_path / ".claude" / "projects"


@pytest.mark.parametrize("text, names", [
    ("[sources.prod\npath = 'x'", "not valid TOML"),
    ("", "names no source"),
    ("sources = 3", "names no source"),
    ("[database]\npath = 'x'", "unknown key `database`"),
    ("[sources]\nprod = 'x.db'", "`sources.prod` must be a table"),
    ("[sources.prod]\nkind = 'axiom'", "[sources.prod] has no `path`"),
    ("[sources.prod]\npath = 3", "`sources.prod.path` must be a non-empty string"),
    ("[sources.prod]\npath = ''", "`sources.prod.path` must be a non-empty string"),
    ("[sources.prod]\npath = 'x'\nsettings = []", "`sources.prod.settings` must be a non-empty string"),
    ("[sources.prod]\npath = 'x'\nkind = 'oracle'", "`sources.prod.kind` = 'oracle' is not a kind"),
    ("[sources.prod]\npath = 'x'\ncolour = 'red'", "[sources.prod] has an unknown key `colour`"),
    ('[sources."<b>x</b>"]\npath = "x"', "a source name is 1-64 letters"),
])
def test_a_malformed_workspace_file_names_the_file_and_the_key(text: str, names: str):
    with pytest.raises(WorkspaceError) as caught:
        parse_workspace(text, FILE, kinds=("axiom", "agentx"))
    assert str(FILE) in str(caught.value) and names in str(caught.value)


def test_an_unreadable_workspace_file_is_a_workspace_error(tmp_path: Path):
    with pytest.raises(WorkspaceError, match="cannot be read"):
        read_workspace(tmp_path / "missing.toml")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe[sources]")
    with pytest.raises(WorkspaceError, match="cannot be read"):
        read_workspace(tmp_path / "binary.toml")


def test_the_default_workspace_file_is_used_only_when_it_exists(tmp_path: Path):
    assert sources_file(None, tmp_path) is None
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "sources.toml").write_text("", encoding="utf-8")
    assert sources_file(None, tmp_path) == tmp_path / ".streamlit" / "sources.toml"
    assert sources_file(str(tmp_path / "other.toml"), tmp_path) == tmp_path / "other.toml"


def test_sources_named_after_their_kind_are_numbered_when_repeated():
    assert unique_names(["axiom", "agentx", "axiom", "axiom"]) == ["axiom", "agentx", "axiom-2", "axiom-3"]


# ---------------------------------------------------------------------------------------
# Properties of the merge over any reports (Hypothesis).

from hypothesis import given, strategies as st  # noqa: E402

counts = st.integers(min_value=0, max_value=10**9)
costs = st.integers(min_value=0, max_value=10**6).map(lambda cents: cents / 100)  # whole cents: sums are exact


@st.composite
def reports(draw) -> UsageReport:
    rows = [row(draw(st.sampled_from(["a", "b"])), draw(st.sampled_from(["m1", "m2", "m3"])), draw(counts),
                draw(counts), draw(counts), draw(costs)) for _ in range(draw(st.integers(0, 4)))]
    day_rows = [DailyRow(day, draw(counts), draw(counts), draw(counts), draw(counts), draw(costs), draw(counts),
                         draw(counts), draw(counts)) for day in (DAY1, DAY2)]
    split = draw(st.booleans())
    return UsageReport(FILTERS, Totals(draw(counts), 0, 0, draw(counts), draw(costs)), Totals(draw(counts)),
                       day_rows, rows, [], [], initiator_split_reason=None if split else "no split")


@given(st.lists(reports(), min_size=2, max_size=4))
def test_merged_figures_are_the_sums_of_the_sources(parts):
    named = [(f"s{i}", r) for i, r in enumerate(parts)]
    merged = merge_reports(named)
    assert merged.totals.requests == sum(r.totals.requests for r in parts)
    assert merged.totals.estimated_cost == pytest.approx(sum(r.totals.estimated_cost for r in parts))
    assert merged.previous_totals.requests == sum(r.previous_totals.requests for r in parts)
    assert len(merged.breakdown) == sum(len(r.breakdown) for r in parts)
    assert [b.estimated_cost for b in merged.breakdown] == sorted((b.estimated_cost for b in merged.breakdown),
                                                                 reverse=True)
    for i, day in enumerate((DAY1, DAY2)):
        assert merged.daily[i].day == day
        assert merged.daily[i].total_tokens == sum(r.daily[i].total_tokens for r in parts)
        assert merged.daily[i].main_tokens == sum(r.daily[i].main_tokens for r in parts
                                                  if r.initiator_split_reason is None)
    total = sum(b.estimated_cost for b in merged.breakdown)
    if total:
        assert sum(b.cost_share for b in merged.breakdown) == pytest.approx(1.0)
    else:
        assert all(b.cost_share is None for b in merged.breakdown)
