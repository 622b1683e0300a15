"""The plugin author's path, end to end and offline, as docs/plugins.md says it: an empty
folder, a fresh virtual environment, the core built with ``python -m build`` from this checkout
and installed from its wheel, the plugin built with ``pip wheel`` and installed, then
``powertrader plugins`` (the script the core's wheel installed) showing it.

The example plugin of docs/plugins.md is copied into a temporary folder and the guide's shell
lines are run there as written (``/path/to/powertrader`` is a copy of this checkout's core
sources; ``python``, ``pip`` and ``powertrader`` are the fresh environment's). That
environment has no index: it reaches the third-party dependencies (pydantic, typer, pytest...)
through a folder of links to this environment's site-packages, *without* any PowerTrader
distribution, so pip must install the core from the wheel the guide built. There the plugin
must show in ``powertrader plugins --json`` and ``ExchangeFactory.get_available_exchanges()``,
add its command, pass its own conformance tests, and vanish again on ``pip uninstall``.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.plugin_kit.doc_snippets import TEMPLATE, blocks, runnable_python
from tests.plugin_kit.fake_dists import EXPECTED_ERRORS, install_broken

FACTORY = (
    "import json; from powertrader_core import ExchangeFactory; "
    "print(json.dumps(ExchangeFactory.get_available_exchanges()))"
)

pytestmark = pytest.mark.slow


def copy_plugin_source(destination: Path) -> Path:
    """The example plugin's files, without the repository's own ``__init__`` and caches."""
    return Path(
        shutil.copytree(
            TEMPLATE,
            destination,
            ignore=lambda folder, names: [
                name
                for name in names
                if name in {"__pycache__", "build", "dist"}
                or name.endswith(".egg-info")
                or (Path(folder) == TEMPLATE and name == "__init__.py")
            ],
        )
    )


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**_without_suite_settings(os.environ), **(env or {})},
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


REPO = Path(__file__).resolve().parents[2]
#: What ``python -m build`` needs of the checkout to build the core's wheel.
CORE_SOURCES = ("pyproject.toml", "README.md", "powertrader_core", "compat")


def core_checkout(destination: Path) -> Path:
    """The core's sources, copied: building writes ``build/`` and ``*.egg-info`` beside them."""
    destination.mkdir()
    for name in CORE_SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def _third_party_view(view: Path) -> Path:
    """Links to this environment's site-packages entries, PowerTrader's own left out."""
    view.mkdir()
    parent = Path(sysconfig.get_paths()["purelib"])
    for entry in parent.iterdir():
        name = entry.name.lower()
        if "powertrader" in name or name.startswith(("pt_", "__editable__", "_powertrader")):
            continue
        (view / entry.name).symlink_to(entry)
    return view


def _without_suite_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The fresh environment is the plugin author's: the suite's plugin filter stays out."""
    return {k: v for k, v in environ.items() if k != "POWERTRADER_DISABLE_PLUGINS"}


def fresh_venv(path: Path) -> tuple[Path, Path]:
    """A new virtual environment with the core's dependencies but no PowerTrader package;
    its python and site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        .stdout.strip()
    )
    view = _third_party_view(path.parent / "third-party")
    (site / "_third_party.pth").write_text(f"{view}\n")
    return python, site


def guide_commands(block: str, python: Path, core: Path) -> list[list[str]]:
    """A shell block of the guide as argument lists for the fresh environment."""
    bin_dir = python.parent
    commands = []
    for line in block.splitlines():
        words = shlex.split(line.split("#", 1)[0])
        if not words:
            continue
        words = [core.as_posix() if w == "/path/to/powertrader" else w for w in words]
        if words[0] == "python":
            words[0] = str(python)
        elif words[0] == "pip":
            words = [str(python), "-m", "pip", *words[1:]]
        elif (bin_dir / words[0]).exists():
            words[0] = str(bin_dir / words[0])
        commands.append(words)
    return commands


def _plugins(python: Path, **env: str) -> dict[str, dict[str, Any]]:
    script = python.parent / "powertrader"
    out = _run(script, "plugins", "--json", cwd=python.parent, env=env).stdout
    return {record["name"]: record for record in json.loads(out)}


def test_wheel_installs_into_a_fresh_venv_and_uninstalls(tmp_path: Path) -> None:
    started = time.perf_counter()
    source = copy_plugin_source(tmp_path / "powertrader-acme")
    core = core_checkout(tmp_path / "powertrader")
    python, site = fresh_venv(tmp_path / "venv")
    for module in ("powertrader_acme", "powertrader_core"):
        found = _run(python, "-c", f"import {module}", cwd=tmp_path, check=False)
        assert found.returncode != 0, module

    # The guide's offline block, line by line, in the plugin's folder.
    [offline] = [code for code in blocks("sh") if "python -m build" in code]
    for command in guide_commands(offline, python, core):
        _run(*command, cwd=source)
    assert (source / "wheels" / "powertrader_acme-1.0.0-py3-none-any.whl").is_file()
    assert (site / "powertrader_acme" / "plugin.py").is_file()  # in the new venv, not here
    assert (site / "powertrader_core" / "cli" / "app.py").is_file()  # the core's wheel
    assert (python.parent / "powertrader").is_file()  # and its script

    # Then the guide's commands: `powertrader plugins`, `powertrader acme markets`.
    [then] = [code for code in blocks("sh") if code.startswith("powertrader plugins")]
    listed, markets = (_run(*c, cwd=source) for c in guide_commands(then, python, core))
    assert "acme" in listed.stdout
    assert markets.stdout.split() == ["BTC-USD", "ETH-USD"]

    plugins = _plugins(python)
    [documented] = json.loads(blocks("json")[0])
    assert plugins["acme"] == documented
    assert "acme" in json.loads(_run(python, "-c", FACTORY, cwd=tmp_path).stdout)
    for code in runnable_python():  # the guide's Python examples, in this environment
        _run(python, "-c", code, cwd=tmp_path)
    # The trace goes to stderr; stdout stays JSON.
    traced = _run(python.parent / "powertrader", "plugins", "--json",
                  env={"POWERTRADER_TRACE_PLUGINS": "1"})
    [trace] = [text for text in blocks("text") if "powertrader trace:" in text]
    for line in trace.splitlines():
        assert line in traced.stderr.splitlines(), (line, traced.stderr)
    assert json.loads(traced.stdout)

    # The plugin's own tests: the conformance suite, run as a plugin author runs it (the
    # installed package, pytest-asyncio in its default strict mode, none of our conftest).
    tests = _run(python, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests",
                 cwd=source, check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "24 passed, 1 skipped" in tests.stdout, tests.stdout

    # Broken plugins beside it are reported by name and error; acme still works.
    install_broken(site)
    plugins = _plugins(python)
    assert plugins["acme"]["ok"]
    for name, fragment in EXPECTED_ERRORS.items():
        assert fragment in (plugins[name]["error"] or ""), plugins[name]
    shutil.rmtree(site / "pt_kit_raises-1.0.dist-info")

    _run(python, "-m", "pip", "uninstall", "--yes", "powertrader-acme")
    assert not (site / "powertrader_acme").exists()
    assert "acme" not in _plugins(python)
    assert "acme" not in json.loads(_run(python, "-c", FACTORY, cwd=tmp_path).stdout)
    # Not a timed test: the figure is for the record (pytest -s shows it).
    print(f"wheel round trip: {time.perf_counter() - started:.1f} s")
