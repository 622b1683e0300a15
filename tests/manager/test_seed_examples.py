"""The seed's MultiExchangeManager examples, run as written, offline.

Fake venues are registered as kraken, coinbase and binance (binance serves eu and global only,
as in the world, so in the default US region it is not available); the plugin registry is
emptied so that no installed plugin's exchange takes part. Credentials come from the
environment through the real ``ExchangeConfigManager``, as the seed says they may. The order
examples place orders, so live trading is switched on for them, as a user would have to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pt_exchange_abstraction import AbstractExchange

from powertrader_core import ExchangeConnectionError, NotSupportedError
from powertrader_core.plugins import registry as plugins
from tests.cassette_support import TEST_SECRETS
from tests.fakes import registered
from tests.manager.fakes import FakeVenue, venue


@pytest.fixture
def seed_world(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[dict[str, type[FakeVenue]]]:
    monkeypatch.setattr(plugins, "_registry", plugins.PluginRegistry())
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POWERTRADER_CREDENTIALS_DIR", raising=False)
    # Nothing here hangs: a generous timeout keeps a loaded machine from failing a venue.
    monkeypatch.setenv("POWERTRADER_EXCHANGE_TIMEOUT", "3")
    for name in ("KRAKEN", "COINBASE", "BINANCE"):
        monkeypatch.setenv(f"{name}_API_KEY", TEST_SECRETS["api_key"])
        monkeypatch.setenv(f"{name}_API_SECRET", TEST_SECRETS["api_secret"])
    venues = [
        venue("kraken", 100_020, spread=10, balances={"BTC": "0.25", "USD": 5000, "ETH": 0}),
        venue("coinbase", 100_000, spread=4, level_amount=2, balances={"USD": 8000}),
        venue("binance", 99_000, spread=2, regions=("eu", "global"), balances={"USDT": 9000}),
    ]
    with registered(*venues) as by_name:
        yield by_name


async def test_market_data_access(seed_world, capsys) -> None:
    from pt_multi_exchange import MultiExchangeManager

    async def get_crypto_prices() -> None:
        manager = MultiExchangeManager()

        # Single exchange
        btc_data = await manager.get_market_data("BTC-USD", "kraken")
        print(f"BTC: ${btc_data.price}")

        # Compare across exchanges
        eth_prices = await manager.compare_prices("ETH-USD")
        for exchange, data in eth_prices.items():
            print(f"{exchange}: ${data.price}")

        # Best price discovery
        best_btc = await manager.get_best_price("BTC-USD", "buy")
        print(f"Best buy price: ${best_btc.price} on {best_btc.exchange}")
        await manager.close()

    await get_crypto_prices()
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "BTC: $100020",
        "coinbase: $100000",
        "kraken: $100020",
        "Best buy price: $100000 on coinbase",
    ]
    assert seed_world["binance"].knobs.calls.total() == 0  # not in the US


async def test_order_placement(seed_world, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POWERTRADER_LIVE_TRADING", "1")
    from pt_exchange_abstraction import OrderRequest
    from pt_multi_exchange import MultiExchangeManager

    async def place_crypto_order() -> None:
        manager = MultiExchangeManager()

        # Create order request
        order = OrderRequest(symbol="BTC-USD", side="buy", amount=0.001, order_type="market")

        # Place on specific exchange
        result = await manager.place_order(order, exchange="kraken")
        print(f"Order {result.order_id}: {result.status}")

        # Place on best price exchange
        result = await manager.place_order(order)  # Auto-selects best exchange
        print(f"Executed at ${result.average_price} on best exchange")
        print(result.exchange)
        await manager.close()

    await place_crypto_order()
    out = capsys.readouterr().out.splitlines()
    assert out == ["Order kraken-1: filled", "Executed at $100002 on best exchange", "coinbase"]


async def test_balance_management(seed_world, capsys) -> None:
    from pt_multi_exchange import MultiExchangeManager

    async def check_balances() -> None:
        manager = MultiExchangeManager()

        # Get balances from all exchanges
        all_balances = await manager.get_balances()
        for exchange, balances in all_balances.items():
            print(f"\n{exchange.upper()} Balances:")
            for asset, amount in balances.items():
                if amount > 0:
                    print(f"  {asset}: {amount}")

        # Get specific exchange balance
        kraken_balances = await manager.get_balances("kraken")
        btc_balance = kraken_balances.get("kraken", {}).get("BTC", 0)
        print(f"Kraken BTC balance: {btc_balance}")
        await manager.close()

    await check_balances()
    out = capsys.readouterr().out
    assert out == (
        "\nCOINBASE Balances:\n  USD: 8000\n"
        "\nKRAKEN Balances:\n  BTC: 0.25\n  USD: 5000\n"
        "Kraken BTC balance: 0.25\n"
    )


def test_exchange_health_monitoring(seed_world, capsys) -> None:
    from pt_multi_exchange import MultiExchangeManager

    def monitor_exchanges() -> None:
        manager = MultiExchangeManager()

        # Get overall system status
        status = manager.get_system_status()
        print(f"System Status: {status['overall']}")
        print(f"Available Exchanges: {status['available_count']}/{status['total_count']}")

        # Detailed exchange status
        exchange_status = manager.get_exchange_status()
        for exchange, info in exchange_status.items():
            print(f"{exchange}: {info['status']} ({info['latency']}ms)")
            if info.get("last_error"):
                print(f"  Error: {info['last_error']}")

    # Run monitoring
    monitor_exchanges()
    assert capsys.readouterr().out.splitlines() == [
        "System Status: unknown",
        "Available Exchanges: 2/2",
        "coinbase: unknown (Nonems)",
        "kraken: unknown (Nonems)",
    ]


async def test_exchange_health_monitoring_after_use(seed_world, capsys) -> None:
    """The same monitoring code, once the manager has talked to the exchanges."""
    from pt_multi_exchange import MultiExchangeManager

    seed_world["kraken"].knobs.error = ExchangeConnectionError("maintenance", exchange="kraken")
    manager = MultiExchangeManager()
    await manager.compare_prices("BTC-USD")
    status = manager.get_system_status()
    print(f"System Status: {status['overall']}")
    for exchange, info in manager.get_exchange_status().items():
        print(f"{exchange}: {info['status']}")
        if info.get("last_error"):
            print(f"  Error: {info['last_error']}")
    await manager.close()
    assert capsys.readouterr().out.splitlines() == [
        "System Status: degraded",
        "coinbase: connected",
        "kraken: degraded",
        "  Error: kraken: maintenance",
    ]


async def test_retry_and_fallback(seed_world, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POWERTRADER_LIVE_TRADING", "1")
    from pt_exchange_abstraction import OrderRequest
    from pt_multi_exchange import MultiExchangeManager

    seed_world["kraken"].knobs.order_error = ExchangeConnectionError(
        "maintenance", exchange="kraken", operation="place_order", request_sent=False
    )

    async def robust_trading() -> Any:
        manager = MultiExchangeManager()

        # Automatic retry with exponential backoff
        async def place_order_with_retry(order_request: Any, max_retries: int = 3) -> Any:
            for attempt in range(max_retries):
                try:
                    result = await manager.place_order(order_request)
                    return result
                except Exception as e:
                    if attempt == max_retries - 1:
                        raise
                    wait_time = 2**attempt
                    print(f"Retry {attempt + 1} in {wait_time}s: {e}")
                    await asyncio.sleep(wait_time)

        # Exchange fallback
        async def place_order_with_fallback(order_request: Any) -> Any:
            exchanges = ["kraken", "coinbase", "binance"]
            for exchange in exchanges:
                try:
                    return await manager.place_order(order_request, exchange)
                except Exception as e:
                    print(f"Failed on {exchange}: {e}")
            raise Exception("All exchanges failed")

        # Usage
        order = OrderRequest(symbol="BTC-USD", side="buy", amount=0.001, order_type="market")
        first = await place_order_with_retry(order)
        result = await place_order_with_fallback(order)
        await manager.close()
        return first, result

    first, result = await robust_trading()
    assert first.exchange == "coinbase"
    assert result.exchange == "coinbase"
    out = capsys.readouterr().out.splitlines()
    assert out == ["Failed on kraken: kraken place_order: maintenance"]
    assert seed_world["kraken"].knobs.calls["place_order"] == 1


# ---- Using Custom Exchange: the seed's CustomExchange, its API served on 127.0.0.1 ----------


class CustomExchange(AbstractExchange):
    """The seed's template (quotes only: no balance, no close), pointed at a local server.

    Like the seed's, it implements no ``get_balance`` and no ``close``: only market data is
    abstract, and the default ``close`` closes the aiohttp session it keeps in ``session``.
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.config = config or {}
        self.session: aiohttp.ClientSession | None = None

    def get_supported_regions(self) -> list[str]:
        return ["us", "eu", "global"]

    async def initialize(self) -> bool:
        try:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            await self._test_connection()
            return True
        except Exception as e:
            print(f"Custom exchange init failed: {e}")
            return False

    async def get_market_data(self, symbol: str) -> Any:
        from pt_exchange_abstraction import MarketData

        assert self.session is not None
        normalized_symbol = self.normalize_symbol(symbol)
        async with self.session.get(f"{self.config['base_url']}/ticker/{normalized_symbol}") as r:
            data = await r.json()
            return MarketData(
                symbol=symbol,
                price=float(data["price"]),
                bid=float(data["bid"]),
                ask=float(data["ask"]),
                volume=float(data["volume"]),
                timestamp=datetime.now(),
                exchange="custom",
            )

    def normalize_symbol(self, symbol: str) -> str:
        return symbol.replace("-", "").upper()

    async def _test_connection(self) -> None:
        assert self.session is not None
        async with self.session.get(f"{self.config['base_url']}/ping") as response:
            if response.status != 200:
                raise Exception(f"Connection test failed: {response.status}")


@pytest.fixture
async def custom_api() -> Any:
    seen: list[str] = []

    async def ping(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def ticker(request: web.Request) -> web.Response:
        seen.append(request.match_info["symbol"])
        quote = {"price": "64000.5", "bid": "64000", "ask": "64001", "volume": "12"}
        return web.json_response(quote)

    app = web.Application()
    app.router.add_get("/ping", ping)
    app.router.add_get("/ticker/{symbol}", ticker)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_using_custom_exchange(seed_world, custom_api, capsys) -> None:
    base_url, seen = custom_api
    from pt_exchange_abstraction import ExchangeFactory
    from pt_multi_exchange import ExchangeConfigManager, MultiExchangeManager

    ExchangeFactory.register_exchange("custom", CustomExchange)
    try:
        # Configure custom exchange
        config_manager = ExchangeConfigManager()
        config_manager.save_exchange_config(
            "custom",
            {
                "api_key": "your_custom_api_key",
                "api_secret": "your_custom_api_secret",
                "base_url": base_url,
            },
        )

        # Use with multi-exchange manager
        manager = MultiExchangeManager(config_manager)
        data = await manager.get_market_data("BTC-USD", "custom")
        print(f"Custom exchange price: ${data.price}")
        exchange = await manager.get_exchange("custom")
        await manager.close()
    finally:
        ExchangeFactory.unregister_exchange("custom")
    assert capsys.readouterr().out == "Custom exchange price: $64000.5\n"
    assert seen == ["BTCUSD"]
    assert data.exchange == "custom"
    # What the template lacks is refused by name, and its session was closed with the manager.
    assert exchange.session is not None and exchange.session.closed
    with pytest.raises(NotSupportedError, match="custom get_balance"):
        await exchange.get_balance()
