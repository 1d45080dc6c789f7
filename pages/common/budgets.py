"""The budget parts of the pages (issue 14): budget status, the daily cost chart with the daily
budget's rule and unusual-day flags, and what-if pricing. The numbers come from queries/budgets.py;
this module only draws them. Every string from the data (model, scope values) goes through
md_text or st.dataframe (which shows text, never markup)."""

from __future__ import annotations

import streamlit as st

import pricing
from pages.common import charts
from pages.common.data import app_config
from pages.common.markdown import md_text
from pages.common.paths import without_paths
from pages.common.views import page_query, show_table, tz, workspace_query
from queries import budgets
from queries.dates import today_in
from queries.formatting import fmt_int, fmt_usd
from queries.usage import Filters

STATE_ICONS = {budgets.OK: "ok", budgets.FORECAST_OVER: "forecast over", budgets.OVER: "OVER",
               budgets.UNAVAILABLE: "cannot tell"}


def budget_file() -> budgets.BudgetFile:
    """The configured budgets (read on every run: a small file; an edit shows at once)."""
    return budgets.read_budgets(budgets.budgets_path(app_config().budgets))


def file_problems(read: budgets.BudgetFile) -> None:
    """Each problem of the budgets file, naming the file by its name only (the page never says where
    files live) and the entry."""
    for problem in read.problems:
        st.warning(md_text(without_paths(problem, read.path)), icon=":material/savings:")


def status_card(read: budgets.BudgetFile) -> None:
    """Every budget today: month to date, today, the forecast and its band, and its state."""
    today = today_in(tz())
    statuses = workspace_query(lambda d: budgets.evaluate(d, read.budgets, today, tz()), "budget_status", today,
                          *read.budgets)
    with st.container(border=True):
        st.subheader("Budgets", anchor=False)
        st.caption(f"Month to date as of {today:%b %-d, %Y} and the forecast to the month's end: the days so far, "
                   f"plus the mean of the last {budgets.FORECAST_WINDOW_DAYS} complete days for each day left "
                   "(band: the cheapest and the dearest of those days).")
        if not statuses:
            st.info("No budgets yet: write them in .streamlit/budgets.toml (or the file USAGE_BUDGETS names).",
                    icon=":material/savings:")
            return
        rows = []
        for s in statuses:
            f = s.forecast
            rows.append({"Budget": s.budget.name, "Scope": s.budget.scope_label(),
                         "Monthly": fmt_usd(s.budget.monthly_usd),
                         "Daily": "—" if s.budget.daily_usd is None else fmt_usd(s.budget.daily_usd),
                         "Month to date": "—" if f is None else fmt_usd(f.spent),
                         "Today": "—" if f is None else fmt_usd(f.today_spent),
                         "Forecast": "—" if f is None else fmt_usd(f.expected),
                         "Band": "—" if f is None else f"{fmt_usd(f.low)} – {fmt_usd(f.high)}",
                         "State": STATE_ICONS[s.state], "Why": s.reason})
        show_table(rows, list(rows[0]), "budget_table")


def daily_budget_for(read: budgets.BudgetFile, filters: Filters) -> budgets.Budget | None:
    """The budget whose scope is exactly the filter state (the workspace's when no filter is set)."""
    return next((b for b in read.budgets if b.matches_filters(filters.provider, filters.model, filters.source)), None)


def cost_chart_card(read: budgets.BudgetFile, filters: Filters, key: str = "chart_cost") -> None:
    """Cost per day of the filter state, its budget's daily rule, and the unusual days flagged."""
    k = float(app_config().anomaly_k)
    wide = budgets.with_baseline(filters.range)
    costs = workspace_query(lambda d: budgets.scope_daily_costs(d, tuple((n, v) for n, v in (
        ("source", filters.source), ("provider", filters.provider), ("model", filters.model)) if v), wide),
        "scope_daily_costs", wide, filters.source, filters.provider, filters.model)
    if isinstance(costs, str):  # the filter state names what no source can tell
        st.info(md_text(f"No daily cost to chart: {costs}."))
        return
    by_day = {c.day: c.cost for c in costs}
    shown = [(c.day, c.cost) for c in costs if c.day >= filters.range.start]
    flags = {u.day: u.note() for u in budgets.unusual_days(by_day, [d for d, _c in shown], k)}
    budget = daily_budget_for(read, filters)
    with st.container(border=True):
        st.subheader("Daily cost", anchor=False)
        rule = f"; the dashed line is budget “{budget.name}”'s daily {fmt_usd(budget.daily_usd)}" \
            if budget and budget.daily_usd else ""
        st.caption(md_text(f"Estimated cost per day. A ▼ marks an unusual day: above {k:g}× the median of the "
                           f"{budgets.ANOMALY_WINDOW_DAYS} days before it{rule}."))
        if not any(c for _d, c in shown):
            st.info("No cost to chart for the current filters.")
            return
        st.altair_chart(charts.daily_cost_chart(shown, budget.daily_usd if budget else None, flags), key=key,
                        width="stretch")
        if budget:
            month_line(budget)
        if flags:
            st.caption(md_text("Unusual: " + "; ".join(f"{d:%b %-d} {note}" for d, note in sorted(flags.items()))))


def month_line(budget: budgets.Budget) -> None:
    """One line under the chart: the budget's month to date and forecast against its monthly amount."""
    today = today_in(tz())
    [status] = workspace_query(lambda d: budgets.evaluate(d, (budget,), today, tz()), "budget_status", today, budget)
    f = status.forecast
    if f is None:
        return
    st.caption(md_text(f"Budget “{budget.name}”: {fmt_usd(f.spent)} of {fmt_usd(budget.monthly_usd)} this month; "
                       f"forecast {fmt_usd(f.expected)} ({fmt_usd(f.low)} – {fmt_usd(f.high)}) by the month's end"
                       f" — {STATE_ICONS[status.state]}."))


def what_if_card(filters: Filters, models: list[str], key: str = "whatif") -> None:
    """The range priced as if every request had used another model, beside the actual cost."""
    config = app_config()
    choices = sorted(set(models) | set(pricing.built_in_price_models()))
    with st.container(border=True):
        st.subheader("What if", anchor=False)
        st.caption("The selected range priced as if every request had used another model, with that model's "
                   "cache and long-context rates (Axiom's table, then the genai-prices library).")
        target = st.selectbox("Price every request as", choices, key=f"{key}_model")
        book = budgets.target_prices(target, None, pricing.SettingsPrices(), bool(config.price_library))
        result = page_query(lambda d: budgets.what_if(d, filters, book, target), "what_if", filters.range,
                            filters.provider, filters.model, target)
        if isinstance(result, str):
            st.info(result)
            return
        if result.note:
            st.warning(md_text(result.note))
        rows = [{"Provider": r.provider, "Model": r.model, "Requests": fmt_int(r.requests),
                 "Actual": fmt_usd(r.actual_cost), f"As {target}": fmt_usd(r.whatif_cost),
                 "Difference": ("+" if r.difference > 0 else "") + fmt_usd(r.difference)} for r in result.rows]
        total = result.whatif_total - result.actual_total
        rows.append({"Provider": "Total", "Model": "", "Requests": fmt_int(sum(r.requests for r in result.rows)),
                     "Actual": fmt_usd(result.actual_total), f"As {target}": fmt_usd(result.whatif_total),
                     "Difference": ("+" if total > 0 else "") + fmt_usd(total)})
        show_table(rows, list(rows[0]), f"{key}_table")
        rng = filters.range
        st.download_button("Download CSV", data=result.csv(), file_name=f"what-if-{rng.start}-{rng.end}.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key=f"{key}_csv")


def token_usage_parts(filters: Filters) -> None:
    """On Token Usage: the budgets file's problems, and the daily cost chart with the budget's rule
    and the unusual days, when budgets are configured (without them the page stays as it was)."""
    read = budget_file()
    file_problems(read)
    if read.budgets:
        cost_chart_card(read, filters, key="chart_cost_token_usage")
