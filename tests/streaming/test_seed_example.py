"""The seed's "Real-time Price Streaming" example, run as written, bounded and offline.

The exchanges are the paper exchange (polled: it has no stream) and a streaming venue; the
example's ``while True`` runs until it has printed what the test looks for (or a generous
deadline), then is cancelled and the manager it built is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.plugins import registry as plugins
from tests.fakes import registered
from tests.streaming.fakes import TickingVenue

pytest.importorskip("powertrader_paper")


class _Kraken(TickingVenue):
    name = "kraken"


async def test_real_time_price_streaming(monkeypatch, capsys) -> None:
    monkeypatch.setenv("POWERTRADER_EXCHANGES", "paper,kraken")
    monkeypatch.setenv("POWERTRADER_EXCHANGE_TIMEOUT", "5")
    managers: list[MultiExchangeManager] = []
    original = MultiExchangeManager.__init__

    def recording(self: MultiExchangeManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        managers.append(self)

    monkeypatch.setattr(MultiExchangeManager, "__init__", recording)
    assert "paper" in plugins.get_registry().exchanges  # the real paper exchange, polled

    # ---- the seed's example, as written ------------------------------------------------------
    from pt_multi_exchange import MultiExchangeManager as SeedManager

    async def price_stream():
        manager = SeedManager()

        def on_price_update(exchange, symbol, price_data):
            print(f"[{exchange}] {symbol}: ${price_data.price}")

        def on_connection_change(exchange, connected):
            status = "Connected" if connected else "Disconnected"
            print(f"[{exchange}] {status}")

        # Subscribe to events
        manager.subscribe_to_price_updates(on_price_update)
        manager.subscribe_to_connection_events(on_connection_change)

        # Start monitoring
        await manager.start_price_monitoring(["BTC-USD", "ETH-USD"])

        # Keep running
        while True:  # noqa: ASYNC110 - the seed's words
            await asyncio.sleep(1)

    # ---- bounded: asyncio.run(price_stream()) would run forever ------------------------------
    # It runs until both exchanges said Connected and printed both symbols (polled for, with
    # a generous deadline: a fixed second was too short on a loaded machine), then is stopped.
    printed: list[str] = []

    def complete() -> bool:
        return {"[paper] Connected", "[kraken] Connected"} <= set(printed) and all(
            any(line.startswith(f"[{exchange}] {symbol}: $") for line in printed)
            for exchange in ("paper", "kraken")
            for symbol in ("BTC-USD", "ETH-USD")
        )

    with registered(_Kraken):  # type: ignore[arg-type]
        stream = asyncio.create_task(price_stream())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not complete():
            assert not stream.done(), stream  # the example's loop never ends by itself
            assert loop.time() < deadline, printed
            await asyncio.sleep(0.05)
            printed += capsys.readouterr().out.splitlines()
        stream.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stream
        (manager,) = managers
        status = manager.get_exchange_status()
        await manager.close()

    lines = printed + capsys.readouterr().out.splitlines()
    assert "[paper] Connected" in lines and "[kraken] Connected" in lines
    for exchange in ("paper", "kraken"):
        for symbol in ("BTC-USD", "ETH-USD"):
            assert any(line.startswith(f"[{exchange}] {symbol}: $") for line in lines)
    assert status["paper"]["price_feed"]["mode"] == "polling"
    assert status["kraken"]["price_feed"]["mode"] == "websocket"
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("powertrader")]
