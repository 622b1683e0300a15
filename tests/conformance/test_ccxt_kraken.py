"""The suite on the ccxt plugin's Kraken, talking to the Kraken simulator on 127.0.0.1.

The ccxt plugin points ccxt at the simulator through its ``base_url`` option; requests are
counted by the simulator itself (``requests_sent`` reads its log), which also proves the
suite's hook works for a plugin whose transport it does not watch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from powertrader_ccxt import KrakenExchange

from powertrader_core import AbstractExchange, OrderRequest
from powertrader_core.testing import ExchangeConformance
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator


class TestKrakenConformance(ExchangeConformance):
    symbols = ("BTC-USD", "ETH-USD", "SOL-USD")
    unknown_symbol = "NOPE-USD"
    too_small_amount = "0.00001"  # the simulator's XBT/USD minimum is 0.00005
    unsupported_order_type = None  # market, limit, stop and stop limit all exist
    fill_amount = "0.1"

    @pytest.fixture(autouse=True)
    def _simulator(self, kraken_sim: KrakenSimulator, tmp_path: Path) -> None:
        self.sim = kraken_sim
        self.cache_dir = tmp_path

    async def make_exchange(self) -> AbstractExchange:
        return KrakenExchange(kraken_config(self.sim, self.cache_dir, rate_limit=False))

    def requests_sent(self) -> int:
        return len(self.sim.requests)

    async def break_server(self) -> bool:
        self.sim.fail("status", times=None, status=503)  # maintenance, until the test ends
        return True

    def valid_order(self) -> OrderRequest:
        return OrderRequest("BTC-USD", "buy", "0.01")
