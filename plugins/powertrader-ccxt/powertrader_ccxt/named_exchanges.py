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
    "NAMED_CLASSES",
    "SEED_CLASSES",
    "BinanceExchange",
    "BinanceUSExchange",
    "BitstampExchange",
    "BybitEUExchange",
    "BybitExchange",
    "CoinbaseExchange",
    "KrakenExchange",
    "KuCoinExchange",
    "KucoinExchange",
    "MyOKXExchange",
    "OKXExchange",
    "OKXUSExchange",
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


class BybitEUExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["bybiteu"]


class MyOKXExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["myokx"]


class OKXUSExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["okxus"]


class BinanceUSExchange(CcxtExchange):
    profile: ClassVar[ExchangeProfile] = PROFILES["binanceus"]


#: The seed's spellings.
KucoinExchange = KuCoinExchange
OkxExchange = OKXExchange

#: The seed's seven exchanges, in its order.
SEED_CLASSES: tuple[type[CcxtExchange], ...] = (
    KrakenExchange,
    BinanceExchange,
    CoinbaseExchange,
    KuCoinExchange,
    BitstampExchange,
    BybitExchange,
    OKXExchange,
)

#: One class per profile row, in the table's order: the seed's, then the regional entities.
NAMED_CLASSES: tuple[type[CcxtExchange], ...] = (
    *SEED_CLASSES,
    BybitEUExchange,
    MyOKXExchange,
    OKXUSExchange,
    BinanceUSExchange,
)

_dynamic: dict[str, type[CcxtExchange]] = {}


def class_for_ccxt_id(ccxt_id: str) -> type[CcxtExchange]:
    """The class for ``ccxt:<id>``: the named class when the id has a row, else a generic one
    (with the rules of its family in ccxt, if any: ``profiles.generic_profile``).

    Built once per id and kept, so ``ccxt:gemini`` is the same class on every lookup.
    """
    key = exchange_key(ccxt_id)
    for cls in NAMED_CLASSES:
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
