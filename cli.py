"""Command-line access to the same numbers as the dashboard: the source of truth for scripts.

    python cli.py today                      # the last 7 days, as a table
    python cli.py report --days 30 --format json
    python cli.py report --from 2026-03-30 --until 2026-04-28 --provider anthropic

Every command reads the database named by --db (or USAGE_DB; demo data when neither is
set) and prices it from --settings (or USAGE_SETTINGS). Bad input is one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta

from queries import Dataset, SourceError, open_dataset
from queries.dates import MAX_RANGE_DAYS, DateRange, RangeError, parse_day, today_in
from queries.formatting import fmt_int, fmt_share, fmt_usd
from queries.settings import resolve_config
from queries.usage import Filters, UsageReport, usage_report

EXIT_BAD_INPUT = 2
DEFAULT_REPORT_DAYS = 30


def build_parser() -> argparse.ArgumentParser:
    """The CLI's commands and flags (shared flags on every command)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="agent SQLite database (default: $USAGE_DB, else built-in demo data)")
    common.add_argument("--settings", help="Axiom settings.json with tokenPriceTable (default: $USAGE_SETTINGS, "
                        "else <DATA_DIR>/config/settings.json for <DATA_DIR>/db/openagent.db)")
    common.add_argument("--source", help="source adapter (axiom); default: picked from the tables present")
    common.add_argument("--tz", help="IANA zone for calendar days (default: $USAGE_TZ, else UTC)")
    common.add_argument("--no-price-library", action="store_true",
                        help="price only from settings.json and Axiom's defaults (exactly Axiom's page)")
    common.add_argument("--format", choices=("table", "csv", "json"), default="table")
    common.add_argument("--provider", help="only this provider")
    common.add_argument("--model", help="only this model")

    parser = argparse.ArgumentParser(prog="cli.py", description="Token usage and estimated cost of an agent system.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("today", parents=[common], help="the last 7 days")
    report = commands.add_parser("report", parents=[common], help="any date range (default: last 30 days)")
    span = report.add_mutually_exclusive_group()
    span.add_argument("--days", type=int, help="the last N days, today included")
    span.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help="first day (inclusive)")
    report.add_argument("--until", dest="until_day", metavar="YYYY-MM-DD", help="last day (inclusive; default today)")
    report.add_argument("--table", choices=("breakdown", "daily"), default="breakdown",
                        help="which table --format csv writes (default: breakdown)")
    return parser


def date_range_from_args(args: argparse.Namespace, tz: str) -> DateRange:
    """The DateRange that --days / --from / --until ask for (RangeError when they make no sense)."""
    today = today_in(tz)
    if args.command == "today":
        return DateRange(today - timedelta(days=6), today, tz)
    if args.days is not None:
        if not 1 <= args.days <= MAX_RANGE_DAYS:
            raise RangeError(f"--days must be between 1 and {MAX_RANGE_DAYS:,}, not {args.days}.")
        if args.until_day:
            raise RangeError("--days counts back from today; use --from with --until for another range.")
        return DateRange(today - timedelta(days=args.days - 1), today, tz)
    until = parse_day(args.until_day, "--until") if args.until_day else today
    if args.from_day:
        return DateRange(parse_day(args.from_day, "--from"), until, tz)
    return DateRange(until - timedelta(days=DEFAULT_REPORT_DAYS - 1), until, tz)


def render_table(report: UsageReport, dataset: Dataset) -> str:
    """A human-readable report: totals, the breakdown, unpriced models and warnings."""
    rng = report.filters.range
    t = report.totals
    lines = []
    label = " (demo data)" if dataset.is_demo else ""
    scope = ", ".join(x for x in (report.filters.provider, report.filters.model) if x) or "all providers and models"
    lines.append(f"Token usage {rng.start} .. {rng.end} ({rng.days} days, {rng.tz}), {scope}{label}")
    lines.append("")
    lines.append(f"  Requests        {fmt_int(t.requests):>16}   ~{fmt_int(t.requests / rng.days)} per day")
    lines.append(f"  Total tokens    {fmt_int(t.total_tokens):>16}   "
                 f"{fmt_int(t.prompt_tokens)} prompt · {fmt_int(t.completion_tokens)} completion")
    lines.append(f"  Estimated cost  {fmt_usd(t.estimated_cost):>16}")
    lines.append("")
    header = ("Provider", "Model", "Requests", "Prompt", "Completion", "Total tokens", "Est. cost", "Share")
    body = [(b.provider, b.model, fmt_int(b.requests), fmt_int(b.prompt_tokens), fmt_int(b.completion_tokens),
             fmt_int(b.total_tokens), fmt_usd(b.estimated_cost),
             fmt_share(b.cost_share) if len(report.breakdown) > 1 else "") for b in report.breakdown]
    body.append(("Total", "", fmt_int(t.requests), fmt_int(t.prompt_tokens), fmt_int(t.completion_tokens),
                 fmt_int(t.total_tokens), fmt_usd(t.estimated_cost), ""))
    if report.breakdown:
        widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
        for n, row in enumerate([header, *body]):
            if n == len(body):
                lines.append("  " + "  ".join("=" * w for w in widths))
            cells = [str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
            lines.append("  " + "  ".join(cells).rstrip())
    else:
        lines.append("  No usage matches these filters.")
    if report.unpriced_models:
        lines.append("")
        lines.append(f"  Unpriced (cost shows $0.00; add them to tokenPriceTable): {', '.join(report.unpriced_models)}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; returns the exit status."""
    args = build_parser().parse_args(argv)
    overrides = {
        "db": args.db, "settings": args.settings, "source": args.source, "tz": args.tz,
        "price_library": False if args.no_price_library else None,
    }
    config = resolve_config(os.environ, overrides)
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        tz = str(config.tz)
        date_range = date_range_from_args(args, tz)
        dataset = open_dataset(config)
    except (RangeError, SourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if dataset.catalog.total_requests == 0:
        print(f"No token usage yet. ({dataset.source.path} has no recorded requests.)", file=sys.stderr)
    filters = Filters(date_range, args.provider or None, args.model or None)
    report = usage_report(dataset.source, filters, dataset.prices, dataset.catalog)
    if args.format == "json":
        payload = report.as_json()
        payload["source"] = {"adapter": dataset.source.adapter, "demo": dataset.is_demo}
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        sys.stdout.write(report.csv(getattr(args, "table", "breakdown")))
    else:
        print(render_table(report, dataset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
