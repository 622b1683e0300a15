"""``powertrader watch SYMBOL...``: a live table of quotes until Ctrl-C (or --count/--duration).

Quotes come from the manager's price stream where it has one (websockets where an exchange
offers them, polling elsewhere; with ``--from redis://...``, what a ``powertrader feed``
publishes, with no request to any exchange), else from polling ``compare_prices_detailed`` every
``--interval`` seconds. Each (exchange, symbol) is a row that changes in place, with its move
since the first quote; an exchange that fails shows its reason in its row and is asked again.

For scripts and tests: ``--count N`` stops after N quotes, ``--duration S`` after S seconds, and
``--json`` prints one JSON object per line (a quote, or an ``error``) as they come. Ctrl-C
stops it with exit 130, as every command; the exit code is 1 when no quote ever arrived, and
when every exchange has failed before any quote came, ``watch`` ends at once saying why
rather than waiting for feeds that keep retrying.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powertrader_core.cli._context import EXIT_FAILURE, ExchangesOption, make_manager, options, run
from powertrader_core.cli._output import emit_json_line, escape, money, new_table
from powertrader_core.present import reason

if TYPE_CHECKING:
    from rich.table import Table

    from powertrader_core.errors import ExchangeError
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.models import MarketData

__all__ = ["watch_command"]


@dataclass(frozen=True)
class Event:
    """A quote, or the reason an exchange gave none."""

    exchange: str
    symbol: str
    quote: MarketData | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.quote is None:
            return {"exchange": self.exchange, "symbol": self.symbol, "error": self.error}
        quote = self.quote
        return {
            "exchange": self.exchange,
            "symbol": self.symbol,
            "bid": quote.bid,
            "ask": quote.ask,
            "last": quote.price,
            "timestamp": quote.timestamp,
            "source": quote.source,
        }


@dataclass
class Board:
    """The table's state: the latest event per (exchange, symbol) and each first price."""

    rows: dict[tuple[str, str], Event] = field(default_factory=dict)
    first: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    quotes: int = 0

    def add(self, event: Event) -> None:
        key = (event.exchange, event.symbol)
        if event.quote is not None:
            self.quotes += 1
            self.first.setdefault(key, event.quote.price)
            self.rows[key] = event
        elif key not in self.rows or self.rows[key].quote is None:
            self.rows[key] = event
        else:  # keep the last price, note the failure
            self.rows[key] = Event(event.exchange, event.symbol, self.rows[key].quote, event.error)

    def nothing_to_watch(self, expected: set[tuple[str, str]]) -> bool:
        """No quote yet, and every (exchange, symbol) watched has failed: nothing to wait for.

        Feeds keep retrying on their own, so without this a ``watch`` with every exchange
        down (offline, a typo'd symbol) would wait forever for its first quote.
        """
        return self.quotes == 0 and all(
            key in self.rows and self.rows[key].error is not None for key in expected
        )

    def why_nothing(self, symbols: Sequence[str]) -> ExchangeError:
        from powertrader_core.errors import ExchangeError

        reasons = "; ".join(
            event.error or "" for _key, event in sorted(self.rows.items()) if event.error
        )
        return ExchangeError(
            f"nothing to watch for {', '.join(symbols)}: {reasons or 'no exchange'}",
            operation="watch",
        )

    def table(self) -> Table:
        table = new_table(
            "exchange", "symbol", "bid", "ask", "last", "change", "time", "note",
            numbers=("bid", "ask", "last", "change", "time"),
        )
        for column in table.columns[:2]:  # names are single words: never cut them
            column.no_wrap = True
        for (name, symbol), event in sorted(self.rows.items()):
            quote = event.quote
            note = f"[red]{escape(reason(name, event.error))}[/]" if event.error else ""
            if quote is None:
                table.add_row(escape(name), symbol, "-", "-", "-", "-", "-", note)
                continue
            start = self.first[(name, symbol)]
            change = quote.price - start
            colour = "green" if change > 0 else "red" if change < 0 else "white"
            percent = (change / start * 100) if start else Decimal(0)
            table.add_row(
                escape(name), symbol, money(quote.bid), money(quote.ask), money(quote.price),
                f"[{colour}]{'+' if change > 0 else ''}{money(change)} {percent:+.2f}%[/]",
                quote.timestamp.strftime("%H:%M:%S"), note,
            )
        return table


async def _poll(
    manager: MultiExchangeManager, symbols: Sequence[str], interval: float
) -> AsyncIterator[Event]:
    """Every ``interval`` seconds, every symbol from every exchange at once."""
    import asyncio

    while True:
        started = time.monotonic()
        fans = await asyncio.gather(*(manager.compare_prices_detailed(s) for s in symbols))
        for symbol, fan in zip(symbols, fans, strict=True):
            for name, quote in sorted(fan.results.items()):
                yield Event(name, symbol, quote=quote)
            for name, error in sorted(fan.errors.items()):
                yield Event(name, symbol, error=str(error))
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


async def _stream(
    manager: MultiExchangeManager, symbols: Sequence[str], interval: float
) -> AsyncIterator[Event]:
    """The manager's price stream when it has one (its feeds' errors merged in), else polls."""
    import asyncio

    if getattr(manager, "stream_prices", None) is None:
        async for event in _poll(manager, symbols, interval):
            yield event
        return
    import dataclasses

    monitor = manager.price_monitor
    monitor.config = dataclasses.replace(monitor.config, poll_interval=interval)
    queue: asyncio.Queue[Event] = asyncio.Queue()

    async def quotes() -> None:
        async for update in manager.stream_prices(symbols):
            queue.put_nowait(Event(update.exchange, update.symbol, quote=update.market_data))

    async def failures() -> None:
        """Feeds retry on their own; their last error is what the table should show."""
        seen: dict[str, Any] = {}
        while True:
            source = manager.price_monitor.status()["source"]
            if source is not None and source["connected"] is False:  # a price source is down
                why = f"price source {source['url']} down: {source['last_error']}"
                for name in manager.get_available_exchanges():
                    for symbol in symbols:
                        queue.put_nowait(Event(name, symbol, error=why))
            for name, feed in manager.price_monitor.feed_status().items():
                stamp = (feed.get("last_error_at"), tuple(feed.get("unsupported_symbols", ())))
                if seen.get(name) == stamp:
                    continue
                seen[name] = stamp
                for symbol in feed.get("unsupported_symbols", ()):
                    queue.put_nowait(Event(name, symbol, error="market not listed here"))
                if feed.get("last_error") and feed.get("last_error_at") is not None:
                    for symbol in symbols:
                        queue.put_nowait(Event(name, symbol, error=str(feed["last_error"])))
            await asyncio.sleep(min(interval, 0.5))

    tasks = [asyncio.create_task(quotes()), asyncio.create_task(failures())]
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait([getter, tasks[0]], return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                yield getter.result()
                continue
            getter.cancel()
            tasks[0].result()  # the stream ended: raise what ended it, if anything
            return
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _watch(
    symbols: Sequence[str],
    exchanges: Sequence[str] | None,
    interval: float,
    count: int | None,
    duration: float | None,
    source: str | None = None,
) -> int:
    """Show events until Ctrl-C, ``count`` quotes or ``duration`` seconds; returns quotes seen."""
    import asyncio

    from powertrader_core.models import canonical_symbol

    wanted = [canonical_symbol(symbol) for symbol in symbols]
    as_json = options().json
    board = Board()
    async with make_manager(exchanges, price_source=source) as manager:
        names = manager.get_available_exchanges()
        expected = {(name, symbol) for name in names for symbol in wanted}
        with _display(board, as_json) as show:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(duration):
                    events = _stream(manager, wanted, interval)
                    try:
                        async for event in events:
                            board.add(event)
                            show(event)
                            if count is not None and board.quotes >= count:
                                break
                            if board.nothing_to_watch(expected):
                                break
                    finally:
                        await events.aclose()  # type: ignore[attr-defined]
    if board.nothing_to_watch(expected):
        raise board.why_nothing(wanted)
    return board.quotes


@contextlib.contextmanager
def _display(board: Board, as_json: bool) -> Any:
    """``show(event)``: a JSON line per event, or a redraw of the live table."""
    if as_json:
        yield lambda event: emit_json_line(event.as_json())
        return
    from rich.live import Live

    from powertrader_core.cli._output import console

    with Live(board.table(), console=console(), auto_refresh=False) as live:
        last = 0.0

        def show(event: Event) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.2:  # at most five redraws a second
                live.update(board.table(), refresh=True)
                last = now

        yield show
        live.update(board.table(), refresh=True)


def watch_command(
    symbols: Annotated[
        list[str],
        typer.Argument(metavar="SYMBOL", help="Markets as BASE-QUOTE, e.g. BTC-USD ETH-USD."),
    ],
    exchange: ExchangesOption = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between polls.")
    ] = 2.0,
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="Stop after this many quotes.")
    ] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0.0, help="Stop after this many seconds.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="URL",
            help="Read prices a `powertrader feed` publishes (redis://HOST:PORT/DB) instead of "
            "asking the exchanges.",
        ),
    ] = None,
) -> None:
    """Live prices of SYMBOL... across exchanges, in a table that updates until Ctrl-C."""
    seen = run(_watch(symbols, exchange, interval, count, duration, source))  # Ctrl-C: 130
    if seen == 0:
        raise typer.Exit(EXIT_FAILURE)
