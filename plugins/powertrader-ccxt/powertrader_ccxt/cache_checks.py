"""What a markets cache file must hold before any of it is used.

The cache chooses which market an order trades (its ``id`` is what is sent), its precision and
its limits, so whoever can write the file could make a BTC-USD order execute as ETH/USD. The
file's owner and mode are checked before it is read (``kit.untrusted_reason``); what is read is
checked here:

- the shape: an object of markets keyed by their symbol, each a spot market whose ``id``,
  ``base`` and ``quote`` are text, whose symbol is ``BASE/QUOTE``, whose precision and limits
  are finite numbers;
- each market's ``id`` maps back to its symbol: no two markets share an id, so an answer from
  the exchange naming an id is read as the market the order was for;
- an index of markets kept for ccxt (Kraken's ``marketsByAltname``) is used only when each of
  its names is a name of the market it points to; nothing else the file holds becomes a ccxt
  option.

Any problem makes the whole file unusable: the markets are fetched again and the file is
rewritten, so one damaged market heals at the next start instead of failing until expiry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["SYMBOL_INDEX", "checked_helpers", "markets_problem"]

#: How ``compact_helpers`` marks an index of markets stored as an index of symbols.
SYMBOL_INDEX = "__symbols__"


def _number_problem(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{where} is not a number"
    if not math.isfinite(value) or value < 0:
        return f"{where} is not a finite number >= 0"
    return None


def _market_problem(symbol: str, market: Any) -> str | None:
    if not isinstance(market, dict):
        return f"market {symbol!r} is not an object"
    if market.get("symbol") != symbol:
        return f"market {symbol!r} names another symbol"
    texts = [market.get(name) for name in ("id", "base", "quote")]
    if not all(isinstance(text, str) and text for text in texts):
        return f"market {symbol!r} lacks its id, base or quote"
    if symbol != f"{market['base']}/{market['quote']}":
        return f"market {symbol!r} is not {market['base']}/{market['quote']}"
    if market.get("spot") is not True:
        return f"market {symbol!r} is not a spot market"
    if not isinstance(market.get("info", {}), dict):
        return f"market {symbol!r} has no exchange data"
    precision = market.get("precision", {})
    if not isinstance(precision, dict):
        return f"market {symbol!r}: precision is not an object"
    for name, value in precision.items():
        problem = _number_problem(value, f"market {symbol!r}: precision {name}")
        if problem:
            return problem
    limits = market.get("limits", {})
    if not isinstance(limits, dict):
        return f"market {symbol!r}: limits is not an object"
    for name, bounds in limits.items():
        if not isinstance(bounds, dict):
            return f"market {symbol!r}: limits {name} is not an object"
        for end, value in bounds.items():
            problem = _number_problem(value, f"market {symbol!r}: limits {name} {end}")
            if problem:
                return problem
    for name in ("taker", "maker"):
        problem = _number_problem(market.get(name), f"market {symbol!r}: {name}")
        if problem:
            return problem
    return None


def markets_problem(markets: Any) -> str | None:
    """Why ``markets`` (a cache file's ``markets``) cannot be used, or None when it can."""
    if not isinstance(markets, dict) or not markets:
        return "no markets"
    seen: dict[str, str] = {}
    for symbol, market in markets.items():
        problem = _market_problem(symbol, market)
        if problem:
            return problem
        other = seen.setdefault(market["id"], symbol)
        if other != symbol:
            return f"markets {other!r} and {symbol!r} share the id {market['id']!r}"
    return None


def _names_of(market: Mapping[str, Any]) -> set[str]:
    """Every text a market (or the exchange's own data for it) calls itself by."""
    info = market.get("info")
    values = [*market.values(), *(info.values() if isinstance(info, dict) else ())]
    return {value for value in values if isinstance(value, str)}


def checked_helpers(helpers: Any, markets: Mapping[str, Any]) -> dict[str, Any] | None:
    """The indexes of markets a cache kept for ccxt, when every entry names its market.

    Only indexes (``{name: symbol}``, written by ``compact_helpers``) are kept; anything else
    the file holds is dropped: ccxt options never come from the cache. None when an index
    points a name at a market that does not bear it (the file is not to be used).
    """
    if not isinstance(helpers, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in helpers.items():
        if not (isinstance(value, dict) and set(value) == {SYMBOL_INDEX}):
            continue
        index = value[SYMBOL_INDEX]
        if not isinstance(index, dict):
            return None
        for name, symbol in index.items():
            market = markets.get(symbol) if isinstance(symbol, str) else None
            if market is None or name not in _names_of(market):
                return None
        kept[key] = value
    return kept
