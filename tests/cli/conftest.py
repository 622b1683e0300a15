"""Fixtures for the command line: private folders, and the real ``powertrader`` app driven
through typer's runner with stdout and stderr kept apart (so ``--json`` output can be parsed)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from powertrader_core.cli.app import app


@pytest.fixture(autouse=True)
def _private_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No user's keys, ``.env`` or settings: an empty credentials folder and working dir."""
    monkeypatch.setenv("POWERTRADER_CREDENTIALS_DIR", str(tmp_path / "credentials"))
    monkeypatch.delenv("POWERTRADER_PASSPHRASE", raising=False)
    monkeypatch.delenv("POWERTRADER_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


Invoke = Callable[..., Result]


@pytest.fixture
def cli() -> Invoke:
    """``cli("order", "buy", ...)``: run the real app; ``input`` answers prompts."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), input=input)

    return invoke


def parsed(result: Result) -> Any:
    """The JSON document on stdout; fails with both streams shown when it is not one."""
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"stdout is not one JSON document ({exc}):\n--- stdout\n{result.stdout}"
            f"\n--- stderr\n{result.stderr}"
        ) from None
