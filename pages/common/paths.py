"""File-system paths never reach the page (README, "Admin password": the database path never
appears in the page; issue 11 item 7, issue 15 item 3).

The query layer names the files it read in its messages (the database, agentx.json, the Claude
Code projects folder), which is right for the CLI, run by the person who chose those paths. A
page is seen by whoever holds the link, so the pages show such a file by its name only.
"""

from __future__ import annotations

import os
from pathlib import Path


def file_name(path: str | os.PathLike[str]) -> str:
    """The last part of `path` ('agentx.json', 'projects'); the text itself when it has none."""
    return Path(str(path)).name or str(path)


def _spellings(path: str | os.PathLike[str]) -> set[str]:
    """`path` as given, with `~` expanded, and resolved (symlinks, '..'), without a trailing slash."""
    given = Path(str(path))
    forms = {str(path), str(given), str(given.expanduser())}
    try:
        forms.add(str(given.expanduser().resolve()))
    except (OSError, RuntimeError):  # a loop of symlinks, an unreadable parent
        pass
    return {f.rstrip("/") for f in forms if f.rstrip("/")}


def without_paths(text: str, *paths: str | os.PathLike[str] | None) -> str:
    """`text` with every spelling of each of `paths` replaced by its file name; longest first, so
    a folder inside another is replaced whole."""
    names: dict[str, str] = {}
    for path in paths:
        if path:
            names |= {form: file_name(path) for form in _spellings(path)}
    for form in sorted(names, key=len, reverse=True):
        text = text.replace(form, names[form])
    return text
