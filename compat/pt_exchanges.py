"""The seed's ``pt_exchanges`` module: exchange classes by their seed names, and symbol_utils.

The classes come from whichever plugin provides the exchange (``KrakenExchange`` is the class
registered as ``kraken``), looked up on first access; a missing plugin raises a
``ConfigurationError`` that lists the installed exchanges.
"""

from typing import Any

from powertrader_core import ExchangeFactory, symbol_utils

_SEED_CLASS_NAMES = {
    "RobinhoodExchange": "robinhood",
    "KrakenExchange": "kraken",
    "BinanceExchange": "binance",
    "CoinbaseExchange": "coinbase",
    "KuCoinExchange": "kucoin",
    "KucoinExchange": "kucoin",
    "BitstampExchange": "bitstamp",
    "BybitExchange": "bybit",
    "OKXExchange": "okx",
    "OkxExchange": "okx",
}

__all__ = [*sorted(_SEED_CLASS_NAMES), "symbol_utils"]


def __getattr__(name: str) -> Any:
    exchange = _SEED_CLASS_NAMES.get(name)
    if exchange is None:
        raise AttributeError(f"module 'pt_exchanges' has no attribute {name!r}")
    return ExchangeFactory.get_exchange_class(exchange)
