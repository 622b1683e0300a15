"""Every code block in README.md and docs/ runs as written, from a test, or says why not.

A block that cannot run in the suite (it installs from an index, it runs until stopped) is
preceded by ``<!-- not run: why -->`` in the page itself, so the reader of the source sees the
reason too. README's command lines run offline against the paper exchange, in fresh
processes; its Python blocks run as written in a fresh interpreter whose Kraken is the
Kraken-shaped simulator on 127.0.0.1 (``KRAKEN_BASE_URL``), every other host unresolvable.
docs/plugins.md is held by tests/plugin_kit: its files compared with the example plugin, its
Python and shell blocks run in a fresh virtual environment by the wheel test.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.cli.processes import private_env, run
from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401 - fixtures
from tests.simulators.kraken import KrakenSimulator

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

_BLOCK = re.compile(
    r"(?:<!-- not run: (?P<why>.*?)-->\n)?^```(?P<lang>\w*)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)

#: Where the blocks of a page are run, when not here.
HELD_ELSEWHERE = {
    "docs/plugins.md": "tests/plugin_kit/test_docs.py and test_wheel_install.py",
}


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    code: str
    not_run: str | None


def blocks(page: Path) -> list[Block]:
    text = page.read_text()
    return [
        Block(
            page=page.relative_to(REPO).as_posix(),
            line=text[: match.start("code")].count("\n"),
            language=match.group("lang"),
            code=match.group("code"),
            not_run=None if match.group("why") is None else " ".join(match.group("why").split()),
        )
        for match in _BLOCK.finditer(text)
    ]


def _readme(language: str) -> list[Block]:
    return [b for b in blocks(REPO / "README.md") if b.language == language and not b.not_run]


def test_every_block_runs_or_says_why_not() -> None:
    for page in PAGES:
        for block in blocks(page):
            where = f"{block.page}:{block.line}"
            if block.not_run is not None:
                assert len(block.not_run) > 10, f"{where}: say why it is not run"
                continue
            if block.page in HELD_ELSEWHERE:
                continue
            assert block.language in ("sh", "python"), f"{where}: nothing runs a {block.language}"
            if block.language == "sh":
                assert all(
                    words[0] == "powertrader" for words in _lines(block)
                ), f"{where}: only `powertrader` lines run here; mark the block not run"


def _lines(block: Block) -> list[list[str]]:
    return [w for w in (shlex.split(line, comments=True) for line in block.code.splitlines()) if w]


def test_readme_commands_run_offline(tmp_path: Path) -> None:
    """The README's command lines, as a newcomer types them: each exits 0, with no network."""
    env = private_env(tmp_path)
    commands = [words for block in _readme("sh") for words in _lines(block)]
    assert commands, "the README shows no command to try"
    for words in commands:
        assert words[0] == "powertrader"
        completed = run(env, *words[1:], timeout=120)
        assert completed.returncode == 0, (words, completed.stderr)
        assert completed.stderr == "", (words, completed.stderr)


async def test_readme_python_runs_as_written(
    kraken_sim: KrakenSimulator,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    env = private_env(tmp_path)
    env["KRAKEN_BASE_URL"] = kraken_sim.base_url  # the README's Kraken is the simulator
    env["POWERTRADER_EXCHANGES"] = "kraken"  # "every exchange of your region": this one here
    snippets = _readme("python")
    assert snippets, "the README shows no Python that runs"
    for block in snippets:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", block.code, env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, f"{block.page}:{block.line}\n{err.decode()}"
        assert out.strip(), f"{block.page}:{block.line} printed nothing"


def test_the_markers_are_seen() -> None:
    """The parser finds the README's marked blocks (a typo in a marker would run them)."""
    marked = [b for b in blocks(REPO / "README.md") if b.not_run]
    assert any("test suite's own set-up" in b.not_run for b in marked if b.not_run)
    assert os.path.basename(PAGES[0]) == "README.md"
