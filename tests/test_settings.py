"""Configuration: flags over environment over defaults, bad values fall back with a warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factories import OWN_ENV_VARS, AxiomDB
from queries import source_paths
from queries.settings import SETTINGS, default_settings_path, resolve_config


def test_no_environment_gives_the_documented_defaults():
    config = resolve_config({})
    assert dict(config.values) == {"db": None, "sources": None, "demo": "all", "settings": None, "source": None, "tz": "UTC",
                                   "price_library": True, "mirror": True, "auto_refresh_seconds": 0,
                                   "projects": None, "cache_ttl_seconds": 300,
                                   "trusted_proxies": (), "login_budget_per_minute": 30,
                                   "login_lifetime_seconds": 43_200,
                                   "budgets": None, "anomaly_k": 3.0, "budget_webhook": None,
                                   "cache_dir": None}
    assert config.warnings == ()


def test_every_setting_has_its_documented_environment_variable():
    assert {s.name: s.env for s in SETTINGS} == {
        "db": "USAGE_DB", "sources": "USAGE_SOURCES", "demo": "USAGE_DEMO", "settings": "USAGE_SETTINGS", "source": "USAGE_SOURCE", "tz": "USAGE_TZ",
        "price_library": "USAGE_PRICE_LIBRARY", "mirror": "USAGE_MIRROR",
        "auto_refresh_seconds": "USAGE_AUTO_REFRESH_SECONDS", "projects": "CLAUDE_PROJECTS_DIR",
        "cache_ttl_seconds": "USAGE_CACHE_TTL_SECONDS", "trusted_proxies": "USAGE_TRUSTED_PROXIES",
        "login_budget_per_minute": "USAGE_LOGIN_BUDGET_PER_MINUTE",
        "login_lifetime_seconds": "USAGE_LOGIN_LIFETIME_SECONDS",
        "budgets": "USAGE_BUDGETS", "anomaly_k": "USAGE_ANOMALY_K", "budget_webhook": "USAGE_BUDGET_WEBHOOK",
        "cache_dir": "USAGE_CACHE_DIR"}


def test_environment_values_are_parsed():
    config = resolve_config({"USAGE_DB": " /data/db/openagent.db ", "USAGE_TZ": "Europe/Berlin",
                             "USAGE_PRICE_LIBRARY": "off", "USAGE_AUTO_REFRESH_SECONDS": "30",
                             "USAGE_CACHE_TTL_SECONDS": "0"})
    assert (config.db, config.tz, config.price_library, config.auto_refresh_seconds, config.cache_ttl_seconds) == (
        "/data/db/openagent.db", "Europe/Berlin", False, 30, 0)
    assert config.warnings == ()


@pytest.mark.parametrize("text", ["1", "true", "YES", "On"])
def test_price_library_accepts_the_usual_true_words(text):
    assert resolve_config({"USAGE_PRICE_LIBRARY": text}).price_library is True


def test_flags_win_over_the_environment():
    config = resolve_config({"USAGE_DB": "/env.db", "USAGE_TZ": "Asia/Tokyo", "USAGE_PRICE_LIBRARY": "true"},
                            {"db": "/flag.db", "tz": "UTC", "price_library": False})
    assert (config.db, config.tz, config.price_library) == ("/flag.db", "UTC", False)


def test_unset_flags_leave_the_environment_in_charge():
    config = resolve_config({"USAGE_DB": "/env.db"}, {"db": None, "price_library": None})
    assert (config.db, config.price_library) == ("/env.db", True)


def test_blank_environment_value_means_the_default_without_a_warning():
    config = resolve_config({"USAGE_TZ": "  ", "USAGE_DB": ""})
    assert (config.tz, config.db, config.warnings) == ("UTC", None, ())


@pytest.mark.parametrize(("name", "value", "default"), [
    ("USAGE_TZ", "Mars/Olympus", "UTC"),
    ("USAGE_PRICE_LIBRARY", "maybe", True),
    ("USAGE_AUTO_REFRESH_SECONDS", "soon", 0),
    ("USAGE_CACHE_TTL_SECONDS", "-5", 300),
    ("USAGE_DEMO", "sqlite", "all"),
    ("USAGE_TRUSTED_PROXIES", "10.0.0.1, proxy.example", ()),
    ("USAGE_LOGIN_BUDGET_PER_MINUTE", "0", 30),
    ("USAGE_LOGIN_LIFETIME_SECONDS", "12h", 43_200),
])
def test_malformed_environment_value_falls_back_to_the_default_and_names_the_variable(name, value, default):
    config = resolve_config({name: value})
    setting = next(s for s in SETTINGS if s.env == name)
    assert config.values[setting.name] == default
    assert len(config.warnings) == 1 and name in config.warnings[0] and repr(value) in config.warnings[0]


def test_axiom_layout_finds_settings_beside_the_database(tmp_path):
    assert default_settings_path(tmp_path / "data" / "db" / "openagent.db") == tmp_path / "data" / "config" / "settings.json"


def test_other_layouts_have_no_default_settings(tmp_path):
    assert default_settings_path(tmp_path / "usage.db") is None


def test_configured_database_is_not_demo_and_explicit_settings_win(tmp_path):
    config = resolve_config({}, {"db": str(tmp_path / "db" / "openagent.db"), "settings": str(tmp_path / "mine.json")})
    assert source_paths(config) == (tmp_path / "db" / "openagent.db", tmp_path / "mine.json", False)


def test_no_database_configured_means_demo_data_in_the_cache_dir(isolated_environment):
    db, settings, is_demo = source_paths(resolve_config({}))
    assert is_demo is True
    assert db.is_file() and settings.is_file()
    assert db.parent == isolated_environment / "token-usage-dashboard"


def test_developers_own_configuration_is_kept_out_of_tests(isolated_environment, tmp_path_factory):
    # only the suite's own pin of the single Axiom demo (conftest.py) is set
    assert {name: os.environ[name] for name in OWN_ENV_VARS if name in os.environ} == {"USAGE_DEMO": "axiom"}
    assert Path(os.environ["XDG_CACHE_HOME"]) == isolated_environment
    assert Path(os.environ["HOME"]).is_relative_to(tmp_path_factory.getbasetemp())


# --- the CLI reads the same configuration ----------------------------------------------------------

def gpt4o_row(db: AxiomDB) -> AxiomDB:
    db.usage("2026-03-20 10:00:00", "openai", "gpt-4o", 1_000_000, 0)
    return db


def test_cli_reads_the_database_named_by_usage_db(run_cli, axiom_db, monkeypatch):
    gpt4o_row(axiom_db)
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    result = run_cli("report", "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.code == 0
    assert (result.json()["totals"]["requests"], result.json()["source"]["demo"]) == (1, False)


def test_cli_db_flag_wins_over_usage_db(run_cli, axiom_db, make_axiom_db, monkeypatch):
    gpt4o_row(axiom_db)
    other = make_axiom_db("empty.db")
    monkeypatch.setenv("USAGE_DB", str(other.path))
    result = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.json()["totals"]["requests"] == 1


def test_cli_prices_from_usage_settings(run_cli, axiom_db, write_settings, monkeypatch):
    gpt4o_row(axiom_db)
    monkeypatch.setenv("USAGE_SETTINGS", str(write_settings({"tokenPriceTable": {"gpt-4o": {"input": 4, "output": 0}}})))
    result = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.json()["totals"]["estimated_cost"] == pytest.approx(4.0)


def test_cli_finds_settings_in_axioms_data_dir_layout(run_cli, tmp_path, write_settings):
    db = gpt4o_row(AxiomDB(tmp_path / "data" / "db" / "openagent.db"))
    (tmp_path / "data" / "config").mkdir()
    (tmp_path / "data" / "config" / "settings.json").write_text('{"tokenPriceTable": {"gpt-4o": {"input": 7, "output": 0}}}')
    result = run_cli("report", "--db", db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.json()["totals"]["estimated_cost"] == pytest.approx(7.0)
    assert result.json()["prices"][0]["source"] == "settings"


def test_cli_honours_usage_price_library_false(run_cli, axiom_db, monkeypatch):
    axiom_db.usage("2026-03-20 10:00:00", "openai", "gpt-4.1", 1_000_000, 0)
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")
    result = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.json()["unpriced_models"] == ["gpt-4.1"]


def test_cli_uses_usage_tz_for_its_days(run_cli, axiom_db, monkeypatch):
    axiom_db.usage("2026-03-20 23:30:00", prompt=5)
    monkeypatch.setenv("USAGE_TZ", "Asia/Tokyo")
    data = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-21", "--until", "2026-03-21",
                   "--format", "json").json()
    assert (data["range"]["tz"], data["totals"]["prompt_tokens"]) == ("Asia/Tokyo", 5)


def test_cli_warns_about_a_bad_usage_tz_and_uses_utc(run_cli, axiom_db, monkeypatch):
    monkeypatch.setenv("USAGE_TZ", "Mars/Olympus")
    result = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20", "--format", "json")
    assert result.code == 0
    assert "USAGE_TZ" in result.err and "warning" in result.err
    assert result.json()["range"]["tz"] == "UTC"


@pytest.mark.parametrize("text", ["1", "0.5", "-3", "inf", "nan", "lots"])
def test_an_anomaly_k_that_is_not_a_number_above_1_falls_back_to_3_with_a_warning(text):
    config = resolve_config({"USAGE_ANOMALY_K": text})
    assert config.anomaly_k == 3.0 and "USAGE_ANOMALY_K" in config.warnings[0]
