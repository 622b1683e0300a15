"""``powertrader feed SYMBOL... --to redis://...``: one price feed for many processes.

Runs the price monitor once (websockets where the exchanges have them, batched polling
elsewhere) and publishes every update, and every feed's connection event, to Redis Streams;
``powertrader watch --from redis://...``, ``MultiExchangeManager(price_source=...)`` and the
dashboard read them instead of opening feeds of their own. It runs until Ctrl-C (exit 130), or
for ``--duration`` seconds; it prints the publisher's figures once a second with ``--json``
(one JSON object a line) and at the end otherwise. Redis going away never stops it: it keeps
its feeds, buffers, retries, and says so once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from powertrader_core.cli._context import ExchangesOption, make_manager, options, run
from powertrader_core.cli._output import emit_json_line

__all__ = ["feed_command"]


async def _feed(
    symbols: Sequence[str],
    exchanges: Sequence[str] | None,
    url: str,
    stream: str,
    maxlen: int,
    interval: float,
    duration: float | None,
) -> dict[str, Any]:
    import asyncio
    import contextlib
    import dataclasses

    from powertrader_core.models import canonical_symbol
    from powertrader_core.streaming.redis_publisher import RedisPublisher

    wanted = [canonical_symbol(symbol) for symbol in symbols]
    as_json = options().json
    async with make_manager(exchanges) as manager:
        monitor = manager.price_monitor
        config = dataclasses.replace(monitor.config, poll_interval=interval)
        async with RedisPublisher(url, stream=stream, maxlen=maxlen) as publisher:
            publisher.attach(monitor)
            await manager.start_price_monitoring(wanted, exchanges, config=config)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(duration):
                    while True:
                        await asyncio.sleep(1.0)
                        if as_json:
                            emit_json_line(publisher.status())
            await manager.stop_price_monitoring()
            await publisher.flush()
            return publisher.status()


def feed_command(
    symbols: Annotated[
        list[str],
        typer.Argument(metavar="SYMBOL", help="Markets as BASE-QUOTE, e.g. BTC-USD ETH-USD."),
    ],
    to: Annotated[
        str, typer.Option("--to", metavar="URL", help="Where to publish: redis://HOST:PORT/DB.")
    ],
    exchange: ExchangesOption = None,
    stream: Annotated[
        str, typer.Option("--stream", help="The Redis Stream the prices go to.")
    ] = "powertrader:prices",
    maxlen: Annotated[
        int, typer.Option("--maxlen", min=1, help="Entries the stream keeps (approximately).")
    ] = 100_000,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between polls.")
    ] = 2.0,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0.0, help="Stop after this many seconds.")
    ] = None,
) -> None:
    """Publish live prices of SYMBOL... to Redis, for `watch --from` and other processes."""
    status = run(_feed(symbols, exchange, to, stream, maxlen, interval, duration))
    if options().json:
        emit_json_line(status)
    else:
        typer.echo(
            f"published {status['published']} updates to {status['url']} {status['stream']}"
            f" ({status['dropped']} dropped while Redis was away)",
            err=True,
        )
