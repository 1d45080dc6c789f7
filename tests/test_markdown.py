"""Data is text in every piece of markdown the pages write (issue 11, item 3).

Streamlit renders captions, alerts, metric labels and markdown as markdown, with LaTeX
between `$` signs and `:color[...]` directives. A model, agent or session id is the data's,
not ours: it goes through pages/common/markdown.py's md_text before it reaches markdown.

`plain(body)` is this test's own reading of such a body: every ASCII punctuation mark must be
backslash-escaped (so no emphasis, link, code span, LaTeX, directive or HTML can form), and
it returns the text the body shows. A body may start with one icon of ours (`:material/x: `).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from streamlit.testing.v1 import AppTest

from factories import ROOT, DailyUsage, Rotation, fresh_app_env, hostile_text, plain, shown, signed_in

PASSWORD = "markdown-test-password"
BOLD_LINK = "x` **BOLD** [click me](https://evil.example) `y"
LATEX = "$a$ cost $b$"
DIRECTIVE = ":red[red] <b>tag</b> _em_"
MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")


@given(hostile_text())
def test_md_text_shows_any_hostile_text_exactly_and_as_text(text):
    from pages.common.markdown import md_text

    assert plain(md_text(text)) == text.replace("\r", " ").replace("\n", " ")


# --- the pages ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_app_env(monkeypatch, PASSWORD)


def open_page(page: str = "token_usage", **query: str) -> AppTest:
    return signed_in(PASSWORD, page, **query)


def bodies(at: AppTest) -> list[str]:
    found = [str(e.value) for kind in MARKDOWN_KINDS for e in at.get(kind)]
    return found + [m.label for m in at.metric] + [m.proto.help for m in at.metric if m.proto.help]


def with_data(at: AppTest, *names: str) -> list[str]:
    """The markdown bodies that show one of `names`; each of them must be plain text."""
    hits = [b for b in bodies(at) if any(n in shown(b) for n in names)]
    for body in hits:
        plain(body)
    return hits


TODAY = datetime.now(timezone.utc).date()


@pytest.fixture
def hostile_axiom(axiom_db, monkeypatch):
    axiom_db.session(BOLD_LINK)
    for model in (BOLD_LINK, LATEX, DIRECTIVE):
        axiom_db.usage(f"{TODAY} 00:00:01", "local", model, 100, 10, session_id=BOLD_LINK)
    axiom_db.usage(f"{TODAY} 00:00:02", "openai", "gpt-5.4", 1_000, 100)  # priced by the library: "$… in / $… out"
    monkeypatch.setenv("USAGE_DB", str(axiom_db.path))
    return axiom_db


def test_the_unpriced_notice_shows_hostile_model_ids_as_text(hostile_axiom):
    at = open_page()
    (notice,) = [w.value for w in at.warning if "No price is known" in w.value]
    names = ", ".join(sorted((BOLD_LINK, LATEX, DIRECTIVE)))
    assert plain(notice).startswith(f"No price is known for {names}: their cost reads \"unpriced\" (counted as $0.00 in the totals) although")


def test_the_price_library_caption_has_no_latex_between_its_dollar_signs(hostile_axiom):
    at = open_page()
    (caption,) = [c.value for c in at.caption if "genai" in c.value]
    assert re.search(r"gpt-5\.4 \$[\d.]+ in / \$[\d.]+ out per 1M", plain(caption))


def test_a_hostile_model_in_the_link_is_named_as_text(hostile_axiom):
    link = "[click me](https://evil.example) $a$"  # the notice quotes up to 40 characters
    at = open_page(model=link)
    notices = [c.value for c in at.caption if c.value.startswith(":material/info:")]
    assert notices and f"Model {link!r} has no data" in plain(notices[0])


def test_every_markdown_on_the_axiom_pages_shows_the_data_as_text(hostile_axiom):
    at = open_page()
    assert with_data(at, BOLD_LINK, LATEX, DIRECTIVE)  # the unpriced notice at least
    at = open_page("sessions")
    at.text_input(key="sessions_id").input(BOLD_LINK).run()
    assert not at.exception
    assert with_data(at, BOLD_LINK)  # "Session x` **BOLD** …"
    with_data(open_page("compare"), BOLD_LINK, LATEX, DIRECTIVE)
    with_data(page_by_link("agents"), BOLD_LINK, LATEX, DIRECTIVE)  # not in Axiom's menu: reached by its link


def page_by_link(page: str) -> AppTest:
    """pages/<page>.py run by itself (a link to a page the menu does not list), signed in."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=90)
    at.run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def hostile_agentx(agentx_db, monkeypatch):
    day = TODAY.isoformat()
    agentx_db.daily(DailyUsage(BOLD_LINK, LATEX, day, 1_000, 100, tasks=2, tier2_input_tokens=300_000),
                    DailyUsage(DIRECTIVE, "claude-sonnet-4-6", (TODAY - timedelta(days=10)).isoformat(), 500, 50,
                               tasks=1))
    agentx_db.rotations(*[Rotation(BOLD_LINK, "tier-2", f"{day}T00:00:0{i}Z", last_turn_input_tokens=250_000)
                          for i in range(1, 4)])
    monkeypatch.setenv("USAGE_DB", str(agentx_db.path))
    return agentx_db


@pytest.mark.parametrize("page", ["token_usage", "agents", "tier2", "compare"])
def test_every_markdown_on_the_agentx_pages_shows_the_data_as_text(hostile_agentx, page):
    hits = with_data(open_page(page), BOLD_LINK, LATEX, DIRECTIVE)
    if page in ("token_usage", "tier2"):  # the unpriced notice; the lower-the-threshold hint
        assert hits
