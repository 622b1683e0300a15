"""The enumerations of the contract: exchanges, regions, sides, order types and states.

Kept apart from ``models.py`` (and free of pydantic) because the command line builds its option
choices from them: ``powertrader --help`` must not pay for the models' imports.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "PAPER",
    "ExchangeType",
    "OrderStatus",
    "OrderType",
    "Region",
    "Side",
    "TimeInForce",
]

#: The paper exchange's registered name: where orders go while live trading is off.
PAPER = "paper"


class ExchangeType(StrEnum):
    """The seed's eight exchanges. Plugins may register others under any name."""

    ROBINHOOD = "robinhood"
    KRAKEN = "kraken"
    BINANCE = "binance"
    COINBASE = "coinbase"
    KUCOIN = "kucoin"
    BITSTAMP = "bitstamp"
    BYBIT = "bybit"
    OKX = "okx"


class Region(StrEnum):
    """Where a user trades from; exchanges declare the regions they serve."""

    US = "us"
    EU = "eu"
    GLOBAL = "global"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(StrEnum):
    """Where an order stands. ``UNKNOWN`` is for an outcome not yet reconciled."""

    PENDING = "pending"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """True when the order can no longer change."""
        return self in _FINAL_STATUSES


_FINAL_STATUSES = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)
