"""Command-line access to the same numbers as the dashboard: the source of truth for scripts.

    python cli.py today                      # the last 7 days, as a table
    python cli.py report --days 30 --format json
    python cli.py report --from 2026-03-30 --until 2026-04-28 --provider anthropic
    python cli.py agents --cwd /srv/agentx --days 7 --format json     # agentx: per-agent figures
    python cli.py tasks coder --cwd /srv/agentx --page 2              # one agent's tasks, newest first
    python cli.py rotations --cwd /srv/agentx                         # rotation reasons per agent
    python cli.py tier2 --cwd /srv/agentx                             # tier-2 hotspots
    python cli.py sessions --projects ~/.claude/projects              # sessions, newest first
    python cli.py session 3f2a --projects ~/.claude/projects          # every turn of one session
    python cli.py compare --from 2026-03-01 --until 2026-03-07 --vs-from 2026-03-08 --vs-until 2026-03-14
    python cli.py budget --budgets budgets.toml --webhook URL         # exit 3: a budget is over or forecast to be
    python cli.py whatif --as-model gpt-4o --days 30 --format csv     # the range at another model's prices
    python cli.py report --db prod.db --db lab.db --format json      # a workspace: both sources summed
    python cli.py report --sources .streamlit/sources.toml --source laptop   # one configured source
    python cli.py report --kind litellm --db litellm --team Platform --tag prod   # LiteLLM's dimensions
    python cli.py report --by project --db ~/.claude/projects --format csv  # per project (Claude Code's cwd)

Every command reads the database named by --db, or agentx's `DIR/.agentx/db.sqlite` for
--cwd DIR (or USAGE_DB; demo data when none is set) and prices it from --settings (or
USAGE_SETTINGS; for agentx, `.agentx/pricing/custom.json`). Bad input is one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pricing
from queries import Capability, Dataset, SourceError, open_dataset
from queries.csv_out import csv_text
from queries.dates import MAX_RANGE_DAYS, DateRange, RangeError, parse_day, today_in
from queries.formatting import (fmt_change, fmt_cost_cell, fmt_duration, fmt_int, fmt_share, fmt_stored_difference,
                                fmt_usd)
from queries.sessions import SessionError, sessions_csv, summary_row
from queries.settings import resolve_config
from queries.sources import database_in_working_dir, kind_names, kinds_that_can
from queries.sources.base import DIMENSION_FILTERS, missing_dimensions
from queries.usage import DIMENSION_FIELDS, DIMENSION_LABELS, Filters, UsageReport, usage_report
from queries.workspace import (SourceConfig, Workspace, WorkspaceError, configured_workspace, known_kinds,
                               open_workspace_source, read_workspace, source_can, workspace_of_paths,
                               workspace_projects, workspace_report)

EXIT_BAD_INPUT = 2
DEFAULT_REPORT_DAYS = 30
# Commands that need a capability of the source, not every kind's (today agentx's).
NEEDS: dict[str, Capability] = {"agents": Capability.AGENTS, "tasks": Capability.TASKS,
                                "rotations": Capability.ROTATIONS, "tier2": Capability.TIER2}
MAX_PAGE_SIZE = 1000  # rows a page may ask for: enough for a script, bounded for memory


class UsageError(Exception):
    """Bad input the parser cannot catch (conflicting or unusable options); the message is for people."""


def build_parser() -> argparse.ArgumentParser:
    """The CLI's commands and flags (shared flags on every command)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", action="append", help="agent SQLite database (default: $USAGE_DB, else built-in "
                        "demo data); repeat it to read several as one workspace")
    common.add_argument("--sources", metavar="FILE", help="workspace file naming several sources "
                        "(default: $USAGE_SOURCES, else .streamlit/sources.toml when present)")
    common.add_argument("--cwd", metavar="DIR", help="agentx working directory: reads DIR/.agentx/db.sqlite "
                        "(as agentx's own --cwd does)")
    common.add_argument("--settings", help="prices: Axiom's settings.json with tokenPriceTable, or agentx's "
                        "custom.json (default: $USAGE_SETTINGS, else found beside the database)")
    common.add_argument("--source", help=f"NAME: only this source of the workspace; with one --db, a kind "
                        f"({', '.join(kind_names())}) as --kind")
    common.add_argument("--kind", help=f"force the kind of source of --db ({', '.join(kind_names())}); default: "
                        "detected from the path")
    common.add_argument("--tz", help="IANA zone for calendar days (default: $USAGE_TZ, else UTC)")
    common.add_argument("--no-price-library", action="store_true",
                        help="price only from settings.json/custom.json (and Axiom's defaults): no genai-prices")
    common.add_argument("--format", choices=("table", "csv", "json"), default="table")

    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--provider", help="only this provider")
    filters.add_argument("--model", help="only this model")

    dimensions = argparse.ArgumentParser(add_help=False)  # sources with these dimensions (LiteLLM)
    dimensions.add_argument("--key", dest="api_key", metavar="ALIAS", help="only this key (its alias, or "
                            "'key 1a2b3c4d…' for one without: a source with keys, e.g. LiteLLM)")
    dimensions.add_argument("--user", dest="user_id", help="only this user (a source with users)")
    dimensions.add_argument("--team", help="only this team (its alias, else its id)")
    dimensions.add_argument("--end-user", dest="end_user", help="only this end user (a source with end users)")
    dimensions.add_argument("--tag", help="only requests that carry this tag (a source with tags)")

    span = argparse.ArgumentParser(add_help=False)
    days = span.add_mutually_exclusive_group()
    days.add_argument("--days", type=int, help="the last N days, today included")
    days.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help="first day (inclusive)")
    span.add_argument("--until", dest="until_day", metavar="YYYY-MM-DD", help="last day (inclusive; default today)")

    projects = argparse.ArgumentParser(add_help=False)
    projects.add_argument("--projects", metavar="DIR", help="Claude Code projects directory "
                          "(default: $CLAUDE_PROJECTS_DIR, else ~/.claude/projects)")

    parser = argparse.ArgumentParser(prog="cli.py", description="Token usage and estimated cost of an agent system.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("today", parents=[common, filters, dimensions], help="the last 7 days")
    report = commands.add_parser("report", parents=[common, filters, dimensions, span],
                                 help="any date range (default: last 30 days)")
    report.add_argument("--table", choices=("breakdown", "daily"), default="breakdown",
                        help="which table --format csv writes (default: breakdown)")
    report.add_argument("--by", choices=("model", "project"), default="model",
                        help="rows per provider/model (default), or per project: the session's working "
                        "directory, for sources that have projects (Claude Code logs)")
    commands.add_parser("agents", parents=[common, span], help="agentx: cost, tokens, tasks and durations per agent")
    tasks = commands.add_parser("tasks", parents=[common, span], help="agentx: one agent's tasks, newest first")
    tasks.add_argument("agent", help="agent id")
    tasks.add_argument("--page", type=int, default=1)
    tasks.add_argument("--page-size", type=int, default=50)
    commands.add_parser("rotations", parents=[common, span], help="agentx: session rotations per agent, by reason")
    commands.add_parser("tier2", parents=[common, span], help="agentx: agents that crossed into tier 2")
    sessions = commands.add_parser("sessions", parents=[common, span, projects],
                                   help="sessions with totals, newest first (Claude Code logs or Axiom)")
    sessions.add_argument("--search", help="only sessions whose id (or project, cwd) contains this text")
    sessions.add_argument("--page", type=int, default=1)
    sessions.add_argument("--page-size", type=int, default=50)
    session = commands.add_parser("session", parents=[common, projects], help="every turn of one session")
    session.add_argument("session_id", metavar="ID", help="session id, or a unique start of one")
    compare = commands.add_parser("compare", parents=[common, span], help="two date ranges side by side")
    compare.add_argument("--vs-from", required=True, metavar="YYYY-MM-DD", help="first day of the second range")
    compare.add_argument("--vs-until", metavar="YYYY-MM-DD", help="last day of the second range (default today)")
    budget = commands.add_parser("budget", parents=[common], help="status of every budget; exit 3 when one is "
                                 "over or forecast to be (issue 14)")
    budget.add_argument("--budgets", metavar="FILE", help="budgets TOML (default: $USAGE_BUDGETS, else "
                        ".streamlit/budgets.toml)")
    budget.add_argument("--webhook", metavar="URL", help="POST new alerts here, Slack-compatible "
                        "(default: $USAGE_BUDGET_WEBHOOK)")
    budget.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to judge (default: today)")
    whatif = commands.add_parser("whatif", parents=[common, filters, span], help="the range priced as if every "
                                 "request had used another model or price table, beside the actual cost")
    target = whatif.add_mutually_exclusive_group(required=True)
    target.add_argument("--as-model", metavar="MODEL", help="price every request as this model")
    target.add_argument("--price-table", metavar="FILE", help="price each request by its own model from this "
                        "settings.json's tokenPriceTable (then Axiom's defaults, the library)")
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
    try:
        return DateRange(until - timedelta(days=DEFAULT_REPORT_DAYS - 1), until, tz)
    except OverflowError:  # --until in the first days of year 1: no default range fits before it
        raise RangeError(f"--until {until} leaves no room for the default {DEFAULT_REPORT_DAYS} days before it; "
                         "give --from as well.") from None


def optional_range(args: argparse.Namespace, tz: str) -> DateRange | None:
    """The range asked for, or None (all time) when no range option was given (sessions)."""
    if args.days is None and not args.from_day and not args.until_day:
        return None
    return date_range_from_args(args, tz)


# ---------------------------------------------------------------------------------------
# Messages for people (issue 4, item 11).

def price_file_hint(dataset: Dataset) -> str:
    """Where the user adds prices for this source (in its kind's words)."""
    return dataset.source.kind.price_file_hint(dataset.settings_path)


def zero_cost_warning(dataset: Dataset, cost: float, tokens: int, unpriced: list[str]) -> str | None:
    """The note for "every row costs $0.00": no rates matched, and where to add them."""
    if cost != 0 or tokens == 0 or not unpriced:
        return None
    snippet = dataset.wording.snippet(unpriced)
    return (f"Every row costs $0.00: no rates matched the models {', '.join(unpriced)}. Add them to "
            f"{price_file_hint(dataset)}, e.g. {' '.join(snippet.split())}")


# ---------------------------------------------------------------------------------------
# Rendering.

def table(header: tuple[str, ...], rows: list[tuple], left: int = 1, last_left: bool = False) -> list[str]:
    """Aligned text columns: the first `left` columns (and the last, if `last_left`) left-aligned,
    the numbers right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lefts = set(range(left)) | ({len(header) - 1} if last_left else set())
    return ["  " + "  ".join(str(c).ljust(w) if i in lefts else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in [header, *rows]]


def ms(value: float | None) -> str:
    """A duration in milliseconds for people, as the pages write it: '850 ms', '12.3 s', '4 min 05 s'."""
    return fmt_duration(value)


def render_table(report: UsageReport, dataset: Dataset) -> str:
    """A human-readable report: totals, the breakdown, unpriced models and warnings."""
    rng = report.filters.range
    t = report.totals
    lines = []
    label = " (demo data)" if dataset.is_demo else ""
    scope = ", ".join([x for x in (report.filters.provider, report.filters.model) if x]
                      + [f"{DIMENSION_LABELS[f]} {v}" for f, v in report.filters.dimensions().items()]
                      ) or "all providers and models"
    unit = dataset.wording.units
    lines.append(f"Token usage {rng.start} .. {rng.end} ({rng.days} days, {rng.tz}), {scope}{label}")
    lines.append("")
    lines.append(f"  {unit:<15} {fmt_int(t.requests):>16}   ~{fmt_int(t.requests / rng.days)} per day")
    cache = report.cache_tokens  # a source with cache tokens: their columns, counted in Total tokens
    lines.append(f"  Total tokens    {fmt_int(t.total_tokens):>16}   "
                 f"{fmt_int(t.prompt_tokens)} prompt · {fmt_int(t.completion_tokens)} completion"
                 + (f" · {fmt_int(t.cache_read_tokens)} cache read · {fmt_int(t.cache_write_tokens)} cache write"
                    if cache else ""))
    lines.append(f"  Estimated cost  {fmt_usd(t.estimated_cost):>16}")
    lines.append("")
    sourced = any(b.source for b in report.breakdown)  # a workspace of several sources: which one each row is
    header = ("Source",) * sourced + ("Provider", "Model", unit, "Prompt", "Completion") + (
        "Cache read", "Cache write") * cache + ("Total tokens", "Est. cost", "Share", "Price from")
    body = [(b.source,) * sourced + (b.provider, b.model, fmt_int(b.requests), fmt_int(b.prompt_tokens),
                                     fmt_int(b.completion_tokens))
            + (fmt_int(b.cache_read_tokens), fmt_int(b.cache_write_tokens)) * cache + (fmt_int(b.total_tokens),
                                     fmt_cost_cell(b.estimated_cost, b.is_unpriced),
             fmt_share(b.cost_share) if len(report.breakdown) > 1 else "",
             "; ".join(x for x in (b.price_source, fmt_stored_difference(
                 b.stored_cost, b.recomputed_cost, b.stored_difference)) if x)) for b in report.breakdown]
    body.append(("Total",) + ("",) * sourced + ("", fmt_int(t.requests), fmt_int(t.prompt_tokens),
                                                fmt_int(t.completion_tokens))
                + (fmt_int(t.cache_read_tokens), fmt_int(t.cache_write_tokens)) * cache + (fmt_int(t.total_tokens),
                                                fmt_usd(t.estimated_cost), "", ""))
    if report.breakdown:
        widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
        for n, row in enumerate([header, *body]):
            if n == len(body):
                lines.append("  " + "  ".join("=" * w for w in widths))
            cells = [str(c).ljust(w) if i < 2 + sourced or i == len(header) - 1 else str(c).rjust(w)
                     for i, (c, w) in enumerate(zip(row, widths))]
            lines.append("  " + "  ".join(cells).rstrip())
    else:
        lines.append("  No usage matches these filters.")
    if report.unpriced_models:
        lines.append("")
        where = dataset.wording.price_key or dataset.wording.price_file
        lines.append(f"  Unpriced (no price anywhere, counted as $0.00; add them to {where}): "
                     f"{', '.join(report.unpriced_models)}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Commands. Each returns the text to print on stdout; warnings go through `warn`.

def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def report_filters(args: argparse.Namespace, rng: DateRange) -> Filters:
    """The filter state of `today` / `report`: the range, --provider, --model and the dimension flags."""
    return Filters(rng, args.provider or None, args.model or None,
                   **{name: getattr(args, name, None) or None for name in DIMENSION_FIELDS})


def check_dimensions(filters: Filters, kinds: list) -> None:
    """UsageError when a dimension flag is given and no source read has that dimension."""
    if filters.dimensions() and all(missing_dimensions(kind, filters) for kind in kinds):
        flags = ", ".join(f"--{DIMENSION_LABELS[f].replace(' ', '-')}" for f in filters.dimensions())
        able = " or ".join(sorted({k.label for c in DIMENSION_FILTERS for k in kinds_that_can(c)}))
        read = ", ".join(sorted({k.label for k in kinds}))
        raise UsageError(f"{flags} needs a source with that dimension ({able}); this reads {read} data, "
                         "which has none.")


def cmd_report(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    filters = report_filters(args, rng)
    check_dimensions(filters, [dataset.source.kind])
    if getattr(args, "by", "model") == "project":
        return cmd_projects(args, [(dataset.source.adapter, dataset)], filters,
                            {"source": {"adapter": dataset.source.adapter, "demo": dataset.is_demo}})
    report = usage_report(dataset.source, filters, dataset.prices, dataset.catalog)
    hint = zero_cost_warning(dataset, report.totals.estimated_cost, report.totals.total_tokens, report.unpriced_models)
    if hint:
        report.warnings.append(hint)
    if args.format == "json":
        payload = report.as_json()
        payload["source"] = {"adapter": dataset.source.adapter, "demo": dataset.is_demo}
        return json.dumps(payload, indent=2)
    if args.format == "csv":
        return report.csv(getattr(args, "table", "breakdown")).rstrip("\n")
    return render_table(report, dataset)


def cmd_projects(args: argparse.Namespace, datasets: list[tuple[str, Dataset]], filters: Filters,
                 extra: dict[str, object]) -> str:
    """`report --by project`: requests, tokens and cost per project over the sources that have projects
    (each priced by its own prices; a Source column when several); UsageError when none has."""
    report = workspace_projects(datasets, filters)
    if not report.sources:
        able = " or ".join(k.label for k in kinds_that_can(Capability.PROJECT))
        raise UsageError(f"`report --by project` needs {able} data; {', '.join(n for n, _d in datasets)} "
                         "has no projects.")
    if args.format == "json":
        return json.dumps(report.as_json() | extra, indent=2)
    if args.format == "csv":
        return report.csv().rstrip("\n")
    rng = filters.range
    scope = ", ".join(x for x in (filters.provider, filters.model) if x) or "all providers and models"
    lines = [f"Token usage by project {rng.start} .. {rng.end} ({rng.days} days, {rng.tz}), {scope}", ""]
    if not report.rows:
        return "\n".join(lines + ["  No project has usage for these filters."])
    sourced = report.sourced
    body = [(r.source,) * sourced + (r.project, fmt_int(r.requests), fmt_int(r.prompt_tokens),
                                     fmt_int(r.completion_tokens), fmt_int(r.cache_read_tokens),
                                     fmt_int(r.cache_write_tokens), fmt_int(r.total_tokens),
                                     fmt_cost_cell(r.estimated_cost, r.is_unpriced),
                                     fmt_share(r.cost_share) if r.cost_share is not None else "")
            for r in report.rows]
    lines += table(("Source",) * sourced + ("Project", "Requests", "Prompt", "Completion", "Cache read",
                                            "Cache write", "Total tokens", "Est. cost", "Share"), body,
                   left=1 + sourced)
    return "\n".join(lines + [f"  Sources: {', '.join(report.sources)}"] * sourced)


def cmd_agents(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    kind = dataset.source.kind  # AGENTS: the kind's per-agent queries (base.AgentQueries)
    rows = kind.agent_rows(dataset.source, rng, dataset.prices)
    for note in [*dataset.prices.warnings, *kind.zone_warnings(rng)]:
        warn(note)
    unpriced = kind.unpriced_in_range(dataset.source, rng, dataset.prices)
    hint = zero_cost_warning(dataset, sum(r.estimated_cost for r in rows),
                             sum(r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens
                                 for r in rows), unpriced)
    if hint:
        warn(hint)
    if args.format == "json":
        return json.dumps([r.as_json() for r in rows], indent=2)
    if args.format == "csv":
        return kind.agents_csv(rows).rstrip("\n")
    lines = [f"Agents {rng.start} .. {rng.end} ({rng.days} days, UTC days for tokens and cost)", ""]
    if not rows:
        return "\n".join(lines + ["  No agent has usage or tasks in this range."])
    body = [(r.agent_id, fmt_int(r.tasks), fmt_int(r.input_tokens), fmt_int(r.output_tokens),
             fmt_int(r.cache_read_tokens), fmt_int(r.cache_write_tokens), fmt_int(r.tier2_tokens),
             fmt_usd(r.estimated_cost), ms(r.p50_duration_ms), ms(r.p95_duration_ms), fmt_int(r.errors),
             fmt_int(r.timeouts)) for r in rows]
    lines += table(("Agent", "Tasks", "Input", "Output", "Cache read", "Cache write", "Tier 2", "Est. cost",
                    "p50", "p95", "Errors", "Timeouts"), body)
    if unpriced:
        lines += ["", f"  Unpriced (cost shows $0.00; add them to custom.json): {', '.join(unpriced)}"]
    return "\n".join(lines)


def cmd_tasks(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    kind = dataset.source.kind  # TASKS: the kind's task queries (base.AgentQueries)
    page = kind.agent_tasks(dataset.source, rng, args.agent, args.page, args.page_size)
    rows = [kind.task_row(t) for t in page.tasks]
    if args.format == "json":
        return json.dumps({"agent_id": args.agent, "page": page.page, "pages": page.pages, "page_size": page.page_size,
                           "total": page.total, "tasks": rows}, indent=2)
    if args.format == "csv":
        return kind.tasks_csv(page).rstrip("\n")
    lines = [f"Tasks of {args.agent} {rng.start} .. {rng.end}, newest first: page {page.page} of {page.pages} "
             f"({page.total:,} tasks)", ""]
    if not rows:
        return "\n".join(lines + ["  No tasks on this page."])
    body = [(t.started_at.strftime("%Y-%m-%d %H:%M:%S") if t.started_at else "—", t.channel or "", t.status,
             ms(t.duration_ms), fmt_int(t.input_tokens + t.output_tokens + t.cache_read_tokens + t.cache_write_tokens),
             (t.preview or "")[:60].replace("\n", " ")) for t in page.tasks]
    lines += table(("Started (UTC)", "Channel", "Status", "Duration", "Tokens", "Preview"), body, left=3,
                   last_left=True)
    return "\n".join(lines)


def cmd_rotations(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    kind = dataset.source.kind  # ROTATIONS: the kind's queries (base.AgentQueries)
    report = kind.rotation_report(dataset.source, rng)
    if args.format == "json":
        payload = {"range": {"from": rng.start.isoformat(), "until": rng.end.isoformat(), "tz": rng.tz}, **report.as_json()}
        return json.dumps(payload, indent=2)
    for note in report.warnings:
        warn(note)
    if args.format == "csv":
        return kind.rotations_csv(report).rstrip("\n")
    lines = [f"Session rotations {rng.start} .. {rng.end} ({rng.tz}), by reason", ""]
    if not report.rows:
        return "\n".join(lines + ["  No rotations in this range."])
    body = [(r.agent_id, fmt_int(r.stale), fmt_int(r.tier2), fmt_int(r.max_turns), fmt_int(r.other), fmt_int(r.total))
            for r in report.rows]
    lines += table(("Agent", "stale", "tier-2", "max-turns", "other", "Total"), body)
    lines += [f"  hint: {h}" for h in report.hints]
    return "\n".join(lines)


def cmd_tier2(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    kind = dataset.source.kind  # TIER2: the kind's queries (base.AgentQueries)
    report = kind.tier2_hotspots(dataset.source, rng, dataset.prices)
    rows = kind.tier2_rows(report)
    if args.format == "json":
        return json.dumps({"range": {"from": rng.start.isoformat(), "until": rng.end.isoformat()},
                           "threshold": report.threshold, "threshold_source": report.threshold_source,
                           "extra_cost": report.extra_cost, "agents": rows, "warnings": report.warnings}, indent=2)
    for note in report.warnings:
        warn(note)
    if args.format == "csv":
        return kind.tier2_csv(report).rstrip("\n")
    lines = [f"Tier-2 hotspots {rng.start} .. {rng.end}: threshold {report.threshold:,} tokens "
             f"({report.threshold_source})", ""]
    if not rows:
        return "\n".join(lines + ["  No agent crossed into tier 2 in this range."])
    body = [(r.agent_id, fmt_int(r.tier2_days), fmt_int(r.tier2_rotations), fmt_int(r.tier2_tokens),
             fmt_usd(r.tier2_cost), fmt_usd(r.tier2_extra_cost),
             fmt_share(r.extra_share) if r.extra_share is not None else "") for r in report.rows]
    lines += table(("Agent", "Tier-2 days", "Tier-2 rotations", "Tier-2 tokens", "Tier-2 cost", "Extra (0.5x)",
                    "of its cost"), body)
    lines += ["", f"  Tier 2 added {fmt_usd(report.extra_cost)} in this range."]
    return "\n".join(lines)


def _session_logs(args: argparse.Namespace, config, dataset: Dataset | None):
    from queries.sessions import projects_dir
    from queries.sources import open_session_logs

    custom = None
    root = projects_dir(args.projects)
    if dataset is not None:
        kind = dataset.source.kind
        custom_path = kind.session_log_prices(dataset.source, dataset.settings_path)  # agentx: its custom.json
        if custom_path is not None:
            custom = pricing.read_custom_prices(custom_path)
        demo_logs = kind.demo_projects_dir() if dataset.is_demo else None
        if demo_logs is not None and not args.projects and not os.environ.get("CLAUDE_PROJECTS_DIR"):
            root = demo_logs  # the demo's own logs (as the Sessions page reads)
        if dataset.source.path.is_dir() and not args.projects:
            root = dataset.source.path  # the source is a projects directory itself (Claude Code's logs)
    return open_session_logs(root, custom, bool(config.price_library))


def _print_sessions(args: argparse.Namespace, config, dataset: Dataset | None, tz: str) -> int:
    """`sessions` / `session` on Claude Code logs."""
    logs = _session_logs(args, config, dataset)
    try:
        if args.command == "sessions":
            out = cmd_sessions(args, logs.sessions(optional_range(args, tz), args.search, args.page, args.page_size))
        else:
            out = cmd_session(args, logs.session(args.session_id))
    finally:
        logs.close()
    print(out)
    return 0


def sessions_from_logs(args: argparse.Namespace, config) -> bool:
    """Whether to read sessions from Claude Code logs (True) or from the database (see README)."""
    from queries.sessions import PROJECTS_ENV, projects_dir

    if args.projects or os.environ.get(PROJECTS_ENV):
        return True
    if config.db:
        return False
    return projects_dir(None).is_dir()


def cmd_sessions(args: argparse.Namespace, listing) -> str:
    if args.format == "json":
        return json.dumps({"kind": listing.kind, "where": listing.where, "total": listing.total, "page": listing.page,
                           "page_size": listing.page_size, "sessions": [summary_row(s) for s in listing.sessions],
                           "unpriced_models": listing.unpriced_models, "files": listing.files,
                           "malformed_lines": listing.malformed_lines, "duplicate_lines": listing.duplicate_lines,
                           "warnings": listing.warnings}, indent=2)
    for note in listing.warnings:
        warn(note)
    if args.format == "csv":
        return sessions_csv(listing).rstrip("\n")
    kind = "Claude Code sessions" if listing.from_logs else "Axiom sessions"
    lines = [f"{kind} in {listing.where}, newest first ({listing.total:,} in all)"]
    if listing.from_logs:
        lines.append(f"  {listing.files:,} log file(s); {listing.duplicate_lines:,} repeated line(s) of one response "
                     f"counted once; {listing.malformed_lines:,} malformed line(s) skipped")
    lines.append("")
    if not listing.sessions:
        return "\n".join(lines + ["  No data: no sessions match."])
    def opt(v): return "—" if v is None else fmt_int(v)
    body = [(s.session_id, s.last_at.strftime("%Y-%m-%d %H:%M") if s.last_at else "—", fmt_int(s.turns),
             fmt_int(s.input_tokens), fmt_int(s.output_tokens), opt(s.cache_read_tokens), opt(s.cache_write_tokens),
             fmt_usd(s.estimated_cost), ", ".join(s.models)) for s in listing.sessions]
    lines += table(("Session", "Last activity (UTC)", "Turns", "Input", "Output", "Cache read", "Cache write",
                    "Est. cost", "Models"), body, left=2, last_left=True)
    if listing.unpriced_models:
        lines += ["", f"  Unpriced (cost shows $0.00): {', '.join(listing.unpriced_models)}"]
    return "\n".join(lines)


def cmd_session(args: argparse.Namespace, detail) -> str:
    turns = [{"at": t.at.isoformat() if t.at else None, "model": t.model, "input_tokens": t.input_tokens,
              "output_tokens": t.output_tokens, "cache_read_tokens": t.cache_read_tokens,
              "cache_write_tokens": t.cache_write_tokens, "estimated_cost": t.estimated_cost,
              "subagent": t.subagent, "tier2": t.tier2} for t in detail.turns]
    if args.format == "json":
        return json.dumps({"kind": detail.kind, "session": summary_row(detail.summary), "turns": turns,
                           "warnings": detail.warnings}, indent=2)
    for note in detail.warnings:
        warn(note)
    if args.format == "csv":
        return csv_text(turns, list(turns[0]) if turns else ["at"]).rstrip("\n")
    s = detail.summary
    lines = [f"Session {s.session_id}" + (f" ({s.project})" if s.project else ""),
             f"  {s.turns:,} turn(s), {s.subagent_turns:,} by subagents; {fmt_usd(s.estimated_cost)}", ""]
    def opt(v): return "—" if v is None else fmt_int(v)
    body = [(t.at.strftime("%Y-%m-%d %H:%M:%S") if t.at else "—", t.model + (" (subagent)" if t.subagent else ""),
             fmt_int(t.input_tokens), fmt_int(t.output_tokens), opt(t.cache_read_tokens), opt(t.cache_write_tokens),
             fmt_usd(t.estimated_cost) + (" tier 2" if t.tier2 else "")) for t in detail.turns]
    lines += table(("Time (UTC)", "Model", "Input", "Output", "Cache read", "Cache write", "Cost"), body, left=2)
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace, dataset: Dataset, a: DateRange) -> str:
    from queries.overview import compare, compare_csv

    until = parse_day(args.vs_until, "--vs-until") if args.vs_until else today_in(a.tz)
    b = DateRange(parse_day(args.vs_from, "--vs-from"), until, a.tz)
    result = compare(dataset, a, b)
    if args.format == "json":
        return json.dumps(result.as_json(), indent=2)
    if args.format == "csv":
        return compare_csv(result).rstrip("\n")
    lines = [f"A = {a.start} .. {a.end}   B = {b.start} .. {b.end}", ""]
    fmt = {"estimated_cost": fmt_usd, "cost_per_task": fmt_usd}
    body = [(k.name, fmt.get(k.name, fmt_int)(k.a), fmt.get(k.name, fmt_int)(k.b), fmt.get(k.name, fmt_int)(k.delta),
             fmt_change(k.b, k.a) or "—") for k in result.kpis]
    lines += table(("", "A", "B", "Change", "%"), body)
    lines.append("")
    body = []
    for r in result.rows:
        cost, tokens, tasks = r.changes
        body.append((r.key, fmt_usd(cost.a), fmt_usd(cost.b), fmt_change(cost.b, cost.a) or "—",
                     fmt_int(tokens.a), fmt_int(tokens.b), fmt_int(tasks.a), fmt_int(tasks.b)))
    unit = result.kpis[2].name
    lines += table((result.by.capitalize(), "Cost A", "Cost B", "%", "Tokens A", "Tokens B", f"{unit} A", f"{unit} B"),
                   body) if body else ["  No activity in either range."]
    return "\n".join(lines)


def cmd_whatif(args: argparse.Namespace, dataset: Dataset, rng: DateRange) -> str:
    """`whatif`: per model and in total, the actual cost beside the cost at the target prices."""
    from queries import budgets

    use_library = not args.no_price_library
    if args.as_model:
        book = budgets.target_prices(args.as_model, None, pricing.SettingsPrices(), use_library)
    else:
        settings = pricing.read_settings_prices(Path(args.price_table).expanduser())
        if settings.unreadable or not Path(args.price_table).expanduser().is_file():
            raise UsageError(f"--price-table {args.price_table}: " + (settings.warnings[0] if settings.warnings
                                                                    else "no such file."))
        book = pricing.resolve_prices(((p, m) for p, m, _n in dataset.catalog.pairs), settings, use_library)
    result = budgets.what_if(dataset, Filters(rng, args.provider or None, args.model or None), book, args.as_model)
    if isinstance(result, str):
        raise UsageError(result)
    if result.note:
        warn(result.note)
    if args.format == "csv":
        return result.csv().rstrip("\n")
    if args.format == "json":
        return json.dumps({"range": {"from": rng.start.isoformat(), "until": rng.end.isoformat(), "tz": rng.tz},
                           "target": result.target, "actual_cost": result.actual_total,
                           "whatif_cost": result.whatif_total,
                           "rows": [{"provider": r.provider, "model": r.model, "requests": r.requests,
                                     "actual_cost": r.actual_cost, "whatif_cost": r.whatif_cost,
                                     "unpriced_requests": r.unpriced_requests} for r in result.rows]}, indent=2)
    body = [(r.provider, r.model, fmt_int(r.requests), fmt_usd(r.actual_cost), fmt_usd(r.whatif_cost),
             fmt_usd(r.difference)) for r in result.rows]
    body.append(("Total", "", fmt_int(sum(r.requests for r in result.rows)), fmt_usd(result.actual_total),
                 fmt_usd(result.whatif_total), fmt_usd(result.whatif_total - result.actual_total)))
    return "\n".join([f"What if {rng.start} .. {rng.end} were priced as {result.target}", ""] + table(
        ("Provider", "Model", "Requests", "Actual", "What if", "Difference"), body, left=2))


EXIT_BUDGET_ALERT = 3  # a budget is over or forecast to be (cron mails on a non-zero status)


def cmd_budget(args: argparse.Namespace, config, workspace: Workspace | None = None) -> int:
    """`budget`: every budget's status; new alerts to the webhook; exit 0 / 3 (alert) / 2 (bad input).
    Over a workspace every source is read (a budget scoped to `source = NAME` reads that one)."""
    from queries import budgets

    path = budgets.budgets_path(args.budgets or config.budgets)
    if path is None:
        raise UsageError("No budgets file: give --budgets FILE, set USAGE_BUDGETS, or create .streamlit/budgets.toml.")
    url = args.webhook or config.budget_webhook
    if url and not str(url).startswith(("http://", "https://")):
        raise UsageError(f"The webhook must be an http:// or https:// URL, not {str(url)[:40]!r}.")
    read = budgets.read_budgets(path)
    for problem in read.problems:
        warn(problem)
    today = parse_day(args.as_of, "--as-of") if args.as_of else today_in(str(config.tz))
    statuses = budgets.evaluate(workspace_datasets(workspace, config) if workspace else open_dataset(config),
                                read.budgets, today, str(config.tz))
    for s in statuses:
        if s.state == budgets.UNAVAILABLE:
            warn(f"budget {s.budget.name!r} ({s.budget.scope_label()}) cannot be checked: {s.reason}.")
    if url:
        state = budgets.AlertState(budgets.default_state_path())
        for alert, delivery in budgets.send_alerts(statuses, str(url), state):
            if not delivery.delivered:
                warn(f"the alert for {alert.budget!r} was not delivered after {delivery.attempts} attempt(s) "
                     f"({delivery.error}); it is tried again on the next run.")
        if state.warning:
            warn(state.warning)
    if args.format == "json":
        print(json.dumps({"as_of": today.isoformat(), "budgets_file": str(path), "problems": list(read.problems),
                          "budgets": [s.as_json() for s in statuses]}, indent=2))
    elif args.format == "csv":
        rows = [{k: v for k, v in s.as_json().items() if k not in ("scope", "forecast")}
                | {"scope": s.budget.scope_label(), "forecast": s.forecast.expected if s.forecast else None}
                for s in statuses]
        print(csv_text(rows, ["name", "scope", "monthly_usd", "daily_usd", "state", "month_to_date", "today",
                              "forecast", "reason"]).rstrip("\n"))
    else:
        def money(v): return "—" if v is None else fmt_usd(v)
        body = [(s.budget.name, s.budget.scope_label(), fmt_usd(s.budget.monthly_usd), money(s.budget.daily_usd),
                 money(s.forecast and s.forecast.spent), money(s.forecast and s.forecast.today_spent),
                 "—" if s.forecast is None else f"{fmt_usd(s.forecast.expected)} ({fmt_usd(s.forecast.low)} .. "
                 f"{fmt_usd(s.forecast.high)})", s.state) for s in statuses]
        print("\n".join([f"Budgets as of {today} ({path})", ""] + (table(
            ("Budget", "Scope", "Monthly", "Daily", "Month to date", "Today", "Forecast (band)", "State"), body,
            left=2, last_left=True) if body else ["  No budgets in the file."])))
    if read.problems or any(s.state == budgets.UNAVAILABLE for s in statuses):
        return EXIT_BAD_INPUT  # a budget that cannot be checked is a configuration to fix, not an "all fine"
    return EXIT_BUDGET_ALERT if any(s.alerting for s in statuses) else 0


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (RangeError, SourceError, SessionError, UsageError, WorkspaceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def check_paging(args: argparse.Namespace) -> None:
    """--page and --page-size, checked once for every command that pages, before the command
    picks its data (Claude Code logs, Axiom or agentx), so each path refuses the same values."""
    if not hasattr(args, "page"):
        return
    if args.page < 1 or not 1 <= args.page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"--page must be 1 or more and --page-size between 1 and {MAX_PAGE_SIZE}.")


def cli_workspace(args: argparse.Namespace, config) -> Workspace | None:
    """The several sources this command reads (--sources FILE, repeated --db, or a configured
    workspace file), or None for one source read as before (one --db, --cwd, USAGE_DB, one demo).
    A workspace file that cannot be used is an error here (exit 2), not a fallback."""
    if args.sources:
        file = Path(args.sources).expanduser()
        return Workspace(read_workspace(file, known_kinds()), file)
    if args.db and len(args.db) > 1:
        return Workspace(workspace_of_paths([Path(d).expanduser() for d in args.db], args.kind))
    if args.db or args.cwd:
        return None
    workspace = configured_workspace(config)
    if workspace.warnings:
        raise UsageError(" ".join(workspace.warnings))
    return workspace if len(workspace.sources) > 1 or workspace.file else None


def chosen_source(args: argparse.Namespace, workspace: Workspace) -> SourceConfig | None:
    """The source --source NAME picks; None (all of them) for `today` / `report`; for another
    command, the first source that has what it needs (a note on stderr says which)."""
    if args.source:
        chosen = workspace.named(args.source)
        if chosen is None:
            raise UsageError(f"No source named {args.source[:80]!r} in the workspace; its sources: "
                             f"{', '.join(workspace.names)}.")
        return chosen
    if args.command in ("today", "report") and len(workspace.sources) > 1:
        return None
    chosen = next((s for s in workspace.sources if can_run(args.command, s)), workspace.sources[0])
    if len(workspace.sources) > 1:
        warn(f"`{args.command}` reads one source: {chosen.name} (pick another with --source NAME; "
             f"sources: {', '.join(workspace.names)}).")
    return chosen


def can_run(command: str, source: SourceConfig) -> bool:
    """Whether `command` has data in this source (its kind has the capability the command needs)."""
    return command not in NEEDS or source_can(source, NEEDS[command])


def single_source_overrides(chosen: SourceConfig) -> dict[str, object]:
    """The settings that make one source of a workspace the configured one (a demo source is named
    after its kind: that kind's demo)."""
    if chosen.is_demo:
        return {"db": None, "demo": chosen.name, "source": None}
    return {"db": str(chosen.path), "source": chosen.kind,
            "settings": str(chosen.settings) if chosen.settings else None}


def workspace_datasets(workspace: Workspace, config) -> list[tuple[str, Dataset]]:
    """Every source of the workspace opened and priced, by name (UsageError naming a source that fails)."""
    datasets = []
    for source in workspace.sources:
        try:
            datasets.append((source.name, open_workspace_source(source, bool(config.price_library))))
        except SourceError as exc:
            raise UsageError(f"Source {source.name}: {exc}") from None
    return datasets


def cmd_workspace_report(args: argparse.Namespace, workspace: Workspace, config, rng: DateRange) -> str:
    """`today` / `report` over every source of the workspace: each priced by its own prices, summed."""
    datasets = workspace_datasets(workspace, config)
    filters = report_filters(args, rng)
    check_dimensions(filters, [d.source.kind for _n, d in datasets])
    if getattr(args, "by", "model") == "project":
        return cmd_projects(args, datasets, filters, {})
    report = workspace_report(datasets, filters)
    if args.format == "json":
        payload = report.as_json()
        payload["sources"] = [{"name": n, "adapter": d.source.adapter, "demo": d.is_demo} for n, d in datasets]
        return json.dumps(payload, indent=2)
    if args.format == "csv":
        return report.csv(getattr(args, "table", "breakdown")).rstrip("\n")
    lines = [render_table(replace(report, unpriced_models=[]), datasets[0][1])]
    for name, dataset in datasets:  # each source's unpriced models go to its own price file
        unpriced = sorted({b.model for b in report.breakdown if b.source == name and b.has_unpriced_rows})
        if unpriced:
            where = dataset.wording.price_key or dataset.wording.price_file
            lines.append(f"  Unpriced in {name} (no price anywhere, counted as $0.00; add them to {where}): "
                         f"{', '.join(unpriced)}")
    return "\n".join(lines + [f"  Sources: {', '.join(n for n, _d in datasets)}"])


def _run(args: argparse.Namespace) -> int:
    check_paging(args)
    db = args.db[0] if args.db and len(args.db) == 1 else None
    if args.cwd:
        if args.db:
            raise UsageError("Give --db or --cwd, not both (--cwd DIR reads DIR/.agentx/db.sqlite).")
        cwd = Path(args.cwd).expanduser()
        if not cwd.is_dir():
            raise UsageError(f"--cwd {cwd} is not a directory (it should be agentx's working directory).")
        db = str(database_in_working_dir(cwd))
        if not Path(db).exists():
            raise UsageError(f"No agentx database at {db}: is {cwd} the directory agentx runs in? "
                             f"(agentx keeps its data in DIR/.agentx/db.sqlite.)")
    overrides = {
        "db": db, "settings": args.settings, "source": args.kind or args.source, "tz": args.tz,
        "price_library": False if args.no_price_library else None, "sources": args.sources,
    }
    config = resolve_config(os.environ, overrides)
    for warning in config.warnings:
        warn(warning)
    tz = str(config.tz)
    workspace = cli_workspace(args, config)
    if args.command == "budget":
        return cmd_budget(args, config, workspace)
    if workspace is not None:
        chosen = chosen_source(args, workspace)
        if chosen is None:
            print(cmd_workspace_report(args, workspace, config, date_range_from_args(args, tz)))
            return 0
        picked = overrides | single_source_overrides(chosen)
        config = resolve_config({k: v for k, v in os.environ.items() if k not in ("USAGE_DB", "USAGE_DEMO")}, picked)

    if args.command in ("sessions", "session") and sessions_from_logs(args, config):
        # Claude Code logs; with an agentx database configured, priced from its custom.json.
        dataset = open_dataset(config) if config.db else None
        return _print_sessions(args, config, dataset, tz)

    date_range = date_range_from_args(args, tz) if args.command not in ("sessions", "session") else None
    dataset = open_dataset(config)
    if args.command in ("sessions", "session") and dataset.source.kind.sessions_in_logs:
        # agentx keeps no sessions of its own: the Claude Code logs it ran (~/.claude/projects; the demo's own)
        return _print_sessions(args, config, dataset, tz)
    if args.command in NEEDS and not dataset.can(NEEDS[args.command]):
        what = (f"the built-in demo data ({dataset.source.kind.label}-shaped)" if dataset.is_demo
                else f"{dataset.source.path}")
        able = " or ".join(k.label for k in kinds_that_can(NEEDS[args.command]))
        raise UsageError(f"`{args.command}` needs {able} data, and {what} is an {dataset.source.adapter} database. "
                         f"Point at agentx with --cwd DIR (reads DIR/.agentx/db.sqlite) or --db PATH.")
    if not dataset.catalog.pairs:
        print(dataset.no_data_message(), file=sys.stderr)

    if args.command in ("today", "report"):
        out = cmd_report(args, dataset, date_range)
    elif args.command == "agents":
        out = cmd_agents(args, dataset, date_range)
    elif args.command == "tasks":
        out = cmd_tasks(args, dataset, date_range)
    elif args.command == "rotations":
        out = cmd_rotations(args, dataset, date_range)
    elif args.command == "tier2":
        out = cmd_tier2(args, dataset, date_range)
    elif args.command == "compare":
        out = cmd_compare(args, dataset, date_range)
    elif args.command == "whatif":
        out = cmd_whatif(args, dataset, date_range)
    elif args.command == "sessions":  # the sessions the database keeps (its kind's SESSIONS queries)
        out = cmd_sessions(args, dataset.source.kind.session_list(dataset.source, dataset.prices,
                                                                  optional_range(args, tz), args.search,
                                                                  args.page, args.page_size))
    else:
        out = cmd_session(args, dataset.source.kind.session_detail(dataset.source, dataset.prices, args.session_id))
    if out:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
