"""pricing.py: reading tokenPriceTable and resolving each model's price and its source."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pricing
from factories import AXIOM_DEFAULTS, axiom_price_table, has_js_constant


# --- read_settings_prices ---------------------------------------------------------------------

def test_missing_settings_file_means_no_user_prices_and_no_warning(tmp_path):
    result = pricing.read_settings_prices(tmp_path / "absent.json")
    assert (result.prices, result.warnings) == ({}, [])


def test_no_settings_path_means_no_user_prices_and_no_warning():
    result = pricing.read_settings_prices(None)
    assert (result.prices, result.warnings) == ({}, [])


def test_valid_entries_are_read_as_floats(write_settings):
    path = write_settings({"theme": "dark", "tokenPriceTable": {"m1": {"input": 1, "output": 2.5},
                                                               "m2": {"input": 0, "output": 0}}})
    result = pricing.read_settings_prices(path)
    assert result.prices == {"m1": (1.0, 2.5), "m2": (0.0, 0.0)}
    assert result.warnings == []


def test_settings_without_a_price_table_is_fine(write_settings):
    result = pricing.read_settings_prices(write_settings({"theme": "dark"}))
    assert (result.prices, result.warnings) == ({}, [])


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe\x00garbage", "[1, 2, 3]", '"just a string"'])
def test_malformed_or_unreadable_settings_warn_and_give_no_user_prices(write_settings, content):
    result = pricing.read_settings_prices(write_settings(content))
    assert result.prices == {}
    assert len(result.warnings) == 1 and "default prices" in result.warnings[0]


def test_settings_path_that_is_a_directory_warns(tmp_path):
    folder = tmp_path / "settings.json"
    folder.mkdir()
    result = pricing.read_settings_prices(folder)
    assert result.prices == {} and len(result.warnings) == 1


def test_price_table_that_is_not_an_object_warns(write_settings):
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": [["gpt-4o", 1, 2]]}))
    assert result.prices == {} and len(result.warnings) == 1


# Axiom 0.24.2, the lines followed (packages/core/src):
#   provider-config.ts getConfiguredPriceTable:
#       return { ...DEFAULT_PRICE_TABLE, ...(settings.tokenPriceTable ?? {}) }   (catch: { ...DEFAULT_PRICE_TABLE })
#   usage-stats.ts buildPriceCase, per kind ('input' | 'output'):
#       const value = prices?.[kind]
#       return typeof value === 'number' && Number.isFinite(value)
#       ... `CASE model WHEN '<model>' THEN <rate> ... ELSE 0 END`
# So each rate stands on its own, a rate Axiom does not keep costs 0, and the entry replaces the
# default for its model as a whole. Each case below is worked by hand from those lines.

@pytest.mark.parametrize(("entry", "rates"), [
    ({"input": 1.5}, (1.5, 0.0)),                        # output missing: ELSE 0
    ({"output": 2}, (0.0, 2.0)),
    ({"input": "3", "output": 15}, (0.0, 15.0)),         # typeof "3" is 'string'
    ({"input": 3, "output": "15"}, (3.0, 0.0)),
    ({"input": True, "output": 15}, (0.0, 15.0)),        # typeof true is 'boolean'
    ({"input": None, "output": 15}, (0.0, 15.0)),        # null?.[kind] ... typeof null is 'object'
    ({"input": 10 ** 400, "output": 1}, (0.0, 1.0)),     # JSON.parse gives Infinity: not finite
    ({"input": -1, "output": 2}, (-1.0, 2.0)),           # Number.isFinite(-1) is true: kept
    ({"input": 0, "output": 0}, (0.0, 0.0)),             # a free model is priced, at 0
    ({"input": 3, "output": 15, "cacheRead": 0.3, "note": "x"}, (3.0, 15.0)),   # extra keys: never read
])
def test_each_rate_of_an_entry_is_read_on_its_own(write_settings, entry, rates):
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"m": entry}}))
    assert result.prices == {"m": rates} and result.unusable == set()


@pytest.mark.parametrize("entry", [{}, {"input": "1", "output": None}, "3/15", [3, 15], None, 7, {"price": 3}])
def test_entry_with_no_usable_rate_charges_nothing_and_is_named(write_settings, entry):
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"m": entry, "ok": {"input": 1, "output": 2}}}))
    assert result.prices == {"ok": (1.0, 2.0)} and result.unusable == {"m"}
    assert len(result.warnings) == 1 and "'m'" in result.warnings[0]


def test_a_rate_that_is_not_used_is_named_in_a_warning(write_settings):
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"m": {"input": 1.5}}}))
    assert len(result.warnings) == 1 and "'m'" in result.warnings[0] and "output" in result.warnings[0]


def test_negative_rate_is_used_as_axiom_does_and_warned_about(write_settings):
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"m": {"input": -1, "output": 2}}}))
    assert result.prices == {"m": (-1.0, 2.0)}
    assert any("negative" in w and "'m'" in w for w in result.warnings)


def test_float_overflowing_number_is_not_a_rate(write_settings):
    # 1e400 is Infinity to JSON.parse (and to Python's float): not finite, so 0.
    result = pricing.read_settings_prices(write_settings('{"tokenPriceTable": {"m": {"input": 1e400, "output": 1}}}'))
    assert result.prices == {"m": (0.0, 1.0)}


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_literal_makes_the_file_unreadable_as_json_parse_does(write_settings, text):
    # JSON.parse throws on them, and getConfiguredPriceTable's catch returns the defaults only.
    result = pricing.read_settings_prices(
        write_settings('{"tokenPriceTable": {"m": {"input": %s, "output": 1}, "gpt-4o": {"input": 1, "output": 1}}}' % text))
    assert result.prices == {} and result.unreadable and len(result.warnings) == 1
    assert "not valid JSON" in result.warnings[0]


def test_price_table_given_as_an_array_spreads_by_index_as_javascript_does(write_settings):
    # {...[{input: 1, output: 2}]} is {"0": {input: 1, output: 2}}.
    result = pricing.read_settings_prices(write_settings({"tokenPriceTable": [{"input": 1, "output": 2}]}))
    assert result.prices == {"0": (1.0, 2.0)}


def test_partial_entry_for_a_default_model_replaces_the_default_as_a_whole(write_settings):
    # The example: "gpt-4o-mini": {"input": 0.3} means 0.3 / 0, not the default 0.15 / 0.60.
    settings = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"gpt-4o-mini": {"input": 0.3}}}))
    book = pricing.resolve_prices([("openai", "gpt-4o-mini")], settings, use_library=False)
    assert book.prices["gpt-4o-mini"] == pricing.ModelPrice("gpt-4o-mini", 0.3, 0.0, pricing.SETTINGS)


def test_unusable_entry_for_a_default_model_leaves_it_without_the_default(write_settings):
    # {..."gpt-4o": {input: "2.5"}} replaces gpt-4o's default; neither rate is a number: Axiom charges 0.
    settings = pricing.read_settings_prices(write_settings({"tokenPriceTable": {"gpt-4o": {"input": "2.5"}}}))
    book = pricing.resolve_prices([("openai", "gpt-4o")], settings, use_library=False)
    assert book.prices == {} and book.unpriced == ["gpt-4o"]


json_scalars = st.none() | st.booleans() | st.integers(min_value=-(10 ** 500), max_value=10 ** 500) | \
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
price_entries = st.fixed_dictionaries({"input": json_scalars, "output": json_scalars}) | json_values
settings_documents = json_values | st.dictionaries(
    st.sampled_from(["tokenPriceTable", "theme", "other"]),
    st.dictionaries(st.text(max_size=12), price_entries, max_size=6) | json_values, max_size=3)


@given(document=settings_documents)
def test_any_json_document_gives_axioms_table_and_never_raises(document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = pricing.read_settings_prices(path)
    if has_js_constant(document) or not isinstance(document, dict):
        assert result.prices == {} and result.unusable == set()
        return
    table = document.get("tokenPriceTable")
    entries = table if isinstance(table, dict) else dict(enumerate(table)) if isinstance(table, list) else {}
    # The oracle's merged table, minus the defaults the user did not touch, is the user's part.
    merged = axiom_price_table({"tokenPriceTable": table})
    expected = {str(m): merged[str(m)] for m in entries if str(m) in merged}
    assert result.prices == expected
    assert result.unusable == {str(m) for m in entries} - set(expected)
    for rate_in, rate_out in result.prices.values():
        assert isinstance(rate_in, float) and isinstance(rate_out, float)
        assert math.isfinite(rate_in) and math.isfinite(rate_out)
    # Every entry not used as it stands is named in a warning.
    for model in result.unusable:
        assert any(repr(model) in w for w in result.warnings)


# --- resolve_prices -----------------------------------------------------------------------------

def test_axiom_defaults_are_the_documented_table():
    assert pricing.AXIOM_DEFAULT_PRICES == AXIOM_DEFAULTS


def test_user_entry_wins_over_default_and_records_settings_as_source():
    settings = pricing.SettingsPrices({"gpt-4o": (1.0, 2.0)})
    book = pricing.resolve_prices([("openai", "gpt-4o")], settings, use_library=False)
    assert book.prices["gpt-4o"] == pricing.ModelPrice("gpt-4o", 1.0, 2.0, "settings")


def test_default_is_used_and_recorded_when_settings_lacks_the_model():
    book = pricing.resolve_prices([("openai", "gpt-4o-mini")], pricing.SettingsPrices(), use_library=True)
    assert (book.prices["gpt-4o-mini"].input, book.prices["gpt-4o-mini"].output,
            book.prices["gpt-4o-mini"].source) == (0.15, 0.60, "axiom-default")


def test_library_fills_in_a_model_neither_table_knows_only_when_on():
    on = pricing.resolve_prices([("openai", "gpt-4.1")], pricing.SettingsPrices(), use_library=True)
    off = pricing.resolve_prices([("openai", "gpt-4.1")], pricing.SettingsPrices(), use_library=False)
    assert on.prices["gpt-4.1"].source == "price-library" and on.unpriced == []
    assert off.prices == {} and off.unpriced == ["gpt-4.1"]


def test_library_price_matches_the_librarys_own_calculation():
    from genai_prices import Usage, calc_price

    price = pricing.library_price("gpt-4.1", "openai")
    expected = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000), "gpt-4.1", provider_id="openai")
    assert price is not None
    assert price.input == pytest.approx(float(expected.input_price))
    assert price.output == pytest.approx(float(expected.output_price))


def test_unknown_provider_id_does_not_stop_the_library_matching_the_model():
    assert pricing.library_price("gpt-4.1", "my-own-proxy") is not None


def test_model_nobody_knows_is_unpriced_even_with_the_library():
    book = pricing.resolve_prices([("ollama", "llama3.1:8b-local")], pricing.SettingsPrices(), use_library=True)
    assert book.prices == {} and book.unpriced == ["llama3.1:8b-local"]


def test_model_under_two_providers_is_priced_once():
    book = pricing.resolve_prices([("openai", "gpt-4o"), ("openrouter", "gpt-4o")], pricing.SettingsPrices(), False)
    assert list(book.prices) == ["gpt-4o"] and book.unpriced == []


def test_settings_warnings_are_carried_into_the_price_book():
    book = pricing.resolve_prices([], pricing.SettingsPrices({}, ["careful"]), False)
    assert book.warnings == ["careful"]


def test_price_lists_are_parallel_and_sorted_by_model():
    book = pricing.resolve_prices([("a", "gpt-4o-mini"), ("b", "gpt-4o")], pricing.SettingsPrices(), False)
    assert book.lists() == (["gpt-4o", "gpt-4o-mini"], [2.5, 0.15], [10.0, 0.60])


def test_settings_snippet_is_a_price_table_for_the_given_models():
    snippet = json.loads(pricing.settings_snippet(["a", "b"]))
    assert snippet == {"tokenPriceTable": {"a": {"input": 0.0, "output": 0.0}, "b": {"input": 0.0, "output": 0.0}}}


def test_settings_broken_mid_run_keep_the_last_good_prices(write_settings):
    path = write_settings({"tokenPriceTable": {"my-model": {"input": 1.5, "output": 6}}})
    memory = pricing.LastGoodSettings()
    assert memory.read(path).prices == {"my-model": (1.5, 6.0)}
    path.write_text('{"tokenPriceTable": {"my-model": {"inp', encoding="utf-8")  # half-saved
    kept = memory.read(path)
    assert kept.prices == {"my-model": (1.5, 6.0)}
    assert "keeping the prices last read" in kept.warnings[0]
    path.write_text('{"tokenPriceTable": {"my-model": {"input": 2, "output": 8}}}', encoding="utf-8")
    assert memory.read(path).prices == {"my-model": (2.0, 8.0)}
    assert memory.read(path).warnings == []


def test_settings_broken_from_the_start_fall_back_to_defaults_with_a_warning(write_settings):
    path = write_settings("not json")
    read = pricing.LastGoodSettings().read(path)
    assert read.prices == {} and read.unreadable and "not valid JSON" in read.warnings[0]
