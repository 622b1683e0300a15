"""``powertrader orders | cancel``: the orders of the paper account, or with ``--live`` the
open orders at each exchange; and cancelling one.

The paper account lists its whole history (filled, cancelled, open); a real exchange is asked
for its open orders (each, concurrently, bounded by the manager's timeout). ``--reconcile``
first settles what the order journal holds in doubt (an order whose answer was lost), through
``MultiExchangeManager.reconcile``, so that the list that follows is the truth. ``cancel``
goes through ``MultiExchangeManager.cancel_order``, so the order journal records the cancel
as it happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powertrader_core.cli._account import (
    LiveOption,
    bounded,
    live_targets,
    split,
)
from powertrader_core.cli._context import (
    EXIT_FAILURE,
    ExchangeOption,
    ExchangesOption,
    make_manager,
    options,
    run,
)
from powertrader_core.cli._output import (
    emit_json,
    escape,
    failure_cell,
    money,
    new_table,
    print_table,
    spinner,
)

if TYPE_CHECKING:
    from powertrader_core.exchange import AbstractExchange
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.models import OrderResult

__all__ = ["cancel_command", "orders_command"]


OpenOption = Annotated[bool, typer.Option("--open", help="Only orders still open.")]
SymbolOption = Annotated[str | None, typer.Option("--symbol", "-s", help="Only this market.")]
ReconcileOption = Annotated[
    bool,
    typer.Option(
        "--reconcile",
        help="First settle orders whose outcome is unknown (a timeout) with the exchange.",
    ),
]


def orders_command(
    exchange: ExchangesOption = None,
    symbol: SymbolOption = None,
    open_only: OpenOption = False,
    reconcile: ReconcileOption = False,
    live: LiveOption = False,
) -> None:
    """Orders of the paper account (its whole history), or with --live each exchange's open ones."""
    record = run(_orders(exchange, symbol, open_only, reconcile, live))
    if options().json:
        emit_json(record)
    else:
        _print_orders(record)
    if record["answered"] == 0:
        raise typer.Exit(EXIT_FAILURE)


async def _orders(
    exchanges: Sequence[str] | None,
    symbol: str | None,
    open_only: bool,
    reconcile: bool,
    live: bool,
) -> dict[str, Any]:
    import asyncio

    from powertrader_core.errors import ExchangeError
    from powertrader_core.manager.venues import paper_targets

    names = None if live else paper_targets(exchanges, "get_orders")
    async with make_manager(names or exchanges, live=live) as manager:
        reconciled = await _reconcile(manager) if reconcile else None
        targets = names or await live_targets(manager, exchanges)

        async def listing(venue: AbstractExchange) -> list[OrderResult]:
            history = getattr(venue, "get_orders", None)
            if not open_only and not live and callable(history):
                orders: list[OrderResult] = await history(symbol)  # the paper account's history
                return orders
            return await venue.get_open_orders(symbol)

        async def one(name: str) -> list[OrderResult] | ExchangeError:
            try:
                return await bounded(manager, name, "get_open_orders", listing)
            except ExchangeError as error:
                return error

        with spinner(f"asking {', '.join(targets)} for orders", enabled=not options().json):
            answers = await asyncio.gather(*(one(name) for name in targets))
    answered, failures = split(targets, answers)
    orders = [order for listed in answered.values() for order in listed]
    record: dict[str, Any] = {
        "live": live, "orders": orders, "failures": failures, "answered": len(answered)
    }
    if reconciled is not None:
        record["reconciled"] = reconciled
    return record


async def _reconcile(manager: MultiExchangeManager) -> dict[str, Any]:
    """Settle the journal's orders of unknown outcome at the exchanges this command may use
    (order safety's reconciliation): found, never arrived, still unknown, skipped."""
    from powertrader_core.errors import NotSupportedError

    reconcile = getattr(manager, "reconcile", None)
    if reconcile is None:
        raise NotSupportedError(
            "this version of powertrader_core keeps no order journal to reconcile",
            operation="reconcile",
        )
    with spinner("reconciling orders of unknown outcome", enabled=not options().json):
        summary = await reconcile()
    as_dict = getattr(summary, "as_dict", None)
    return {"summary": str(summary), **(as_dict() if callable(as_dict) else {})}


def _describe(order: OrderResult, exchange: bool) -> str:
    """``04:02:11 buy 0.01 BTC-USD stop, trigger 70000``: what the order is, in words that
    wrap at spaces (never inside a number)."""
    from powertrader_core._types import utc_now

    stamp = order.timestamp
    when = stamp.strftime("%H:%M:%S" if stamp.date() == utc_now().date() else "%Y-%m-%d %H:%M")
    parts = [
        order.exchange if exchange else "",
        when,
        order.side.value if order.side else "",
        money(order.amount) if order.amount is not None else "",
        order.symbol or "",
        order.order_type.value if order.order_type else "",
    ]
    text = " ".join(part for part in parts if part)
    if order.price is not None:
        text += f" at {money(order.price)}"
    stop = order.metadata.get("stop_price")  # the paper exchange's; others may add it
    if stop is not None:
        text += f", trigger {money(Decimal(str(stop)))}"
    return text


def _print_orders(record: dict[str, Any]) -> None:
    """One row per order, fitting 80 columns: the id (whole: `cancel` takes it) with what
    the order is beneath it, then status, what filled and at what price, and the fee."""
    if "reconciled" in record:
        typer.echo(f"reconciled: {record['reconciled']['summary']}")
    orders: list[OrderResult] = record["orders"]
    venues = {order.exchange for order in orders}
    many = len(venues) > 1 or bool(record["failures"])
    title = None if many or not venues else f"orders on {next(iter(venues))} (times UTC)"
    table = new_table("order", "status", "filled", "fee", title=title, numbers=("fee",))
    table.columns[0].no_wrap = False
    for order in orders:
        filled = money(order.filled_amount)
        if order.average_price is not None:
            filled += f" @ {money(order.average_price)}"
        fees = ", ".join(f"{money(v)} {k}" for k, v in order.fees.items()) or "-"
        table.add_row(
            f"{escape(order.order_id)}\n{escape(_describe(order, many))}",
            order.status.value,
            filled,
            escape(fees),
        )
    for failure in record["failures"]:
        table.add_row(
            escape(failure["exchange"]) + "\n"
            + failure_cell(failure["exchange"], failure["error"]),
            "-", "-", "-",
        )
    if not orders and not record["failures"]:
        typer.echo("no orders", err=True)
        return
    print_table(table)


# ---- cancel --------------------------------------------------------------------------------


def cancel_command(
    order_id: Annotated[
        str, typer.Argument(metavar="ORDER_ID", help="The order id (or your client order id).")
    ],
    exchange: ExchangeOption = None,
    symbol: SymbolOption = None,
    live: LiveOption = False,
) -> None:
    """Cancel an open order: on the paper exchange, or with --live --exchange E on E."""
    result = run(_cancel(order_id, exchange, symbol, live))
    if options().json:
        emit_json({"live": live, "exchange": result.exchange, "order": result})
        return
    typer.echo(f"{result.exchange}: order {result.order_id} is {result.status.value}")


async def _cancel(
    order_id: str, exchange: str | None, symbol: str | None, live: bool
) -> OrderResult:
    """Cancel through the manager, so the order journal records it (the paper exchange
    cancels by its own id or the client id; others by their own id, or the journal's)."""
    from powertrader_core.errors import ConfigurationError

    if live and exchange is None:
        raise ConfigurationError(
            "a live cancel needs --exchange (which exchange holds the order)",
            operation="cancel_order",
        )
    from powertrader_core.manager.venues import paper_targets

    (name,) = [exchange.strip().lower()] if live and exchange else paper_targets(
        [exchange] if exchange else None, "cancel_order"
    )
    async with make_manager([name], live=live) as manager:
        with spinner(f"cancelling {order_id} on {name}", enabled=not options().json):
            return await manager.cancel_order(order_id, name, symbol)
