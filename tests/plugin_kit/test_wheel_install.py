"""The plugin author's path, end to end and offline: source -> wheel -> pip -> ``powertrader``.

The example plugin of docs/plugins.md is copied into a temporary folder, built into a wheel
with pip (no build isolation, no index: nothing is downloaded), and installed with pip into a
fresh virtual environment. That environment reaches the core and its dependencies through a
``.pth`` file naming this environment's site-packages (added as a *site* directory, so the
editable installs there work too): the core sits beside the plugin, as it would after
``pip install powertrader-core``. There the plugin must show in ``powertrader plugins --json``
and ``ExchangeFactory.get_available_exchanges()``, add its command, pass its own conformance
tests, and vanish again on ``pip uninstall``.
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
from pathlib import Path
from typing import Any

import pytest

from tests.plugin_kit.doc_snippets import TEMPLATE, blocks, runnable_python
from tests.plugin_kit.fake_dists import EXPECTED_ERRORS, install_broken

# The installed `powertrader` console script is a wrapper around this call; the fresh
# environment has no script of its own because the core is not installed into it.
POWERTRADER = (
    "import sys; from powertrader_core.cli import main; sys.argv[0] = 'powertrader'; main()"
)

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
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def fresh_venv(path: Path) -> tuple[Path, Path]:
    """A new virtual environment that sees this one's packages; its python and site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        .stdout.strip()
    )
    parent = sysconfig.get_paths()["purelib"]
    # `import` lines of a .pth run at start-up; addsitedir also runs the .pth files there
    # (the editable installs' finders), which a plain path line would not.
    (site / "_powertrader_parent_env.pth").write_text(
        f"import site; site.addsitedir({parent!r})\n"
    )
    return python, site


def _plugins(python: Path, **env: str) -> dict[str, dict[str, Any]]:
    out = _run(python, "-c", POWERTRADER, "plugins", "--json", env=env).stdout
    return {record["name"]: record for record in json.loads(out)}


def offline_install_commands(python: Path) -> list[list[str]]:
    """The guide's offline `pip wheel` and `pip install` lines, run by ``python -m pip``."""
    [block] = [code for code in blocks("sh") if "pip wheel" in code]
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert [command[:2] for command in commands] == [["pip", "wheel"], ["pip", "install"]]
    return [[str(python), "-m", *command] for command in commands]


def test_wheel_installs_into_a_fresh_venv_and_uninstalls(tmp_path: Path) -> None:
    started = time.perf_counter()
    source = copy_plugin_source(tmp_path / "powertrader-acme")
    python, site = fresh_venv(tmp_path / "venv")
    assert _run(python, "-c", "import powertrader_acme", check=False).returncode != 0

    # Build the wheel and install it with pip, offline, exactly as docs/plugins.md says.
    for command in offline_install_commands(python):
        _run(*command, cwd=source)
    assert (source / "dist" / "powertrader_acme-1.0.0-py3-none-any.whl").is_file()
    assert (site / "powertrader_acme" / "plugin.py").is_file()  # in the new venv, not here

    plugins = _plugins(python)
    [documented] = json.loads(blocks("json")[0])
    assert plugins["acme"] == documented
    assert "acme" in json.loads(_run(python, "-c", FACTORY).stdout)
    for code in runnable_python():  # the guide's Python examples, in this environment
        _run(python, "-c", code)
    # The plugin's command group, added through powertrader_register_commands.
    assert _run(python, "-c", POWERTRADER, "acme", "markets").stdout.split() == [
        "BTC-USD", "ETH-USD"
    ]
    # The trace goes to stderr; stdout stays JSON.
    traced = _run(python, "-c", POWERTRADER, "plugins", "--json",
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
    assert "acme" not in json.loads(_run(python, "-c", FACTORY).stdout)
    # Not a timed test: the figure is for the record (pytest -s shows it).
    print(f"wheel round trip: {time.perf_counter() - started:.1f} s")
