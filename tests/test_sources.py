"""The source protocol (issue 12): kinds in a registry, capabilities instead of names, no import cycles.

Static checks first (no page or command compares a source's name; the query layer's imports
form no cycle), then the registry's behaviour on real SQLite files.
"""

from __future__ import annotations

import ast
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from queries import load_dataset
from queries.sources import KINDS, Capability, SourceError, detect_kind, kind_named, kinds_that_can, open_source
from queries.sources.base import Source, SourceKind

ROOT = Path(__file__).resolve().parent.parent

# The check the issue asks for: a source's name compared anywhere outside its own module.
NAME_TEST = r"""(==|!=) *["'](agentx|axiom|claude|claude-code|claude_code|litellm)["']"""
NAME_TEST_PATHS = ["app.py", "cli.py", "pricing.py", "pages", "queries"]


def name_comparisons(root: Path, paths: list[str]) -> list[str]:
    """`grep -rnE NAME_TEST --include=*.py PATHS | grep -v ^queries/sources/`, run in `root`."""
    done = subprocess.run(["grep", "-rnE", NAME_TEST, "--include=*.py", *paths], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr  # 1: no line matched; 2: grep itself failed
    return [line for line in done.stdout.splitlines() if not line.startswith("queries/sources/")]


def test_no_page_command_or_query_compares_a_source_name():
    assert name_comparisons(ROOT, NAME_TEST_PATHS) == []


def test_the_name_check_finds_a_comparison_outside_the_sources_package(tmp_path):
    # The same check on a tree with one: it is reported, and the same line under queries/sources/ is not.
    (tmp_path / "pages").mkdir()
    (tmp_path / "queries" / "sources").mkdir(parents=True)
    (tmp_path / "pages" / "agents.py").write_text('if dataset.source.adapter != "agentx":\n    pass\n')
    (tmp_path / "queries" / "sources" / "agentx.py").write_text('NAME_IS = name == "agentx"\n')
    (tmp_path / "cli.py").write_text("x = kind == 'claude-code'\n")
    hits = name_comparisons(tmp_path, ["cli.py", "pages", "queries"])
    assert [h.split(":")[0] for h in hits] == ["cli.py", "pages/agents.py"]


# --- no kind's module or name reached from pages, the CLI and the shared query layer ------------

# What a source is called in code: each registered kind's name (separators dropped) and "claude",
# the word its logs go by (ClaudeLogs, claude_logs). Case and underscores are ignored.
KIND_WORDS = ("agentx", "axiom", "claude", "claudecode", "litellm")
# Where no kind may be named in code; words in strings, docstrings and comments (help, messages)
# are free. queries/sources/ (the kinds and the registry) is outside this list.
KIND_FREE_PATHS = ["app.py", "cli.py", "pages", "queries"]


def _identifiers(node: ast.AST) -> list[str]:
    """The names `node` binds or uses (not string contents): variables, attributes, definitions,
    parameters, keyword arguments, imported names and their aliases."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.keyword) and node.arg:
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.name.rpartition(".")[2], *([node.asname] if node.asname else [])]
    return []


def kind_names_in_code(root: Path, paths: list[str], kind_modules: set[str]) -> list[str]:
    """`file:line: what` for each import of a kind's module (`queries.sources.<kind>`, `from
    queries.sources import <kind>`) and each identifier with a kind's name in it, in the Python
    files under `paths` of `root`, queries/sources/ excepted."""
    files = sorted(f for p in paths for f in ([root / p] if p.endswith(".py") else (root / p).rglob("*.py"))
                   if f.exists() and not f.relative_to(root).as_posix().startswith("queries/sources/"))
    hits: list[str] = []
    for path in files:
        where = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names
                                          if node.module == "queries.sources")]
            for module in modules:
                parts = module.split(".")
                if parts[:2] == ["queries", "sources"] and len(parts) > 2 and parts[2] in kind_modules:
                    hits.append(f"{where}:{node.lineno}: imports {module}")
            for name in _identifiers(node):
                if any(word in name.lower().replace("_", "") for word in KIND_WORDS):
                    hits.append(f"{where}:{getattr(node, 'lineno', '?')}: {name}")
    return sorted(set(hits))


def _kind_modules(root: Path) -> set[str]:
    """The modules of queries/sources/ other than the registry and the protocol: kinds and their parts."""
    return {f.stem for f in (root / "queries" / "sources").glob("*.py")} - {"__init__", "base"}


def test_every_kind_is_named_by_a_word_the_code_check_knows():
    for kind in KINDS:
        assert kind.name.replace("-", "").replace("_", "") in KIND_WORDS, kind.name


def test_pages_the_cli_and_the_shared_queries_reach_kinds_only_through_the_protocol():
    # Issue 12: a kind is reached as `dataset.source.kind.<capability query>` or through the registry,
    # never by importing its module or by a name of its own (axiom_sessions, claude_logs, ...).
    assert kind_names_in_code(ROOT, KIND_FREE_PATHS, _kind_modules(ROOT)) == []


def test_the_code_check_finds_a_kind_import_and_a_kind_named_identifier_and_nothing_in_text(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "queries" / "sources").mkdir(parents=True)
    (tmp_path / "pages" / "tier2.py").write_text(
        '"""Tier 2 of agentx."""\nfrom queries.sources.agentx import tier2_hotspots  # agentx\n'
        'from queries.sources import Capability, kind_named\nfrom queries.sources.base import Source\n'
        'TEXT = "agentx writes 0; Axiom and Claude Code too"\n')
    (tmp_path / "queries" / "sessions.py").write_text(
        "from queries.sources import axiom as a\ndef claude_logs(root):\n    return root\n\n"
        "class SessionList:\n    def close(self, AXIOM_ROWS=1):\n        return self.kind.session_detail(x=1)\n")
    (tmp_path / "queries" / "sources" / "agentx.py").write_text("def agentx_config_for(path):\n    return path\n")
    (tmp_path / "cli.py").write_text("import queries.sources.litellm\nrun(use_litellm=True)\n")
    hits = kind_names_in_code(tmp_path, ["cli.py", "pages", "queries"], {"agentx", "axiom", "litellm"})
    # By hand: the imports of kind modules, and the kind-named identifiers (the imported module's
    # own name counts too); no hit for the docstring, the comment, the string, the registry's and
    # base's imports, nor anything under queries/sources/.
    assert hits == ["cli.py:1: imports queries.sources.litellm", "cli.py:1: litellm", "cli.py:2: use_litellm",
                    "pages/tier2.py:2: imports queries.sources.agentx",
                    "queries/sessions.py:1: axiom", "queries/sessions.py:1: imports queries.sources.axiom",
                    "queries/sessions.py:2: claude_logs", "queries/sessions.py:6: AXIOM_ROWS"]


# --- import cycles -----------------------------------------------------------------------------

def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks: imports for annotations only, never run."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """module -> the modules of `package` its code imports, at module level or inside a function
    (a lazy import is still an edge). Importing `a.b.c` also runs `a.b`'s __init__, so each
    package on the way is an edge too, unless it is one of the importer's own ancestors (already
    being imported when the importer runs)."""
    files = sorted((root / package).rglob("*.py"))
    known = {_module_name(f, root) for f in files}
    graph: dict[str, set[str]] = {}
    for path in files:
        name = _module_name(path, root)
        is_package = path.name == "__init__.py"
        own_package = name if is_package else name.rpartition(".")[0]
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        targets: list[str] = []
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = own_package.split(".")[: len(own_package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets += [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        edges: set[str] = set()
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in known and prefix != name and prefix not in ancestors:
                    edges.add(prefix)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules, first repeated at the end), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_query_layer_has_no_import_cycle():
    graph = import_graph(ROOT, "queries")
    assert {"queries.sources", "queries.sources.base", "queries.sources.axiom", "queries.sources.agentx",
            "queries.usage", "queries.mirror", "queries.sqlite"} <= set(graph)
    assert "queries.sources.agentx" in graph["queries.sources"]  # the registry's line is seen
    assert find_cycle(graph) is None


def test_the_cycle_check_sees_a_lazy_import_and_an_import_through_a_package(tmp_path):
    # The two shapes main had: a.py <-> b.py with one side imported inside a function, and a module
    # whose import of pkg.base runs pkg/__init__.py, which imports a module that imports it back.
    lib = tmp_path / "lib"
    (lib / "pkg").mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "a.py").write_text("from lib.b import thing\n")
    (lib / "b.py").write_text("thing = 1\n\ndef later():\n    from lib.a import thing  # imports this module\n")
    assert find_cycle(import_graph(tmp_path, "lib")) == ["lib.a", "lib.b", "lib.a"]
    (lib / "b.py").write_text("thing = 1\n")
    (lib / "usage.py").write_text("from lib.pkg.base import Source\n")
    (lib / "pkg" / "__init__.py").write_text("from lib.pkg import kind\n")
    (lib / "pkg" / "base.py").write_text("Source = object\n")
    (lib / "pkg" / "kind.py").write_text("from lib.pkg.base import Source\nfrom lib.usage import x\n")
    assert find_cycle(import_graph(tmp_path, "lib")) == ["lib.pkg", "lib.pkg.kind", "lib.usage", "lib.pkg"]
    # The same import for annotations only (under TYPE_CHECKING) runs nothing: no cycle.
    (lib / "usage.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from lib.pkg.base import Source\nx = 1\n")
    assert find_cycle(import_graph(tmp_path, "lib")) is None


# --- the registry -------------------------------------------------------------------------------

def test_every_registered_kind_has_the_protocol_and_a_unique_name():
    assert all(isinstance(kind, SourceKind) for kind in KINDS)
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    assert {"axiom", "agentx"} <= set(names)


def test_an_axiom_file_is_detected_and_opened_as_axiom(axiom_db):
    axiom_db.usage("2026-03-20 10:00:00", prompt=1)
    source = open_source(axiom_db.path)
    try:
        assert isinstance(source, Source)
        assert source.kind is detect_kind(axiom_db.path) is kind_named("axiom")
        assert source.adapter == "axiom"  # the read-only name the CLI's JSON keeps
        assert source.can(Capability.REQUESTS) and source.can(Capability.INITIATOR_SPLIT)
        assert not source.can(Capability.AGENTS) and not source.can(Capability.TIER2)
    finally:
        source.close()


def test_an_agentx_file_has_agents_tier2_and_no_per_request_rows(agentx_db):
    source = open_source(agentx_db.path)
    try:
        dataset = load_dataset(source, None, False)
        assert source.kind is kind_named("agentx") and source.adapter == "agentx"
        for capability in (Capability.DAILY_USAGE, Capability.AGENTS, Capability.TASKS, Capability.TIER2,
                           Capability.ROTATIONS):
            assert dataset.can(capability), capability
        assert not dataset.can(Capability.REQUESTS) and not dataset.can(Capability.INITIATOR_SPLIT)
        assert dataset.wording.unit == "task"
    finally:
        source.close()


def test_forcing_an_unknown_kind_names_the_known_ones(axiom_db):
    with pytest.raises(SourceError, match="Unknown source 'hermes'; known sources: .*agentx.*axiom"):
        open_source(axiom_db.path, "hermes")


def test_a_sqlite_file_of_no_known_kind_lists_what_each_kind_expects(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (id INTEGER)")
    with pytest.raises(SourceError) as raised:
        open_source(path)
    message = str(raised.value)
    assert "found notes" in message
    assert "axiom: sessions, tasks, token_usage" in message and "agentx: usage_daily" in message


def test_kinds_that_can_answer_by_capability():
    assert [k.name for k in kinds_that_can(Capability.AGENTS)] == ["agentx"]
    assert "axiom" in [k.name for k in kinds_that_can(Capability.REQUESTS)]


# --- the README's walkthrough, done ------------------------------------------------------------

MYSYSTEM_SQL = """\
-- name: mysystem_requests_view
-- One row per model request of MySystem, in the canonical shape.
CREATE OR REPLACE VIEW requests AS
SELECT TRY_CAST(id AS BIGINT) AS request_id,
       TRY_CAST(created AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS ts, created AS raw_ts,
       COALESCE(provider, '') AS provider, COALESCE(model, '') AS model, 'main' AS initiator,
       NULL AS task_kind, NULL AS channel, NULL AS session_id,
       COALESCE(TRY_CAST(input AS BIGINT), 0) AS prompt_tokens,
       COALESCE(TRY_CAST(output AS BIGINT), 0) AS completion_tokens,
       CAST(0 AS DOUBLE) AS stored_cost, 0 AS cache_read_tokens, 0 AS cache_write_tokens,
       0 AS cache_write_1h_tokens, NULL AS project
FROM src.llm_calls;
"""

MYSYSTEM_PY = '''\
import pricing
from queries.sources.base import Capability, SqliteKind
from queries.wording import Wording


class MySystemKind(SqliteKind):
    name, label = "mysystem", "MySystem"
    capabilities = frozenset({Capability.REQUESTS})
    wording = Wording("request", "tokenPriceTable in settings.json", pricing.settings_snippet,
                      "not by settings.json", price_key="tokenPriceTable")
    tables = frozenset({"llm_calls"})
    views_block = "mysystem_requests_view"
    macros_block = "define_filtered_requests"


KIND = MySystemKind()
'''


def test_adding_a_source_is_a_module_its_sql_and_a_line_in_the_registry(tmp_path):
    # A copy of the query layer plus README's three steps; nothing else of the code is touched.
    shutil.copytree(ROOT / "queries", tmp_path / "queries", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pricing.py", tmp_path / "pricing.py")
    (tmp_path / "queries" / "sources" / "mysystem.sql").write_text(MYSYSTEM_SQL)
    (tmp_path / "queries" / "sources" / "mysystem.py").write_text(MYSYSTEM_PY)
    registry = tmp_path / "queries" / "sources" / "__init__.py"
    text = registry.read_text()
    assert text.count("from queries.sources import agentx, axiom, claude_code\n") == 1 and text.count("    agentx.KIND,\n") == 1
    registry.write_text(text.replace("from queries.sources import agentx, axiom, claude_code\n",
                                     "from queries.sources import agentx, axiom, claude_code, mysystem\n")
                            .replace("    agentx.KIND,\n", "    agentx.KIND,\n    mysystem.KIND,\n"))
    db = tmp_path / "my.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE llm_calls (id INTEGER PRIMARY KEY, created TEXT, provider TEXT, model TEXT, "
                    "input INTEGER, output INTEGER)")
        con.executemany("INSERT INTO llm_calls VALUES (?, ?, ?, ?, ?, ?)", [
            (1, "2026-03-20T10:00:00Z", "openai", "gpt-4o", 1_000_000, 0),
            (2, "2026-03-21T10:00:00Z", "openai", "gpt-4o", 0, 100_000),
            (3, "2026-03-25T10:00:00Z", "openai", "gpt-4o", 5, 5)])  # outside the range below
    settings = tmp_path / "settings.json"
    settings.write_text('{"tokenPriceTable": {"gpt-4o": {"input": 2.5, "output": 10}}}')
    code = ("import json; from datetime import date; from queries import load_dataset; "
            "from queries.dates import DateRange; from queries.sources import open_source; "
            "from queries.usage import Filters, usage_report; "
            f"s = open_source({str(db)!r}); d = load_dataset(s, __import__('pathlib').Path({str(settings)!r}), False); "
            "r = usage_report(s, Filters(DateRange(date(2026, 3, 20), date(2026, 3, 21))), d.prices, d.catalog); "
            "print(json.dumps([s.adapter, r.totals.requests, r.totals.total_tokens, r.totals.estimated_cost]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # By hand: 1M input tokens at $2.50/M + 100k output tokens at $10/M = $2.50 + $1.00.
    assert json.loads(done.stdout) == ["mysystem", 2, 1_100_000, pytest.approx(3.5)]
