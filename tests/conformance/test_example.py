"""The suite on the example plugin of docs/plugins.md (tests/plugin_kit/acme_plugin)."""

from __future__ import annotations

from powertrader_core import AbstractExchange, OrderRequest
from powertrader_core.testing import ExchangeConformance
from tests.plugin_kit.acme_plugin.powertrader_acme.exchange import AcmeExchange


class TestAcmeConformance(ExchangeConformance):
    symbols = ("BTC-USD", "ETH-USD")
    too_small_amount = "0.00001"
    unsupported_order_type = "stop"

    async def make_exchange(self) -> AbstractExchange:
        return AcmeExchange({"api_key": "test-key"})

    def valid_order(self) -> OrderRequest:
        return OrderRequest(symbol="BTC-USD", side="buy", amount="0.01")
