"""Every breakdown row names where its price came from; a row with no price says "unpriced".

Hand-worked cases on real SQLite files; the library's version is read from the installed
package's metadata, not from the code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib.metadata import version

import pytest

from factories import AxiomDB
from queries import load_dataset
from queries.dates import DateRange
from queries.mirror import open_mirrored_source
from queries.sources import open_source
from queries.usage import BreakdownRow, Filters, UsageReport, usage_report

DAY = date(2026, 3, 20)
AT = "2026-03-20 10:00:00"


def report(db: AxiomDB, settings=None, library: bool = False) -> UsageReport:
    source = open_source(db.path)
    try:
        data = load_dataset(source, settings, library)
        return usage_report(source, Filters(DateRange(DAY, DAY)), data.prices, data.catalog)
    finally:
        source.close()


def row(rep: UsageReport, model: str) -> BreakdownRow:
    (found,) = [b for b in rep.breakdown if b.model == model]
    return found


def test_each_source_is_named(axiom_db, write_settings):
    settings = write_settings({"tokenPriceTable": {"mine": {"input": 1, "output": 1}}})
    axiom_db.usage(AT, "acme", "mine", 100, 10)                             # settings.json
    axiom_db.usage(AT, "openai", "gpt-4o", 100, 10)                          # Axiom's built-in table
    axiom_db.usage(AT, "anthropic", "claude-opus-4-7", 100, 10, cost=0.5)    # the agent stored a cost
    axiom_db.usage(AT, "openai", "gpt-4.1", 100, 10)                         # only genai-prices knows it
    axiom_db.usage(AT, "local", "my-llm", 100, 10)                           # nobody knows it
    rep = report(axiom_db, settings, library=True)
    assert row(rep, "mine").price_source == "settings.json"
    assert row(rep, "gpt-4o").price_source == "Axiom default"
    assert row(rep, "claude-opus-4-7").price_source == "stored cost"
    assert row(rep, "gpt-4.1").price_source == f"genai-prices {version('genai-prices')}"
    assert row(rep, "my-llm").price_source == "unpriced"


def test_a_row_with_stored_and_priced_requests_names_both(axiom_db):
    axiom_db.usage(AT, "openai", "gpt-4o", 100, 10, cost=0.01)
    axiom_db.usage(AT, "openai", "gpt-4o", 100, 10)
    b = row(report(axiom_db), "gpt-4o")
    assert (b.price_source, b.stored_requests, b.unpriced_requests) == ("stored cost + Axiom default", 1, 0)


def test_a_row_with_stored_and_unpriced_requests_names_both(axiom_db):
    axiom_db.usage(AT, "local", "my-llm", 100, 10, cost=0.01)
    axiom_db.usage(AT, "local", "my-llm", 100, 10)
    b = row(report(axiom_db), "my-llm")
    assert (b.price_source, b.stored_requests, b.unpriced_requests) == ("stored cost + unpriced", 1, 1)
    assert b.estimated_cost == 0.01 and not b.is_unpriced


def test_unpriced_row_says_so_in_json_csv_and_its_cost_cell(axiom_db):
    axiom_db.usage(AT, "local", "my-llm", 100, 10)
    rep = report(axiom_db)
    b = row(rep, "my-llm")
    assert b.is_unpriced and b.unpriced_requests == 1 and b.estimated_cost == 0.0
    (json_row,) = rep.as_json()["breakdown"]
    assert json_row["price_source"] == "unpriced" and json_row["estimated_cost"] == 0.0
    (csv_row,) = csv.DictReader(io.StringIO(rep.csv("breakdown")))
    assert csv_row["price_source"] == "unpriced"


def test_stored_cost_more_than_one_percent_off_the_price_shows_the_difference(axiom_db):
    # gpt-4o at 2.50 per 1M input: 1,000,000 prompt tokens cost 2.50 by price; the agent stored 3.00.
    axiom_db.usage(AT, "openai", "gpt-4o", 1_000_000, 0, cost=3.0)
    b = row(report(axiom_db), "gpt-4o")
    assert (b.stored_cost, b.recomputed_cost, b.stored_difference) == (3.0, 2.5, 0.5)


def test_stored_cost_within_one_percent_shows_no_difference(axiom_db):
    # 2.52 against 2.50 is 0.8 % off: both are kept, no difference is shown.
    axiom_db.usage(AT, "openai", "gpt-4o", 1_000_000, 0, cost=2.52)
    b = row(report(axiom_db), "gpt-4o")
    assert (b.stored_cost, b.recomputed_cost, b.stored_difference) == (2.52, 2.5, None)


def test_stored_cost_without_a_price_has_nothing_to_compare(axiom_db):
    axiom_db.usage(AT, "local", "my-llm", 1_000_000, 0, cost=3.0)
    b = row(report(axiom_db), "my-llm")
    assert (b.recomputed_cost, b.stored_difference) == (None, None)


@pytest.mark.parametrize("mirror", [False, True])
def test_provenance_is_the_same_from_the_mirror(axiom_db, mirror):
    axiom_db.usage(AT, "openai", "gpt-4o", 1_000_000, 0, cost=3.0)
    axiom_db.usage("2026-03-20 11:00:00", "openai", "gpt-4o", 1_000, 0)
    axiom_db.usage(AT, "local", "my-llm", 100, 10)
    source = (open_mirrored_source if mirror else open_source)(axiom_db.path)
    try:
        data = load_dataset(source, None, False)
        rep = usage_report(source, Filters(DateRange(DAY, DAY)), data.prices, data.catalog)
    finally:
        source.close()
    got = {b.model: (b.price_source, b.stored_requests, b.unpriced_requests, b.stored_difference) for b in rep.breakdown}
    assert got == {"gpt-4o": ("stored cost + Axiom default", 1, 0, 0.5), "my-llm": ("unpriced", 0, 1, None)}


def test_cli_table_names_the_source_and_writes_unpriced_for_the_cost(run_cli, axiom_db):
    axiom_db.usage(AT, "openai", "gpt-4o", 1_000_000, 0, cost=3.0)
    axiom_db.usage(AT, "local", "my-llm", 100, 10)
    out = run_cli("report", "--db", axiom_db.path, "--from", "2026-03-20", "--until", "2026-03-20",
                  "--no-price-library").out
    (gpt,) = [line for line in out.splitlines() if "gpt-4o" in line]
    assert "stored cost" in gpt and "stored $3.00 vs $2.50 by price (+20.0%)" in gpt
    (mine,) = [line for line in out.splitlines() if " my-llm " in line]
    assert "unpriced" in mine and "$0.00" not in mine
