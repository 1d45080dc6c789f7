"""The Token Usage page over a workspace of several sources (issue 12, item 2), through AppTest.

Expected figures are summed by hand, per source, from plain-Python oracles over the factory
rows (factories.oracle_report for Axiom, SCHEMAS.md part B's rules for agentx), never from the
code under test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from factories import (RANDOM_AGENTX_RATES, RANDOM_SETTINGS, AgentxDB, AxiomDB, RandomAgentx, axiom_price_table,
                       daily_cost, fresh_app_env, oracle_report, oracle_usd, signed_in, texts)

PASSWORD = "correct horse battery staple"
MARCH = {"range": "custom", "from": "2026-03-01", "until": "2026-03-30"}
START, END = date(2026, 3, 1), date(2026, 3, 30)


@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_app_env(monkeypatch, PASSWORD)
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")  # the oracles know Axiom's table and custom.json only


@pytest.fixture
def lab_db(make_axiom_db) -> AxiomDB:
    """A small second Axiom database: gpt-4o 1M prompt ($2.50, Axiom's default) and 0.5M completion ($5.00)."""
    lab = make_axiom_db("lab.db")
    lab.usage("2026-03-10 09:00:00", "openai", "gpt-4o", 1_000_000, 0)
    lab.usage("2026-03-11 09:00:00", "openai", "gpt-4o", 0, 500_000)
    return lab


def configure_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **sources: dict[str, object]) -> Path:
    """Write a workspace file of `sources` (name -> its keys), in order, and point USAGE_SOURCES at it."""
    file = tmp_path / "sources.toml"
    file.write_text("\n".join(f"[sources.{name}]\n" + "".join(f'{key} = "{value}"\n' for key, value in keys.items())
                              for name, keys in sources.items()), encoding="utf-8")
    monkeypatch.setenv("USAGE_SOURCES", str(file))
    return file


def prod_settings(tmp_path: Path) -> Path:
    """RANDOM_SETTINGS as prod's settings.json."""
    settings = tmp_path / "prod-settings.json"
    settings.write_text(json.dumps(RANDOM_SETTINGS), encoding="utf-8")
    return settings


@pytest.fixture
def workspace(tmp_path: Path, random_db: AxiomDB, random_agentx_db: AgentxDB, lab_db: AxiomDB,
              monkeypatch: pytest.MonkeyPatch) -> Path:
    """prod (2,000 random Axiom rows, priced by RANDOM_SETTINGS), team (random agentx, priced by its
    custom.json) and lab (the two rows above), configured in one workspace file."""
    prod = {"path": random_db.path, "settings": prod_settings(tmp_path)}
    return configure_workspace(tmp_path, monkeypatch, prod=prod,
                               team={"path": random_agentx_db.path}, lab={"path": lab_db.path})


def axiom_totals(db: AxiomDB, settings: dict | None) -> dict:
    rows, sessions = db.read()
    return oracle_report(rows, sessions, axiom_price_table(settings), START, END)["totals"]


def agentx_totals(data: RandomAgentx) -> dict:
    """usage_daily over March's UTC days: tasks, input/output with their tier-2 parts, cost at custom.json rates."""
    totals = dict(requests=0, prompt_tokens=0, completion_tokens=0, total_tokens=0, estimated_cost=0.0)
    for row in data.daily:
        try:
            day = date.fromisoformat(str(row.day))
        except ValueError:
            continue
        if not START <= day <= END:
            continue
        prompt, completion = row.input_tokens + row.tier2_input_tokens, row.output_tokens + row.tier2_output_tokens
        totals["requests"] += row.tasks
        totals["prompt_tokens"] += prompt
        totals["completion_tokens"] += completion
        totals["total_tokens"] += prompt + completion
        totals["estimated_cost"] += daily_cost(row, RANDOM_AGENTX_RATES.get(row.model))
    return totals


def summed(*parts: dict) -> dict:
    return {key: sum(p[key] for p in parts) for key in parts[0]}


def kpis(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_kpis(totals: dict, units: str = "Requests") -> dict[str, str]:
    return {units: f"{totals['requests']:,}", "Total Tokens": f"{totals['total_tokens']:,}",
            "Estimated Cost": oracle_usd(totals["estimated_cost"])}


def breakdown_html(at) -> str:
    return next(e.proto.body for e in at.get("html") if "tu-table" in e.proto.body)


def test_the_workspace_totals_are_the_sum_of_every_source(workspace, random_db, random_agentx_data, lab_db):
    at = signed_in(PASSWORD, **MARCH)
    expected = summed(axiom_totals(random_db, RANDOM_SETTINGS), agentx_totals(random_agentx_data),
                      axiom_totals(lab_db, None))
    assert kpis(at) == expected_kpis(expected)
    assert not at.exception


def test_the_requests_card_says_what_it_adds_up_when_sources_count_different_units(workspace):
    at = signed_in(PASSWORD, **MARCH)
    assert "Requests adds each source's own unit: prod counts requests, team counts tasks, lab counts requests." \
        in texts(at)
    assert not at.exception


def test_the_breakdown_has_a_source_column_naming_each_source(workspace):
    at = signed_in(PASSWORD, **MARCH)
    table = breakdown_html(at)
    assert ">Source</th>" in table
    for name in ("prod", "team", "lab"):
        assert f'<td class="txt id">{name}</td>' in table
    assert not at.exception


def test_the_initiator_chart_says_which_sources_it_covers(workspace):
    at = signed_in(PASSWORD, **MARCH)
    assert "The initiator split covers prod, lab; team has none" in texts(at)
    assert not at.exception


def test_the_source_filter_narrows_to_one_source_and_goes_into_the_link(workspace, random_agentx_data):
    at = signed_in(PASSWORD, **MARCH)
    at.selectbox(key="f_source").select("team").run()
    assert not at.exception
    assert kpis(at) == expected_kpis(agentx_totals(random_agentx_data), units="Tasks")  # agentx counts tasks
    assert at.query_params["source"] == "team"
    assert ">Source</th>" not in breakdown_html(at)  # one source: no Source column


def test_a_link_with_source_opens_that_source(workspace, lab_db):
    at = signed_in(PASSWORD, source="lab", **MARCH)
    assert at.selectbox(key="f_source").value == "lab"
    assert kpis(at) == expected_kpis(axiom_totals(lab_db, None))
    assert not at.exception


@pytest.mark.parametrize("value", ["nope", "<script>alert(1)</script>", "x" * 5000, "prod\n"])
def test_an_unknown_or_hostile_source_in_the_link_is_ignored_with_a_note(workspace, value, random_db,
                                                                         random_agentx_data, lab_db):
    at = signed_in(PASSWORD, source=value, **MARCH)
    assert not at.exception
    assert at.selectbox(key="f_source").value == ""  # All sources
    assert "is not configured; showing all sources" in texts(at)
    expected = summed(axiom_totals(random_db, RANDOM_SETTINGS), agentx_totals(random_agentx_data),
                      axiom_totals(lab_db, None))
    assert kpis(at) == expected_kpis(expected)


def test_a_malformed_workspace_file_keeps_the_app_running_with_a_message(tmp_path, monkeypatch):
    file = tmp_path / "sources.toml"
    file.write_text("[sources.prod]\npath = 3\n", encoding="utf-8")
    monkeypatch.setenv("USAGE_SOURCES", str(file))
    monkeypatch.setenv("USAGE_DEMO", "axiom")
    at = signed_in(PASSWORD)
    assert not at.exception
    assert "`sources.prod.path` must be a non-empty string" in texts(at)
    assert at.metric  # the demo data is shown instead
    at.switch_page("pages/compare.py").run()  # every page says so
    assert not at.exception
    assert "`sources.prod.path` must be a non-empty string" in texts(at)


# ---------------------------------------------------------------------------------------
# The default demo (issue 12, item 6): a workspace of every kind, so each page has data.

def demo_cli_totals(demo: str, monkeypatch) -> dict:
    """One demo's totals for March... of the demo's own last 30 days, from the CLI (checked against
    the oracles in test_cli / test_cli_agentx) with USAGE_DEMO naming that demo alone."""
    import contextlib
    import io
    import json

    import cli

    monkeypatch.setenv("USAGE_DEMO", demo)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["report", "--days", "30", "--format", "json"]) == 0
    return json.loads(out.getvalue())["totals"]


def demo_names(*needs) -> list[str]:
    """The demo workspace's sources (one per kind with demo data, in registry order), or those whose
    kind has one of `needs`."""
    from queries.sources import demo_kinds

    return [k.name for k in demo_kinds() if not needs or any(k.can(c) for c in needs)]


def test_the_default_demo_is_a_workspace_of_every_demo(monkeypatch):
    expected = summed(*(demo_cli_totals(name, monkeypatch) for name in demo_names()))
    monkeypatch.setenv("USAGE_DEMO", "all")
    at = signed_in(PASSWORD)  # the default range: the last 30 days
    assert not at.exception
    assert len(demo_names()) >= 2 and at.selectbox(key="f_source").options == ["All sources", *demo_names()]
    assert kpis(at) == expected_kpis(expected)
    assert "Demo data" in [b.proto.label for b in at.get("badge")] or "Demo data" in texts(at)


def source_choices(at) -> list[str] | None:
    """The options of a page's Source selectbox, or None when the page draws none."""
    boxes = [box for box in at.selectbox if box.label == "Source"]
    return list(boxes[0].options) if boxes else None


def menu_pages() -> list[str]:
    """Every page of the menu but Token Usage (which sums the workspace), by its script's name."""
    from pages.common import PAGES

    return [spec.file.removesuffix(".py") for spec in PAGES if spec.file != "token_usage.py"]


@pytest.mark.parametrize("page", menu_pages())
def test_every_page_of_the_demo_workspace_is_filled_from_a_source_that_has_its_data(monkeypatch, page):
    from pages.common import page_needs

    able = demo_names(*page_needs(f"{page}.py"))  # e.g. only the agentx demo has agents
    monkeypatch.setenv("USAGE_DEMO", "all")
    at = signed_in(PASSWORD, page=page)
    assert not at.exception
    assert " data; this database is " not in texts(at) and "No data" not in texts(at)  # views.lacks' words
    assert able and source_choices(at) == (able if len(able) > 1 else None)  # a choice only when there is one


def test_a_page_narrowed_to_another_source_reads_that_source(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "all")
    at = signed_in(PASSWORD, page="compare")
    assert "Cost per request" in texts(at)  # the Axiom demo: compared per model, per request
    at.selectbox(key="page_source").select("agentx").run()
    assert not at.exception
    assert "Cost per task" in texts(at)  # the agentx demo: per agent, per task


def test_a_source_that_cannot_be_opened_is_named_and_the_others_are_shown(tmp_path, monkeypatch, lab_db):
    file = tmp_path / "sources.toml"
    file.write_text(f'[sources.lab]\npath = "{lab_db.path}"\n\n[sources.gone]\npath = "{tmp_path / "gone.db"}"\n',
                    encoding="utf-8")
    monkeypatch.setenv("USAGE_SOURCES", str(file))
    at = signed_in(PASSWORD, **MARCH)
    assert not at.exception
    assert "Source gone could not be read" in texts(at)
    assert kpis(at) == expected_kpis(axiom_totals(lab_db, None))
    assert str(tmp_path) not in texts(at)  # the missing file is named by its name only


def test_a_source_in_the_link_of_a_single_database_is_ignored_with_a_note(axiom_db, monkeypatch):
    axiom_db.usage("2026-03-10 09:00:00", "openai", "gpt-4o", 1_000_000, 0)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    at = signed_in(PASSWORD, source="<b>elsewhere</b>", **MARCH)
    assert not at.exception
    assert "Source '<b>elsewhere</b>' is not configured; showing all sources." in texts(at)
    assert kpis(at)["Requests"] == "1"
    assert "source" not in at.query_params  # the link is rewritten without it


def test_refresh_rereads_every_source_and_the_workspace_file(tmp_path, monkeypatch, lab_db, make_axiom_db):
    other = make_axiom_db("other.db")
    other.usage("2026-03-12 09:00:00", "openai", "gpt-4o", 10, 0)
    file = tmp_path / "sources.toml"
    file.write_text(f'[sources.lab]\npath = "{lab_db.path}"\n\n[sources.other]\npath = "{other.path}"\n',
                    encoding="utf-8")
    monkeypatch.setenv("USAGE_SOURCES", str(file))
    at = signed_in(PASSWORD, **MARCH)
    assert kpis(at)["Requests"] == "3"  # lab's 2 + other's 1
    lab_db.usage("2026-03-13 09:00:00", "openai", "gpt-4o", 10, 0)
    other.usage("2026-03-13 10:00:00", "openai", "gpt-4o", 10, 0)
    third = make_axiom_db("third.db")
    third.usage("2026-03-14 09:00:00", "openai", "gpt-4o", 10, 0)
    file.write_text(file.read_text(encoding="utf-8") + f'\n[sources.third]\npath = "{third.path}"\n', encoding="utf-8")
    at.button(key="refresh").click().run()
    assert not at.exception
    assert kpis(at)["Requests"] == "6"  # 3 + one new row in each old source + the new source's row
    assert at.selectbox(key="f_source").options == ["All sources", "lab", "other", "third"]


def test_each_source_s_unpriced_models_are_shown_with_its_own_price_file(workspace):
    at = signed_in(PASSWORD, **MARCH)
    from factories import shown

    warnings = [text for text in (shown(str(w.value)) for w in at.warning) if "No price is known" in text]
    agentx = [w for w in warnings if "house-model-x" in w]
    axiom = [w for w in warnings if "llama3.1:8b-local" in w]
    assert len(agentx) == 1 and "custom.json" in agentx[0] and "tokenPriceTable" not in agentx[0]
    assert len(axiom) == 1 and "tokenPriceTable" in axiom[0] and "house-model-x" not in axiom[0]
    assert not at.exception


def test_the_sessions_page_narrowed_to_the_agentx_demo_reads_its_claude_code_logs(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "all")
    at = signed_in(PASSWORD, page="sessions")
    assert "Claude Code sessions in the folder" not in texts(at)  # the first source: the Axiom demo's own sessions
    at.selectbox(key="page_source").select("agentx").run()
    assert not at.exception
    assert "Claude Code sessions in the folder projects" in texts(at)


def test_the_menu_of_a_workspace_has_every_page_some_source_can_fill(tmp_path, monkeypatch, lab_db, agentx_db):
    """Axiom alone has no Agents or Tier 2 page; with an agentx source beside it, the menu has both."""
    configure_workspace(tmp_path, monkeypatch, lab={"path": lab_db.path}, team={"path": agentx_db.path})
    at = signed_in(PASSWORD)
    assert not at.exception
    menu = [Path(str(info["script_path"])).name for info in at._registered_pages.values()]
    assert {"agents.py", "tier2.py", "sessions.py", "compare.py", "token_usage.py"} <= set(menu)
    configure_workspace(tmp_path, monkeypatch, lab={"path": lab_db.path})
    fresh_app_env(monkeypatch, PASSWORD)  # a new server: the menu is read again
    at = signed_in(PASSWORD)
    menu = [Path(str(info["script_path"])).name for info in at._registered_pages.values()]
    assert "agents.py" not in menu and "tier2.py" not in menu
