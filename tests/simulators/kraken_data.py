"""Kraken's REST response shapes for the simulator: assets, pairs, tickers, books, orders.

Field names and value formats follow Kraken's REST API documentation (docs.kraken.com,
"Get Asset Info", "Get Tradable Asset Pairs", "Get Ticker Information", "Get Order Book",
"Query Orders Info") and the recorded answers in ccxt's repository
(``ts/src/test/static/response/kraken.json``): numbers as strings, legacy X/Z asset codes
(``XXBT``, ``ZUSD``) for the old assets, pair keys such as ``XXBTZUSD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Asset", "Pair", "default_assets", "default_pairs", "synthetic_pairs"]

_TAKER = [[0, 0.4], [10000, 0.35], [50000, 0.24], [100000, 0.22], [250000, 0.2]]
_MAKER = [[0, 0.25], [10000, 0.2], [50000, 0.14], [100000, 0.12], [250000, 0.1]]


@dataclass
class Asset:
    code: str  # Kraken's id: XXBT, ZUSD, SOL
    altname: str  # XBT, USD, SOL
    decimals: int = 10
    display_decimals: int = 5

    def as_kraken(self) -> dict[str, Any]:
        return {
            "aclass": "currency",
            "altname": self.altname,
            "decimals": self.decimals,
            "display_decimals": self.display_decimals,
            "status": "enabled",
        }


@dataclass
class Pair:
    key: str  # response key: XXBTZUSD
    altname: str  # XBTUSD
    wsname: str  # XBT/USD
    base: str  # XXBT
    quote: str  # ZUSD
    price: Decimal
    pair_decimals: int = 1
    lot_decimals: int = 8
    ordermin: str = "0.00005"
    costmin: str = "0.5"
    spread: Decimal = Decimal("1.0")

    def as_kraken(self) -> dict[str, Any]:
        return {
            "altname": self.altname,
            "wsname": self.wsname,
            "aclass_base": "currency",
            "base": self.base,
            "aclass_quote": "currency",
            "quote": self.quote,
            "lot": "unit",
            "cost_decimals": 5,
            "pair_decimals": self.pair_decimals,
            "lot_decimals": self.lot_decimals,
            "lot_multiplier": 1,
            "leverage_buy": [],
            "leverage_sell": [],
            "fees": _TAKER,
            "fees_maker": _MAKER,
            "fee_volume_currency": "ZUSD",
            "margin_call": 80,
            "margin_stop": 40,
            "ordermin": self.ordermin,
            "costmin": self.costmin,
            "tick_size": str(Decimal(1).scaleb(-self.pair_decimals)),
            "status": "online",
        }

    @property
    def bid(self) -> Decimal:
        return self.price - self.spread / 2

    @property
    def ask(self) -> Decimal:
        return self.price + self.spread / 2

    def _fmt(self, value: Decimal) -> str:
        return f"{value:.{self.pair_decimals}f}"

    def ticker(self) -> dict[str, Any]:
        price, bid, ask = self._fmt(self.price), self._fmt(self.bid), self._fmt(self.ask)
        low, high = self._fmt(self.price * Decimal("0.97")), self._fmt(self.price * Decimal("1.02"))
        return {
            "a": [ask, "1", "1.000"],
            "b": [bid, "2", "2.000"],
            "c": [price, "0.00100000"],
            "v": ["1202.53717431", "2398.87331672"],
            "p": [price, price],
            "t": [20715, 41298],
            "l": [low, low],
            "h": [high, high],
            "o": self._fmt(self.price * Decimal("0.99")),
        }

    def depth(self, count: int, timestamp: int) -> dict[str, Any]:
        step = Decimal(1).scaleb(-self.pair_decimals) * 10
        asks = [
            [self._fmt(self.ask + step * i), f"{Decimal('0.5') + Decimal(i) / 10:.3f}", timestamp]
            for i in range(count)
        ]
        bids = [
            [self._fmt(self.bid - step * i), f"{Decimal('0.5') + Decimal(i) / 10:.3f}", timestamp]
            for i in range(count)
        ]
        return {"asks": asks, "bids": bids}


def default_assets() -> dict[str, Asset]:
    assets = [
        Asset("XXBT", "XBT", 10, 5),
        Asset("XETH", "ETH", 10, 5),
        Asset("ZUSD", "USD", 4, 2),
        Asset("ZEUR", "EUR", 4, 2),
        Asset("USDT", "USDT", 8, 4),
        Asset("SOL", "SOL", 10, 5),
    ]
    return {a.code: a for a in assets}


def default_pairs() -> dict[str, Pair]:
    pairs = [
        Pair(
            "XXBTZUSD", "XBTUSD", "XBT/USD", "XXBT", "ZUSD", Decimal("65000.0"),
            spread=Decimal("1.0"),
        ),
        Pair("XXBTZEUR", "XBTEUR", "XBT/EUR", "XXBT", "ZEUR", Decimal("60000.0")),
        Pair("XBTUSDT", "XBTUSDT", "XBT/USDT", "XXBT", "USDT", Decimal("65010.0")),
        Pair(
            "XETHZUSD", "ETHUSD", "ETH/USD", "XETH", "ZUSD", Decimal("3000.00"),
            pair_decimals=2, ordermin="0.002", costmin="0.5", spread=Decimal("0.02"),
        ),
        Pair(
            "SOLUSD", "SOLUSD", "SOL/USD", "SOL", "ZUSD", Decimal("150.00"),
            pair_decimals=2, ordermin="0.02", costmin="0.5", spread=Decimal("0.02"),
        ),
    ]
    return {p.key: p for p in pairs}


def synthetic_pairs(count: int) -> tuple[dict[str, Asset], dict[str, Pair]]:
    """``count`` extra pairs ``SYN0000/USD``...: a market list as large as a real exchange's."""
    assets: dict[str, Asset] = {}
    pairs: dict[str, Pair] = {}
    for i in range(count):
        code = f"SYN{i:04d}"
        assets[code] = Asset(code, code, 8, 4)
        pairs[f"{code}USD"] = Pair(
            f"{code}USD", f"{code}USD", f"{code}/USD", code, "ZUSD",
            Decimal(1 + i % 97) + Decimal("0.1234"),
            pair_decimals=4, lot_decimals=8, ordermin="1", costmin="0.5",
            spread=Decimal("0.0002"),
        )
    return assets, pairs
