"""Text from the data inside Streamlit markdown (captions, alerts), shown as text.

Streamlit's markdown would read `**`, `[..](..)`, `$..$` (LaTeX), `:color[..]` and the like
in an agent or model name as formatting; every ASCII punctuation mark is backslash-escaped
(CommonMark's rule), so the name reads exactly as stored.

Escaping is not enough for GFM's autolinks: Streamlit turns `https://…`, `www.…` and
`name@host.tld` in the rendered text into live links whatever escapes or entities spelled
them (measured in chromium on Streamlit 1.67). So an invisible WORD JOINER (U+2060) goes
between `http`/`https` and its colon, between `www` and its dot, and before every `@`:
the text reads the same and no link can form.
"""

from __future__ import annotations

import re
import string

_SPECIAL = set(string.punctuation)
WORD_JOINER = "\u2060"
_LINK_STARTS = re.compile(r"(?i)https?(?=:)|www(?=\.)|(?=@)")  # where GFM's autolink literals begin


def md_text(value: object) -> str:
    """`value` as markdown that renders to exactly its text (newlines become spaces), never a link."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = _LINK_STARTS.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
