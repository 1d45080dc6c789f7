"""Load named SQL blocks from the `.sql` files beside this module and in `queries/sources/`.

SQL stays in `.sql` files so it can be read, diffed and run on its own; Python only looks
blocks up by name and binds parameters (aiosql's `-- name:` convention). A block runs from
its `-- name: X` line to the next one; the first comment line after the name is its doc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
_NAME_LINE = re.compile(r"^--\s*name:\s*(?P<name>[a-z_][a-z0-9_]*)\s*$")


@dataclass(frozen=True)
class NamedQuery:
    """One named SQL block: its name, its one-line doc, its text."""

    name: str
    doc: str
    sql: str


def parse_named_queries(text: str) -> dict[str, NamedQuery]:
    """Split a `.sql` file's text into its named blocks, keyed by name."""
    blocks: dict[str, NamedQuery] = {}
    name: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if name is None:
            return
        doc_lines = [ln for ln in lines if ln.strip().startswith("--")]
        doc = doc_lines[0].strip()[2:].strip() if doc_lines else ""
        body = "\n".join(ln for ln in lines if not ln.strip().startswith("--")).strip()
        if name in blocks:
            raise ValueError(f"SQL block {name!r} is defined twice")
        blocks[name] = NamedQuery(name, doc, body)

    for line in text.splitlines():
        match = _NAME_LINE.match(line.strip())
        if match:
            flush()
            name, lines = match["name"], []
        elif name is not None:
            lines.append(line)
    flush()
    return blocks


def sql_files() -> list[Path]:
    """Every `.sql` file under `queries/`, subdirectories included, in a stable order."""
    return sorted(SQL_DIR.rglob("*.sql"))


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every named block of every `.sql` file under `queries/` (each source kind's file in
    `queries/sources/` included); names are unique across files."""
    found: dict[str, NamedQuery] = {}
    for path in sql_files():
        for name, query in parse_named_queries(path.read_text(encoding="utf-8")).items():
            if name in found:
                raise ValueError(f"SQL block {name!r} is defined in two files")
            found[name] = query
    return found


def sql(name: str) -> str:
    """The SQL text of block `name` (KeyError names the missing block)."""
    try:
        return named_queries()[name].sql
    except KeyError:
        raise KeyError(f"no SQL block named {name!r} in {SQL_DIR}") from None


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def bind(name: str, params: dict[str, object]) -> tuple[str, dict[str, object]]:
    """Block `name`'s text and only those of `params` it names (`$x`): DuckDB rejects unused
    named parameters, so one dict of everything a page knows can serve every block."""
    text = sql(name)
    used = set(_PARAM.findall(text))
    return text, {k: v for k, v in params.items() if k in used}
