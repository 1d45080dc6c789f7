"""The LiteLLM source on a real Postgres with LiteLLM's own schema (tests/pg.py): mapping, the
incremental mirror, its cost to Postgres, read-only access, scrubbed errors, the daily rollup.

Expected numbers come from tests/pg.py's plain-Python oracle over the rows inserted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

import pricing
from pg import (DailySpend, SpendLog, insert_daily_spend, insert_spend_logs, oracle_cache, oracle_dimension,
                oracle_key, oracle_prompt, oracle_provider, oracle_totals, random_spend_logs)
from queries.dates import DateRange
from queries.sources import litellm
from queries.sources.litellm import LitellmError, open_litellm
from queries.usage import Filters

NO_PRICES = pricing.PriceBook({}, [], [])
MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


def window(rng: DateRange) -> tuple[datetime, datetime]:
    start, end = rng.utc_window()
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


@pytest.fixture
def seeded(litellm_pg):
    """600 seeded rows over 2026-03-01..10 in a fresh LiteLLM database, and the opened source."""
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=13, n=600)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
    source = open_litellm(url)
    yield server, name, url, rows, source
    source.close()


def test_the_extension_comes_from_the_wheel_of_duckdbs_own_version():
    path = litellm.postgres_extension_path()
    assert path.exists() and f"v{duckdb.__version__}" in path.parts


def test_totals_daily_and_breakdown_equal_the_oracle(seeded):
    _server, _name, _url, rows, source = seeded
    report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
    expected = oracle_totals(rows, *window(MARCH))
    assert report.totals.requests == expected["requests"]
    assert report.totals.prompt_tokens == expected["prompt_tokens"]
    assert report.totals.completion_tokens == expected["completion_tokens"]
    assert Decimal(repr(report.totals.estimated_cost)).quantize(Decimal("1e-9")) == expected["cost"].quantize(Decimal("1e-9"))
    for day in report.daily:
        start = datetime.combine(day.day, datetime.min.time())
        assert day.requests == oracle_totals(rows, start, start + timedelta(days=1))["requests"]
    pairs = {}
    for r in rows:
        if r.status != "failure":
            key = (oracle_provider(r), r.model)
            pairs[key] = pairs.get(key, 0) + 1
    assert {(b.provider, b.model): b.requests for b in report.breakdown} == pairs


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])  # the daily dimension rollup, and the rows
def test_failed_requests_are_counted_apart(seeded, tz):
    _server, _name, _url, rows, source = seeded
    rng = DateRange(date(2026, 3, 2), date(2026, 3, 8), tz)
    assert litellm.failed_requests(source, Filters(rng)) == oracle_totals(rows, *window(rng))["failed"] > 0
    failed = sum(1 for r in rows if r.status == "failure")
    report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
    assert f"{failed:,} failed request(s)" in " ".join(report.warnings)


def test_provider_comes_from_custom_llm_provider_or_the_model_prefix(seeded):
    _server, _name, _url, rows, source = seeded
    providers = {p for p, _m, _n in litellm_catalog_pairs(source)}
    assert providers == {oracle_provider(r) for r in rows if r.status != "failure"}
    assert "bedrock" in providers and "mistral" in providers


def litellm_catalog_pairs(source):
    from queries.usage import catalog

    return catalog(source).pairs


def test_cache_tokens_are_counted_once_and_taken_out_of_prompt_tokens(seeded):
    _server, _name, _url, rows, source = seeded
    cur = source.cursor()
    got = {rid: (p, cr, cw) for rid, p, cr, cw in cur.execute(
        "SELECT request_id, prompt_tokens, cache_read_tokens, cache_write_tokens FROM requests").fetchall()}
    expected = {r.request_id: (oracle_prompt(r), *oracle_cache(r)) for r in rows if r.status != "failure"}
    assert got == expected
    assert any(cw for _p, _cr, cw in got.values()) and any(cr for _p, cr, _cw in got.values())


@pytest.mark.parametrize("dimension", litellm.DIMENSIONS)
def test_each_dimension_breakdown_equals_the_oracle(seeded, dimension):
    _server, _name, _url, rows, source = seeded
    got = {d.value: (d.requests, d.completion_tokens, d.failed)
           for d in litellm.dimension_breakdown(source, Filters(MARCH), dimension)}
    expected: dict = {}
    for r in rows:
        for value in oracle_dimension(r, dimension):
            req, comp, bad = expected.get(value, (0, 0, 0))
            if r.status == "failure":
                expected[value] = (req, comp, bad + 1)
            else:
                expected[value] = (req + 1, comp + r.completion_tokens, bad)
    assert got == expected


def test_a_dimension_filter_narrows_the_breakdown(seeded):
    _server, _name, _url, rows, source = seeded
    got = {d.value: d.requests for d in litellm.dimension_breakdown(
        source, Filters(MARCH, provider="anthropic"), "user_id", {"tag": "prod", "api_key": "ci-bot"})}
    expected: dict = {}
    for r in rows:
        if (r.status != "failure" and oracle_provider(r) == "anthropic" and "prod" in (r.tags or [])
                and oracle_key(r) == "ci-bot"):
            expected[r.user or None] = expected.get(r.user or None, 0) + 1
    assert {k: v for k, v in got.items() if v} == expected


def test_the_hashed_key_is_never_shown_in_full(seeded):
    _server, _name, _url, rows, source = seeded
    keys = litellm.dimension_values(source, "api_key")
    assert "key 33333333…" in keys  # the key without an alias: 8 hex digits of its hash
    for value in keys:
        assert not any(r.api_key in value for r in rows)
    shown = " ".join(str(v) for row in source.cursor().execute("SELECT * FROM requests").fetchall() for v in row)
    assert "3" * 64 not in shown


def test_refresh_adds_new_rows_and_late_commits_without_duplicates(seeded):
    server, name, _url, rows, source = seeded
    newest = max(r.start for r in rows)
    late = SpendLog("late-1", newest - timedelta(minutes=5), prompt_tokens=100, completion_tokens=10, spend=0.01)
    new = [SpendLog(f"new-{i}", newest + timedelta(seconds=i + 1), prompt_tokens=10, completion_tokens=1, spend=0.001)
           for i in range(50)]
    with server.connect(name) as con:
        insert_spend_logs(con, new + [late])
    stats = source.refresh()
    assert stats.since == source.high_water - source.overlap or stats.since < newest
    everything = rows + new + [late]
    (n, distinct) = source.cursor().execute("SELECT count(*), count(DISTINCT request_id) FROM lmirror.spend").fetchone()
    assert n == distinct == len(everything)
    report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
    assert report.totals.requests == oracle_totals(everything, *window(MARCH))["requests"]
    again = source.refresh()  # nothing new: the overlap window is read again and replaced, never doubled
    assert again.rows == len(everything)


def test_refresh_reads_an_index_range_on_start_time_never_the_whole_table(litellm_pg):
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=7, n=30_000, days=30)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        con.execute('ANALYZE "LiteLLM_SpendLogs"')
    source = open_litellm(url)
    try:
        newest = max(r.start for r in rows)
        new = [SpendLog(f"n{i}", newest + timedelta(seconds=i + 1), prompt_tokens=5) for i in range(100)]
        with server.connect(name) as con:
            insert_spend_logs(con, new)
            con.execute("SELECT pg_stat_statements_reset()")
        stats = source.refresh()
        window_rows = sum(1 for r in rows + new if r.start >= stats.since)
        assert stats.fetched == window_rows < 1_000
        with server.connect(name) as con:
            spend_reads = [(q, rows_read) for q, rows_read in con.execute(
                "SELECT query, rows FROM pg_stat_statements WHERE query LIKE '%LiteLLM_SpendLogs%'").fetchall()]
            assert spend_reads and all(rows_read <= window_rows for _q, rows_read in spend_reads)
            for text in source.statements:
                if "LiteLLM_SpendLogs" not in text:
                    continue
                plan = "\n".join(line for (line,) in con.execute("EXPLAIN " + text).fetchall())
                assert "Seq Scan on \"LiteLLM_SpendLogs\"" not in plan, plan
                assert "Index" in plan and "startTime" in plan, plan
    finally:
        source.close()


def test_reads_are_read_only_and_bounded_by_a_statement_timeout(litellm_pg):
    _server, _name, url = litellm_pg
    source = open_litellm(url, timeout_ms=300)
    try:
        cur = source.cursor()
        (ro,) = cur.execute("SELECT * FROM postgres_query('pg', 'SELECT current_setting(''transaction_read_only'') AS r')").fetchone()
        assert ro == "on"
        # A second layer under DuckDB's READ_ONLY attach: the session itself defaults to read-only.
        (default_ro,) = cur.execute("SELECT * FROM postgres_query('pg', "
                                    "'SELECT current_setting(''default_transaction_read_only'') AS r')").fetchone()
        assert default_ro == "on"
        with pytest.raises(duckdb.Error, match="read-only"):
            cur.execute("CALL postgres_execute('pg', 'CREATE TABLE written_by_us (x int)')")
        with pytest.raises(duckdb.Error, match="statement timeout"):
            cur.execute("SELECT * FROM postgres_query('pg', 'SELECT pg_sleep(2) AS s')").fetchall()
    finally:
        source.close()


@pytest.mark.parametrize("wrong", ["password", "port", "database"])
def test_connection_errors_never_show_the_connection_string(litellm_pg, wrong):
    server, name, url = litellm_pg
    bad = {"password": url.replace("s3cret-Reader-pw", "Wr0ng-S3cret-pw"),
           "port": url.replace(f":{server.port}/", ":1/"),
           "database": url.replace(f"/{name}", "/no_such_db")}[wrong]
    with pytest.raises(LitellmError) as caught:
        open_litellm(bad)
    text = str(caught.value) + caught.value.public_message()
    assert "could not be read" in text
    for secret in ("s3cret-Reader-pw", "Wr0ng-S3cret-pw", "postgresql://", "dashboard_reader:"):
        assert secret not in text


def test_a_timeout_during_refresh_is_scrubbed_too(litellm_pg):
    _server, _name, url = litellm_pg
    source = open_litellm(url, timeout_ms=200)
    try:
        with pytest.raises(LitellmError) as caught, litellm.scrubbed_errors(url):
            source.cursor().execute("SELECT * FROM postgres_query('pg', 'SELECT pg_sleep(1) AS s')").fetchall()
        assert "statement timeout" in str(caught.value) and "s3cret" not in str(caught.value)
    finally:
        source.close()


def test_scrub_removes_urls_passwords_and_key_value_secrets():
    url = "postgresql://admin:p%40ss-W0rd@db.internal:5432/litellm"
    text = f"at {url}: failed for p@ss-W0rd and p%40ss-W0rd; other postgres://x:y@h/db; password=hunter22 host=h"
    out = litellm.scrub(text, url)
    for secret in ("p@ss-W0rd", "p%40ss-W0rd", "db.internal", "x:y@h", "hunter22"):
        assert secret not in out


def test_no_url_configured_says_which_setting_to_set(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LitellmError, match="LITELLM_DATABASE_URL"):
        open_litellm()


def test_the_url_comes_from_the_environment_else_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('litellm_database_url = "postgresql://from-secrets/db"\n')
    assert litellm.database_url({}, secrets) == "postgresql://from-secrets/db"
    assert litellm.database_url({"LITELLM_DATABASE_URL": "postgresql://env/db"}, secrets) == "postgresql://env/db"
    secrets.write_text("not toml [")
    assert litellm.database_url({}, secrets) is None


def test_a_database_without_litellm_tables_is_refused(pg_server):
    with pytest.raises(LitellmError, match="no LiteLLM_SpendLogs"):
        open_litellm(pg_server.url("postgres"))


def test_days_without_spend_logs_come_from_the_daily_rollup_with_a_note(litellm_pg):
    server, name, url = litellm_pg
    rows = [SpendLog("a", datetime(2026, 3, 5, 12), prompt_tokens=100, completion_tokens=10, spend=0.5)]
    rollup = [  # 03-02 has no spend logs (purged): it counts; 03-05 has them: its rollup row must not count twice
        DailySpend(date(2026, 3, 2), "gpt-4o", "openai", 1_000, 200, 1.25, 7, failed_requests=2, cache_read=300),
        DailySpend(date(2026, 3, 2), "gpt-4o", "openai", 500, 50, 0.25, 3, user_id="u2"),
        DailySpend(date(2026, 3, 5), "gpt-4o", "openai", 100, 10, 0.5, 1),
    ]
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        insert_daily_spend(con, rollup)
    source = open_litellm(url)
    try:
        report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
    finally:
        source.close()
    assert report.totals.requests == 1 + 7 + 3
    assert report.totals.prompt_tokens == 100 + (1_000 - 300) + 500
    assert report.totals.completion_tokens == 10 + 200 + 50
    assert round(report.totals.estimated_cost, 9) == round(0.5 + 1.25 + 0.25, 9)
    day2 = next(d for d in report.daily if d.day == date(2026, 3, 2))
    assert day2.requests == 10
    note = " ".join(report.warnings)
    assert "LiteLLM_DailyUserSpend" in note and "2026-03-02" in note and "2 failed request(s)" in note


def test_a_request_read_again_under_a_new_start_time_is_kept_once(seeded):
    server, name, _url, rows, source = seeded
    newest = max(r.start for r in rows)
    moved = next(r for r in sorted(rows, key=lambda r: r.start, reverse=True)
                 if newest - r.start > timedelta(hours=1) and r.status != "failure")
    with server.connect(name) as con:
        con.execute('UPDATE "LiteLLM_SpendLogs" SET "startTime" = %s WHERE request_id = %s',
                    (newest + timedelta(seconds=1), moved.request_id))
    source.refresh()
    cur = source.cursor()
    assert cur.execute("SELECT ts FROM lmirror.spend WHERE request_id = ?", [moved.request_id]).fetchall() == [
        (newest + timedelta(seconds=1),)]
    moved.start = newest + timedelta(seconds=1)
    report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
    for day in report.daily:  # the hourly rollup moved the request too
        start = datetime.combine(day.day, datetime.min.time())
        assert day.requests == oracle_totals(rows, start, start + timedelta(days=1))["requests"]


def test_the_hourly_rollup_and_the_rows_give_the_same_report_after_refreshes(seeded):
    from queries import usage

    server, name, _url, rows, source = seeded
    newest = max(r.start for r in rows)
    with server.connect(name) as con:
        insert_spend_logs(con, random_spend_logs(seed=99, n=200, first=newest - timedelta(minutes=30), days=1,
                                                 prefix="more"))
    source.refresh()
    filters = Filters(MARCH, provider="anthropic")
    from_rollup = usage.usage_report(source, filters, NO_PRICES)
    source.rollup = False
    from_rows = usage.usage_report(source, filters, NO_PRICES)
    assert from_rollup.totals == from_rows.totals
    assert from_rollup.daily == from_rows.daily
    assert [(b.provider, b.model, b.requests, b.total_tokens) for b in from_rollup.breakdown] == [
        (b.provider, b.model, b.requests, b.total_tokens) for b in from_rows.breakdown]


def test_the_cli_reports_a_litellm_database(seeded, run_cli, monkeypatch):
    _server, _name, url, rows, _source = seeded
    monkeypatch.setenv("LITELLM_DATABASE_URL", url)
    result = run_cli("report", "--db", "litellm", "--source", "litellm", "--from", "2026-03-01",
                     "--until", "2026-03-31", "--format", "json")
    assert result.code == 0, result.err
    payload = result.json()
    expected = oracle_totals(rows, *window(MARCH))
    assert payload["totals"]["requests"] == expected["requests"]
    assert payload["totals"]["prompt_tokens"] == expected["prompt_tokens"]
    assert payload["source"]["adapter"] == "litellm" and payload["source"]["demo"] is False
    assert any("failed request" in w for w in payload["warnings"])
    assert "s3cret" not in result.out + result.err


def test_the_cli_never_prints_the_url_when_the_database_is_down(run_cli, monkeypatch):
    monkeypatch.setenv("LITELLM_DATABASE_URL", "postgresql://admin:Very-S3cret@127.0.0.1:1/litellm")
    result = run_cli("report", "--db", "litellm", "--source", "litellm", "--format", "json")
    assert result.code != 0
    assert "could not be read" in result.err
    assert "Very-S3cret" not in result.out + result.err and "admin" not in result.out + result.err


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])  # the daily dimension rollup, and the rows (a +05:30 zone)
def test_dimension_breakdown_follows_the_zone_and_refreshes(seeded, tz):
    server, name, _url, rows, source = seeded
    newest = max(r.start for r in rows)
    more = random_spend_logs(seed=77, n=120, first=newest - timedelta(minutes=10), days=1, prefix="z")
    with server.connect(name) as con:
        insert_spend_logs(con, more)
    source.refresh()
    rng = DateRange(date(2026, 3, 3), date(2026, 3, 12), tz)
    start, end = window(rng)
    got = {d.value: (d.requests, d.failed) for d in litellm.dimension_breakdown(source, Filters(rng), "tag")}
    expected: dict = {}
    for r in rows + more:
        if start <= r.start < end:
            for value in oracle_dimension(r, "tag"):
                req, bad = expected.get(value, (0, 0))
                expected[value] = (req, bad + 1) if r.status == "failure" else (req + 1, bad)
    assert got == expected


def test_the_first_copy_reports_progress_from_the_calling_thread_up_to_every_row(litellm_pg, monkeypatch):
    import threading

    server, name, url = litellm_pg
    rows = random_spend_logs(seed=3, n=3_000)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        con.execute('ANALYZE "LiteLLM_SpendLogs"')
    monkeypatch.setattr(litellm, "COPY_CHUNK_ROWS", 500)  # several windows, copied two at a time
    calls = []
    source = open_litellm(url, progress=lambda done, total: calls.append((done, total, threading.get_ident())))
    source.close()
    assert {ident for _d, _t, ident in calls} == {threading.get_ident()}
    done = [d for d, _t, _i in calls]
    assert done == sorted(done) and done[-1] == len(rows) and len(calls) >= 6


# --- the dimensions as filters of the whole page (issue 13, item 3) ---------------------------------

def oracle_filtered(rows, **where):
    """The rows that match every dimension filter in `where` (Filters field -> value), by the oracle's mapping."""
    return [r for r in rows if all(value in oracle_dimension(r, field) for field, value in where.items())]


DIMENSION_CASES = [{"api_key": "ci-bot"}, {"api_key": "key 33333333…"}, {"user_id": "alice"},
                   {"team": "Platform"}, {"team": "team-uuid-2"}, {"end_user": "customer-7"}, {"tag": "batch"},
                   {"tag": "prod", "api_key": "data-team", "user_id": "bob"}]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])  # the rows path either way (the rollup has no dimensions)
@pytest.mark.parametrize("where", DIMENSION_CASES, ids=lambda w: "+".join(f"{k}={v}" for k, v in w.items()))
def test_dimension_filters_narrow_totals_days_and_breakdown(seeded, where, tz):
    from queries import usage

    _server, _name, _url, rows, source = seeded
    rng = DateRange(date(2026, 3, 1), date(2026, 3, 31), tz)
    start, end = window(rng)
    matching = oracle_filtered(rows, **where)
    assert matching and len(matching) < len(rows)
    report = usage.usage_report(source, Filters(rng, **where), NO_PRICES)
    expected = oracle_totals(matching, start, end)
    assert (report.totals.requests, report.totals.prompt_tokens, report.totals.completion_tokens) == (
        expected["requests"], expected["prompt_tokens"], expected["completion_tokens"])
    assert Decimal(repr(report.totals.estimated_cost)).quantize(Decimal("1e-9")) == expected["cost"].quantize(Decimal("1e-9"))
    offset = start - datetime.combine(rng.start, datetime.min.time())  # the zone's day starts, in UTC
    for day in report.daily:
        day_start = datetime.combine(day.day, datetime.min.time()) + offset
        assert day.requests == oracle_totals(matching, day_start, day_start + timedelta(days=1))["requests"]
    pairs: dict = {}
    for r in matching:
        if r.status != "failure" and start <= r.start < end:
            pairs[(oracle_provider(r), r.model)] = pairs.get((oracle_provider(r), r.model), 0) + 1
    assert {(b.provider, b.model): b.requests for b in report.breakdown} == pairs
    notes = " ".join(report.warnings)
    assert (f"{expected['failed']:,} failed request(s)" in notes) if expected["failed"] else ("failed" not in notes)


def test_dimension_filters_narrow_the_previous_period_too(seeded):
    from queries import usage

    _server, _name, _url, rows, source = seeded
    rng = DateRange(date(2026, 3, 6), date(2026, 3, 10))  # the previous period: 03-01 .. 03-05
    report = usage.usage_report(source, Filters(rng, tag="eval"), NO_PRICES)
    expected = oracle_totals(oracle_filtered(rows, tag="eval"), datetime(2026, 3, 1), datetime(2026, 3, 6))
    assert report.previous_totals.requests == expected["requests"] > 0
    assert report.previous_totals.prompt_tokens == expected["prompt_tokens"]


def test_the_dimension_card_follows_the_page_filters(seeded):
    _server, _name, _url, rows, source = seeded
    got = {d.value: d.requests for d in litellm.dimension_breakdown(source, Filters(MARCH, team="Platform"), "tag")}
    expected: dict = {}
    for r in oracle_filtered(rows, team="Platform"):
        if r.status != "failure":
            for tag in oracle_dimension(r, "tag"):
                expected[tag] = expected.get(tag, 0) + 1
    assert {k: v for k, v in got.items() if v} == expected


def test_days_of_daily_totals_are_left_out_under_a_dimension_filter_with_a_note(litellm_pg):
    server, name, url = litellm_pg
    rows = [SpendLog("a", datetime(2026, 3, 5, 12), prompt_tokens=100, completion_tokens=10, spend=0.5,
                     tags=["prod"]),
            SpendLog("b", datetime(2026, 3, 5, 13), prompt_tokens=7, completion_tokens=1, spend=0.25)]
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        insert_daily_spend(con, [DailySpend(date(2026, 3, 2), "gpt-4o", "openai", 1_000, 200, 1.25, 7)])
    source = open_litellm(url)
    try:
        report = litellm.litellm_usage_report(source, Filters(MARCH, tag="prod"), NO_PRICES)
    finally:
        source.close()
    assert (report.totals.requests, report.totals.prompt_tokens) == (1, 100)  # row "a" alone, no rollup day
    assert round(report.totals.estimated_cost, 9) == 0.5
    note = " ".join(report.warnings)
    assert "2026-03-02" in note and "left out while such a filter is set" in note


def test_the_cli_filters_a_litellm_report_by_dimensions(seeded, run_cli, monkeypatch):
    _server, _name, url, rows, _source = seeded
    monkeypatch.setenv("LITELLM_DATABASE_URL", url)
    result = run_cli("report", "--db", "litellm", "--kind", "litellm", "--from", "2026-03-01", "--until",
                     "2026-03-31", "--tag", "prod", "--user", "alice", "--format", "json")
    assert result.code == 0, result.err
    payload = result.json()
    expected = oracle_totals(oracle_filtered(rows, tag="prod", user_id="alice"), *window(MARCH))
    assert payload["totals"]["requests"] == expected["requests"] > 0
    assert payload["totals"]["prompt_tokens"] == expected["prompt_tokens"]
    assert payload["filters"] == {"provider": None, "model": None, "user_id": "alice", "tag": "prod"}
    table = run_cli("report", "--db", "litellm", "--kind", "litellm", "--from", "2026-03-01", "--until",
                    "2026-03-31", "--team", "Platform")
    assert table.code == 0, table.err
    assert "team Platform" in table.out.splitlines()[0]


def test_the_first_copy_draws_the_progress_bar_through_the_mirrored_open(litellm_pg, monkeypatch, isolated_environment):
    from queries.mirror import open_mirrored_source

    server, name, url = litellm_pg
    rows = random_spend_logs(seed=4, n=2_000)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        con.execute('ANALYZE "LiteLLM_SpendLogs"')
    monkeypatch.setenv("LITELLM_DATABASE_URL", url)
    monkeypatch.setattr(litellm, "COPY_CHUNK_ROWS", 400)
    calls = []
    source = open_mirrored_source("litellm", "litellm", progress=lambda done, total: calls.append((done, total)))
    try:
        assert source.kind is litellm.KIND and source.rows == len(rows)
        assert not source.private and source.mirror_file.parent == isolated_environment / "token-usage" / "litellm"
    finally:
        source.close()
    done = [d for d, _t in calls]
    assert len(calls) >= 4 and done == sorted(done) and done[0] < done[-1] == len(rows)
    assert all(0 <= d <= t for d, t in calls)


# --- the mirror in the cache dir (issue 13, item 4: gentle on production across restarts) ------------

def test_the_cache_key_is_the_url_without_its_password(tmp_path):
    url = "postgresql://reader:s3cret-pw@db.internal:5432/litellm?sslmode=require"
    rotated = url.replace("s3cret-pw", "n3w-Pw")
    assert litellm.mirror_file_for_url(url, tmp_path) == litellm.mirror_file_for_url(rotated, tmp_path)
    assert litellm.mirror_file_for_url(url, tmp_path) != litellm.mirror_file_for_url(url.replace("/litellm", "/other"),
                                                                                     tmp_path)
    assert litellm.url_without_password(url) == "postgresql://reader@db.internal:5432/litellm?sslmode=require"
    assert "hunter2" not in litellm.url_without_password("host=db dbname=litellm password=hunter2 user=r")
    assert litellm.mirror_file_for_url(url, tmp_path).parent == tmp_path / "litellm"


def cached(url: str, **options):
    """open_litellm with the dashboard's cache dir, as the app opens it (queries.mirror.open_mirrored_source)."""
    from queries.settings import cache_dir

    return open_litellm(url, cache=cache_dir(), **options)


def test_the_mirror_is_kept_in_the_cache_dir_and_the_next_open_reads_only_what_is_new(litellm_pg,
                                                                                      isolated_environment):
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=13, n=600)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
    source = cached(url)
    file = source.mirror_file
    assert not source.private and file.exists()
    assert file.parent == isolated_environment / "token-usage" / "litellm" and "s3cret" not in str(file)
    source.close()
    newest = max(r.start for r in rows)
    new = [SpendLog(f"after-{i}", newest + timedelta(minutes=1, seconds=i), prompt_tokens=3, spend=0.01)
           for i in range(20)]
    with server.connect(name) as con:
        insert_spend_logs(con, new)
    again = cached(url)
    try:
        assert again.mirror_file == file and again.reopened is not None and not again.reopened.rebuilt
        window_rows = sum(1 for r in rows + new if r.start >= again.reopened.since)
        assert again.reopened.fetched == window_rows < len(rows)
        report = litellm.litellm_usage_report(again, Filters(MARCH), NO_PRICES)
        assert report.totals.requests == oracle_totals(rows + new, *window(MARCH))["requests"]
        (n,) = again.cursor().execute("SELECT count(*) FROM lmirror.spend").fetchone()
        assert n == len(rows) + len(new)
    finally:
        again.close()


def dense_rows(spend: float) -> list[SpendLog]:
    """120 rows a minute apart from 2026-03-12 00:00: the hour before the overlap window holds 60 of them."""
    return [SpendLog(f"d{i}", datetime(2026, 3, 12) + timedelta(minutes=i), prompt_tokens=10, spend=spend)
            for i in range(120)]


def test_a_database_replaced_under_the_same_url_is_copied_again(litellm_pg):
    server, name, url = litellm_pg
    with server.connect(name) as con:
        insert_spend_logs(con, dense_rows(0.01))
    cached(url).close()
    server.drop_database(name)
    assert server.new_database(name) == url
    with server.connect(name) as con:  # the same requests and times (a Refresh's checks pass), other spend
        insert_spend_logs(con, dense_rows(0.02))
    source = cached(url)
    try:
        assert source.reopened is not None and source.reopened.rebuilt and "differ" in source.reopened.reason
        report = litellm.litellm_usage_report(source, Filters(MARCH), NO_PRICES)
        assert round(report.totals.estimated_cost, 9) == round(120 * 0.02, 9)
    finally:
        source.close()


def test_a_copy_cut_short_is_copied_again(litellm_pg):
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=8, n=200)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
    first = cached(url)
    file = first.mirror_file
    first.close()
    with duckdb.connect(str(file)) as con:  # as if the process died before the copy's stamp was written
        con.execute("DELETE FROM stamp")
        con.execute("DELETE FROM spend WHERE request_id LIKE 'r8-1%'")
    source = cached(url)
    try:
        assert source.reopened is None and source.rows == len(rows)
    finally:
        source.close()


def test_a_second_open_of_the_same_database_gets_a_private_mirror_removed_on_close(seeded):
    _server, _name, url, rows, _source = seeded
    first = cached(url)
    second = cached(url)
    try:
        assert not first.private and second.private and second.mirror_file != first.mirror_file
        assert second.rows == first.rows == len(rows)
    finally:
        second.close()
        first.close()
    assert not second.mirror_dir.exists() and first.mirror_file.exists()


def test_an_open_without_a_cache_dir_keeps_a_private_mirror_removed_on_close(seeded):
    _server, _name, _url, _rows, source = seeded
    assert source.private and source.mirror_dir.exists()
    source.close()
    assert not source.mirror_dir.exists()


def test_taking_up_the_cached_mirror_reads_only_index_ranges_on_start_time(litellm_pg):
    server, name, url = litellm_pg
    rows = random_spend_logs(seed=17, n=30_000, days=30)
    with server.connect(name) as con:
        insert_spend_logs(con, rows)
        con.execute('ANALYZE "LiteLLM_SpendLogs"')
    cached(url).close()
    with server.connect(name) as con:
        con.execute("SELECT pg_stat_statements_reset()")
    source = cached(url)
    try:
        assert source.reopened is not None and not source.reopened.rebuilt
        texts = [t for t in source.statements if "LiteLLM_SpendLogs" in t]
        assert any("count(*)" in t for t in texts)  # the compared hours
        with server.connect(name) as con:
            read = [n for (n,) in con.execute("SELECT rows FROM pg_stat_statements "
                                              "WHERE query LIKE '%LiteLLM_SpendLogs%' AND query NOT LIKE '%EXPLAIN%'")]
            assert read and max(read) < 1_000  # rows returned by each statement, never the table's 30,000
            for text in texts:
                plan = "\n".join(line for (line,) in con.execute("EXPLAIN " + text).fetchall())
                assert "Seq Scan on \"LiteLLM_SpendLogs\"" not in plan, plan
    finally:
        source.close()
