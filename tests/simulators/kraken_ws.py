"""Kraken's public websocket (v2) ticker channel on 127.0.0.1, for the streaming tests (aiohttp).

It speaks the protocol ccxt.pro's ``kraken.watch_tickers`` speaks (``ccxt/pro/kraken.py``,
ccxt 4.5) and Kraken documents (docs.kraken.com, "Spot Websocket v2", ``ticker`` channel):

- path ``/v2`` (ccxt's ``urls['api']['ws']['publicV2']`` is ``wss://ws.kraken.com/v2``; the
  plugin's ``ws_url`` option swaps the origin and keeps the path);
- on connect, a ``{"channel": "status", "type": "update", "data": [{"system": "online", ...}]}``;
- ``{"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]},
  "req_id": 1}`` is acknowledged once per symbol (``{"method": "subscribe", "result":
  {"channel": "ticker", "symbol": "BTC/USD", "snapshot": true, ...}, "success": true,
  "time_in": ..., "time_out": ..., "req_id": 1}``), then a ``snapshot`` message per symbol;
  an unknown pair gets ``success: false`` with ``"Currency pair not supported"``;
- ticker messages: ``{"channel": "ticker", "type": "snapshot"|"update", "data": [{"symbol":
  "BTC/USD", "bid", "bid_qty", "ask", "ask_qty", "last", "volume", "vwap", "low", "high",
  "change", "change_pct", "timestamp"}]}``, numbers as JSON numbers, symbols in v2's spelling
  (``BTC/USD``, not v1's ``XBT/USD``), timestamp RFC 3339;
- ``{"channel": "heartbeat"}`` about once a second while subscribed;
- ``{"method": "ping", "req_id": n}`` answered with ``{"method": "pong", "req_id": n, ...}``.

Knobs: ``interval`` (seconds between update rounds, one update per subscribed symbol each
round), ``set_price(symbol, price)``, ``silent`` (send nothing more, connection kept open: a
feed that died without closing), ``kill()`` (abort every connection and stop listening: the
server is gone) and ``start()`` again (same port). Records: ``connections``, ``subscribes``
(the symbols of each subscribe request), ``sent`` (ticker messages sent).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["DEFAULT_PRICES", "KrakenWsSimulator"]

#: v2 symbol -> last price.
DEFAULT_PRICES: dict[str, Decimal] = {
    "BTC/USD": Decimal("65000.0"),
    "ETH/USD": Decimal("3000.00"),
    "SOL/USD": Decimal("150.00"),
    "BTC/EUR": Decimal("60000.0"),
    "BTC/USDT": Decimal("65010.0"),
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    request: web.Request
    symbols: list[str] = field(default_factory=list)


@dataclass
class KrakenWsSimulator:
    """See the module docstring."""

    interval: float = 0.05
    prices: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    silent: bool = False

    def __post_init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.subscribes: list[list[str]] = []
        self.sent = 0
        self._live: set[_Connection] = set()
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(10_000)

    # ---- life cycle ------------------------------------------------------------------------

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def open_connections(self) -> int:
        return len(self._live)

    async def start(self) -> KrakenWsSimulator:
        """Listen (again, on the same port after ``kill``)."""
        app = web.Application()
        app.router.add_get("/v2", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def kill(self) -> None:
        """The server dies: every connection is cut (no close frame) and nobody listens."""
        for connection in list(self._live):
            transport = connection.request.transport
            if transport is not None:
                transport.abort()
        await self.stop()

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> KrakenWsSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def set_price(self, symbol: str, price: Decimal | str | float) -> None:
        self.prices[symbol] = Decimal(str(price))

    # ---- serving ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = _Connection(ws, request)
        self._live.add(connection)
        self.connections += 1
        pump = asyncio.ensure_future(self._pump(connection))
        try:
            await self._send(connection, {
                "channel": "status",
                "type": "update",
                "data": [{
                    "api_version": "v2",
                    "connection_id": next(self._ids),
                    "system": "online",
                    "version": "2.0.10",
                }],
            })
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                await self._on_message(connection, json.loads(message.data))
        except (ConnectionError, RuntimeError):
            pass  # the client went away mid-send
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
            self._live.discard(connection)
        return ws

    async def _send(self, connection: _Connection, payload: dict[str, Any]) -> None:
        if not self.silent and not connection.ws.closed:
            await connection.ws.send_str(json.dumps(payload))

    async def _on_message(self, connection: _Connection, message: dict[str, Any]) -> None:
        method = message.get("method")
        req_id = message.get("req_id")
        time_in = _now()
        if method == "ping":
            await self._send(connection, {
                "method": "pong", "req_id": req_id, "time_in": time_in, "time_out": _now(),
            })
            return
        if method != "subscribe":
            await self._send(connection, {
                "error": f"Method not supported: {method}", "method": method, "success": False,
                "req_id": req_id, "time_in": time_in, "time_out": _now(),
            })
            return
        params = message.get("params") or {}
        symbols = list(params.get("symbol") or [])
        self.subscribes.append(symbols)
        if params.get("channel") != "ticker":
            await self._send(connection, {
                "error": "Subscription name invalid", "method": "subscribe", "success": False,
                "req_id": req_id, "time_in": time_in, "time_out": _now(),
            })
            return
        for symbol in symbols:
            if symbol not in self.prices:
                await self._send(connection, {
                    "error": f"Currency pair not supported {symbol}", "method": "subscribe",
                    "success": False, "symbol": symbol, "req_id": req_id,
                    "time_in": time_in, "time_out": _now(),
                })
                continue
            await self._send(connection, {
                "method": "subscribe",
                "result": {
                    "channel": "ticker", "event_trigger": "trades", "snapshot": True,
                    "symbol": symbol,
                },
                "success": True, "time_in": time_in, "time_out": _now(), "req_id": req_id,
            })
            if symbol not in connection.symbols:
                connection.symbols.append(symbol)
            if params.get("snapshot", True):
                await self._ticker(connection, symbol, "snapshot")

    async def _ticker(self, connection: _Connection, symbol: str, kind: str) -> None:
        price = self.prices[symbol]
        step = Decimal("0.1") if price >= 1000 else Decimal("0.01")
        data = {
            "symbol": symbol,
            "bid": float(price - step),
            "bid_qty": 1.25,
            "ask": float(price + step),
            "ask_qty": 0.75,
            "last": float(price),
            "volume": 1202.53717431,
            "vwap": float(price),
            "low": float(price * Decimal("0.97")),
            "high": float(price * Decimal("1.02")),
            "change": float(price * Decimal("0.01")),
            "change_pct": 1.0,
            "timestamp": _now(),
        }
        await self._send(connection, {"channel": "ticker", "type": kind, "data": [data]})
        if not self.silent:
            self.sent += 1

    async def _pump(self, connection: _Connection) -> None:
        """Updates for every subscribed symbol each ``interval``; a heartbeat each second."""
        loop = asyncio.get_running_loop()
        last_heartbeat = loop.time()
        while True:
            await asyncio.sleep(self.interval)
            for symbol in list(connection.symbols):
                await self._ticker(connection, symbol, "update")
            if connection.symbols and loop.time() - last_heartbeat >= 1.0:
                last_heartbeat = loop.time()
                await self._send(connection, {"channel": "heartbeat"})
