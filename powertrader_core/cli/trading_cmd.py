"""``powertrader order | orders | cancel | balances``: the account, on paper unless ``--live``.

Everything here moves or shows money, so the safe thing is the default: without ``--live``
these commands act on the paper exchange (simulated fills, an account kept in SQLite under
the data directory, so an ``order`` shows up in the next ``balances`` and ``orders``). Naming a
real exchange without ``--live`` is refused before anything is sent.

``--live`` turns ``live_trading`` on for this command's manager only, never in the settings
file. A live order first prices itself (best execution for the amount) and asks for
confirmation on stderr, showing exchange, side, amount and the estimated cost, unless
``--yes``. It is then sent to the exchange that was confirmed, by name, so what was confirmed is
what happens. The order itself goes through ``MultiExchangeManager.place_order``, the single
place orders leave (where order safety keeps its journal); it is never retried here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from powertrader_core.cli._context import (
    EXIT_FAILURE,
    ExchangeOption,
    ExchangesOption,
    SymbolArgument,
    make_manager,
    options,
    run,
)
from powertrader_core.cli._output import (
    emit_json,
    error_console,
    escape,
    failure_cell,
    money,
    new_table,
    print_table,
    spinner,
)
from powertrader_core.models import OrderType, Side, TimeInForce

if TYPE_CHECKING:
    from powertrader_core.exchange import AbstractExchange
    from powertrader_core.manager import MultiExchangeManager
    from powertrader_core.models import FillEstimate, OrderRequest, OrderResult

__all__ = ["balances_command", "cancel_command", "order_command", "orders_command"]

T = TypeVar("T")

PAPER = "paper"

LiveOption = Annotated[
    bool,
    typer.Option("--live", help="Use real exchanges and real money (default: the paper exchange)."),
]


# ---- where a command acts ------------------------------------------------------------------


def _simulated(name: str) -> bool:
    from powertrader_core._venues import is_simulated
    from powertrader_core.factory import ExchangeFactory

    return is_simulated(ExchangeFactory.get_exchange_class(name))


def _paper_targets(exchanges: Sequence[str] | None, operation: str) -> list[str]:
    """The simulated exchanges a command without ``--live`` may use; a real one is refused."""
    from powertrader_core.errors import ConfigurationError

    names = [name.strip().lower() for name in exchanges] if exchanges else [PAPER]
    for name in names:
        if not _simulated(name):
            raise ConfigurationError(
                "a real exchange: add --live to use it (without --live, orders, balances and "
                "order lists use the paper exchange). Nothing was sent",
                exchange=name,
                operation=operation,
            )
    return names


async def _live_targets(
    manager: MultiExchangeManager, exchanges: Sequence[str] | None
) -> list[str]:
    """Named exchanges, else the manager's exchanges that have credentials configured."""
    if exchanges:
        return [name.strip().lower() for name in exchanges]
    from powertrader_core.credentials import ExchangeConfigManager

    available = manager.get_available_exchanges()
    source = manager.config_manager
    if isinstance(source, ExchangeConfigManager):
        configured = set(source.get_configured_exchanges())
        names = [name for name in available if name in configured]
    else:
        names = available
    if not names:
        from powertrader_core.errors import ConfigurationError

        raise ConfigurationError(
            "no exchange with credentials in this region; add some with "
            "`powertrader config set <exchange>` or name one with --exchange",
            operation="live",
        )
    return names


async def _bounded(
    manager: MultiExchangeManager,
    name: str,
    operation: str,
    call: Callable[[AbstractExchange], Awaitable[T]],
) -> T:
    """One call the manager does not wrap, bounded by its timeout and mapped onto our errors."""
    import asyncio

    from powertrader_core._fanout import as_exchange_error
    from powertrader_core.errors import ExchangeConnectionError, ExchangeError

    venue = await manager.get_exchange(name)
    seconds = manager.settings.exchange_timeout
    try:
        async with asyncio.timeout(seconds):
            return await call(venue)
    except TimeoutError:
        raise ExchangeConnectionError(
            f"no answer within {seconds:g} s", exchange=name, operation=operation,
            request_sent=None,
        ) from None
    except ExchangeError:
        raise
    except Exception as exc:
        raise as_exchange_error(exc, name, operation) from exc


def _failure(name: str, error: BaseException) -> dict[str, Any]:
    return {"exchange": name, "error": str(error), "type": type(error).__name__}


# ---- balances ------------------------------------------------------------------------------


def balances_command(exchange: ExchangesOption = None, live: LiveOption = False) -> None:
    """Balances of the paper account, or with --live of each configured exchange."""
    record = run(_balances(exchange, live))
    if options().json:
        emit_json(record)
    else:
        table = new_table("exchange", "asset", "total")
        table.columns[2].justify = "right"
        for name, assets in record["balances"].items():
            if not assets:
                table.add_row(escape(name), "-", "0")
            for asset, amount in sorted(assets.items()):
                table.add_row(escape(name), escape(asset), money(amount))
        for failure in record["failures"]:
            name = failure["exchange"]
            table.add_row(escape(name), "-", failure_cell(name, failure["error"]))
        print_table(table)
    if not record["balances"]:
        raise typer.Exit(EXIT_FAILURE)


async def _balances(exchanges: Sequence[str] | None, live: bool) -> dict[str, Any]:
    import asyncio

    from powertrader_core.errors import ExchangeError

    names = None if live else _paper_targets(exchanges, "get_balance")
    async with make_manager(names or exchanges, live=live) as manager:
        targets = names or await _live_targets(manager, exchanges)

        async def one(name: str) -> dict[str, Any] | ExchangeError:
            try:
                return (await manager.get_balances(name))[name]
            except ExchangeError as error:
                return error

        with spinner(f"asking {', '.join(targets)} for balances", enabled=not options().json):
            answers = await asyncio.gather(*(one(name) for name in targets))
    balances = {n: a for n, a in zip(targets, answers, strict=True) if not isinstance(a, Exception)}
    failures = [
        _failure(n, a) for n, a in zip(targets, answers, strict=True) if isinstance(a, Exception)
    ]
    return {"live": live, "balances": balances, "failures": failures}


# ---- order ---------------------------------------------------------------------------------

SideArgument = Annotated[
    Side, typer.Argument(metavar="SIDE", case_sensitive=False, help="buy or sell.")
]
AmountArgument = Annotated[
    str, typer.Argument(metavar="AMOUNT", help="Amount of the base asset, e.g. 0.01.")
]
TypeOption = Annotated[
    OrderType, typer.Option("--type", "-t", case_sensitive=False, help="Order type.")
]
PriceOption = Annotated[
    str | None, typer.Option("--price", "-p", help="Limit price (limit and stop_limit orders).")
]
StopOption = Annotated[
    str | None,
    typer.Option("--stop-price", help="Trigger price (stop and stop_limit orders)."),
]
TifOption = Annotated[
    TimeInForce, typer.Option("--tif", case_sensitive=False, help="Time in force.")
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Place a live order without asking for confirmation.")
]
ClientIdOption = Annotated[
    str | None,
    typer.Option("--client-order-id", help="Your id for the order (default: a new UUID)."),
]


def order_command(
    side: SideArgument,
    symbol: SymbolArgument,
    amount: AmountArgument,
    order_type: TypeOption = OrderType.MARKET,
    price: PriceOption = None,
    stop_price: StopOption = None,
    time_in_force: TifOption = TimeInForce.GTC,
    exchange: ExchangeOption = None,
    live: LiveOption = False,
    yes: YesOption = False,
    client_order_id: ClientIdOption = None,
) -> None:
    """Place an order: on the paper exchange, or with --live on a real one (after confirming).

    Examples: `order buy BTC-USD 0.01` (paper, at market);
    `order sell ETH-USD 0.5 --type limit --price 4000`;
    `order buy BTC-USD 0.001 --live --exchange kraken`.
    """
    from powertrader_core.models import OrderRequest

    fields: dict[str, Any] = {
        "symbol": symbol,
        "side": side,
        "amount": amount,
        "order_type": order_type,
        "price": price,
        "stop_price": stop_price,
        "time_in_force": time_in_force,
    }
    if client_order_id is not None:
        fields["client_order_id"] = client_order_id
    request = OrderRequest(**fields)  # validated here: a bad order never reaches a manager
    record = run(_order(request, exchange, live, yes))
    if options().json:
        emit_json(record)
    else:
        _print_order(record)


async def _order(
    request: OrderRequest, exchange: str | None, live: bool, yes: bool
) -> dict[str, Any]:
    if not live:
        (name,) = _paper_targets([exchange] if exchange else None, "place_order")
        async with make_manager([name]) as manager:
            with spinner(f"placing the order on {name}", enabled=not options().json):
                result = await manager.place_order(request, exchange=name)
        return _order_record(result, live=False, estimate=None)
    async with make_manager([exchange] if exchange else None, live=True) as manager:
        with spinner("pricing the order", enabled=not options().json):
            name, estimate, note = await _live_venue(manager, request, exchange)
        if not yes:
            _confirm(request, name, estimate, note)
        with spinner(f"placing the order on {name}", enabled=not options().json):
            result = await manager.place_order(request, exchange=name)
    return _order_record(result, live=True, estimate=estimate)


async def _live_venue(
    manager: MultiExchangeManager, request: OrderRequest, exchange: str | None
) -> tuple[str, FillEstimate | None, str]:
    """Where a live order goes and what it should cost there (``note``: why unknown)."""
    from powertrader_core.errors import ExchangeError

    settings = manager.settings
    if exchange is not None:
        candidates = [exchange.strip().lower()]
    elif settings.primary_exchange and not settings.auto_best_price:
        candidates = [settings.primary_exchange]
    else:
        candidates = await _live_targets(manager, None)
    try:
        if candidates != manager.get_available_exchanges():
            async with make_manager(candidates, live=True) as subset:
                plan = await subset.get_best_execution(request.symbol, request.side, request.amount)
        else:
            plan = await manager.get_best_execution(request.symbol, request.side, request.amount)
    except ExchangeError as error:
        if len(candidates) > 1:
            raise  # no estimate anywhere: nowhere to send it with a known cost
        return candidates[0], None, f"estimate unavailable: {error}"
    return plan.exchange, plan.best, ""


def _confirm(
    request: OrderRequest, name: str, estimate: FillEstimate | None, note: str
) -> None:
    """Ask on stderr (stdout stays clean for --json); no means nothing is sent."""
    what = (
        f"{request.side.value} {money(request.amount)} {request.symbol} "
        f"({request.order_type.value}"
    )
    if request.price is not None:
        what += f" at {money(request.price)}"
    if request.stop_price is not None:
        what += f", trigger {money(request.stop_price)}"
    what += ")"
    if estimate is not None:
        verb = "cost" if request.side is Side.BUY else "proceeds"
        cost = (
            f"estimated {verb} {money(estimate.total)} {request.quote} "
            f"(average {money(estimate.average_price)}, fee {money(estimate.fee)})"
        )
        if not estimate.complete:
            cost += f"; the book shows only {money(estimate.filled_amount)}"
    else:
        cost = note
    err = error_console()
    err.print(f"[bold red]LIVE ORDER[/] on [bold]{escape(name)}[/]: {escape(what)}")
    err.print(f"  {escape(cost)}")
    if not typer.confirm("Send this order with real money?", default=False, err=True):
        typer.echo("cancelled: nothing was sent", err=True)
        raise typer.Exit(EXIT_FAILURE)


def _order_record(
    result: OrderResult, *, live: bool, estimate: FillEstimate | None
) -> dict[str, Any]:
    return {"live": live, "exchange": result.exchange, "order": result, "estimate": estimate}


def _print_order(record: dict[str, Any]) -> None:
    result: OrderResult = record["order"]
    mode = "LIVE" if record["live"] else "paper"
    table = new_table("field", "value", title=f"{mode} order on {result.exchange}")
    side = result.side.value if result.side else "?"
    kind = result.order_type.value if result.order_type else "?"
    rows = [
        ("order", f"{side} {money(result.amount)} {result.symbol} ({kind})"),
        ("status", result.status.value),
        ("order id", result.order_id),
        ("client order id", result.client_order_id or "-"),
        ("filled", f"{money(result.filled_amount)} (remaining {money(result.remaining_amount)})"),
        ("average price", money(result.average_price)),
        ("fees", ", ".join(f"{money(v)} {k}" for k, v in result.fees.items()) or "-"),
    ]
    if result.price is not None:
        rows.insert(2, ("limit price", money(result.price)))
    source = result.metadata.get("price_source")
    if source:
        rows.append(("price source", str(source)))
    for key, value in rows:
        table.add_row(key, escape(str(value)))
    print_table(table)


# ---- orders --------------------------------------------------------------------------------

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

    names = None if live else _paper_targets(exchanges, "get_orders")
    async with make_manager(names or exchanges, live=live) as manager:
        reconciled = await _reconcile(manager) if reconcile else None
        targets = names or await _live_targets(manager, exchanges)

        async def listing(venue: AbstractExchange) -> list[OrderResult]:
            history = getattr(venue, "get_orders", None)
            if not open_only and not live and callable(history):
                orders: list[OrderResult] = await history(symbol)  # the paper account's history
                return orders
            return await venue.get_open_orders(symbol)

        async def one(name: str) -> list[OrderResult] | ExchangeError:
            try:
                return await _bounded(manager, name, "get_open_orders", listing)
            except ExchangeError as error:
                return error

        with spinner(f"asking {', '.join(targets)} for orders", enabled=not options().json):
            answers = await asyncio.gather(*(one(name) for name in targets))
    orders = [o for a in answers if not isinstance(a, Exception) for o in a]
    failures = [
        _failure(n, a) for n, a in zip(targets, answers, strict=True) if isinstance(a, Exception)
    ]
    answered = [n for n, a in zip(targets, answers, strict=True) if not isinstance(a, Exception)]
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


def _print_orders(record: dict[str, Any]) -> None:
    if "reconciled" in record:
        typer.echo(f"reconciled: {record['reconciled']['summary']}")
    table = new_table("order id", "exchange", "time (UTC)", "order", "status", "filled")
    table.columns[0].no_wrap = True
    for order in record["orders"]:
        what = " ".join(
            part
            for part in (
                order.side.value if order.side else "",
                money(order.amount) if order.amount is not None else "",
                order.symbol or "",
                order.order_type.value if order.order_type else "",
                money(order.price) if order.price is not None else "",
            )
            if part
        )
        filled = money(order.filled_amount)
        if order.average_price is not None:
            filled += f" @ {money(order.average_price)}"
        table.add_row(
            escape(order.order_id),
            escape(order.exchange),
            order.timestamp.strftime("%m-%d %H:%M:%S"),
            escape(what),
            order.status.value,
            filled,
        )
    for failure in record["failures"]:
        table.add_row("-", escape(failure["exchange"]), "-", "-",
                      failure_cell(failure["exchange"], failure["error"]), "-")
    if not record["orders"] and not record["failures"]:
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
    from powertrader_core.errors import ConfigurationError

    if live and exchange is None:
        raise ConfigurationError(
            "a live cancel needs --exchange (which exchange holds the order)",
            operation="cancel_order",
        )
    (name,) = [exchange.strip().lower()] if live and exchange else _paper_targets(
        [exchange] if exchange else None, "cancel_order"
    )
    async with make_manager([name], live=live) as manager:
        with spinner(f"cancelling {order_id} on {name}", enabled=not options().json):
            return await _bounded(
                manager, name, "cancel_order", lambda venue: venue.cancel_order(order_id, symbol)
            )
