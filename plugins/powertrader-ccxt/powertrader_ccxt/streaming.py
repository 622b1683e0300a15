"""Pushed tickers over ccxt.pro websockets: ``CcxtExchange.watch_market_data``.

The stream takes the exchange's :class:`~powertrader_ccxt.session.CcxtSession` (its REST
client, markets, symbol resolution and settings); it never sees the exchange itself.

ccxt ships its websocket classes (``ccxt.pro``, inside the ``ccxt`` package) as subclasses of
the REST ones. Each ``watch_market_data`` iteration gets a ccxt.pro client of its own:

- markets come from the session's REST client (``set_markets_from_exchange``): no request;
- ``watchTickers`` for all symbols at once where ccxt has it, else one ``watchTicker`` per
  symbol, merged into one stream;
- the client is closed when the iteration ends (``break``, an error, ``aclose()``), so a
  reconnect is a fresh connection with nothing left over from the dead one. Reconnecting,
  backoff and the stale-stream watchdog are the caller's job (``powertrader_core.streaming``);
  this iterator only streams one connection's life and raises when it ends.

Every failure comes out as one of our exceptions (the plugin's error table), for operation
``watch_market_data``. No API key is given to the websocket client: tickers are public.

Configuration (besides the REST keys in ``settings.py``):

==================== ========================================================================
``ws_url``           ``ws[s]://host[:port]`` replacing the scheme, host and port of every
                     websocket URL in ccxt's ``urls['api']`` (paths kept), as ``base_url``
                     does for REST (one rule for both, in ``urls.py``): a simulator, a
                     proxy, a test environment
==================== ========================================================================

Where an update carries no timestamp in ccxt's ticker but the exchange sent one (Kraken's v2
ticker has an RFC 3339 ``timestamp`` ccxt does not read), the exchange's own is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from typing import Any

from powertrader_ccxt.convert import market_data_from_ticker
from powertrader_ccxt.error_map import translate
from powertrader_ccxt.session import CcxtSession
from powertrader_ccxt.urls import parse_ws_url, rewrite_ws_urls
from powertrader_core.errors import (
    ConfigurationError,
    ExchangeConnectionError,
    ExchangeError,
    NotSupportedError,
)
from powertrader_core.models import MarketData

__all__ = ["parse_ws_url", "rewrite_ws_urls", "watch_market_data", "ws_url_from_config"]

log = logging.getLogger("powertrader_ccxt")

OPERATION = "watch_market_data"


# ---- configuration ------------------------------------------------------------------------


def ws_url_from_config(config: Mapping[str, Any], exchange: str) -> str | None:
    """The configured ``ws_url`` (checked), or None; ConfigurationError when malformed."""
    value = config.get("ws_url")
    if value is None or not str(value).strip():
        return None
    try:
        parse_ws_url(str(value))
    except ValueError as exc:
        raise ConfigurationError(str(exc), exchange=exchange, operation="configure") from None
    return str(value).strip().rstrip("/")


# ---- the ccxt.pro client --------------------------------------------------------------------


def has_pro_exchange(ccxt_id: str) -> bool:
    """Whether ccxt.pro has a class for ``ccxt_id`` (imports ccxt.pro: call when streaming)."""
    import ccxt.pro

    return isinstance(getattr(ccxt.pro, ccxt_id, None), type)


def build_pro_client(session: CcxtSession, ws_url: str | None) -> Any:
    """A ccxt.pro client sharing the REST client's markets and options, public only."""
    import ccxt.pro

    from powertrader_ccxt.client import deep_merge

    profile = session.profile
    klass = getattr(ccxt.pro, profile.ccxt_id, None)
    if not isinstance(klass, type):
        raise NotSupportedError(
            f"ccxt.pro has no websocket client for {profile.ccxt_id}",
            exchange=session.name,
            operation=OPERATION,
        )
    rest = session.client
    client = klass({"timeout": rest.timeout})
    client.options = deep_merge(client.options, {
        key: value for key, value in rest.options.items() if key != "ws"
    })
    if session.settings.sandbox:
        client.set_sandbox_mode(True)
    if ws_url is not None:
        client.urls["api"] = rewrite_ws_urls(client.urls["api"], ws_url)
        if ws_url.startswith("ws://"):
            client.timeout_on_exit = 0  # no TLS to shut down
    client.set_markets_from_exchange(rest)
    return client


async def close_client(client: Any, exchange: str) -> None:
    try:
        await client.close()
    except Exception as exc:  # noqa: BLE001 - closing must not fail the caller
        log.warning("%s: closing the websocket client failed: %s", exchange, type(exc).__name__)


# ---- streaming --------------------------------------------------------------------------------


def _with_exchange_timestamp(ticker: Mapping[str, Any], client: Any) -> Mapping[str, Any]:
    if ticker.get("timestamp") is not None:
        return ticker
    info = ticker.get("info")
    stamp = info.get("timestamp") if isinstance(info, Mapping) else None
    if isinstance(stamp, str):
        parsed = client.parse8601(stamp)
        if parsed is not None:
            return {**ticker, "timestamp": parsed}
    return ticker


async def _ticker_batches(
    client: Any, ccxt_symbols: list[str], name: str
) -> AsyncGenerator[list[Any], None]:
    """Lists of tickers as they arrive: ``watchTickers``, else merged ``watchTicker`` loops.

    ccxt resolves one waiting future per message; a ticker that arrived while the caller was
    busy is picked up from ``client.tickers`` (it keeps the latest per symbol), so a quote
    is coalesced, never lost.
    """
    has = client.has
    if has.get("watchTickers"):
        seen: dict[str, int] = {}
        while True:
            batch = await client.watch_tickers(ccxt_symbols)
            found = list((batch or {}).values())
            for ticker in found:
                seen[ticker.get("symbol")] = id(ticker)
            for symbol in ccxt_symbols:
                latest = client.tickers.get(symbol)
                if latest is not None and seen.get(symbol) != id(latest):
                    seen[symbol] = id(latest)
                    found.append(latest)
            yield found
    elif has.get("watchTicker"):
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def one(symbol: str) -> None:
            try:
                while True:
                    queue.put_nowait(await client.watch_ticker(symbol))
            except Exception as exc:  # noqa: BLE001 - handed to the reader, which raises it
                queue.put_nowait(exc)

        tasks = [asyncio.ensure_future(one(symbol)) for symbol in ccxt_symbols]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield [item]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    else:
        raise NotSupportedError(
            f"ccxt.pro has no ticker stream for {client.id}", exchange=name, operation=OPERATION
        )


async def watch_market_data(
    session: CcxtSession, symbols: Sequence[str], ws_url: str | None
) -> AsyncIterator[MarketData]:
    """Quotes for ``symbols`` as the exchange pushes them, over one websocket connection."""
    name = session.name
    await session.load_markets()
    targets: dict[str, list[tuple[str, str | None]]] = {}
    for symbol in symbols:
        canonical, ccxt_symbol, quoted, _market = session.resolve(symbol, OPERATION)
        targets.setdefault(ccxt_symbol, []).append((canonical, quoted))
    if not targets:
        return
    client = build_pro_client(session, ws_url)
    batches = _ticker_batches(client, list(targets), name)
    try:
        while True:
            try:
                batch = await anext(batches)
            except StopAsyncIteration:
                return
            except ExchangeError:
                raise
            except OSError as exc:  # the socket itself (ConnectionError, a reset): not ccxt's
                raise ExchangeConnectionError(
                    f"websocket connection lost: {type(exc).__name__}: {exc}",
                    exchange=name,
                    operation=OPERATION,
                ) from None
            except Exception as exc:
                raise translate(
                    exc,
                    exchange=name,
                    exchange_id=session.profile.ccxt_id,
                    operation=OPERATION,
                    secrets=session.settings.secrets,
                ) from exc
            for ticker in batch:
                for canonical, quoted in targets.get(ticker.get("symbol"), ()):
                    try:
                        data = market_data_from_ticker(
                            _with_exchange_timestamp(ticker, client),
                            symbol=canonical,
                            quoted_symbol=quoted,
                            exchange=name,
                            latency_ms=None,
                            source=f"{session.source}:ws",
                        )
                    except (ValueError, TypeError) as exc:
                        raise ExchangeConnectionError(
                            f"unusable ticker for {canonical}: {exc}",
                            exchange=name,
                            operation=OPERATION,
                            request_sent=True,
                        ) from None
                    yield data
    finally:
        with contextlib.suppress(Exception):
            await batches.aclose()
        await close_client(client, name)
