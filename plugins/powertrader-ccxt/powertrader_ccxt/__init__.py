"""PowerTrader exchanges backed by ccxt.

Kraken, Binance, Coinbase, KuCoin, Bitstamp, Bybit, OKX, the regional entities Bybit EU,
MyOKX, OKX US and Binance.US, and any other ccxt exchange as ``ccxt:<id>``. One generic
:class:`CcxtExchange`; the differences between exchanges are the rows of :data:`PROFILES`.
Importing this package does not import ccxt.

Reading order: ``profiles.py`` (one row per exchange, with sources; its documented request
budget in ``budgets.py``, enforced by the core's limiter through ``metering.py``),
``session.py`` (the ccxt client, markets and calls: :class:`CcxtSession`),
``generic_exchange.py`` (the contract over a session: :class:`CcxtExchange`),
``named_exchanges.py`` (the seed's classes and ``ccxt:<id>``), then ``streaming.py``
(websocket quotes over the same session).
"""

from powertrader_ccxt.generic_exchange import CcxtExchange
from powertrader_ccxt.named_exchanges import (
    BinanceExchange,
    BinanceUSExchange,
    BitstampExchange,
    BybitEUExchange,
    BybitExchange,
    CoinbaseExchange,
    KrakenExchange,
    KuCoinExchange,
    KucoinExchange,
    MyOKXExchange,
    OKXExchange,
    OkxExchange,
    OKXUSExchange,
)
from powertrader_ccxt.profiles import PROFILES, ClientIdFormat, ExchangeProfile, profile_for
from powertrader_ccxt.session import CcxtSession

__all__ = [
    "PROFILES",
    "BinanceExchange",
    "BinanceUSExchange",
    "BitstampExchange",
    "BybitEUExchange",
    "BybitExchange",
    "CcxtExchange",
    "CcxtSession",
    "ClientIdFormat",
    "CoinbaseExchange",
    "ExchangeProfile",
    "KrakenExchange",
    "KuCoinExchange",
    "KucoinExchange",
    "MyOKXExchange",
    "OKXExchange",
    "OKXUSExchange",
    "OkxExchange",
    "profile_for",
]
