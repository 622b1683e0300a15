"""Fixtures for running ``examples/``: the Kraken simulators and a stand-in custom exchange."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.simulators.fixtures import kraken_sim, kraken_sim_factory  # noqa: F401


@pytest.fixture
async def custom_api() -> AsyncIterator[tuple[str, list[str]]]:
    """The made-up api.customexchange.com of the seed's template, on 127.0.0.1.

    ``/ping`` answers 200 and ``/ticker/{symbol}`` a quote in the fields the template reads
    (``price``, ``bid``, ``ask``, ``volume``); the symbols asked for are recorded.
    """
    seen: list[str] = []

    async def ping(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def ticker(request: web.Request) -> web.Response:
        seen.append(request.match_info["symbol"])
        return web.json_response(
            {"price": "64000.5", "bid": "64000", "ask": "64001", "volume": "12"}
        )

    app = web.Application()
    app.router.add_get("/ping", ping)
    app.router.add_get("/ticker/{symbol}", ticker)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()
