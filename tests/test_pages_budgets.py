"""The budget parts of the pages (issue 14) through Streamlit's AppTest: the Budgets page's status,
daily cost chart (the daily budget's rule, the unusual day's flag) and what-if table, and the
cost chart on Token Usage. Data: a real Axiom SQLite file; figures hand-worked beside the data."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from factories import ROOT, AxiomDB, spiky_axiom, texts

PASSWORD = "correct horse battery staple"
TODAY = datetime.now(timezone.utc).date()
SPIKE = TODAY - timedelta(days=5)


@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def spending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AxiomDB:
    """factories.spiky_axiom: $3.00 a day over TODAY-13 .. TODAY-1 but $30.00 on SPIKE (TODAY-5), the
    one unusual day; nothing today. Budget: $20 a day, $1,000 a month."""
    db = spiky_axiom(tmp_path / "data" / "db" / "openagent.db", TODAY)
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[budgets.all]\nmonthly = 1000\ndaily = 20\n", encoding="utf-8")
    monkeypatch.setenv("USAGE_DB", str(db.path))
    monkeypatch.setenv("USAGE_BUDGETS", str(budgets))
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")
    return db


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    run(at)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    run(at)
    if page:
        at.switch_page(f"pages/{page}.py")
        run(at)
    return at


def last_14_days(at: AppTest, prefix: str) -> AppTest:
    """Custom range TODAY-13 .. TODAY in the chooser whose keys start with `prefix` (Token Usage's: 'f')."""
    at.selectbox(key=f"{prefix}_range").set_value("custom")
    run(at)
    at.date_input(key=f"{prefix}_from").set_value(TODAY - timedelta(days=13))
    at.date_input(key=f"{prefix}_until").set_value(TODAY)
    return run(at)


def cost_chart(at: AppTest) -> dict[str, list[dict]]:
    """The daily cost chart's layers by name, each with its rows (the chart's inline datasets)."""
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        layers = {layer.get("name"): layer["data"]["name"] for layer in spec.get("layer", [])}
        if "cost_bars" in layers:
            data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets}
            return {name: data[ref] for name, ref in layers.items()}
    raise AssertionError("no daily cost chart on the page")


def frame_rows(at: AppTest, first_column: str) -> list[dict]:
    """The rows of the page's table whose first column is `first_column`."""
    tables = [t.value for t in at.dataframe if list(t.value.columns)[:1] == [first_column]]
    assert len(tables) == 1, f"{len(tables)} tables start with {first_column!r}"
    return tables[0].to_dict("records")


def test_the_budgets_page_draws_the_daily_budget_rule_and_flags_the_unusual_day(spending):
    at = last_14_days(signed_in("budgets"), "budgets")
    layers = cost_chart(at)
    assert [r["cost"] for r in layers["budget_rule"]] == [20.0]
    [flag] = layers["unusual_flags"]
    assert (flag["day"], flag["cost"]) == (SPIKE.isoformat(), 30.0)
    assert flag["unusual"] == "10.0x its 7-day median ($3.00)"
    assert len(layers["cost_bars"]) == 14


def test_the_budgets_page_shows_each_budgets_month_and_state(spending):
    at = signed_in("budgets")
    [row] = frame_rows(at, "Budget")
    assert (row["Budget"], row["Scope"], row["Monthly"], row["Daily"], row["Today"], row["State"]) == \
        ("all", "workspace", "$1,000.00", "$20.00", "$0.00", "ok")


def test_what_if_shows_the_range_at_another_models_prices_beside_the_actual(spending):
    at = last_14_days(signed_in("budgets"), "budgets")
    at.selectbox(key="whatif_model").set_value("gpt-4o")
    run(at)
    rows = frame_rows(at, "Provider")
    # 12 days x 1,000,000 + 10,000,000 = 22,000,000 prompt tokens: actual at $3 = $66; at gpt-4o's $2.50 = $55.
    assert rows[-1] == {"Provider": "Total", "Model": "", "Requests": "13", "Actual": "$66.00",
                        "As gpt-4o": "$55.00", "Difference": "-$11.00"}
    assert [d.label for d in at.get("download_button")] == ["Download CSV"]


def test_token_usage_draws_the_cost_chart_with_the_rule_when_budgets_are_set(spending):
    at = last_14_days(signed_in(), "f")
    layers = cost_chart(at)
    assert [r["cost"] for r in layers["budget_rule"]] == [20.0]
    assert [f["day"] for f in layers["unusual_flags"]] == [SPIKE.isoformat()]
    # month to date: the days of this month among TODAY-13 .. TODAY-1 (the data's days), at $3 or $30
    month = sum(30.0 if d == SPIKE else 3.0 for d in (TODAY - timedelta(days=n) for n in range(1, 14))
                if d.month == TODAY.month and d.year == TODAY.year)
    assert f"Budget “all”: ${month:,.2f} of $1,000.00 this month" in texts(at)


def test_a_malformed_budgets_file_is_a_warning_and_token_usage_still_renders(spending, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text("[budgets.all]\nmonthly = 'lots'\n", encoding="utf-8")
    monkeypatch.setenv("USAGE_BUDGETS", str(bad))
    at = signed_in()
    page = texts(at)
    assert "The budgets file bad.toml: budgets.all.monthly must be a USD amount above 0" in page
    assert str(tmp_path) not in page   # the file by its name only
    assert {m.label for m in at.metric} >= {"Estimated Cost"}
    assert not any(json.loads(c.proto.spec).get("layer") for c in at.get("vega_lite_chart"))  # no cost chart


def test_without_budgets_token_usage_is_as_before(spending, monkeypatch):
    monkeypatch.delenv("USAGE_BUDGETS")
    at = signed_in()
    assert not any(json.loads(c.proto.spec).get("layer") for c in at.get("vega_lite_chart"))


def test_the_budgets_page_on_agentx_data_says_what_if_needs_per_request_rows(monkeypatch):
    monkeypatch.setenv("USAGE_DEMO", "agentx")
    at = signed_in("budgets")
    assert any("needs per-request rows" in i.value for i in at.info)
    assert any("No budgets yet" in i.value for i in at.info)


def test_budget_names_and_model_ids_in_markdown_are_shown_as_text(tmp_path, monkeypatch):
    """A budget's name (the admin's) and a model id (the data's) reach captions and warnings only
    through md_text: every punctuation mark escaped, so no link, emphasis or LaTeX forms."""
    from factories import plain, shown

    hostile = "x` **BOLD** [click me](https://evil.example) `y $a$"
    db = AxiomDB(tmp_path / "data" / "db" / "openagent.db")
    db.usage(f"{TODAY} 08:00:00", "evil", hostile, prompt=1_000, completion=10, cost=0.5)
    budgets = tmp_path / "budgets.toml"
    budgets.write_text(f"[budgets.'{hostile}']\nmonthly = 0.1\ndaily = 0.2\nscope = {{ model = '{hostile}' }}\n"
                       f"[budgets.'{hostile} 2']\nmonthly = 'lots'\n", encoding="utf-8")
    monkeypatch.setenv("USAGE_DB", str(db.path))
    monkeypatch.setenv("USAGE_BUDGETS", str(budgets))
    at = signed_in("budgets")
    at.selectbox(key="budgets_model").set_value(hostile)
    run(at)
    at.selectbox(key="whatif_model").set_value("gpt-4o")
    run(at)
    bodies = [str(e.value) for kind in ("caption", "warning", "info") for e in at.get(kind)]
    hits = [b for b in bodies if "BOLD" in shown(b)]
    assert len(hits) >= 2   # the daily rule's caption and the malformed entry's warning
    for body in hits:
        assert hostile in plain(body.removeprefix(":material/info: "))


@pytest.fixture
def two_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workspace of two spiky Axiom files, a and b (each $3 a day, $30 on SPIKE), and two budgets:
    the workspace's ($40 a day) and a's alone ($20 a day, scope source = a)."""
    for name in ("a", "b"):
        spiky_axiom(tmp_path / name / "db" / "openagent.db", TODAY)
    sources = tmp_path / "sources.toml"
    sources.write_text("".join(f'[sources.{n}]\npath = "{tmp_path / n / "db" / "openagent.db"}"\n' for n in "ab"),
                       encoding="utf-8")
    budgets = tmp_path / "budgets.toml"
    budgets.write_text('[budgets.all]\nmonthly = 1000\ndaily = 40\n'
                       '[budgets.only_a]\nmonthly = 1000\ndaily = 20\nscope = { source = "a" }\n', encoding="utf-8")
    monkeypatch.delenv("USAGE_DB", raising=False)
    monkeypatch.setenv("USAGE_SOURCES", str(sources))
    monkeypatch.setenv("USAGE_BUDGETS", str(budgets))
    monkeypatch.setenv("USAGE_PRICE_LIBRARY", "false")


def test_token_usage_cost_chart_sums_a_workspace_and_its_budget_is_the_workspaces(two_sources):
    at = last_14_days(signed_in(), "f")
    layers = cost_chart(at)
    # both files: $6 a day, $60 on SPIKE; the workspace's own budget ($40 a day) is the rule
    assert {r["day"]: r["cost"] for r in layers["cost_bars"] if r["cost"]} == {
        (TODAY - timedelta(days=n)).isoformat(): 60.0 if n == 5 else 6.0 for n in range(1, 14)}
    assert [r["cost"] for r in layers["budget_rule"]] == [40.0]


def test_token_usage_narrowed_to_one_source_charts_that_source_against_its_budget(two_sources):
    at = signed_in()
    at.selectbox(key="f_source").set_value("a")
    at = last_14_days(run(at), "f")
    layers = cost_chart(at)
    assert {r["day"]: r["cost"] for r in layers["cost_bars"] if r["cost"]} == {
        (TODAY - timedelta(days=n)).isoformat(): 30.0 if n == 5 else 3.0 for n in range(1, 14)}
    assert [r["cost"] for r in layers["budget_rule"]] == [20.0]


def test_the_budgets_page_of_a_workspace_checks_a_source_scoped_budget(two_sources):
    at = signed_in("budgets")
    rows = {r["Budget"]: r for r in frame_rows(at, "Budget")}
    assert (rows["only_a"]["Scope"], rows["only_a"]["State"]) == ("source = a", "ok")
    assert rows["only_a"]["Why"] in ("", None)
