"""Tables fit a standard terminal: 80 columns, no cell cut short, never a number."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def _fits(text: str) -> None:
    assert text.strip(), "nothing printed"
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert "…" not in text, text  # rich's mark of a cell cut short


def test_orders_fit_with_trigger_and_fee(cli: Invoke) -> None:
    assert cli("order", "buy", "BTC-USD", "0.01").exit_code == 0
    assert cli("order", "buy", "BTC-USD", "0.01", "--type", "stop",
               "--stop-price", "70000").exit_code == 0
    assert cli("order", "sell", "BTC-USD", "0.005", "--type", "limit",
               "--price", "90000").exit_code == 0
    result = cli("orders")
    assert result.exit_code == 0, result.output
    _fits(result.stdout)
    assert "trigger 70000" in result.stdout  # a stop order shows its trigger
    assert "USD" in result.stdout.split("filled", 1)[1]  # the fee the README promises
    order_ids = [line.split()[0] for line in result.stdout.splitlines() if "paper-" in line]
    assert all(len(oid) == len("paper-") + 32 for oid in order_ids)  # whole: cancel takes it


def test_watch_fits(cli: Invoke) -> None:
    result = cli("watch", "BTC-USD", "ETH-USD", "-e", "paper", "--count", "4")
    assert result.exit_code == 0, result.output
    _fits(result.stdout)
    assert "BTC-USD" in result.stdout and "ETH-USD" in result.stdout


@pytest.mark.parametrize(
    "args",
    [("compare", "BTC-USD", "-e", "paper"), ("balances",), ("exchanges",),
     ("best", "BTC-USD", "--side", "buy", "--amount", "0.5", "-e", "paper")],
)
def test_other_tables_fit(cli: Invoke, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    _fits(result.stdout)
