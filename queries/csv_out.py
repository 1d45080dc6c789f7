"""The one CSV writer of the project (CLI, query layer and every page's Download CSV).

People open these files in spreadsheets, and a spreadsheet runs a cell that starts with
`=`, `+`, `-` or `@` (or a tab or carriage return in front of one) as a formula: an agent,
model, key or session id written by whoever controls the agent's data could read
`=HYPERLINK("https://evil.example", "click")`. OWASP's rule (CSV Injection cheat sheet):
prefix such a cell with a single quote, so the spreadsheet shows it as text.

Only text cells are neutralised. Numbers (int, float; a change of -12.5 included) stay
numbers, written as Python writes them, so sums and charts in the spreadsheet keep
working; a number cannot carry a formula. Text that merely looks like a negative number
(a model named "-1") is text from the data and is neutralised like any other.

Written here rather than taken from `defusedcsv` (PyPI): defusedcsv lets through text that
looks numeric (`-1,2`), also quotes cells starting with `|` and `%` and wraps the cell in a
second quote at the end, which changes ids more than the rule needs; the rule is five lines.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: the characters a spreadsheet reads as a formula start
NEUTRALISER = "'"


def safe_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting with a formula character gets a leading
    single quote; numbers, booleans and None are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def csv_text(rows: Iterable[Mapping[str, object]], fields: Sequence[str]) -> str:
    """`rows` (dicts; keys not in `fields` are ignored, missing ones empty) as CSV text with a header,
    every text cell neutralised, newline line ends. A header is written even without rows."""
    lines = [_line([safe_cell(f) for f in fields])]
    lines += [_line([safe_cell(row.get(f)) for f in fields]) for row in rows]
    return "".join(lines)


def _line(cells: list[object]) -> str:
    """One CSV line ending in a newline. Written with a CRLF terminator and then given a plain
    newline: Python 3.11's writer quotes a cell only for the terminator's characters, so a bare
    carriage return inside a cell would otherwise go out unquoted and split the row on reading."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()[:-2] + "\n"
