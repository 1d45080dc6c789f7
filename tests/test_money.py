"""Money adds up: totals, daily rows and breakdown rows are exact sums, rounded once at output.

Expected values are hand-worked or come from the plain-Python Decimal oracle over the rows
(factories.oracle_report(..., exact=True)); every figure is compared for equality, not approx.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from factories import RANDOM_SETTINGS, AxiomDB, axiom_price_table, oracle_report
from queries import load_dataset
from queries.dates import DateRange
from queries.mirror import open_mirrored_source
from queries.sources import open_source
from queries.usage import Filters, UsageReport, usage_report

START, END = date(2026, 3, 1), date(2026, 3, 30)


def report(db: AxiomDB, start: date, end: date, settings=None, mirror: bool = False, tz: str = "UTC") -> UsageReport:
    source = (open_mirrored_source if mirror else open_source)(db.path)
    try:
        data = load_dataset(source, settings, False)
        return usage_report(source, Filters(DateRange(start, end, tz)), data.prices, data.catalog)
    finally:
        source.close()


def test_ten_stored_dimes_make_exactly_one_dollar(axiom_db):
    # 0.1 ten times: 1.0 exactly. Summed as doubles it is 0.9999999999999999.
    for day in range(1, 11):
        axiom_db.usage(f"2026-03-{day:02d} 10:00:00", "openai", f"m{day % 3}", 10, 10, cost=0.1)
    data = report(axiom_db, START, END).as_json()
    assert data["totals"]["estimated_cost"] == 1.0
    assert sum(Decimal(repr(d["estimated_cost"])) for d in data["daily"]) == Decimal("1.0")
    assert sum(Decimal(repr(b["estimated_cost"])) for b in data["breakdown"]) == Decimal("1.0")


def test_priced_tokens_sum_exactly(axiom_db):
    # gpt-4o-mini at 0.15 / 0.60 per 1M: 7 requests of 1 prompt + 1 completion token on 7 days:
    # 7 * (0.15 + 0.60) / 1e6 = 0.00000525 exactly. In doubles, 7 sums of 7.5e-07 do not give it.
    for day in range(1, 8):
        axiom_db.usage(f"2026-03-{day:02d} 10:00:00", "openai", "gpt-4o-mini", 1, 1)
    data = report(axiom_db, START, END).as_json()
    assert data["totals"]["estimated_cost"] == 0.00000525
    assert [b["estimated_cost"] for b in data["breakdown"]] == [0.00000525]
    assert [d["estimated_cost"] for d in data["daily"] if d["requests"]] == [0.00000075] * 7


@pytest.mark.parametrize("mirror", [False, True])
def test_totals_days_and_breakdown_equal_the_exact_oracle(random_db, write_settings, mirror):
    settings = write_settings(RANDOM_SETTINGS)
    rows, sessions = random_db.read()
    want = oracle_report(rows, sessions, axiom_price_table(RANDOM_SETTINGS), START, END, exact=True)
    data = report(random_db, START, END, settings, mirror=mirror).as_json()
    assert data["totals"]["estimated_cost"] == float(want["totals"]["estimated_cost"])
    assert [d["estimated_cost"] for d in data["daily"]] == [float(d["estimated_cost"]) for d in want["daily"]]
    exact_rows = {(b["provider"], b["model"]): float(b["estimated_cost"]) for b in want["breakdown"]}
    assert {(b["provider"], b["model"]): b["estimated_cost"] for b in data["breakdown"]} == exact_rows


def test_rows_and_days_add_up_to_the_total_to_the_cent_in_json_and_csv(random_db, write_settings):
    rep = report(random_db, START, END, write_settings(RANDOM_SETTINGS))
    data = rep.as_json()
    total = Decimal(repr(data["totals"]["estimated_cost"]))
    for table in ("breakdown", "daily"):
        json_sum = sum(Decimal(repr(r["estimated_cost"])) for r in data[table])
        csv_sum = sum(Decimal(r["estimated_cost"]) for r in csv.DictReader(io.StringIO(rep.csv(table))))
        assert abs(json_sum - total) < Decimal("0.005") and abs(csv_sum - total) < Decimal("0.005")
        assert json_sum.quantize(Decimal("0.01")) == csv_sum.quantize(Decimal("0.01")) == total.quantize(Decimal("0.01"))


def test_mirror_and_direct_reads_give_identical_money(random_db, write_settings):
    # Exact sums do not depend on grouping: hourly rollup or rows, the figures are the same.
    settings = write_settings(RANDOM_SETTINGS)
    direct = report(random_db, START, END, settings).as_json()
    mirrored = report(random_db, START, END, settings, mirror=True).as_json()
    for key in ("totals", "daily", "breakdown"):
        assert direct[key] == mirrored[key]


def test_agentx_daily_usage_sums_exactly_too(agentx_db):
    # A custom.json price of $1 per 1M input tokens and 100,000 input tokens a day: $0.10 a day,
    # $1.00 for ten days exactly (ten doubles of 0.1 add up to 0.9999999999999999), and the tier-2
    # tokens at 1.5x: 20,000 a day at $1.5 per 1M = $0.03 a day, $0.30 in all.
    import pricing
    from factories import DailyUsage
    from queries import load_dataset

    agentx_db.daily(*[DailyUsage("main", "my-model", f"2026-03-{day:02d}", 100_000, tasks=1,
                                 tier2_input_tokens=20_000) for day in range(1, 11)])
    agentx_db.custom_prices({"my-model": {"input": 1, "output": 2}})
    source = open_source(agentx_db.path)
    try:
        data = load_dataset(source, pricing.custom_prices_path(agentx_db.path.parent), False)
        got = usage_report(source, Filters(DateRange(START, END, "UTC")), data.prices, data.catalog).as_json()
    finally:
        source.close()
    assert got["totals"]["estimated_cost"] == 1.3
    assert [b["estimated_cost"] for b in got["breakdown"]] == [1.3]
    assert [d["estimated_cost"] for d in got["daily"] if d["requests"]] == [0.13] * 10
