"""``order``, ``balances``, ``orders``, ``cancel``: on the paper exchange unless ``--live``,
state kept between runs, live orders confirmed first, refusals before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.cli.conftest import Invoke, parsed


@pytest.fixture
def rehearsal(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A "real" exchange for the live path, offline: the paper exchange under another name,
    not marked simulated, so --live prices, confirms and places as it would with money; and a
    person at the terminal to confirm (the runner's input answers)."""
    from powertrader_core import ExchangeFactory

    paper = ExchangeFactory.get_exchange_class("paper")
    cls = type("Rehearsal", (paper,), {"name": "rehearsal", "simulated": False})
    ExchangeFactory.register_exchange("rehearsal", cls)
    monkeypatch.setattr("powertrader_core.cli.trading_cmd.at_terminal", lambda: True)
    try:
        yield "rehearsal"
    finally:
        ExchangeFactory.unregister_exchange("rehearsal")


def test_order_then_balances_then_orders_across_runs(cli: Invoke) -> None:
    result = cli("order", "buy", "BTC-USD", "0.01", "--json")
    assert result.exit_code == 0, result.output
    placed = parsed(result)
    order = placed["order"]
    assert placed["live"] is False and placed["exchange"] == "paper"
    assert order["status"] == "filled" and order["side"] == "buy"
    assert order["amount"] == "0.01" and Decimal(order["filled_amount"]) == Decimal("0.01")
    assert isinstance(order["average_price"], str)  # money as exact strings
    assert order["metadata"]["price_source"] == "paper:sim"

    balances = parsed(cli("balances", "--json"))
    paper = balances["balances"]["paper"]
    assert Decimal(paper["BTC"]) == Decimal("0.01")
    spent = Decimal(order["average_price"]) * Decimal("0.01") + sum(
        Decimal(fee) for fee in order["fees"].values()
    )
    assert Decimal(paper["USD"]) == Decimal(10000) - spent
    assert balances["failures"] == [] and balances["live"] is False

    listed = parsed(cli("orders", "--json"))
    assert [o["order_id"] for o in listed["orders"]] == [order["order_id"]]
    assert listed["orders"][0]["client_order_id"] == order["client_order_id"]


def test_tables_without_json(cli: Invoke) -> None:
    placed = cli("order", "buy", "ETH-USD", "0.1")
    assert placed.exit_code == 0, placed.output
    assert "paper order on paper" in placed.stdout and "filled" in placed.stdout
    assert "ETH" in cli("balances").stdout
    assert "ETH-USD" in cli("orders").stdout


def test_limit_order_rests_and_cancel_releases_it(cli: Invoke) -> None:
    result = cli(
        "order", "buy", "BTC-USD", "0.02", "--type", "limit", "--price", "1000", "--json"
    )
    assert result.exit_code == 0, result.output
    order = parsed(result)["order"]
    assert order["status"] == "open" and order["price"] == "1000"

    open_orders = parsed(cli("orders", "--open", "--json"))["orders"]
    assert [o["order_id"] for o in open_orders] == [order["order_id"]]

    cancelled = cli("cancel", order["order_id"], "--json")
    assert cancelled.exit_code == 0, cancelled.output
    assert parsed(cancelled)["order"]["status"] == "canceled"
    assert parsed(cli("orders", "--open", "--json"))["orders"] == []
    assert parsed(cli("orders", "--json"))["orders"][0]["status"] == "canceled"
    assert parsed(cli("balances", "--json"))["balances"]["paper"] == {"USD": "10000"}


def test_cancel_is_recorded_in_the_order_journal(cli: Invoke) -> None:
    import asyncio

    from powertrader_core.orders.journal import JournalState, OrderJournal

    order = parsed(
        cli("order", "buy", "BTC-USD", "0.02", "--type", "limit", "--price", "1000", "--json")
    )["order"]
    cancelled = cli("cancel", order["client_order_id"], "--json")  # the paper exchange takes it
    assert cancelled.exit_code == 0, cancelled.output

    async def journaled() -> tuple[JournalState | None, list[JournalState]]:
        async with OrderJournal() as journal:  # the default file, as the CLI's manager uses
            entry = await journal.get(order["client_order_id"], "paper")
            events = await journal.events(order["client_order_id"], "paper")
        return (entry.state if entry else None), [event.state for event in events]

    state, trail = asyncio.run(journaled())
    assert state is JournalState.CANCELED
    assert trail == [JournalState.INTENT, JournalState.ACCEPTED, JournalState.CANCELED]


def test_cancel_of_an_unknown_order_is_one_line_naming_the_exchange(cli: Invoke) -> None:
    result = cli("cancel", "no-such-order", "--json")
    assert result.exit_code == 1
    error = parsed(result)["error"]
    assert error["exchange"] == "paper" and error["type"] == "OrderNotFoundError"
    assert result.stderr.strip().splitlines() == [
        "error: paper cancel_order: no order 'no-such-order'"
    ]
    assert "Traceback" not in result.output


def test_a_real_exchange_without_live_is_refused_before_sending(cli: Invoke) -> None:
    for args in (
        ("order", "buy", "BTC-USD", "0.01", "--exchange", "kraken"),
        ("balances", "--exchange", "kraken"),
        ("orders", "--exchange", "kraken"),
        ("cancel", "abc", "--exchange", "kraken"),
    ):
        result = cli(*args, "--json")
        assert result.exit_code == 1, args
        error = parsed(result)["error"]
        assert error["exchange"] == "kraken" and "--live" in error["message"]
        assert "Nothing was sent" in result.stderr
    assert parsed(cli("orders", "--json"))["orders"] == []


def test_bad_orders_exit_2_with_the_field_named(cli: Invoke) -> None:
    no_price = cli("order", "buy", "BTC-USD", "0.01", "--type", "limit")
    assert no_price.exit_code == 2
    assert no_price.stderr.strip() == (
        "error: invalid input: price: a limit order needs a limit price"
    )
    not_a_number = cli("order", "buy", "BTC-USD", "lots", "--json")
    assert not_a_number.exit_code == 2
    assert "amount" in parsed(not_a_number)["error"]["message"]
    too_much = cli("order", "buy", "BTC-USD", "1000")
    assert too_much.exit_code == 1 and "paper place_order" in too_much.stderr
    assert "Traceback" not in too_much.output


def test_live_order_asks_first_and_no_sends_nothing(cli: Invoke, rehearsal: str) -> None:
    # --live on a "real" exchange: the confirmation path, offline.
    refused = cli(
        "order", "buy", "BTC-USD", "0.01", "--live", "--exchange", rehearsal, "--json",
        input="n\n"
    )
    assert refused.exit_code == 1
    # The question goes to stderr; the runner echoes the typed answer on stdout, as a
    # terminal would show it (a real pipe gets nothing).
    assert refused.stdout.strip() == "n"
    assert "Send this order with real money?" in refused.stderr
    assert "LIVE ORDER on rehearsal: buy 0.01 BTC-USD (market)" in refused.stderr
    assert "estimated cost" in refused.stderr and "USD" in refused.stderr
    assert "nothing was sent" in refused.stderr
    assert parsed(cli("orders", "--json"))["orders"] == []

    confirmed = cli(
        "order", "buy", "BTC-USD", "0.01", "--live", "--exchange", rehearsal, "--json",
        input="y\n"
    )
    assert confirmed.exit_code == 0, confirmed.output
    echoed, _, document = confirmed.stdout.partition("\n")
    assert echoed.strip() == "y"
    record = json.loads(document)
    assert record["live"] is True and record["order"]["status"] == "filled"
    estimate = record["estimate"]
    assert estimate["exchange"] == rehearsal
    assert Decimal(estimate["filled_amount"]) == Decimal("0.01")
    assert Decimal(estimate["total"]) > 0

    unasked = cli("order", "sell", "BTC-USD", "0.01", "--live", "-e", rehearsal, "--yes", "--json")
    assert unasked.exit_code == 0, unasked.output
    assert "LIVE ORDER" not in unasked.stderr
    assert len(parsed(cli("orders", "--json"))["orders"]) == 2


def test_live_cancel_needs_an_exchange(cli: Invoke) -> None:
    result = cli("cancel", "abc", "--live")
    assert result.exit_code == 1
    assert "needs --exchange" in result.stderr


def test_live_balances_without_credentials_say_so(cli: Invoke) -> None:
    result = cli("balances", "--live", "--json")
    assert result.exit_code == 1
    assert "powertrader config set" in parsed(result)["error"]["message"]


def test_orders_reconcile_settles_the_journal_first(cli: Invoke) -> None:
    placed = parsed(
        cli("order", "buy", "BTC-USD", "0.01", "--type", "limit", "--price", "1000", "--json")
    )["order"]
    result = cli("orders", "--reconcile", "--json")
    assert result.exit_code == 0, result.output
    record = parsed(result)
    reconciled = record["reconciled"]
    assert reconciled["unknown"] == {} and isinstance(reconciled["checked"], int)
    assert "checked" in reconciled["summary"]
    assert [o["order_id"] for o in record["orders"]] == [placed["order_id"]]
    table = cli("orders", "--reconcile")
    assert table.exit_code == 0 and table.stdout.startswith("reconciled: checked")


def test_live_order_without_exchange_follows_the_routing_settings(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, rehearsal: str
) -> None:
    nowhere = cli("order", "buy", "BTC-USD", "0.01", "--live", "--yes", "--json")
    assert nowhere.exit_code == 1
    assert "no exchange with credentials" in parsed(nowhere)["error"]["message"]

    monkeypatch.setenv("POWERTRADER_PRIMARY_EXCHANGE", rehearsal)
    primary = cli("order", "buy", "BTC-USD", "0.01", "--live", "--json", input="y\n")
    assert primary.exit_code == 0, primary.output
    assert "LIVE ORDER on rehearsal" in primary.stderr
    assert json.loads(primary.stdout.partition("\n")[2])["exchange"] == rehearsal
