"""Acme runs PowerTrader's conformance suite: one subclass, a few facts about the exchange."""

from __future__ import annotations

from powertrader_acme.exchange import AcmeExchange

from powertrader_core import AbstractExchange, OrderRequest
from powertrader_core.testing import ExchangeConformance, check_exchange_class


class TestAcmeConformance(ExchangeConformance):
    symbols = ("BTC-USD", "ETH-USD")
    too_small_amount = "0.00001"
    unsupported_order_type = "stop"

    async def make_exchange(self) -> AbstractExchange:
        return AcmeExchange({"api_key": "test-key"})

    def valid_order(self) -> OrderRequest:
        return OrderRequest(symbol="BTC-USD", side="buy", amount="0.01")


def test_class_passes_the_static_checks() -> None:
    check_exchange_class(AcmeExchange)
