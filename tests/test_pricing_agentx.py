"""pricing.py for agentx: custom.json over the price library, four rates, no family matching."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pricing
from factories import has_js_constant


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "custom.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_custom_entry_wins_over_the_library_with_all_four_rates(tmp_path):
    custom = pricing.read_custom_prices(write(tmp_path, {
        "claude-opus-4-7": {"input": 1, "output": 2, "cacheRead": 0.1, "cacheCreate": 1.25}}))
    book = pricing.resolve_agentx_prices([("anthropic", "claude-opus-4-7")], custom)
    price = book.prices["claude-opus-4-7"]
    assert (price.model, price.input, price.output, price.source, price.cache_read, price.cache_write) == (
        "claude-opus-4-7", 1.0, 2.0, "agentx-custom", 0.1, 1.25)


def test_custom_entry_without_cache_rates_charges_cache_tokens_at_its_input_rate(tmp_path):
    custom = pricing.read_custom_prices(write(tmp_path, {"house-model": {"input": 4, "output": 8}}))
    book = pricing.resolve_agentx_prices([("unknown", "house-model")], custom, use_library=False)
    assert book.rate_lists() == (["house-model"], [4.0], [8.0], [4.0], [4.0])


def test_library_cache_rates_match_the_librarys_own_calculation():
    from genai_prices import Usage, calc_price

    book = pricing.resolve_agentx_prices([("anthropic", "claude-opus-4-7")], pricing.CustomPrices())
    price = book.prices["claude-opus-4-7"]
    mtok = 1_000_000
    cache_read = calc_price(Usage(cache_read_tokens=mtok, input_tokens=mtok), "claude-opus-4-7", provider_id="anthropic")
    cache_write = calc_price(Usage(cache_write_tokens=mtok, input_tokens=mtok), "claude-opus-4-7", provider_id="anthropic")
    assert price.source == "price-library"
    assert price.cache_read == pytest.approx(float(cache_read.input_price))
    assert price.cache_write == pytest.approx(float(cache_write.input_price))


def test_a_newer_opus_is_priced_as_itself_not_as_legacy_opus():
    # agentx's substring match charged claude-opus-4-7 the legacy 15/75; its own price is 5/25.
    book = pricing.resolve_agentx_prices([("anthropic", "claude-opus-4-7")], pricing.CustomPrices())
    price = book.prices["claude-opus-4-7"]
    assert (price.input, price.output) == (5.0, 25.0)


@pytest.mark.parametrize("model", ["claude-opus-9-9", "claude-foo", "my-sonnet", "house-model-x"])
def test_unknown_model_is_unpriced_not_charged_sonnet_rates(model):
    book = pricing.resolve_agentx_prices([("anthropic", model)], pricing.CustomPrices())
    assert book.prices == {} and book.unpriced == [model]


def test_axioms_defaults_play_no_part_for_agentx():
    book = pricing.resolve_agentx_prices([("openai", "gpt-4o")], pricing.CustomPrices(), use_library=False)
    assert book.prices == {} and book.unpriced == ["gpt-4o"]


def test_a_missing_cache_write_rate_in_the_library_means_the_input_rate():
    # OpenAI bills no cache writes; the library has no rate for them.
    book = pricing.resolve_agentx_prices([("openai", "gpt-5.4")], pricing.CustomPrices())
    models, inputs, _outputs, _reads, writes = book.rate_lists()
    assert models == ["gpt-5.4"] and writes == inputs


def test_missing_custom_file_is_silent(tmp_path):
    result = pricing.read_custom_prices(tmp_path / "absent.json")
    assert (result.prices, result.warnings, result.unreadable) == ({}, [], False)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"'])
def test_unreadable_custom_file_warns_once_and_prices_nothing(tmp_path, content):
    result = pricing.read_custom_prices(write(tmp_path, content))
    assert result.prices == {} and result.unreadable and len(result.warnings) == 1


def test_bad_cache_rate_is_ignored_with_a_warning_naming_the_model(tmp_path):
    result = pricing.read_custom_prices(write(tmp_path, {"m": {"input": 1, "output": 2, "cacheRead": -1}}))
    assert result.prices == {"m": (1.0, 2.0, None, None)}
    assert len(result.warnings) == 1 and "'m'" in result.warnings[0] and "cacheRead" in result.warnings[0]


def test_custom_warnings_are_carried_into_the_price_book(tmp_path):
    custom = pricing.read_custom_prices(write(tmp_path, {"m": {"input": "1", "output": 2}}))
    assert pricing.resolve_agentx_prices([], custom).warnings == custom.warnings != []


def test_custom_snippet_has_agentxs_shape():
    assert json.loads(pricing.custom_snippet(["a"])) == {
        "a": {"input": 0.0, "output": 0.0, "cacheRead": 0.0, "cacheCreate": 0.0}}


def is_rate(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value)) and value >= 0
    except OverflowError:
        return False


scalars = st.none() | st.booleans() | st.integers(min_value=-(10 ** 400), max_value=10 ** 400) | \
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
entries = st.fixed_dictionaries({"input": scalars, "output": scalars},
                                optional={"cacheRead": scalars, "cacheCreate": scalars}) | scalars
documents = st.dictionaries(st.text(max_size=10), entries, max_size=6) | scalars | st.lists(scalars, max_size=3)


@given(document=documents)
def test_any_custom_document_gives_exactly_its_valid_entries_and_never_raises(document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "custom.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = pricing.read_custom_prices(path)
    if has_js_constant(document):  # NaN / Infinity literals: JSON.parse (agentx's reader) refuses the file
        assert result.prices == {} and result.warnings
        return
    entries_in = document if isinstance(document, dict) else {}
    expected = {}
    for model, e in entries_in.items():
        if isinstance(e, dict) and is_rate(e.get("input")) and is_rate(e.get("output")):
            cache = tuple(float(e[k]) if is_rate(e.get(k)) else None for k in ("cacheRead", "cacheCreate"))
            expected[model] = (float(e["input"]), float(e["output"]), *cache)
    assert result.prices == expected
    for model in set(entries_in) - set(expected):
        assert any(repr(model) in w for w in result.warnings)
