"""Benchmark the LiteLLM source: our DuckDB mirror against aggregating "LiteLLM_SpendLogs" in Postgres.

    nice -n 10 python bench/litellm.py --rows 10000000      # the issue-13 benchmark (~10 min on 2 cores)
    python bench/litellm.py --rows 100000 --runs 3          # a quick look

In one run, on a throwaway Debian PostgreSQL started like the tests' (tests/pg.py: initdb +
pg_ctl, LiteLLM's own migrations from litellm-proxy-extras, pg_stat_statements):

* load: --rows spend-log rows over 30 days, generated inside Postgres (generate_series) with
  LiteLLM's shapes: 5 models/providers, 50 keys with aliases, 10 teams, 200 users, 1,000 end
  users, tags, cache tokens in metadata.usage_object, 1 in 37 a failure; then ANALYZE;
* first copy: `open_litellm(url, progress=...)`, the progress printed as it goes;
* Refresh after 10,000 new rows (startTime past the newest), --runs times: wall time, and what
  Postgres did for it, from pg_stat_statements (rows, ms per statement touching the spend logs)
  and EXPLAIN of each statement we sent (any Seq Scan on "LiteLLM_SpendLogs" fails the run);
* a filter change: `litellm_usage_report` (totals, previous period, days, provider x model
  breakdown, failures, rollup days), for 12 filter states x --runs, and the dimension card's
  breakdown per key apart, against the baseline: the same views as GROUP BY queries on
  "LiteLLM_SpendLogs" in Postgres (what LiteLLM's own Usage tab does per view), each state
  --baseline-runs times; medians and the ratio.

Prints a table and writes bench/results/litellm-<time>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "tests")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import pricing  # noqa: E402
from pg import PgServer  # noqa: E402  (tests/pg.py: the same throwaway server as the tests)
from queries.dates import DateRange  # noqa: E402
from queries.sources import litellm  # noqa: E402
from queries.usage import Filters  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FIRST = datetime(2026, 1, 1)
SPAN = timedelta(days=30)
APPEND_ROWS = 10_000
LOAD_CHUNK = 1_000_000

# One generated row per i; everything a function of i so the load is one INSERT ... SELECT.
LOAD_SQL = """
INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens, prompt_tokens,
    completion_tokens, "startTime", "endTime", model, model_group, custom_llm_provider, "user", metadata,
    request_tags, team_id, end_user, status)
SELECT 'req-' || i, 'acompletion', md5('key' || (i %% 50)),
       CASE WHEN i %% 37 = 0 THEN 0 ELSE (i %% 1000) / 100000.0 END,
       (i %% 5000) + (i %% 700), i %% 5000, i %% 700,
       %(first)s::timestamp + (i * %(step_us)s) * interval '1 microsecond',
       %(first)s::timestamp + (i * %(step_us)s) * interval '1 microsecond' + interval '2 seconds',
       (ARRAY['claude-sonnet-4-5','gpt-4o','gemini-2.5-pro','bedrock/anthropic.claude-3-haiku','gpt-4o-mini'])[1 + i %% 5],
       (ARRAY['sonnet','gpt-4o','gemini','haiku','mini'])[1 + i %% 5],
       (ARRAY['anthropic','openai','gemini','','openai'])[1 + i %% 5],
       'user-' || (i %% 200),
       jsonb_build_object('user_api_key_alias', 'key-' || (i %% 50), 'user_api_key_team_alias', 'Team ' || (i %% 10),
                          'user_api_key_user_id', 'user-' || (i %% 200), 'requester_ip_address', '10.0.0.' || (i %% 250),
                          'model_map_information', jsonb_build_object('model_map_key', 'm' || (i %% 5)),
                          'usage_object', jsonb_build_object('prompt_tokens', i %% 5000,
                              'cache_read_input_tokens', (i %% 5000) / 4, 'cache_creation_input_tokens', (i %% 5000) / 10)),
       CASE i %% 3 WHEN 0 THEN '["prod"]'::jsonb WHEN 1 THEN '["prod","batch"]'::jsonb ELSE '[]'::jsonb END,
       'team-' || (i %% 10), 'cust-' || (i %% 1000),
       CASE WHEN i %% 37 = 0 THEN 'failure' ELSE 'success' END
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g(i)
"""

# The baseline: each view of the page as one aggregation over the spend logs in Postgres.
BASELINE_VIEWS = {
    "totals": 'SELECT count(*), sum(prompt_tokens), sum(completion_tokens), sum(spend) FROM "LiteLLM_SpendLogs" '
              'WHERE "startTime" >= %(lo)s AND "startTime" < %(hi)s AND status <> \'failure\'{extra}',
    "previous": 'SELECT count(*), sum(prompt_tokens), sum(completion_tokens), sum(spend) FROM "LiteLLM_SpendLogs" '
                'WHERE "startTime" >= %(plo)s AND "startTime" < %(lo)s AND status <> \'failure\'{extra}',
    "daily": 'SELECT date_trunc(\'day\', "startTime"), count(*), sum(prompt_tokens), sum(completion_tokens), '
             'sum(spend) FROM "LiteLLM_SpendLogs" WHERE "startTime" >= %(lo)s AND "startTime" < %(hi)s '
             'AND status <> \'failure\'{extra} GROUP BY 1',
    "breakdown": 'SELECT custom_llm_provider, model, count(*), sum(prompt_tokens), sum(completion_tokens), '
                 'sum(spend) FROM "LiteLLM_SpendLogs" WHERE "startTime" >= %(lo)s AND "startTime" < %(hi)s '
                 'AND status <> \'failure\'{extra} GROUP BY 1, 2',
    "failed": 'SELECT count(*) FROM "LiteLLM_SpendLogs" WHERE "startTime" >= %(lo)s AND "startTime" < %(hi)s '
              'AND status = \'failure\'{extra}',
    "by_key": 'SELECT metadata->>\'user_api_key_alias\', count(*), sum(spend) FROM "LiteLLM_SpendLogs" '
              'WHERE "startTime" >= %(lo)s AND "startTime" < %(hi)s{extra} GROUP BY 1',
}


def cpu_pressure() -> str | None:
    """/proc/pressure/cpu: how much other work held the CPU (this machine is shared)."""
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def progress_bar(done: int, total: int) -> None:
    width = 30
    share = 0 if total <= 0 else min(1.0, done / total)
    sys.stdout.write(f"\r  first copy [{'#' * int(share * width):<{width}}] {done:>11,} / {total:,} rows")
    sys.stdout.flush()


def load(server: PgServer, db: str, rows: int) -> float:
    """Generate `rows` spend logs evenly over SPAN from FIRST; seconds taken."""
    started = time.perf_counter()
    step_us = int(SPAN.total_seconds() * 1e6 / max(rows, 1))
    with server.connect(db) as con:
        for lo in range(0, rows, LOAD_CHUNK):
            hi = min(lo + LOAD_CHUNK, rows) - 1
            con.execute(LOAD_SQL, {"first": FIRST, "step_us": step_us, "lo": lo, "hi": hi})
            print(f"  loaded {hi + 1:,} rows ({time.perf_counter() - started:.0f} s)", flush=True)
        con.execute('VACUUM ANALYZE "LiteLLM_SpendLogs"')
    return time.perf_counter() - started


def append(server: PgServer, db: str, start_i: int, rows: int, step_us: int) -> None:
    with server.connect(db) as con:
        con.execute(LOAD_SQL, {"first": FIRST, "step_us": step_us, "lo": start_i, "hi": start_i + rows - 1})


def refresh_cost(server: PgServer, db: str, statements: list[str]) -> dict[str, object]:
    """What Postgres did for the statements of one refresh: pg_stat_statements' rows and ms, EXPLAIN's scans."""
    with server.connect(db) as con:
        stats = con.execute("SELECT query, calls, rows, round(total_exec_time::numeric, 2) FROM pg_stat_statements "
                            "WHERE toplevel AND query LIKE '%LiteLLM_SpendLogs%' "
                            "AND query NOT LIKE '%pg_stat_statements%'").fetchall()
        plans = []
        for text in statements:
            if "LiteLLM_SpendLogs" in text:
                plans.append("\n".join(line for (line,) in con.execute("EXPLAIN " + text).fetchall()))
    return {"statements": [{"query": q[:120], "calls": c, "rows": r, "ms": float(ms)} for q, c, r, ms in stats],
            "seq_scan": any('Seq Scan on "LiteLLM_SpendLogs"' in p for p in plans),
            "index_scans": sorted({m.group(0) for p in plans
                                   for m in re.finditer(r'Index(?: Only)? Scan(?: Backward)? using "?\w+"?', p)})}


def filter_states(last_day: date) -> list[tuple[str, Filters]]:
    states = []
    for days in (1, 7, 30):
        rng = DateRange(last_day - timedelta(days=days - 1), last_day)
        states += [(f"{days}d", Filters(rng)), (f"{days}d anthropic", Filters(rng, "anthropic")),
                   (f"{days}d openai gpt-4o", Filters(rng, "openai", "gpt-4o")),
                   (f"{days}d gemini", Filters(rng, "gemini"))]
    return states


def ours(source, filters: Filters):
    """What the page computes on a filter change: the whole Token Usage report."""
    return litellm.litellm_usage_report(source, filters, pricing.PriceBook({}, [], []))


def ours_dimension(source, filters: Filters) -> None:
    """The dimension card on top of it: spend per key (from the mirrored rows, no rollup)."""
    litellm.dimension_breakdown(source, filters, "api_key")


def baseline(con, filters: Filters) -> tuple:
    lo, hi = (t.replace(tzinfo=None) for t in filters.range.utc_window())
    extra, params = "", {"lo": lo, "hi": hi, "plo": lo - (hi - lo)}
    if filters.provider:
        extra += " AND custom_llm_provider = %(provider)s"
        params["provider"] = filters.provider
    if filters.model:
        extra += " AND model = %(model)s"
        params["model"] = filters.model
    results = {name: con.execute(text.format(extra=extra), params).fetchall() for name, text in BASELINE_VIEWS.items()}
    return results["totals"][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each timing (median reported)")
    parser.add_argument("--baseline-runs", type=int, default=1,
                        help="repetitions of each baseline state (Postgres over 10M rows takes seconds per view)")
    parser.add_argument("--shared-buffers", default="512MB")
    args = parser.parse_args()

    result: dict[str, object] = {"rows": args.rows, "runs": args.runs, "host": platform.node(),
                                 "cpus": os.cpu_count(), "when": datetime.now().isoformat(timespec="seconds"),
                                 "loadavg_before": os.getloadavg(), "cpu_pressure_before": cpu_pressure()}
    server = PgServer.start(shared_buffers=args.shared_buffers)
    source = None
    try:
        server.migrate_template()
        url = server.new_database("bench")
        print(f"== loading {args.rows:,} spend-log rows into Postgres", flush=True)
        result["load_s"] = round(load(server, "bench", args.rows), 1)

        print("== first copy", flush=True)
        started = time.perf_counter()
        source = litellm.open_litellm(url, progress=progress_bar)
        result["first_copy_s"] = round(time.perf_counter() - started, 2)
        print(f"\n  {result['first_copy_s']} s, {source.rows:,} rows mirrored", flush=True)

        print(f"== Refresh after {APPEND_ROWS:,} new rows, {args.runs} runs", flush=True)
        step_us = int(SPAN.total_seconds() * 1e6 / max(args.rows, 1))
        refreshes, costs, next_i = [], [], args.rows
        for _ in range(args.runs):
            append(server, "bench", next_i, APPEND_ROWS, step_us)
            next_i += APPEND_ROWS
            with server.connect("bench") as con:
                con.execute("SELECT pg_stat_statements_reset()")
            stats = source.refresh()
            refreshes.append(stats.seconds)
            cost = refresh_cost(server, "bench", source.statements)
            cost["fetched"] = stats.fetched
            costs.append(cost)
            print(f"  {stats.seconds * 1000:.0f} ms, fetched {stats.fetched:,} rows (new + overlap), "
                  f"Postgres: {sum(s['rows'] for s in cost['statements']):,} rows, "
                  f"{sum(s['ms'] for s in cost['statements']):.1f} ms, seq scan: {cost['seq_scan']}, "
                  f"{', '.join(cost['index_scans'])}", flush=True)
        result["refresh_s_median"] = round(median(refreshes), 3)
        result["refresh_costs"] = costs
        if any(c["seq_scan"] for c in costs):
            raise SystemExit("a Refresh planned a sequential scan of LiteLLM_SpendLogs")

        last_day = (FIRST + SPAN).date()
        states = filter_states(last_day)
        print(f"== filter change: {len(states)} states, ours x {args.runs}, Postgres x {args.baseline_runs}", flush=True)
        ours_ms, dim_ms, base_ms, mismatches = [], [], [], []
        with server.connect("bench") as con:
            for state, filters in states:
                for _ in range(args.runs):
                    t = time.perf_counter()
                    report = ours(source, filters)
                    ours_ms.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    ours_dimension(source, filters)
                    dim_ms.append((time.perf_counter() - t) * 1000)
                for _ in range(args.baseline_runs):
                    t = time.perf_counter()
                    pg_totals = baseline(con, filters)
                    base_ms.append((time.perf_counter() - t) * 1000)
                # Same numbers both ways: requests, completion tokens, spend (prompt tokens differ on
                # purpose: ours exclude cache tokens, LiteLLM's include them).
                n, _p, completion, spend = pg_totals
                got = report.totals
                if (got.requests, got.completion_tokens) != (n, completion or 0) or \
                        abs(got.estimated_cost - float(spend or 0)) > 1e-6 * max(1.0, float(spend or 0)):
                    mismatches.append(f"{state}: ours {got}, Postgres {pg_totals}")
                print(f"  {state:<22} ours {median(ours_ms[-args.runs:]):8.1f} ms  dimension "
                      f"{median(dim_ms[-args.runs:]):8.1f} ms  Postgres {median(base_ms[-args.baseline_runs:]):9.1f} ms",
                      flush=True)
        result["filter_ms_median"] = round(median(ours_ms), 1)
        result["filter_ms_p95"] = round(sorted(ours_ms)[int(0.95 * (len(ours_ms) - 1))], 1)
        result["dimension_ms_median"] = round(median(dim_ms), 1)
        result["baseline_ms_median"] = round(median(base_ms), 1)
        result["baseline_ms_p95"] = round(sorted(base_ms)[int(0.95 * (len(base_ms) - 1))], 1)
        result["ratio"] = round(result["baseline_ms_median"] / result["filter_ms_median"], 1)
        result["equal"] = not mismatches
        result["mismatches"] = mismatches
        print(f"  totals equal to Postgres' in every state: {not mismatches}", flush=True)
    finally:
        if source is not None:
            source.close()
        server.stop()

    print("\n| rows | load s | first copy s | refresh ms (median) | filter ms median / p95 | dimension ms median | "
          "Postgres, all views, ms median / p95 | ratio | equal |")
    print(f"| {args.rows:,} | {result['load_s']} | {result['first_copy_s']} | {result['refresh_s_median'] * 1000:.0f} | "
          f"{result['filter_ms_median']} / {result['filter_ms_p95']} | {result['dimension_ms_median']} | "
          f"{result['baseline_ms_median']} / {result['baseline_ms_p95']} | {result['ratio']}x | "
          f"{'yes' if result['equal'] else 'NO'} |")
    result["loadavg_after"], result["cpu_pressure_after"] = os.getloadavg(), cpu_pressure()
    print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']} ({os.cpu_count()} cores)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"litellm-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
