"""Careless input and odd answers get a message that says what is wrong (issue 14, item 15).

An amount of 1e20 on Kraken used to say ``under BTC/USD's precision:
[<class 'decimal.DivisionImpossible'>]``; an HTML page while markets load must say the
exchange answered HTML, not that it "lists no spot market".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from powertrader_ccxt import KrakenExchange

from powertrader_core import (
    ExchangeConnectionError,
    ExchangeFactory,
    InvalidOrderError,
    OrderRequest,
)
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator


@pytest.mark.parametrize("amount", ["1e20", "123456789012345678901234567890"])
async def test_a_huge_amount_says_it_is_too_large(
    kraken_sim: KrakenSimulator, tmp_path: Path, amount: str
) -> None:
    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)) as kraken:
        with pytest.raises(InvalidOrderError) as caught:
            await kraken.place_order(OrderRequest("BTC-USD", "buy", amount))
    message = str(caught.value)
    assert "is too large" in message and "BTC/USD" in message
    assert "DivisionImpossible" not in message and "<class" not in message
    assert kraken_sim.orders_placed == 0


@pytest.fixture
async def html_server() -> AsyncIterator[str]:
    """Every path answers a CDN's HTML challenge page with HTTP 200."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<!DOCTYPE html><html><body>Just a moment...</body></html>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "name", ["kraken", "binance", "coinbase", "kucoin", "bitstamp", "bybit", "okx"]
)
async def test_html_while_markets_load_says_html(
    html_server: str, tmp_path: Path, name: str
) -> None:
    exchange = ExchangeFactory.create_exchange(
        name, {"base_url": html_server, "markets_cache_dir": str(tmp_path), "rate_limit": False,
               "timeout": 2},
    )
    try:
        with pytest.raises(ExchangeConnectionError, match="HTML instead of JSON") as caught:
            await exchange.initialize()
    finally:
        await exchange.close()
    assert "no spot market" not in str(caught.value)
