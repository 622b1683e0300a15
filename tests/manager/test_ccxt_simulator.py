"""Through the real ccxt plugin: three Kraken simulators on 127.0.0.1, two as second accounts.

``kraken_b`` and ``kraken_c`` are the plugin's Kraken class registered under second names
with their own configurations: separate instances reporting their registered names. One
simulator hangs on its ticker: the comparison still returns, within the timeout and a margin,
with the others' prices, and the status names the hanging one.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("powertrader_ccxt")

from powertrader_core import ExchangeFactory
from powertrader_core.manager.facade import MultiExchangeManager
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, settings
from tests.simulators.fixtures import kraken_config
from tests.timing import wall_budget

NAMES = ["kraken", "kraken_b", "kraken_c"]
TIMEOUT = 1.0


@pytest.fixture
async def three_krakens(kraken_sim_factory: Any, tmp_path: Any) -> AsyncIterator[dict[str, Any]]:
    sims = {name: await kraken_sim_factory() for name in NAMES}
    cls = ExchangeFactory.get_exchange_class("kraken")
    configs = {
        # Own key per account (the plugin's rate limiter is per key); a fast limiter for tests.
        name: kraken_config(sim, tmp_path / name, api_key=f"key-{name}", rate_limit_ms=5)
        for name, sim in sims.items()
    }
    with registered(**dict.fromkeys(NAMES[1:], cls)):
        yield {"sims": sims, "configs": configs}


async def test_compare_across_simulators_with_one_hanging(three_krakens: dict[str, Any]) -> None:
    sims = three_krakens["sims"]
    sims["kraken"].set_price("XBTUSD", "64000")
    sims["kraken_b"].set_price("XBTUSD", "63000")
    sims["kraken_c"].fail("hang", path="Ticker", times=None)
    manager = MultiExchangeManager(
        DictConfig(three_krakens["configs"]),
        settings(exchange_timeout=TIMEOUT),
        NAMES,
        retry=FAST_RETRY,
    )
    async with manager:
        for name in NAMES:  # load markets first: what is timed is the comparison alone
            await manager.get_exchange(name)
        start = time.perf_counter()
        quotes = await manager.compare_prices("BTC-USD")
        elapsed = time.perf_counter() - start
        best = await manager.get_best_price("BTC-USD", "buy")
        status = manager.get_exchange_status()
    assert elapsed < TIMEOUT + wall_budget(0.5)  # the hanging one's timeout, and our own work
    assert set(quotes) == {"kraken", "kraken_b"}
    assert quotes["kraken_b"].exchange == "kraken_b" and quotes["kraken"].exchange == "kraken"
    assert quotes["kraken_b"].price < quotes["kraken"].price
    assert best.exchange == "kraken_b" and best.ask > Decimal(0)
    assert status["kraken_c"]["status"] == "degraded"
    assert "kraken_c get_market_data: no answer within 1 s" in status["kraken_c"]["last_error"]
    assert status["kraken"]["status"] == "connected"
    assert sims["kraken_b"].count("public/Ticker") >= 2
