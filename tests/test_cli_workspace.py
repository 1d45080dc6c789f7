"""cli.py over a workspace of several sources (issue 12, item 2): repeated --db, --sources FILE,
--source NAME, and --kind; the single-source JSON stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import AxiomDB

DAY = ("--from", "2026-03-20", "--until", "2026-03-20")


@pytest.fixture
def two_dbs(make_axiom_db) -> tuple[AxiomDB, AxiomDB]:
    """prod: gpt-4o 1M prompt ($2.50 at Axiom's default) + a heartbeat; lab: gpt-4o-mini 2M prompt ($0.30)."""
    prod, lab = make_axiom_db("prod.db"), make_axiom_db("lab.db")
    prod.session("hb", type="heartbeat")
    prod.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    prod.usage("2026-03-20 11:00:00", "openai", "gpt-4o", 0, 100_000, session_id="hb")  # 0.1M out at $10 = $1.00
    lab.usage("2026-03-20 12:00:00", "openai", "gpt-4o-mini", 2_000_000, 0)            # 2M in at $0.15 = $0.30
    return prod, lab


def write_workspace(tmp_path: Path, prod: AxiomDB, lab: AxiomDB) -> Path:
    file = tmp_path / "sources.toml"
    file.write_text(f'[sources.prod]\npath = "{prod.path}"\n\n[sources.lab]\npath = "{lab.path}"\n', encoding="utf-8")
    return file


def test_repeated_db_sums_the_sources_and_names_each_row(run_cli, two_dbs):
    prod, lab = two_dbs
    data = run_cli("report", "--db", prod.path, "--db", lab.path, *DAY, "--format", "json",
                   "--no-price-library").json()
    # 1M + 0 + 2M prompt, 0 + 0.1M + 0 completion; $2.50 + $1.00 + $0.30
    assert data["totals"] == {"requests": 3, "prompt_tokens": 3_000_000, "completion_tokens": 100_000,
                              "total_tokens": 3_100_000, "estimated_cost": pytest.approx(3.8)}
    assert [(b["source"], b["model"], b["cost_share"]) for b in data["breakdown"]] == [
        ("axiom", "gpt-4o", pytest.approx(3.5 / 3.8)), ("axiom-2", "gpt-4o-mini", pytest.approx(0.3 / 3.8))]
    assert [s["name"] for s in data["sources"]] == ["axiom", "axiom-2"]
    # Both are Axiom: the initiator split covers both (the heartbeat's 0.1M tokens).
    assert data["by_initiator"] == [{"day": "2026-03-20", "main_tokens": 3_000_000, "task_tokens": 0,
                                     "heartbeat_tokens": 100_000}]


def test_a_workspace_file_names_the_sources(run_cli, two_dbs, tmp_path):
    file = write_workspace(tmp_path, *two_dbs)
    data = run_cli("report", "--sources", file, *DAY, "--format", "json", "--no-price-library").json()
    assert sorted(b["source"] for b in data["breakdown"]) == ["lab", "prod"]
    assert data["totals"]["requests"] == 3


def test_the_workspace_file_setting_is_read_from_the_environment(run_cli, two_dbs, tmp_path, monkeypatch):
    monkeypatch.setenv("USAGE_SOURCES", str(write_workspace(tmp_path, *two_dbs)))
    data = run_cli("report", *DAY, "--format", "json", "--no-price-library").json()
    assert [s["name"] for s in data["sources"]] == ["prod", "lab"]


def test_source_name_picks_one_source_whose_json_is_the_single_source_json(run_cli, two_dbs, tmp_path):
    prod, lab = two_dbs
    picked = run_cli("report", "--sources", write_workspace(tmp_path, prod, lab), "--source", "lab", *DAY,
                     "--format", "json", "--no-price-library")
    alone = run_cli("report", "--db", lab.path, *DAY, "--format", "json", "--no-price-library")
    assert picked.code == 0 and picked.out == alone.out
    assert all("source" not in b for b in json.loads(alone.out)["breakdown"])


def test_an_unknown_source_name_lists_the_configured_ones(run_cli, two_dbs, tmp_path):
    result = run_cli("report", "--sources", write_workspace(tmp_path, *two_dbs), "--source", "<script>", *DAY)
    assert result.code == 2 and "Traceback" not in result.err
    assert "No source named '<script>'" in result.err and "prod, lab" in result.err


def test_a_malformed_workspace_file_exits_2_naming_the_file_and_key(run_cli, tmp_path):
    file = tmp_path / "sources.toml"
    file.write_text('[sources.prod]\nkind = "axiom"\n', encoding="utf-8")
    result = run_cli("report", "--sources", file, *DAY)
    assert result.code == 2 and "Traceback" not in result.err
    assert str(file) in result.err and "[sources.prod] has no `path`" in result.err


def test_one_db_with_source_as_a_kind_keeps_working(run_cli, two_dbs):
    prod, _lab = two_dbs
    as_kind = run_cli("report", "--db", prod.path, "--source", "axiom", *DAY, "--format", "json")
    with_kind = run_cli("report", "--db", prod.path, "--kind", "axiom", *DAY, "--format", "json")
    assert as_kind.code == with_kind.code == 0 and as_kind.out == with_kind.out
    wrong = run_cli("report", "--db", prod.path, "--kind", "agentx", *DAY)
    assert wrong.code == 2 and "agentx" in wrong.err


def test_the_table_of_a_workspace_has_a_source_column(run_cli, two_dbs):
    prod, lab = two_dbs
    out = run_cli("report", "--db", prod.path, "--db", lab.path, *DAY, "--no-price-library").out
    header = next(line for line in out.splitlines() if "Provider" in line)
    assert header.split()[:3] == ["Source", "Provider", "Model"]
    assert any(line.split()[:2] == ["axiom-2", "openai"] for line in out.splitlines())


def test_a_workspace_file_of_one_source_prints_that_source_s_own_json(run_cli, two_dbs, tmp_path):
    prod, _lab = two_dbs
    file = tmp_path / "one.toml"
    file.write_text(f'[sources.prod]\npath = "{prod.path}"\n', encoding="utf-8")
    via_file = run_cli("report", "--sources", file, *DAY, "--format", "json")
    alone = run_cli("report", "--db", prod.path, *DAY, "--format", "json")
    assert via_file.code == 0 and via_file.out == alone.out


def test_each_source_s_unpriced_models_go_to_its_own_price_file(run_cli, make_axiom_db, agentx_db):
    from factories import DailyUsage

    axiom = make_axiom_db("a.db")
    axiom.usage("2026-03-20 10:00:00", "ollama", "local-a", 100, 10)
    agentx_db.daily(DailyUsage("main", "house-model-x", "2026-03-20", 100, 10, tasks=1))
    out = run_cli("report", "--db", axiom.path, "--db", agentx_db.path, *DAY, "--no-price-library").out
    assert "Unpriced in axiom (no price anywhere, counted as $0.00; add them to tokenPriceTable): local-a" in out
    assert "Unpriced in agentx (no price anywhere, counted as $0.00; add them to" in out
    assert "custom.json): house-model-x" in out
