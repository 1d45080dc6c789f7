"""queries.sql: named SQL blocks in .sql files, looked up by name."""

from __future__ import annotations

import re

import pytest

from queries.sql import SQL_DIR, named_queries, parse_named_queries, sql

TEXT = """-- A file comment, before any block: not part of any query.

-- name: first_block
-- Its doc line.
-- A second comment line, not the doc.
SELECT 1;

-- name: second_block
SELECT $x
  FROM t;   -- a trailing comment stays in the text
"""


def test_each_named_block_runs_to_the_next_name():
    blocks = parse_named_queries(TEXT)
    assert list(blocks) == ["first_block", "second_block"]
    assert blocks["first_block"].sql == "SELECT 1;"
    assert blocks["second_block"].sql == "SELECT $x\n  FROM t;   -- a trailing comment stays in the text"


def test_the_first_comment_after_the_name_is_the_doc():
    blocks = parse_named_queries(TEXT)
    assert (blocks["first_block"].doc, blocks["second_block"].doc) == ("Its doc line.", "")


def test_text_before_the_first_name_belongs_to_no_block():
    assert parse_named_queries("SELECT 42;\n-- just a comment\n") == {}


def test_a_name_defined_twice_in_one_file_is_an_error():
    with pytest.raises(ValueError, match="dup"):
        parse_named_queries("-- name: dup\nSELECT 1;\n-- name: dup\nSELECT 2;\n")


def test_name_lines_need_a_lowercase_identifier():
    blocks = parse_named_queries("-- name: Bad-Name\nSELECT 1;\n-- name:   ok_2  \nSELECT 2;\n")
    assert list(blocks) == ["ok_2"]


def test_unknown_block_name_is_a_key_error_that_names_it():
    with pytest.raises(KeyError, match="no_such_block"):
        sql("no_such_block")


def test_the_query_layer_finds_all_the_blocks_it_uses():
    names = set(named_queries())
    assert {"axiom_requests_view", "define_filtered_requests", "totals", "daily", "breakdown",
            "provider_models", "unparseable_timestamps"} <= names
    assert all(named_queries()[n].sql for n in names)


def test_block_names_are_unique_across_all_sql_files():
    seen: list[str] = []
    for path in sorted(SQL_DIR.rglob("*.sql")):
        seen += list(parse_named_queries(path.read_text(encoding="utf-8")))
    assert len(seen) == len(set(seen)) == len(named_queries())


def test_blocks_of_each_source_kinds_own_sql_file_are_found():
    # queries/sources/<kind>.sql sits one level down; its blocks load like those of queries/*.sql.
    kind_files = sorted(p.name for p in (SQL_DIR / "sources").glob("*.sql"))
    assert {"axiom.sql", "agentx.sql"} <= set(kind_files)
    assert {"axiom_requests_view", "agentx_views", "define_agentx_priced_usage"} <= set(named_queries())


def test_filter_blocks_take_user_input_only_as_named_parameters():
    # No Python-side formatting placeholders in any SQL: values arrive as $name parameters.
    for name, query in named_queries().items():
        assert not re.search(r"\{[a-z_]*\}|%s|%\(", query.sql), name
    for name in ("totals", "daily", "breakdown"):
        assert {"$start_utc", "$end_utc", "$tz", "$provider", "$model"} <= set(re.findall(r"\$[a-z_]+", sql(name)))
