"""The provider & model breakdown as an HTML table, drawn as the seed describes it.

Model ids in monospace, Total tokens in bold, each cost with its share `(53%)` when there
is more than one row, and a bold totals row under a double border with no share. On a card
narrower than its columns the table scrolls sideways inside its own box. Every
value from the database is HTML-escaped: a model name is data, never markup.
"""

from __future__ import annotations

from html import escape

from queries.formatting import fmt_cost_cell, fmt_int, fmt_share, fmt_stored_difference, fmt_usd
from queries.usage import BreakdownRow, Totals

TABLE_CSS = """
<style>
.tu-scroll { overflow-x: auto; max-width: 100%; }
.tu-table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.tu-table th { text-transform: uppercase; font-size: 0.72rem; letter-spacing: 0.04em; font-weight: 500;
               opacity: 0.7; padding: 0.6rem 0.75rem; border-bottom: 1px solid rgba(255,255,255,0.12); }
.tu-table td { padding: 0.7rem 0.75rem; border-bottom: 1px solid rgba(255,255,255,0.07); }
.tu-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tu-table .txt { text-align: left; }
.tu-table .id { white-space: nowrap; }  /* ids and a price's source stay on one line */
.tu-table code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; background: none; padding: 0;
                 font-size: 0.85rem; }
.tu-table .share { opacity: 0.6; font-size: 0.78rem; margin-left: 0.3rem; }
.tu-table tr.totals td { font-weight: 700; border-top: 3px double rgba(255,255,255,0.35); border-bottom: none; }
</style>
"""

COLUMNS = ("Provider", "Model", "Requests", "Prompt", "Completion", "Total tokens", "Est. cost", "Price from")
CACHE_COLUMNS = ("Cache read", "Cache write")  # shown for a source with cache tokens (counted in Total tokens)


def _cache_cells(row: BreakdownRow | Totals, cache: bool) -> str:
    """The Cache read and Cache write cells of a row, or nothing when the table has no such columns."""
    if not cache:
        return ""
    return f'<td class="num">{fmt_int(row.cache_read_tokens)}</td><td class="num">{fmt_int(row.cache_write_tokens)}</td>'


def _price_from(row: BreakdownRow) -> str:
    """The 'Price from' cell: where the cost came from, and a stored cost that disagrees with the
    price by more than 1 % (both figures and the change)."""
    note = fmt_stored_difference(row.stored_cost, row.recomputed_cost, row.stored_difference)
    source = f'<span class="id">{escape(row.price_source)}</span>'
    return source + (f'<br><span class="share">{escape(note)}</span>' if note else "")


def breakdown_html(rows: list[BreakdownRow], totals: Totals, cache: bool = False) -> str:
    """The breakdown table with its totals row, as one HTML string; `cache`: Cache read and Cache
    write columns after Completion (a source with cache tokens: UsageReport.cache_tokens)."""
    show_share = len(rows) > 1
    sourced = any(r.source for r in rows)  # a workspace of several sources: a Source column first
    at = COLUMNS.index("Completion") + 1
    columns = ("Source",) * sourced + COLUMNS[:at] + CACHE_COLUMNS * cache + COLUMNS[at:]
    head = "".join(f'<th class="{"txt" if i < 2 + sourced or i == len(columns) - 1 else "num"}">{escape(c)}</th>'
                   for i, c in enumerate(columns))
    body = []
    for r in rows:
        share = f'<span class="share">({fmt_share(r.cost_share)})</span>' if show_share and r.cost_share is not None else ""
        body.append(
            "<tr>"
            + (f'<td class="txt id">{escape(r.source)}</td>' if sourced else "") +
            f'<td class="txt id">{escape(r.provider)}</td>'
            f'<td class="txt id"><code>{escape(r.model)}</code></td>'
            f'<td class="num">{fmt_int(r.requests)}</td>'
            f'<td class="num">{fmt_int(r.prompt_tokens)}</td>'
            f'<td class="num">{fmt_int(r.completion_tokens)}</td>'
            + _cache_cells(r, cache) +
            f'<td class="num"><b>{fmt_int(r.total_tokens)}</b></td>'
            f'<td class="num">{escape(fmt_cost_cell(r.estimated_cost, r.is_unpriced))}{share}</td>'
            f'<td class="txt">{_price_from(r)}</td>'
            "</tr>"
        )
    body.append(
        '<tr class="totals">'
        '<td class="txt">Total</td><td></td>' + '<td></td>' * sourced +
        f'<td class="num">{fmt_int(totals.requests)}</td>'
        f'<td class="num">{fmt_int(totals.prompt_tokens)}</td>'
        f'<td class="num">{fmt_int(totals.completion_tokens)}</td>'
        + _cache_cells(totals, cache) +
        f'<td class="num">{fmt_int(totals.total_tokens)}</td>'
        f'<td class="num">{fmt_usd(totals.estimated_cost)}</td><td></td>'
        "</tr>"
    )
    # The table sits in a box that scrolls it sideways when the card is narrower than its
    # columns (a phone: the demos' columns need 850-930 px); the page stays as wide as the window.
    return (f'{TABLE_CSS}<div class="tu-scroll"><table class="tu-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')
