"""Text from the data inside Streamlit markdown (captions, alerts), shown as text.

Streamlit's markdown would read `**`, `[..](..)`, `$..$` (LaTeX), `:color[..]` and the like
in an agent or model name as formatting; every ASCII punctuation mark is backslash-escaped
(CommonMark's rule), so the name reads exactly as stored.
"""

from __future__ import annotations

import string

_SPECIAL = set(string.punctuation)


def md_text(value: object) -> str:
    """`value` as markdown that renders to exactly its text (newlines become spaces)."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
