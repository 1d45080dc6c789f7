"""The session inspector: Claude Code logs (dedupe, malformed lines, subagents) and Axiom sessions."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

import pricing
from factories import (MALFORMED_LINES, RANDOM_AGENTX_RATES, ClaudeProjects, Turn, claude_turn_cost,
                       oracle_claude_turns, random_claude_projects, user_line)
from queries.dates import DateRange
from queries.sessions import SessionError, projects_dir
from queries.sources.axiom import axiom_session, axiom_sessions
from queries.sources.claude_code_sessions import ClaudeLogs
from queries.sources import open_source

ROUND = {"m": (1.0, 2.0, 0.1, 1.25)}


def logs(projects: ClaudeProjects, rates: dict | None = None) -> ClaudeLogs:
    """Read the logs priced from the given rates only (no library), as custom.json would give them."""
    custom = pricing.CustomPrices({m: r for m, r in (rates or {}).items()})
    return ClaudeLogs(projects.root, custom, use_library=False)


def test_a_response_written_on_several_lines_counts_once_with_its_final_usage(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1"),
                                             Turn("msg_1", "req_1", "2026-03-20T10:00:01Z", "m", 10, 9).line("s1")])
    detail = logs(claude_projects).session("s1")
    assert [(t.input_tokens, t.output_tokens) for t in detail.turns] == [(10, 9)]


def test_the_same_message_id_under_another_request_id_is_another_response(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1"),
                                             Turn("msg_1", "req_2", "2026-03-20T10:00:01Z", "m", 10, 3).line("s1")])
    assert logs(claude_projects).session("s1").summary.turns == 2


def test_duplicate_lines_are_counted(claude_projects):
    line = Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1")
    claude_projects.session_file("p", "s1", [line, line, line])
    assert logs(claude_projects).sessions().duplicate_lines == 2


def test_malformed_lines_are_skipped_and_counted(claude_projects):
    no_usage = json.dumps({"type": "assistant", "sessionId": "s1", "message": "not an object"})
    claude_projects.session_file("p", "s1", [*MALFORMED_LINES, no_usage, "",
                                             Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1")])
    listing = logs(claude_projects).sessions()
    assert listing.malformed_lines == len(MALFORMED_LINES) + 1
    assert [s.turns for s in listing.sessions] == [1]
    assert any("malformed line(s)" in w for w in listing.warnings)


def test_user_lines_are_not_turns(claude_projects):
    claude_projects.session_file("p", "s1", [user_line("s1", "2026-03-20T10:00:00Z"),
                                             Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1")])
    listing = logs(claude_projects).sessions()
    assert (listing.sessions[0].turns, listing.malformed_lines) == (1, 0)


def test_subagent_files_belong_to_their_session_and_are_marked(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1")])
    claude_projects.subagent_file("p", "s1", "agent-x", [
        Turn("msg_2", "req_2", "2026-03-20T10:01:00Z", "m", 5, 1, sidechain=True).line("s1")])
    detail = logs(claude_projects).session("s1")
    assert [t.subagent for t in detail.turns] == [False, True] and detail.summary.subagent_turns == 1


def test_a_sidechain_line_in_the_main_file_is_marked_as_subagent(claude_projects):
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3, sidechain=True).line("s1")])
    assert logs(claude_projects).session("s1").turns[0].subagent


def test_cost_of_a_hand_worked_turn(claude_projects):
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 1_000_000, 1_000_000, 1_000_000, 1_000_000).line("s1")])
    # 1 + 2 + 0.1 + 1.25 = 4.35 at tier-1 rates; 3M prompt tokens > 200,000, so tier 2: x1.5 = 6.525
    (turn,) = logs(claude_projects, ROUND).session("s1").turns
    assert turn.estimated_cost == pytest.approx(6.525) and turn.tier2


def test_a_turn_at_exactly_200000_prompt_tokens_is_tier_1(claude_projects):
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 100_000, 0, 0, 100_000).line("s1")])
    (turn,) = logs(claude_projects, ROUND).session("s1").turns
    assert not turn.tier2 and turn.estimated_cost == pytest.approx(0.11)


def test_an_unknown_model_is_unpriced_and_listed(claude_projects):
    claude_projects.session_file("p", "s1", [Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "x", 10, 3).line("s1")])
    listing = logs(claude_projects, ROUND).sessions()
    assert listing.unpriced_models == ["x"] and listing.sessions[0].estimated_cost == 0


def test_sessions_are_listed_newest_activity_first(claude_projects):
    for sid, stamp in (("old", "2026-03-01T10:00:00Z"), ("new", "2026-03-20T10:00:00Z"), ("mid", "2026-03-10T10:00:00Z")):
        claude_projects.session_file("p", sid, [Turn(f"m-{sid}", "r", stamp, "m", 1, 1).line(sid)])
    assert [s.session_id for s in logs(claude_projects).sessions().sessions] == ["new", "mid", "old"]


def test_sessions_are_paged(claude_projects):
    for n in range(5):
        claude_projects.session_file("p", f"s{n}", [Turn(f"m{n}", "r", f"2026-03-0{n + 1}T10:00:00Z", "m", 1, 1).line(f"s{n}")])
    page = logs(claude_projects).sessions(page=2, page_size=2)
    assert [s.session_id for s in page.sessions] == ["s2", "s1"] and page.total == 5


def test_search_finds_sessions_by_project(claude_projects):
    claude_projects.session_file("-home-dev-alpha", "s1", [Turn("m1", "r", "2026-03-01T10:00:00Z", "m", 1, 1).line("s1")])
    claude_projects.session_file("-home-dev-beta", "s2", [Turn("m2", "r", "2026-03-01T10:00:00Z", "m", 1, 1).line("s2")])
    assert [s.session_id for s in logs(claude_projects).sessions(search="BETA").sessions] == ["s2"]


def test_a_range_keeps_only_sessions_with_turns_in_it(claude_projects):
    claude_projects.session_file("p", "in", [Turn("m1", "r", "2026-03-20T23:59:59Z", "m", 1, 1).line("in")])
    claude_projects.session_file("p", "out", [Turn("m2", "r", "2026-03-21T00:00:00Z", "m", 1, 1).line("out")])
    listing = logs(claude_projects).sessions(DateRange(date(2026, 3, 20), date(2026, 3, 20)))
    assert [s.session_id for s in listing.sessions] == ["in"]


def test_a_unique_prefix_picks_the_session(claude_projects):
    claude_projects.session_file("p", "abc123", [Turn("m1", "r", "2026-03-01T10:00:00Z", "m", 1, 1).line("abc123")])
    assert logs(claude_projects).session("abc").summary.session_id == "abc123"


def test_an_ambiguous_prefix_names_the_candidates(claude_projects):
    for sid in ("abc1", "abc2"):
        claude_projects.session_file("p", sid, [Turn(f"m{sid}", "r", "2026-03-01T10:00:00Z", "m", 1, 1).line(sid)])
    with pytest.raises(SessionError, match="abc1, abc2"):
        logs(claude_projects).session("abc")


def test_an_unknown_session_says_how_to_list_them(claude_projects):
    with pytest.raises(SessionError, match="cli.py sessions"):
        logs(claude_projects).session("nope")


def test_a_missing_projects_directory_says_how_to_point_at_another(tmp_path):
    with pytest.raises(SessionError, match="--projects DIR or CLAUDE_PROJECTS_DIR"):
        ClaudeLogs(tmp_path / "absent")


def test_an_empty_projects_directory_has_no_sessions(claude_projects):
    assert logs(claude_projects).sessions().sessions == []


def test_projects_dir_prefers_the_flag_then_the_environment_then_the_default(tmp_path):
    assert projects_dir("/a", {"CLAUDE_PROJECTS_DIR": "/b"}) == projects_dir("/a", {})
    assert str(projects_dir(None, {"CLAUDE_PROJECTS_DIR": "/b"})) == "/b"
    assert str(projects_dir(None, {})).endswith(".claude/projects")


def test_sessions_match_the_oracle_on_random_logs(claude_projects):
    random_claude_projects(7, claude_projects)
    want, malformed = oracle_claude_turns(claude_projects.root)
    read = logs(claude_projects, RANDOM_AGENTX_RATES)
    listing = read.sessions(page_size=100)
    assert listing.malformed_lines == malformed
    got = {s.session_id: s for s in listing.sessions}
    assert set(got) == set(want)
    for sid, turns in want.items():
        s = got[sid]
        assert (s.turns, s.subagent_turns, s.input_tokens, s.output_tokens, s.cache_read_tokens,
                s.cache_write_tokens) == (len(turns), sum(t["subagent"] for t in turns),
                                          sum(t["input_tokens"] for t in turns), sum(t["output_tokens"] for t in turns),
                                          sum(t["cache_read_tokens"] for t in turns),
                                          sum(t["cache_write_tokens"] for t in turns))
        assert s.estimated_cost == pytest.approx(
            sum(claude_turn_cost(t, RANDOM_AGENTX_RATES.get(t["model"])) for t in turns), rel=1e-9)


# --- Axiom sessions ---------------------------------------------------------------------------------

def test_axiom_sessions_list_their_token_usage_rows_with_axioms_cost(axiom_db):
    axiom_db.session("s1")
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0, session_id="s1")
    axiom_db.usage("2026-03-20T11:00:00.000Z", "openai", "gpt-4o", 0, 0, cost=0.25, session_id="s1")
    axiom_db.usage("2026-03-20 12:00:00", "openai", "gpt-4o", 5, 5)  # no session
    book = pricing.resolve_prices([("openai", "gpt-4o")], pricing.SettingsPrices(), False)
    listing = axiom_sessions(open_source(axiom_db.path), book)
    (s,) = listing.sessions
    assert (s.session_id, s.turns, s.input_tokens, s.estimated_cost) == ("s1", 2, 1_000_000, pytest.approx(2.75))
    assert (s.cache_read_tokens, s.cache_write_tokens) == (None, None)
    assert "1 request(s) in range belong to no session" in listing.warnings[0]


def test_an_axiom_sessions_turns_are_its_rows_oldest_first(axiom_db):
    axiom_db.usage("2026-03-20 11:00:00", "anthropic", "claude-3-haiku-20240307", 7, 1, session_id="s1")
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 3, 2, session_id="s1")
    book = pricing.resolve_prices([], pricing.SettingsPrices(), False)
    detail = axiom_session(open_source(axiom_db.path), book, "s1")
    assert [(t.at, t.model, t.input_tokens) for t in detail.turns] == [
        (datetime(2026, 3, 20, 10), "gpt-4o", 3), (datetime(2026, 3, 20, 11), "claude-3-haiku-20240307", 7)]


# --- Claude Code logs as Anthropic bills them (issue 10 items 3-6) -----------------------------------

def library_logs(projects: ClaudeProjects) -> ClaudeLogs:
    """Read the logs priced by the genai-prices library only (no custom.json)."""
    return ClaudeLogs(projects.root, pricing.CustomPrices(), use_library=True)


def test_lines_without_a_request_id_are_one_response_per_message_id(claude_projects):
    line = Turn("msg_01X", None, "2026-03-20T10:00:00Z", "m", 10, 3).line("s1")
    claude_projects.session_file("p", "s1", [line, line])
    listing = logs(claude_projects).sessions()
    assert [(s.turns, s.input_tokens, s.output_tokens) for s in listing.sessions] == [(1, 10, 3)]
    assert listing.duplicate_lines == 1


def test_synthetic_messages_are_no_turns_and_no_models(claude_projects):
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 10, 3).line("s1"),
        Turn("msg_2", "req_2", "2026-03-20T10:00:05Z", "<synthetic>", 0, 0).line("s1")])
    read = logs(claude_projects, ROUND)
    listing = read.sessions()
    assert [(s.turns, s.models) for s in listing.sessions] == [(1, ("m",))]
    assert listing.unpriced_models == [] and read.synthetic_lines == 1


def test_a_one_hour_cache_write_costs_the_librarys_one_hour_rate(claude_projects):
    # claude-sonnet-4-5 (genai-prices): input 3, output 15, cache read 0.3, 5-minute write 3.75,
    # 1-hour write 6 USD per 1M. 1,000 + 50,000 + 100,000 = 151,000 input tokens: base tier.
    # 1,000*3 + 2,000*15 + 50,000*0.3 + 40,000*3.75 + 60,000*6 = 558,000 / 1e6 = 0.558
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "claude-sonnet-4-5", 1_000, 2_000, 100_000, 50_000,
             cache_write_1h_tokens=60_000).line("s1")])
    (turn,) = library_logs(claude_projects).session("s1").turns
    assert turn.estimated_cost == pytest.approx(0.558) and turn.cache_write_1h_tokens == 60_000


def test_a_one_hour_cache_write_at_custom_rates_is_twice_the_input_rate(claude_projects):
    # ROUND's m: input 1, 5-minute write 1.25; 1-hour write = 2 x 1 (Anthropic's rule).
    # 100,000 5-minute + 100,000 1-hour writes: 0.125 + 0.2 = 0.325 (200,000 tokens: not above 200k).
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "m", 0, 0, 200_000, 0,
             cache_write_1h_tokens=100_000).line("s1")])
    (turn,) = logs(claude_projects, ROUND).session("s1").turns
    assert turn.estimated_cost == pytest.approx(0.325) and not turn.tier2


def test_a_request_above_200k_uses_the_librarys_long_context_tier(claude_projects):
    # claude-sonnet-4-5 above 200,000 input tokens: input 6, output 22.5, cache read 0.6,
    # 5-minute write 7.5, 1-hour write 12. 10,000 + 150,000 + 50,000 = 210,000 input tokens.
    # 10,000*6 + 10,000*22.5 + 150,000*0.6 + 20,000*7.5 + 30,000*12 = 885,000 / 1e6 = 0.885
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "claude-sonnet-4-5", 10_000, 10_000, 50_000, 150_000,
             cache_write_1h_tokens=30_000).line("s1")])
    (turn,) = library_logs(claude_projects).session("s1").turns
    assert turn.estimated_cost == pytest.approx(0.885)
    assert turn.tier2 and turn.tier == "above 200,000 input tokens"


def test_a_request_at_exactly_200k_library_tokens_is_the_base_tier(claude_projects):
    # 200,000 input tokens do not exceed 200,000: 200,000*3 + 1,000*15 = 615,000 / 1e6
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-20T10:00:00Z", "claude-sonnet-4-5", 200_000, 1_000).line("s1")])
    (turn,) = library_logs(claude_projects).session("s1").turns
    assert turn.estimated_cost == pytest.approx(0.615) and turn.tier == ""


def test_a_request_is_priced_at_the_price_in_force_on_its_day(claude_projects):
    # genai-prices: claude-sonnet-4-6 had a >200k tier (input 6, output 22.5) until 2026-03-12;
    # from 2026-03-13 one flat price (3 / 15). 250,000 input + 1,000 output tokens:
    # on 03-12: 250,000*6 + 1,000*22.5 = 1.5225; on 03-13: 250,000*3 + 1,000*15 = 0.765.
    claude_projects.session_file("p", "s1", [
        Turn("msg_1", "req_1", "2026-03-12T23:59:59Z", "claude-sonnet-4-6", 250_000, 1_000).line("s1"),
        Turn("msg_2", "req_2", "2026-03-13T00:00:00Z", "claude-sonnet-4-6", 250_000, 1_000).line("s1")])
    turns = library_logs(claude_projects).session("s1").turns
    assert [t.estimated_cost for t in turns] == [pytest.approx(1.5225), pytest.approx(0.765)]


def test_library_priced_sessions_match_the_librarys_own_calculation_on_random_logs(claude_projects):
    from genai_prices import Usage, calc_price

    random_claude_projects(11, claude_projects)
    want, _malformed = oracle_claude_turns(claude_projects.root)
    got = {s.session_id: s for s in library_logs(claude_projects).sessions(page_size=100).sessions}
    for sid, turns in want.items():
        expected = 0.0
        for t in turns:
            if t["model"] == "house-model-x":
                continue  # unknown to the library: unpriced
            usage = Usage(input_tokens=t["input_tokens"] + t["cache_read_tokens"] + t["cache_write_tokens"],
                          output_tokens=t["output_tokens"], cache_read_tokens=t["cache_read_tokens"],
                          cache_write_tokens=t["cache_write_tokens"], cache_write_1h_tokens=t["cache_write_1h_tokens"])
            when = datetime.fromisoformat(t["timestamp"].replace("Z", "+00:00"))
            expected += float(calc_price(usage, t["model"], provider_id="anthropic",
                                         genai_request_timestamp=when).total_price)
        assert got[sid].estimated_cost == pytest.approx(expected, rel=1e-9), sid
