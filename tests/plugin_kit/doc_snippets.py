"""The code blocks of docs/plugins.md, so that tests can hold the guide to the truth.

A block captioned ``File `powertrader-acme/<path>`:`` is a file of the example plugin (kept in
``tests/plugin_kit/acme_plugin/``); ``File `<path>` of this repository:`` is a file of the
repository. Uncaptioned ``python`` blocks are run by the wheel test in the environment where
the example plugin is installed; the ``json`` and ``text`` blocks are output it compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "plugins.md"
TEMPLATE = Path(__file__).resolve().parent / "acme_plugin"
PLUGIN_FOLDER = "powertrader-acme/"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_CAPTION = re.compile(r"File `([^`]+)`( of this repository)?:\n\n\Z")


@dataclass(frozen=True)
class Snippet:
    language: str
    code: str
    file: Path | None  # the file this block shows, when it is captioned as one


def snippets(text: str | None = None) -> list[Snippet]:
    text = GUIDE.read_text() if text is None else text
    found = []
    for match in _FENCE.finditer(text):
        caption = _CAPTION.search(text[: match.start()])
        file = None
        if caption is not None:
            name, in_repo = caption.group(1), caption.group(2)
            if in_repo:
                file = REPO / name
            elif name.startswith(PLUGIN_FOLDER):
                file = TEMPLATE / name.removeprefix(PLUGIN_FOLDER)
            else:
                raise ValueError(f"caption {name!r} is neither the plugin's nor the repo's")
        found.append(Snippet(match.group(1), match.group(2), file))
    return found


def runnable_python() -> list[str]:
    return [s.code for s in snippets() if s.language == "python" and s.file is None]


def blocks(language: str) -> list[str]:
    return [s.code for s in snippets() if s.language == language and s.file is None]
