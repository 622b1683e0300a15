"""The command line's contract before a command runs: bad input is exit 2, every error under
``--json`` is one JSON document on stdout, and help speaks without Python types."""

from __future__ import annotations

import json
import re

import pytest

from powertrader_core.cli.app import app
from tests.cli.conftest import Invoke, parsed


@pytest.mark.parametrize("command", ["price", "compare", "best", "watch"])
def test_a_malformed_symbol_is_bad_input(cli: Invoke, command: str) -> None:
    extra = ["--side", "buy"] if command == "best" else []
    result = cli(command, "BTCUSD", *extra)
    assert result.exit_code == 2, result.output
    assert "not BASE-QUOTE" in result.stderr
    as_json = cli(command, "BTCUSD", *extra, "--json")
    assert as_json.exit_code == 2
    assert "not BASE-QUOTE" in parsed(as_json)["error"]["message"]


def test_an_unknown_region_is_bad_input(cli: Invoke) -> None:
    result = cli("price", "BTC-USD", "--region", "mars", "--json")
    assert result.exit_code == 2
    assert "--region must be us, eu or global" in parsed(result)["error"]["message"]


@pytest.mark.parametrize(
    "args",
    [
        ("order", "buy", "BTC-USD", "-1"),
        ("order", "bye", "BTC-USD", "1"),
        ("order", "buy", "BTC-USD", "1", "--type", "moon"),
        ("compare",),
        ("price", "BTC-USD", "--no-such-option"),
    ],
)
def test_usage_errors_under_json_are_one_json_document(cli: Invoke, args: tuple[str, ...]) -> None:
    result = cli(*args, "--json")
    assert result.exit_code == 2
    error = parsed(result)["error"]  # stdout is exactly one JSON document
    assert error["type"] == "UsageError" and error["message"]
    assert "Value error" not in error["message"]
    assert "Usage:" not in result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    plain = cli(*args)
    assert plain.exit_code == 2 and "Usage:" in plain.stderr and plain.stdout == ""


def _commands() -> list[list[str]]:
    from typer.main import get_command

    root = get_command(app)
    found: list[list[str]] = [[]]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        for sub in getattr(command, "commands", {}):
            found.append([name, sub])
    return found


def test_help_has_no_python_types_or_braces(cli: Invoke) -> None:
    for path in _commands():
        text = cli(*path, "--help").stdout
        assert text.startswith("Usage: "), (path, text)
        assert not re.search(r"<(str|int|float|list\[|[a-z]+ range)", text), (path, text)
        usage = text.splitlines()[0]
        assert "{" not in usage and "}" not in usage, usage


def test_commands_that_no_region_changes_take_no_region(cli: Invoke) -> None:
    for path in (["plugins"], ["config", "show"], ["config", "set"]):
        assert "--region" not in cli(*path, "--help").stdout, path
    assert cli("plugins", "--region", "eu").exit_code == 2
    assert "--region" in cli("price", "--help").stdout


def test_ctrl_c_and_end_of_input_at_a_confirmation(cli: Invoke) -> None:
    """End of input is not Ctrl-C: a confirmation left unanswered exits 1, nothing deleted."""
    result = cli("config", "delete", "kraken")
    assert result.exit_code == 1 and "Aborted!" in result.stderr


def test_json_error_documents_carry_no_trailing_garbage(cli: Invoke) -> None:
    result = cli("cancel", "nope", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["operation"] == "cancel_order"


def test_a_live_order_without_keys_is_one_json_document(cli: Invoke) -> None:
    result = cli("order", "buy", "BTC-USD", "0.001", "--live", "--exchange", "kraken", "--json")
    assert result.exit_code == 1
    error = parsed(result)["error"]
    assert error["type"] == "ConfigurationError" and "no usable credentials" in error["message"]
    assert "real money" not in result.stderr


def test_a_live_order_nobody_can_confirm_is_refused_before_pricing(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRAKEN_API_KEY", "key-1234567890ab")
    monkeypatch.setenv("KRAKEN_API_SECRET", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
    result = cli("order", "buy", "BTC-USD", "0.001", "--live", "--exchange", "kraken", "--json")
    assert result.exit_code == 2
    assert "confirmation needed: pass --yes" in parsed(result)["error"]["message"]
    assert result.stdout.count("\n") == 1  # one document, not a prompt's lone space


def test_paper_never_asks_about_real_money(cli: Invoke) -> None:
    result = cli("order", "buy", "BTC-USD", "0.001", "--live", "--exchange", "paper", "--json")
    assert result.exit_code == 0, result.output
    assert parsed(result)["order"]["exchange"] == "paper"
    assert "real money" not in result.stderr


def test_an_exchange_named_outside_the_region_is_used_with_a_note(cli: Invoke) -> None:
    """`ccxt:gemini`, the README's own example, in the default `us` region: asked (offline
    here, so it fails for that reason), with a one-line note, never refused for the region."""
    result = cli("price", "BTC-USD", "--exchange", "ccxt:gemini")
    assert result.exit_code == 1
    note, error = result.stderr.splitlines()
    assert note == (
        "note: ccxt:gemini does not list region 'us' (it lists global); used because it was "
        "named"
    )
    assert error.startswith("error: ccxt:gemini ") and "region" not in error
