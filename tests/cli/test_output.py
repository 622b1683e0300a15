"""The helpers behind every command: exact JSON money, table numbers, the spinner's
discretion, and when plugin commands must be loaded."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powertrader_core.cli import _output
from powertrader_core.cli.app import needs_plugin_commands
from powertrader_core.models import MarketData, Side


def test_json_keeps_money_exact_and_readable() -> None:
    quote = MarketData(
        symbol="BTC-USD", price="60000.10", bid=0.1, ask="6E+4",
        timestamp=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), exchange="paper",
    )
    data = _output.to_jsonable({"quote": quote, "side": Side.BUY, "fees": (Decimal("1e-8"),)})
    # No trailing zeros: one amount reads the same from every exchange (issue 16, item 10).
    assert data["quote"]["price"] == "60000.1" and data["quote"]["bid"] == "0.1"
    assert _output.to_jsonable([Decimal("0.0100"), Decimal("0E-8"), Decimal("-0.50")]) == [
        "0.01", "0", "-0.5"
    ]
    assert data["quote"]["ask"] == "60000"  # never exponent notation
    assert data["quote"]["timestamp"] == "2024-01-02T03:04:05+00:00"
    assert data["side"] == "buy" and data["fees"] == ["0.00000001"]
    json.dumps(data)  # plain JSON all the way down


def test_money_for_tables() -> None:
    assert _output.money(Decimal("60006.000")) == "60006"
    assert _output.money(Decimal("0.60006000")) == "0.60006"
    assert _output.money(Decimal("1E+3")) == "1000"
    assert _output.money(None) == "-"
    assert _output.money(Decimal("1.23456"), places=2) == "1.23"
    assert _output.money(Decimal("30033.5035000400400")) == "30033.50350004"
    assert _output.money(Decimal("0.000000001")) == "0"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_spinner_only_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    with _output.spinner("asking kraken"):
        pass
    assert pipe.getvalue() == ""

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with _output.spinner("asking kraken", enabled=False):  # --json
        pass
    assert terminal.getvalue() == ""
    with _output.spinner("asking kraken"):
        pass
    assert "asking kraken" in terminal.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], True),  # the top-level help lists the plugins' command groups
        (["--help"], True),
        (["--json", "--region", "eu", "--help"], True),
        (["price", "--help"], False),
        (["order", "buy", "BTC-USD", "0.01"], False),
        (["--region", "robinhood", "price", "BTC-USD"], False),  # an option's value
        (["config", "show"], False),
        (["robinhood", "keygen"], True),
        (["--debug", "robinhood", "--help"], True),
        (["pirce", "BTC-USD"], True),  # a typo: plugins load, then "No such command"
    ],
)
def test_plugin_commands_load_only_when_the_command_may_be_theirs(
    args: list[str], expected: bool
) -> None:
    assert needs_plugin_commands(args) is expected
