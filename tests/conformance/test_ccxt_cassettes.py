"""The conformance kit on every ccxt exchange we ship, replayed from its cassettes.

One class per profile row (the seed's seven and the regional entities); set-up and replay
rules in ``ccxt_cassettes.py``. What each exchange does differently (its keys, the markets
its recordings quote, the order they answer) is here; what no recording answers is skipped
with the reason. Kraken also runs the kit against the simulator (``test_ccxt_kraken.py``),
where faults can be injected.
"""

from __future__ import annotations

from typing import ClassVar

from powertrader_core.models import OrderRequest
from tests.cassette_support import TEST_SECRETS
from tests.ccxt.cassette_exchange import coinbase_cdp_keys
from tests.conformance.ccxt_cassettes import CcxtCassetteConformance

#: Checks whose answers no recording holds yet, with the reason shown when skipped.
NO_RECORDING = {
    "unknown_order_lookup": "no 'order not found' answer recorded for this exchange",
    "unknown_order_cancel": "no 'order not found' answer recorded for this exchange",
}


class TestKrakenCassettes(CcxtCassetteConformance):
    name = "kraken"
    symbols = ("BTC-USD",)
    too_small_amount = "0.00005"  # ordermin 0.0001 (AssetPairs)
    # a txid in Kraken's format (6-5-6 letters and digits) that no order has: a malformed
    # one is "EOrder:Invalid order", which is invalid, not missing
    missing_order_id = "OABCDE-FGHIJ-KLMNOP"

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USD", side="buy", amount="2.1234", order_type="limit", price="25000.1",
            client_order_id="pt-limit-1",
        )


class TestBinanceCassettes(CcxtCassetteConformance):
    name = "binance"
    symbols = ("BTC-USD",)  # quoted on BTCUSDT
    too_small_amount = "0.000005"  # LOT_SIZE minQty 0.00001
    # Binance's order ids are numbers: "pt-..." is -1100 ILLEGAL_CHARS (invalid, not missing)
    missing_order_id = "9876543210"
    skip_checks: ClassVar = {
        "market_data_batch": "no ticker/24hr answer for a list of symbols recorded",
    }

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USD", side="buy", amount="0.00085", order_type="limit", price="13500",
            client_order_id="x-TKT5PX2F22ecb58eb9074fb1be018c",
        )


class TestCoinbaseCassettes(CcxtCassetteConformance):
    name = "coinbase"
    credentials = coinbase_cdp_keys()
    symbols = ("BTC-USDC",)
    # under base_increment 0.00000001: refused before any request (a market order's value
    # check above that would need a price, from a ticker request)
    too_small_amount = "0.000000001"
    skip_checks: ClassVar = {
        **NO_RECORDING,
        "market_data_batch": "no best_bid_ask answer recorded",
        "order_book": "the recorded book is BTC-USDT, the recorded ticker BTC-USDC",
        "estimate_fill": "the recorded book is BTC-USDT, the recorded ticker BTC-USDC",
        "order_result": "the recorded order is on BTC-USD, the recorded ticker BTC-USDC",
    }


class TestKuCoinCassettes(CcxtCassetteConformance):
    name = "kucoin"
    credentials = TEST_SECRETS
    symbols = ("BTC-USD",)  # quoted on BTC-USDT
    too_small_amount = "0.000001"  # baseMinSize 0.00001
    skip_checks: ClassVar = {
        **NO_RECORDING,  # the batch is allTickers, recorded with the markets (fees come from it)
        "estimate_fill": "asks 100 levels (level2_100); the recorded book is level2_20",
    }

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USDT", side="buy", order_type="limit", amount="0.0001", price="60000",
            client_order_id="0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f",
        )


class TestBitstampCassettes(CcxtCassetteConformance):
    name = "bitstamp"
    symbols = ("BTC-USD",)
    # under the amount precision (8 decimals): refused before any request (a market order's
    # value check above that would need a price, from a ticker request)
    too_small_amount = "0.000000001"
    skip_checks: ClassVar = {
        **NO_RECORDING,
        "market_data_batch": "no ticker list recorded",
    }

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USD", side="buy", amount="0.001", order_type="limit", price="25000",
            client_order_id="2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809",
        )


class TestBybitCassettes(CcxtCassetteConformance):
    name = "bybit"
    symbols = ("BTC-USD",)  # quoted on BTCUSDT
    too_small_amount = "0.0000001"
    skip_checks: ClassVar = {"market_data_batch": "no tickers list recorded"}

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USDT", side="buy", order_type="limit", amount="0.001", price="19000",
            client_order_id="0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f",
        )


class TestOKXCassettes(CcxtCassetteConformance):
    name = "okx"
    credentials = TEST_SECRETS
    symbols = ("BTC-USD",)  # quoted on BTC-USDT
    too_small_amount = "0.000001"  # minSz 0.00001
    skip_checks: ClassVar = {
        **NO_RECORDING,
        "market_data_batch": "no tickers list recorded",
    }

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            symbol="BTC-USDT", side="buy", order_type="limit", amount="0.0001", price="60000",
            client_order_id="0d9e8f7a-6b5c-4d3e-a2f1-0a1b2c3d4e5f",
        )


# ---- the regional entities: markets and ticker recorded on their own hosts ----------------

#: What the entities' folders do not hold yet (their README says what they hold).
ENTITY_UNRECORDED = {
    **NO_RECORDING,
    "open_orders": "no open-orders answer recorded for this entity",
    "market_data_batch": "no tickers list recorded for this entity",
    "order_book": "no order book recorded for this entity",
    "estimate_fill": "no order book recorded for this entity",
    "balance": "no balance recorded for this entity",
}


class TestBybitEUCassettes(CcxtCassetteConformance):
    name = "bybiteu"
    symbols = ("BTC-USD",)  # quoted on BTCUSDT
    too_small_amount = "0.0000001"
    skip_checks: ClassVar = ENTITY_UNRECORDED


class TestMyOKXCassettes(CcxtCassetteConformance):
    name = "myokx"
    credentials = TEST_SECRETS
    symbols = ("BTC-USD",)  # quoted on BTC-USDT
    too_small_amount = "0.000001"  # minSz 0.00001
    skip_checks: ClassVar = ENTITY_UNRECORDED


class TestOKXUSCassettes(CcxtCassetteConformance):
    name = "okxus"
    credentials = TEST_SECRETS
    symbols = ("BTC-USDT",)  # USD and USDT pairs there: the recorded market, by its own name
    too_small_amount = "0.000001"  # minSz 0.00001
    skip_checks: ClassVar = ENTITY_UNRECORDED


class TestBinanceUSCassettes(CcxtCassetteConformance):
    name = "binanceus"
    symbols = ("BTC-USDT",)  # BTCUSD and BTCUSDT there: the recorded market, by its own name
    too_small_amount = "0.000001"  # LOT_SIZE stepSize 0.00001: rounds to zero
    skip_checks: ClassVar = ENTITY_UNRECORDED
