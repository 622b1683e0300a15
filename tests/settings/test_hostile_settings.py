"""Settings nested far too deep are said to be so (issue 14, item 15).

100,000 levels used to end in "unexpected RecursionError"; now a ConfigurationError names the
file and what is wrong, on the command line too (exit 1, one line).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from powertrader_core import ConfigurationError, Settings
from powertrader_core.cli.app import app

DEPTH = 100_000


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", '{"coins": ' + "[" * DEPTH + "]" * DEPTH + "}"),
        ("deep.toml", "coins = " + "[" * DEPTH + "]" * DEPTH + "\n"),
        ("deep-table.json", '{"x": ' + '{"a": ' * DEPTH + "1" + "}" * DEPTH + "}"),
    ],
)
def test_deep_nesting_is_named(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigurationError, match="nests values too deeply") as caught:
        Settings.load(path, env={})
    assert str(path) in str(caught.value)


def test_the_command_line_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"coins": ' + "[" * DEPTH + "]" * DEPTH + "}")
    monkeypatch.setenv("POWERTRADER_SETTINGS", str(path))
    monkeypatch.setenv("POWERTRADER_CREDENTIALS_DIR", str(tmp_path / "credentials"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["balances"])
    assert result.exit_code == 1
    assert "nests values too deeply" in result.output and "RecursionError" not in result.output
