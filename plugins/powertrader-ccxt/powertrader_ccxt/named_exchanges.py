"""The seed's exchange classes: each names its row of the profile table, nothing more.

``from pt_exchanges import KrakenExchange`` finds these through the factory (they are what this
plugin registers as ``kraken``, ``binance``, ...). Behaviour lives in ``CcxtExchange``
(``generic_exchange.py``); the differences between exchanges live in ``profiles.PROFILES``.
"""

from __future__ import annotations

from typing import ClassVar

from powertrader_ccxt.generic_exchange import CcxtExchange
from powertrader_ccxt.profiles import PROFILES, ExchangeProfile, generic_profile
from powertrader_core.kit import exchange_key

__all__ = [
    "SEED_CLASSES",
    "BinanceExchange",
    "BitstampExchange",
    "BybitExchange",
    "CoinbaseExchange",
    "KrakenExchange",
    "KuCoinExchange",
    "KucoinExchange",
    "OKXExchange",
    "OkxExchange",
    "class_for_ccxt_id",
]


class KrakenExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["kraken"]


class BinanceExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["binance"]


class CoinbaseExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["coinbase"]


class KuCoinExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["kucoin"]


class BitstampExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["bitstamp"]


class BybitExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["bybit"]


class OKXExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["okx"]


#: The seed's spellings.
KucoinExchange = KuCoinExchange
OkxExchange = OKXExchange

#: One class per profile row, in the table's order.
SEED_CLASSES: tuple[type[CcxtExchange], ...] = (
    KrakenExchange,
    BinanceExchange,
    CoinbaseExchange,
    KuCoinExchange,
    BitstampExchange,
    BybitExchange,
    OKXExchange,
)

_dynamic: dict[str, type[CcxtExchange]] = {}


def class_for_ccxt_id(ccxt_id: str) -> type[CcxtExchange]:
    """The class for ``ccxt:<id>``: the seed class when the id has a row, else a generic one.

    Built once per id and kept, so ``ccxt:gemini`` is the same class on every lookup.
    """
    key = exchange_key(ccxt_id)
    for cls in SEED_CLASSES:
        if cls.profile.ccxt_id == key:
            return cls
    known = _dynamic.get(key)
    if known is not None:
        return known
    profile = generic_profile(key)
    made: type[CcxtExchange] = type(
        f"Ccxt_{key}_Exchange",
        (CcxtExchange,),
        {"profile": profile, "name": profile.name, "__module__": __name__},
    )
    _dynamic[key] = made
    return made
