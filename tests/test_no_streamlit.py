"""The query layer, pricing and the CLI import no Streamlit: the CLI works without a UI."""

from __future__ import annotations

from factories import run_python


def test_query_layer_pricing_and_cli_import_no_streamlit():
    # Every module of the query layer (each source kind included), found by walking the package.
    done = run_python("import importlib, pkgutil, queries, sys; "
                      "[importlib.import_module(m.name) for m in pkgutil.walk_packages(queries.__path__, 'queries.')]; "
                      "import pricing, cli; assert 'queries.sources.agentx' in sys.modules; "
                      "assert 'streamlit' not in sys.modules")
    assert done.returncode == 0, done.stderr


def test_the_probe_notices_streamlit_when_it_is_imported():
    # The same probe fails once Streamlit is imported, so the test above can fail.
    done = run_python("import streamlit, sys; assert 'streamlit' not in sys.modules")
    assert done.returncode != 0 and "AssertionError" in done.stderr
