"""Canonical symbols (``BASE-QUOTE``) and each exchange's own way of writing them.

The library speaks ``BTC-USD`` everywhere; a plugin converts at its edge. The differences
between exchanges are data (:data:`SYMBOL_FORMATS`), not code: a separator, a letter case, asset
aliases (Kraken's XBT) and, for exchanges without a USD market, the stable coin that stands in
for USD. This module is also the seed's ``symbol_utils``::

    to_binance_format("BTC-USD") == "BTCUSDT"
    to_kraken_format("BTC-USD") == "XBTUSD"
    to_coinbase_format("BTC-USD") == "BTC-USD"
    normalize_symbol("BTCUSDT", "binance") == "BTC-USD"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from powertrader_core.errors import SymbolNotSupportedError

__all__ = [
    "SYMBOL_FORMATS",
    "SymbolFormat",
    "from_exchange_format",
    "join_symbol",
    "normalize_symbol",
    "require_canonical",
    "split_symbol",
    "to_binance_format",
    "to_bitstamp_format",
    "to_bybit_format",
    "to_coinbase_format",
    "to_exchange_format",
    "to_kraken_format",
    "to_kucoin_format",
    "to_okx_format",
    "to_robinhood_format",
]

# Quote currencies, longest first, for splitting concatenated symbols such as BTCUSDT.
_KNOWN_QUOTES = (
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "PYUSD", "EURC", "DAI", "USD", "EUR", "GBP",
    "JPY", "CAD", "AUD", "CHF", "TRY", "BRL", "BTC", "XBT", "ETH", "BNB", "SOL",
)
_SEPARATORS = re.compile(r"[-/_:]")


@dataclass(frozen=True)
class SymbolFormat:
    """How one exchange writes a market.

    ``usd_substitute`` is the stable coin quoted where the exchange has no USD market; a symbol
    converted that way really quotes another market, which callers must be told about.
    """

    separator: str = ""
    lowercase: bool = False
    usd_substitute: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)  # canonical -> exchange asset

    def reverse_aliases(self) -> dict[str, str]:
        return {theirs: ours for ours, theirs in self.aliases.items()}


SYMBOL_FORMATS: Mapping[str, SymbolFormat] = MappingProxyType(
    {
        "robinhood": SymbolFormat(separator="-"),
        "kraken": SymbolFormat(aliases={"BTC": "XBT", "DOGE": "XDG"}),
        "binance": SymbolFormat(usd_substitute="USDT"),
        "coinbase": SymbolFormat(separator="-"),
        "kucoin": SymbolFormat(separator="-", usd_substitute="USDT"),
        "bitstamp": SymbolFormat(lowercase=True),
        "bybit": SymbolFormat(usd_substitute="USDT"),
        "okx": SymbolFormat(separator="-", usd_substitute="USDT"),
    }
)


def split_symbol(symbol: str) -> tuple[str, str]:
    """Split a symbol into base and quote.

    Accepts ``BTC-USD``, ``BTC/USD``, ``btc_usd`` and concatenated forms (``BTCUSDT``), which
    are split on the longest known quote currency.
    """
    text = symbol.strip().upper()
    parts = _SEPARATORS.split(text)
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    if len(parts) == 1 and text:
        # Longest quote first, but not at the cost of a base shorter than three letters
        # (XBTUSD is XBT-USD, not XB-TUSD); a two-letter base is taken when nothing else fits.
        candidates = [
            (text[: -len(quote)], quote)
            for quote in sorted(_KNOWN_QUOTES, key=len, reverse=True)
            if text.endswith(quote) and len(text) > len(quote)
        ]
        for base, quote in candidates:
            if len(base) >= 3:
                return base, quote
        if candidates:
            return candidates[0]
    raise SymbolNotSupportedError(
        f"cannot read {symbol!r} as BASE-QUOTE (for example 'BTC-USD')", operation="symbol"
    )


def require_canonical(symbol: object, *, exchange: str, operation: str) -> str:
    """``symbol`` in canonical ``BASE-QUOTE`` form, or :class:`SymbolNotSupportedError`.

    For plugins, at the top of every call that takes a symbol: bad input is refused before
    anything is sent, with an error naming the exchange and the operation
    (``kraken get_market_data: symbol 'BTCUSD' is not BASE-QUOTE, ...``). The rules are
    :func:`powertrader_core.models.canonical_symbol`'s (``btc/usd`` is ``BTC-USD``); it is
    imported here on first use, so importing this module stays free of pydantic.
    """
    from powertrader_core.models import canonical_symbol

    try:
        return canonical_symbol(symbol)
    except ValueError as exc:
        raise SymbolNotSupportedError(str(exc), exchange=exchange, operation=operation) from None


def join_symbol(base: str, quote: str) -> str:
    """The canonical form of a market: ``BASE-QUOTE`` in upper case."""
    return f"{base.upper()}-{quote.upper()}"


def _kraken_asset(code: str) -> str:
    # Kraken's legacy four-letter codes (XXBT, ZUSD, XETH) carry an X or Z class prefix.
    if len(code) == 4 and code[0] in "XZ" and code not in {"XTZ"}:
        return code[1:]
    return code


def to_exchange_format(symbol: str, exchange: str) -> str:
    """Write a canonical symbol as ``exchange`` writes it (unknown exchanges: ``BASE-QUOTE``)."""
    fmt = SYMBOL_FORMATS.get(exchange.lower(), SymbolFormat(separator="-"))
    base, quote = split_symbol(symbol)
    if quote == "USD" and fmt.usd_substitute:
        quote = fmt.usd_substitute
    base = fmt.aliases.get(base, base)
    quote = fmt.aliases.get(quote, quote)
    text = f"{base}{fmt.separator}{quote}"
    return text.lower() if fmt.lowercase else text


def from_exchange_format(exchange_symbol: str, exchange: str) -> str:
    """Read an exchange's symbol back into canonical ``BASE-QUOTE``.

    Where the exchange stands a stable coin in for USD, that stable coin reads back as USD, so
    that ``normalize_symbol("BTCUSDT", "binance") == "BTC-USD"`` as the seed says.
    """
    fmt = SYMBOL_FORMATS.get(exchange.lower(), SymbolFormat(separator="-"))
    text = exchange_symbol.strip().upper()
    if exchange.lower() == "kraken" and len(text) == 8 and not _SEPARATORS.search(text):
        # Response keys such as XXBTZUSD: two four-letter legacy codes.
        base, quote = _kraken_asset(text[:4]), _kraken_asset(text[4:])
    else:
        base, quote = split_symbol(text)
    reverse = fmt.reverse_aliases()
    base, quote = reverse.get(base, base), reverse.get(quote, quote)
    if fmt.usd_substitute and quote == fmt.usd_substitute:
        quote = "USD"
    return join_symbol(base, quote)


def normalize_symbol(symbol: str, exchange: str | None = None) -> str:
    """The seed's ``symbol_utils.normalize_symbol``: any exchange's form to ``BASE-QUOTE``."""
    if exchange is None:
        return join_symbol(*split_symbol(symbol))
    return from_exchange_format(symbol, exchange)


def to_binance_format(symbol: str) -> str:
    return to_exchange_format(symbol, "binance")


def to_kraken_format(symbol: str) -> str:
    return to_exchange_format(symbol, "kraken")


def to_coinbase_format(symbol: str) -> str:
    return to_exchange_format(symbol, "coinbase")


def to_kucoin_format(symbol: str) -> str:
    return to_exchange_format(symbol, "kucoin")


def to_bitstamp_format(symbol: str) -> str:
    return to_exchange_format(symbol, "bitstamp")


def to_bybit_format(symbol: str) -> str:
    return to_exchange_format(symbol, "bybit")


def to_okx_format(symbol: str) -> str:
    return to_exchange_format(symbol, "okx")


def to_robinhood_format(symbol: str) -> str:
    return to_exchange_format(symbol, "robinhood")
