"""``powertrader price | compare | best``: what a market costs, here and across exchanges.

All three ask the :class:`~powertrader_core.MultiExchangeManager`, so they inherit its
promises: every exchange bounded by ``exchange_timeout``, reads retried, one failing exchange
never failing the others. ``compare`` shows the failures as rows with their reason instead of
hiding them: a venue missing from a comparison is itself information (down, not configured,
market not listed). It exits non-zero only when no exchange answered.

The paper exchange takes part only where named (``--exchange paper``), so a comparison of real
exchanges never shows simulated prices among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powertrader_core.cli._context import (
    EXIT_FAILURE,
    ExchangeOption,
    ExchangesOption,
    SymbolArgument,
    make_manager,
    options,
    parse_amount,
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
from powertrader_core.enums import Side

if TYPE_CHECKING:
    from powertrader_core.errors import ExchangeError
    from powertrader_core.manager.facade import ExecutionPlan, MultiExchangeManager
    from powertrader_core.models import MarketData

__all__ = ["best_command", "compare_command", "price_command"]


def _latency(manager: MultiExchangeManager, quote: MarketData) -> float | None:
    """What the quote took: the plugin's own measure, else the manager's (one sample)."""
    if quote.latency_ms is not None:
        return round(quote.latency_ms, 1)
    latency = manager.health.snapshot(quote.exchange).get("latency")
    return None if latency is None else float(latency)


def _quote_record(quote: MarketData, latency: float | None) -> dict[str, Any]:
    return {
        "exchange": quote.exchange,
        "symbol": quote.symbol,
        "bid": quote.bid,
        "ask": quote.ask,
        "spread": quote.spread,
        "last": quote.price,
        "volume": quote.volume,
        "latency_ms": latency,
        "timestamp": quote.timestamp,
        "quoted_symbol": quote.quoted_symbol,
        "source": quote.source,
    }


def _failure_record(name: str, error: ExchangeError) -> dict[str, Any]:
    return {"exchange": name, "error": str(error), "type": type(error).__name__}


# ---- price ---------------------------------------------------------------------------------


def price_command(symbol: SymbolArgument, exchange: ExchangeOption = None) -> None:
    """The current quote of SYMBOL: from --exchange, else the first exchange that answers."""
    record = run(_price(symbol, exchange))
    if options().json:
        emit_json(record)
        return
    title = record["symbol"] + (
        f" (quoted as {record['quoted_symbol']})" if record["quoted_symbol"] else ""
    )
    table = new_table(
        "exchange", "bid", "ask", "spread", "last", "latency ms", "source", title=title
    )
    table.add_row(
        escape(record["exchange"]),
        money(record["bid"]),
        money(record["ask"]),
        money(record["spread"]),
        money(record["last"]),
        _ms(record["latency_ms"]),
        escape(record["source"] or ""),
    )
    print_table(table)


async def _price(symbol: str, exchange: str | None) -> dict[str, Any]:
    async with make_manager([exchange] if exchange else None) as manager:
        where = exchange or "the exchanges"
        with spinner(f"asking {where} for {symbol}", enabled=not options().json):
            quote = await manager.get_market_data(symbol, exchange)
        return _quote_record(quote, _latency(manager, quote))


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# ---- compare -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Every exchange's quote or its failure, and which quotes are the best bid and ask."""

    symbol: str
    quotes: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    best_bid: str | None = None
    best_ask: str | None = None

    def as_json(self) -> dict[str, Any]:
        def best(name: str | None, key: str) -> dict[str, Any] | None:
            for quote in self.quotes:
                if quote["exchange"] == name:
                    return {"exchange": name, "price": quote[key]}
            return None

        return {
            "symbol": self.symbol,
            "quotes": [
                {
                    **quote,
                    "best_bid": quote["exchange"] == self.best_bid,
                    "best_ask": quote["exchange"] == self.best_ask,
                }
                for quote in self.quotes
            ],
            "failures": self.failures,
            "best_bid": best(self.best_bid, "bid"),
            "best_ask": best(self.best_ask, "ask"),
        }


async def compare(symbol: str, exchanges: Sequence[str] | None) -> Comparison:
    """Ask every exchange (or those named) for ``symbol`` at once."""
    from powertrader_core.models import canonical_symbol
    from powertrader_core.routing import best_quote

    async with make_manager(exchanges) as manager:
        count = len(manager.get_available_exchanges())
        with spinner(f"asking {count} exchanges for {symbol}", enabled=not options().json):
            fan = await manager.compare_prices_detailed(symbol)
        quotes = sorted(fan.results.values(), key=lambda q: (q.ask <= 0, q.ask, q.exchange))
        result = Comparison(symbol=canonical_symbol(symbol))
        result.quotes = [_quote_record(quote, _latency(manager, quote)) for quote in quotes]
        result.failures = [_failure_record(n, e) for n, e in sorted(fan.errors.items())]
        bid = best_quote(fan.results, Side.SELL)
        ask = best_quote(fan.results, Side.BUY)
        result.best_bid = None if bid is None else bid.exchange
        result.best_ask = None if ask is None else ask.exchange
        return result


def compare_command(symbol: SymbolArgument, exchange: ExchangesOption = None) -> None:
    """Quotes of SYMBOL side by side: bid, ask, spread, last and latency per exchange.

    The best bid (where to sell) and best ask (where to buy) are marked; an exchange that did
    not answer is a row with the reason. Exits 1 when no exchange answered.
    """
    result = run(compare(symbol, exchange))
    if options().json:
        emit_json(result.as_json())
    else:
        _print_comparison(result)
    if not result.quotes:
        raise typer.Exit(EXIT_FAILURE)


def _print_comparison(result: Comparison) -> None:
    table = new_table(
        "exchange", "bid", "ask", "spread", "last", "latency ms", "note", title=result.symbol
    )
    for column in table.columns[1:6]:
        column.justify = "right"
    for quote in result.quotes:
        name = quote["exchange"]
        notes: list[str] = []
        bid, ask = money(quote["bid"]), money(quote["ask"])
        if name == result.best_bid:
            bid, notes = f"[bold green]{bid}[/]", [*notes, "best bid"]
        if name == result.best_ask:
            ask, notes = f"[bold green]{ask}[/]", [*notes, "best ask"]
        if quote["quoted_symbol"]:
            notes.append(f"quoted as {quote['quoted_symbol']}")
        if quote["source"] and quote["source"] != name:
            notes.append(f"source {quote['source']}")
        table.add_row(
            escape(name),
            bid,
            ask,
            money(quote["spread"]),
            money(quote["last"]),
            _ms(quote["latency_ms"]),
            escape(", ".join(notes)),
        )
    for failure in result.failures:
        table.add_row(
            escape(failure["exchange"]), "-", "-", "-", "-", "-",
            failure_cell(failure["exchange"], failure["error"]),
        )
    print_table(table)


# ---- best ----------------------------------------------------------------------------------

SideOption = Annotated[
    Side, typer.Option("--side", case_sensitive=False, help="buy or sell.")
]
AmountOption = Annotated[
    str | None,
    typer.Option(
        "--amount",
        "-a",
        help="Amount of the base asset: ranks exchanges by the all-in cost of filling it "
        "(book depth and taker fee). Without it: by top-of-book price.",
    ),
]


def best_command(
    symbol: SymbolArgument,
    side: SideOption,
    amount: AmountOption = None,
    exchange: ExchangesOption = None,
) -> None:
    """Where to buy or sell SYMBOL: exchanges ranked best first, and those left out, why."""
    size = None if amount is None else parse_amount(amount, "--amount")
    record = run(_best(symbol, side, size, exchange))
    if options().json:
        emit_json(record)
    else:
        _print_best(record)
    if not record["ranked"]:
        raise typer.Exit(EXIT_FAILURE)


async def _best(
    symbol: str, side: Side, amount: Any, exchanges: Sequence[str] | None
) -> dict[str, Any]:
    if amount is None:
        result = await compare(symbol, exchanges)
        key = "ask" if side is Side.BUY else "bid"
        quotes = [q for q in result.quotes if q[key] > 0]
        quotes.sort(key=lambda q: q[key], reverse=side is Side.SELL)
        return {
            "symbol": result.symbol,
            "side": side,
            "amount": None,
            "best": quotes[0]["exchange"] if quotes else None,
            "ranked": [
                {"exchange": q["exchange"], "price": q[key], "bid": q["bid"], "ask": q["ask"]}
                for q in quotes
            ],
            "excluded": {f["exchange"]: f["error"] for f in result.failures},
        }
    async with make_manager(exchanges) as manager:
        count = len(manager.get_available_exchanges())
        with spinner(f"pricing {amount} {symbol} on {count} exchanges", enabled=not options().json):
            plan: ExecutionPlan = await manager.get_best_execution(symbol, side, amount)
    return {
        "symbol": plan.symbol,
        "side": plan.side,
        "amount": plan.amount,
        "best": plan.exchange,
        "ranked": [
            {
                "exchange": estimate.exchange,
                "average_price": estimate.average_price,
                "fee": estimate.fee,
                "fee_rate": estimate.fee_rate,
                "total": estimate.total,
                "filled_amount": estimate.filled_amount,
                "complete": estimate.complete,
                "source": estimate.source,
            }
            for estimate in plan.ranked
        ],
        "excluded": dict(plan.excluded),
    }


def _print_best(record: dict[str, Any]) -> None:
    side = record["side"]
    if record["amount"] is None:
        columns = ["#", "exchange", "price", "bid", "ask", "note"]
        title = f"{side} {record['symbol']} (top of book)"
        rows = [
            [str(rank), escape(row["exchange"]), money(row["price"]), money(row["bid"]),
             money(row["ask"]), ""]
            for rank, row in enumerate(record["ranked"], start=1)
        ]
    else:
        verb = "cost" if side is Side.BUY else "proceeds"
        columns = ["#", "exchange", "average price", "fee", f"total {verb}", "filled", "note"]
        title = f"{side} {money(record['amount'])} {record['symbol']}"
        rows = []
        for rank, row in enumerate(record["ranked"], start=1):
            notes = [] if row["complete"] else ["book too thin for the whole amount"]
            if row["source"] != "order_book":
                notes.append(f"estimated from {row['source']}")
            rows.append([
                str(rank), escape(row["exchange"]), money(row["average_price"]),
                money(row["fee"]), money(row["total"]), money(row["filled_amount"]),
                escape("; ".join(notes)),
            ])
    for name, why in record["excluded"].items():
        rows.append(["-", escape(name), *["-"] * (len(columns) - 3), failure_cell(name, why)])
    table = new_table(*columns, title=title)
    for row in rows:
        table.add_row(*row)
    print_table(table)
