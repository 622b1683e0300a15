"""The installed ``powertrader`` script run as a user runs it: a fresh process, private folders,
no network (``offline_site/sitecustomize.py``), optionally under a pseudo-terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

OFFLINE_SITE = Path(__file__).resolve().parent / "offline_site"


def script() -> str:
    beside = Path(sys.executable).with_name("powertrader")  # the venv running the suite
    found = str(beside) if beside.exists() else shutil.which("powertrader")
    if found is None:
        pytest.fail("the powertrader script is not installed (pip install -e .)")
    return found


def private_env(home: Path, *, offline: bool = True) -> dict[str, str]:
    """No user's keys, settings or data: every PowerTrader folder under ``home``."""
    keep = {"POWERTRADER_DISABLE_PLUGINS"}  # the suite's: only our own plugins take part
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("POWERTRADER_") or k in keep
    }
    for variable in ("DATA", "CACHE", "CONFIG", "CREDENTIALS"):
        environ[f"POWERTRADER_{variable}_DIR"] = str(home / variable.lower())
    environ["COLUMNS"] = "120"
    if offline:
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(OFFLINE_SITE), *filter(None, [environ.get("PYTHONPATH")])]
        )
    return environ


def run(
    env: Mapping[str, str], *args: str, timeout: float = 60, cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script(), *args], env=dict(env), capture_output=True, text=True, timeout=timeout,
        cwd=cwd or env["POWERTRADER_DATA_DIR"].rsplit("/", 1)[0], input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
