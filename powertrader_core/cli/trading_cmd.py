"""``powertrader order | balances``: trade and see the account, on paper unless ``--live``.

Without ``--live`` both act on the paper exchange (see :mod:`._account`). A live order first
prices itself (best execution for the amount, among the exchanges it may go to) and asks for
confirmation on stderr, showing exchange, side, amount and the estimated cost, unless
``--yes``. It is then sent to the exchange that was confirmed, by name, so what was confirmed is
what happens. The order goes through ``MultiExchangeManager.place_order``, the single place
orders leave (where order safety journals it); it is never retried here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powertrader_core.cli._account import (
    LiveOption,
    live_targets,
    split,
)
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
from powertrader_core.cli._prompts import at_terminal
from powertrader_core.enums import OrderType, Side, TimeInForce

if TYPE_CHECKING:
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.models import FillEstimate, OrderRequest, OrderResult

__all__ = ["balances_command", "order_command"]


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
    from powertrader_core.manager.venues import paper_targets

    names = None if live else paper_targets(exchanges, "get_balance")
    async with make_manager(names or exchanges, live=live) as manager:
        targets = names or await live_targets(manager, exchanges)

        async def one(name: str) -> dict[str, Any] | ExchangeError:
            try:
                return (await manager.get_balances(name))[name]
            except ExchangeError as error:
                return error

        with spinner(f"asking {', '.join(targets)} for balances", enabled=not options().json):
            answers = await asyncio.gather(*(one(name) for name in targets))
    balances, failures = split(targets, answers)
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
    from powertrader_core.manager.venues import is_simulated

    if live and not (exchange and is_simulated(exchange)):  # paper never asks about money
        record = _live_order(request, exchange, yes)
    else:
        record = run(_paper_order(request, exchange))
    if options().json:
        emit_json(record)
    else:
        _print_order(record)


async def _paper_order(request: OrderRequest, exchange: str | None) -> dict[str, Any]:
    from powertrader_core.manager.venues import paper_targets

    (name,) = paper_targets([exchange] if exchange else None, "place_order")
    async with make_manager([name]) as manager:
        with spinner(f"placing the order on {name}", enabled=not options().json):
            result = await manager.place_order(request, exchange=name)
    return _order_record(result, live=False, estimate=None)


def _live_order(request: OrderRequest, exchange: str | None, yes: bool) -> dict[str, Any]:
    """What can be checked is checked first (credentials, locally; then that someone can
    confirm), then the order is priced, then confirmed *outside* the event loop (where Ctrl-C
    reaches the prompt and no spinner draws over it), then placed on the confirmed exchange.
    """
    name, estimate, note = run(_price_live(request, exchange, yes))
    if not yes:
        _confirm(request, name, estimate, note)
    return run(_place_live(request, name, estimate))


def _require_keys(manager: MultiExchangeManager, names: Sequence[str]) -> None:
    """Refuse at once, before pricing or asking, an exchange whose keys are missing or
    cannot be read (local files and environment only: nothing is sent)."""
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.errors import ConfigurationError

    source = manager.config_manager
    if not isinstance(source, ExchangeConfigManager):
        return
    for name in names:
        problems = source.config_problems(name)
        if problems:
            raise ConfigurationError(
                f"no usable credentials ({'; '.join(problems)}): add them with `powertrader "
                f"config set {name}`. Nothing was sent",
                exchange=name,
                operation="place_order",
            )


async def _price_live(
    request: OrderRequest, exchange: str | None, yes: bool
) -> tuple[str, FillEstimate | None, str]:
    candidates = [exchange.strip().lower()] if exchange else await _live_candidates()
    async with make_manager(candidates, live=True) as manager:
        _require_keys(manager, candidates)
        if not yes and not at_terminal():
            raise ValueError(
                "confirmation needed: pass --yes to send a live order without a terminal to "
                "confirm on. Nothing was sent"
            )
        with spinner("pricing the order", enabled=not options().json):
            return await _live_venue(manager, request)


async def _place_live(
    request: OrderRequest, name: str, estimate: FillEstimate | None
) -> dict[str, Any]:
    async with make_manager([name], live=True) as manager:
        with spinner(f"placing the order on {name}", enabled=not options().json):
            result = await manager.place_order(request, exchange=name)
    return _order_record(result, live=True, estimate=estimate)


async def _live_candidates() -> list[str]:
    """Where a live order naming no exchange may go: the primary exchange when the settings
    route there (``primary_exchange`` without ``auto_best_price``), else every exchange of the
    region with credentials (the manager's routing rules, decided before confirming)."""
    async with make_manager(live=True) as manager:
        settings = manager.settings
        if settings.primary_exchange and not settings.auto_best_price:
            return [settings.primary_exchange]
        return await live_targets(manager, None)


async def _live_venue(
    manager: MultiExchangeManager, request: OrderRequest
) -> tuple[str, FillEstimate | None, str]:
    """The cheapest of the manager's exchanges for this order and its estimate; for a single
    exchange whose estimate failed, that exchange and why the cost is unknown."""
    from powertrader_core.errors import ExchangeError

    candidates = manager.get_available_exchanges()
    try:
        plan = await manager.get_best_execution(request.symbol, request.side, request.amount)
    except ExchangeError as error:
        if len(candidates) != 1:
            raise  # no estimate anywhere: nowhere to send it with a known cost
        return candidates[0], None, f"estimated cost unknown: {error}"
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
        typer.echo("canceled: nothing was sent", err=True)
        raise typer.Exit(EXIT_FAILURE)


def _order_record(
    result: OrderResult, *, live: bool, estimate: FillEstimate | None
) -> dict[str, Any]:
    journal = result.metadata.get("journal")
    replayed = isinstance(journal, dict) and journal.get("replayed") is True
    return {
        "live": live,
        "exchange": result.exchange,
        "order": result,
        "estimate": estimate,
        "replayed": replayed,
    }


#: What a replayed order says: the client order id was used before, nothing was sent now.
REPLAYED = (
    "note: client order id {cid} was used before: this is the order it placed then, as "
    "the journal recorded it; nothing was sent now"
)


def _print_order(record: dict[str, Any]) -> None:
    result: OrderResult = record["order"]
    if record.get("replayed"):
        typer.echo(REPLAYED.format(cid=result.client_order_id), err=True)
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
