"""`cli.py budget`: the status of every budget, exit 0 (fine) / 3 (over or forecast over) / 2 (bad input),
and new alerts to a webhook (a real local HTTP server), once per period. Figures hand-worked."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import AxiomDB
from webhook_server import webhook_server

SONNET = "claude-sonnet-4-20250514"  # Axiom default $3 / $15 per 1M
AS_OF = ("--as-of", "2026-03-10")


@pytest.fixture
def db(axiom_db: AxiomDB) -> AxiomDB:
    # Mar 3..9: $3.00 a day (1,000,000 Sonnet prompt tokens); Mar 10 (today): $6.00 so far.
    for n in range(7):
        axiom_db.usage(f"2026-03-{3 + n:02d} 12:00:00", "anthropic", SONNET, prompt=1_000_000)
    axiom_db.usage("2026-03-10 08:00:00", "anthropic", SONNET, prompt=2_000_000)
    return axiom_db
    # month to date 7 x 3 + 6 = 27; forecast 21 + max(6, 3) + 3 x 21 = 90 (band: every trailing day is 3 -> 90 .. 90)


def _budgets(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "budgets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_all_budgets_fine_exits_0(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 90\n")   # forecast 90 is not over 90
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    [status] = result.json()["budgets"]
    assert (status["state"], status["month_to_date"], status["today"]) == ("ok", 27.0, 6.0)
    assert status["forecast"] == {"expected": 90.0, "low": 90.0, "high": 90.0, "days_left": 21, "trailing_mean": 3.0}


def test_a_budget_forecast_to_be_over_exits_3(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 89.99\n")
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--format", "json")
    assert result.code == 3 and result.json()["budgets"][0]["state"] == "forecast over"


def test_a_budget_over_exits_3_and_the_table_says_over(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 26.99\n\n[budgets.fine]\nmonthly = 1000\n")
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF)
    assert result.code == 3
    rows = {line.split()[0]: line.split()[-1] for line in result.out.splitlines()[3:]}
    assert rows == {"all": "over", "fine": "ok"}


def test_a_daily_budget_exceeded_today_exits_3(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 1000\ndaily = 5.99\n")   # today $6.00
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--format", "json")
    assert result.code == 3 and result.json()["budgets"][0]["daily_over"] is True


@pytest.mark.parametrize("text", ['[budgets.all]\nmonthly = "much"\n', "[budgets\n"])
def test_a_malformed_budgets_file_exits_2_naming_the_file(run_cli, db, tmp_path, text):
    path = _budgets(tmp_path, text)
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF)
    assert result.code == 2 and str(path) in result.err and "Traceback" not in result.err


def test_no_budgets_file_exits_2(run_cli, db):
    result = run_cli("budget", "--db", db.path)
    assert result.code == 2 and "--budgets" in result.err


def test_a_bad_as_of_day_exits_2(run_cli, db, tmp_path):
    result = run_cli("budget", "--db", db.path, "--budgets", _budgets(tmp_path, "[budgets.a]\nmonthly = 1\n"),
                     "--as-of", "2026-02-30")
    assert result.code == 2 and "--as-of" in result.err


def test_the_webhook_gets_one_alert_per_period_across_runs(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 20\n")   # 27 spent: over
    with webhook_server() as srv:
        first = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--webhook", srv.url)
        again = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--webhook", srv.url)
    assert (first.code, again.code) == (3, 3)
    assert srv.bodies == [{"text": "Budget 'all' (workspace): month to date $27.00 is over its $20.00 monthly budget."}]


def test_an_undeliverable_alert_is_a_warning_and_the_exit_status_stays(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 20\n")
    with webhook_server(status=404) as srv:
        result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--webhook", srv.url)
    assert result.code == 3 and "not delivered after 1 attempt(s) (HTTP 404)" in result.err


def test_the_alert_state_is_kept_in_the_cache_dir_not_beside_the_database(run_cli, db, tmp_path, isolated_environment):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 20\n")
    before = sorted(p.name for p in db.path.parent.iterdir())
    with webhook_server() as srv:
        run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--webhook", srv.url)
    assert (isolated_environment / "token-usage" / "budget-alerts.json").is_file()
    assert sorted(p.name for p in db.path.parent.iterdir()) == before


def test_a_webhook_that_is_not_http_exits_2(run_cli, db, tmp_path):
    path = _budgets(tmp_path, "[budgets.all]\nmonthly = 20\n")
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--webhook", "file:///etc/passwd")
    assert result.code == 2 and "http://" in result.err


def test_a_budget_whose_scope_this_data_cannot_tell_exits_2_and_says_why(run_cli, db, tmp_path):
    path = _budgets(tmp_path, '[budgets.team]\nmonthly = 20\nscope = { team = "search" }\n')
    result = run_cli("budget", "--db", db.path, "--budgets", path, *AS_OF, "--format", "json")
    assert result.code == 2 and result.json()["budgets"][0]["state"] == "unavailable"
    assert "budget 'team' (team = search) cannot be checked: this data has no team dimension" in result.err


# --- whatif ---------------------------------------------------------------------------------

MARCH = ("--from", "2026-03-01", "--until", "2026-03-31")


def test_whatif_as_another_model_prices_every_request_at_its_rates(run_cli, db):
    # 9,000,000 Sonnet prompt tokens: actual 9 x $3 = $27; as gpt-4o (Axiom default $2.50 in) 9 x 2.5 = $22.50
    result = run_cli("whatif", "--db", db.path, *MARCH, "--as-model", "gpt-4o", "--format", "json")
    assert result.code == 0, result.err
    out = result.json()
    assert (out["actual_cost"], out["whatif_cost"], out["target"]) == (27.0, 22.5, "gpt-4o")
    assert out["rows"] == [{"provider": "anthropic", "model": SONNET, "requests": 8, "actual_cost": 27.0,
                            "whatif_cost": 22.5, "unpriced_requests": 0}]


def test_whatif_with_another_price_table_and_its_csv_total(run_cli, db, tmp_path):
    table = tmp_path / "other-settings.json"
    table.write_text('{"tokenPriceTable": {"claude-sonnet-4-20250514": {"input": 1.0, "output": 5.0}}}',
                     encoding="utf-8")
    result = run_cli("whatif", "--db", db.path, *MARCH, "--price-table", table, "--format", "csv")
    assert result.code == 0, result.err
    total = result.out.splitlines()[-1].split(",")
    assert total[0] == "Total" and (float(total[3]), float(total[4]), float(total[5])) == (27.0, 9.0, -18.0)


def test_whatif_with_a_missing_price_table_exits_2(run_cli, db, tmp_path):
    result = run_cli("whatif", "--db", db.path, *MARCH, "--price-table", tmp_path / "nope.json")
    assert result.code == 2 and "nope.json" in result.err


def test_a_workspace_budget_sums_every_source_and_a_source_budget_reads_its_own(run_cli, db, tmp_path):
    # a second database: Mar 10 (today) $3.00 only; the workspace's month to date is 27 + 3 = 30
    other = AxiomDB(tmp_path / "other" / "db" / "openagent.db")
    other.usage("2026-03-10 09:00:00", "anthropic", SONNET, prompt=1_000_000)
    path = _budgets(tmp_path, '[budgets.all]\nmonthly = 1000\n\n[budgets.second]\nmonthly = 1000\n'
                              'scope = { source = "axiom-2" }\n')
    result = run_cli("budget", "--db", db.path, "--db", other.path, "--budgets", path, *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    statuses = {s["name"]: s for s in result.json()["budgets"]}
    assert (statuses["all"]["month_to_date"], statuses["all"]["today"]) == (30.0, 9.0)
    assert (statuses["second"]["month_to_date"], statuses["second"]["today"]) == (3.0, 3.0)
