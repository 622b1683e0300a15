"""docs/plugins.md shows the example plugin's files exactly as they are, and all of them."""

from __future__ import annotations

import json

from tests.plugin_kit.doc_snippets import TEMPLATE, blocks, runnable_python, snippets


def test_every_file_shown_in_the_guide_is_the_real_file() -> None:
    shown = [snippet for snippet in snippets() if snippet.file is not None]
    assert shown, "the guide shows no file"
    for snippet in shown:
        assert snippet.file is not None and snippet.file.is_file(), snippet.file
        assert snippet.code == snippet.file.read_text(), f"docs/plugins.md differs: {snippet.file}"


def test_the_guide_shows_every_file_of_the_example_plugin() -> None:
    shown = {snippet.file for snippet in snippets() if snippet.file is not None}
    plugin_files = {
        path
        for path in TEMPLATE.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path != TEMPLATE / "__init__.py"
    }
    assert plugin_files and plugin_files <= shown, sorted(map(str, plugin_files - shown))


def test_the_other_blocks_are_well_formed() -> None:
    """What the wheel test runs and compares: Python that compiles, JSON that parses."""
    assert len(runnable_python()) == 2
    for code in runnable_python():
        compile(code, "docs/plugins.md", "exec")
    [plugins_json] = blocks("json")
    assert json.loads(plugins_json)[0]["name"] == "acme"
    assert any("powertrader trace:" in text for text in blocks("text"))
