"""Token Usage speaks the data's language (issue 15, item 2): on Axiom data it counts requests and
sends prices to settings.json's tokenPriceTable; on agentx data it counts tasks and sends them to
.agentx/pricing/custom.json, and never mentions Axiom. Both built-in demos, through AppTest.

That those bodies are escaped markdown is test_markdown.py's subject; here they are read back
as the text they show.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from factories import fresh_app_env, signed_in

PASSWORD = "wording-test-password"


def shown(markdown: str) -> str:
    """A markdown body with its backslash escapes taken out: the text it shows."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture
def token_usage(monkeypatch):
    def open_demo(demo: str) -> AppTest:
        monkeypatch.setenv("USAGE_DEMO", demo)
        fresh_app_env(monkeypatch, PASSWORD)
        return signed_in(PASSWORD)

    return open_demo


def texts(at: AppTest) -> list[str]:
    return [e.value for kind in (at.caption, at.warning, at.info, at.markdown) for e in kind]


def test_on_axiom_data_the_first_card_counts_requests(token_usage):
    at = token_usage("axiom")
    assert at.metric[0].label == "Requests"
    assert any(c.value.startswith("~$") and c.value.endswith(" per request") for c in at.caption)


def test_on_agentx_data_the_first_card_counts_tasks(token_usage):
    at = token_usage("agentx")
    assert at.metric[0].label == "Tasks"
    assert any(c.value.startswith("~$") and c.value.endswith(" per task") for c in at.caption)
    assert not any("request" in t.lower() for t in texts(at) + [m.label for m in at.metric])


def unpriced_notice(at: AppTest) -> str:
    (notice,) = [shown(w.value) for w in at.warning if "No price is known" in w.value]
    return notice


def library_caption(at: AppTest) -> str:
    (caption,) = [shown(c.value) for c in at.caption if "genai" in c.value]
    return caption


def test_on_axiom_data_unpriced_models_go_into_tokenpricetable(token_usage):
    at = token_usage("axiom")
    assert unpriced_notice(at).endswith("Add an entry to tokenPriceTable in settings.json (USD per 1M tokens) and Refresh:")
    snippet = json.loads(at.code[0].value)
    assert list(snippet) == ["tokenPriceTable"]
    assert "Axiom's own page shows $0.00 for these" in library_caption(at)


def test_on_agentx_data_unpriced_models_go_into_custom_json(token_usage):
    at = token_usage("agentx")
    notice = unpriced_notice(at)
    assert notice.endswith("Add an entry to .agentx/pricing/custom.json (USD per 1M tokens) and Refresh:")
    assert "tokenPriceTable" not in notice and "settings.json" not in notice
    snippet = json.loads(at.code[0].value)
    assert snippet and all(set(rates) == {"input", "output", "cacheRead", "cacheCreate"} for rates in snippet.values())
    caption = library_caption(at)
    assert "not by .agentx/pricing/custom.json" in caption
    assert not any("axiom" in t.lower() for t in texts(at))
