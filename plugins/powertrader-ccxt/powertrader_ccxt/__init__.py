"""PowerTrader exchanges backed by ccxt.

Kraken, Binance, Coinbase, KuCoin, Bitstamp, Bybit, OKX, and any other ccxt exchange as
``ccxt:<id>``. One generic :class:`CcxtExchange`; the differences between exchanges are the
rows of :data:`PROFILES`. Importing this package does not import ccxt.
"""

from powertrader_ccxt.exchange import CcxtExchange
from powertrader_ccxt.exchanges import (
    BinanceExchange,
    BitstampExchange,
    BybitExchange,
    CoinbaseExchange,
    KrakenExchange,
    KuCoinExchange,
    KucoinExchange,
    OKXExchange,
    OkxExchange,
)
from powertrader_ccxt.limiter import RateLimiter, reset_shared_limiters, shared_limiter
from powertrader_ccxt.profiles import PROFILES, ClientIdFormat, ExchangeProfile, profile_for

__all__ = [
    "PROFILES",
    "BinanceExchange",
    "BitstampExchange",
    "BybitExchange",
    "CcxtExchange",
    "ClientIdFormat",
    "CoinbaseExchange",
    "ExchangeProfile",
    "KrakenExchange",
    "KuCoinExchange",
    "KucoinExchange",
    "OKXExchange",
    "OkxExchange",
    "RateLimiter",
    "profile_for",
    "reset_shared_limiters",
    "shared_limiter",
]
