"""Canonical symbols (``BASE-QUOTE``) and each exchange's own way of writing them.

The library speaks ``BTC-USD`` everywhere; a plugin converts at its edge. The differences
between exchanges are data (:data:`SYMBOL_FORMATS`), not code: a separator, a letter case, asset
aliases (Kraken's XBT) and, for exchanges without a USD market, the stable coin that stands in
for USD. An exchange class declares its :class:`SymbolFormat` (``symbol_format``), so an
exchange registered under any name keeps its rules; the bundled exchanges' formats are the rows
of :data:`SYMBOL_FORMATS`, which the ccxt plugin's profiles reuse. This module is also the
seed's ``symbol_utils`` (which looks formats up by name)::

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
    "CANONICAL_FORMAT",
    "SYMBOL_FORMATS",
    "SymbolFormat",
    "format_for",
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
    """How one exchange writes a market: the facts an exchange class declares.

    ``usd_substitute`` is the stable coin quoted where the exchange has no USD market; a symbol
    converted that way really quotes another market, which callers must be told about, and an
    account holding that stable coin can pay for a USD market (:meth:`quote_assets`).
    ``legacy_codes``: the exchange also answers with four-letter asset codes carrying a class
    prefix (Kraken's ``XXBTZUSD`` for ``XBTUSD``).

    An exchange class declares its format as ``symbol_format`` (see
    :class:`~powertrader_core.exchange.AbstractExchange`); the rows of :data:`SYMBOL_FORMATS`
    are the ones the bundled plugins declare, so one fact lives in one place.
    """

    separator: str = ""
    lowercase: bool = False
    usd_substitute: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)  # canonical -> exchange asset
    legacy_codes: bool = False

    def reverse_aliases(self) -> dict[str, str]:
        return {theirs: ours for ours, theirs in self.aliases.items()}

    def quote_assets(self, quote: str) -> tuple[str, ...]:
        """The currencies that pay for a ``quote`` market here (USD may be paid in USDT)."""
        quote = quote.upper()
        if quote == "USD" and self.usd_substitute:
            return (quote, self.usd_substitute)
        return (quote,)

    def to_exchange(self, symbol: str) -> str:
        """A canonical symbol as this exchange writes it (``BTC-USD`` -> ``XBTUSD``)."""
        base, quote = split_symbol(symbol)
        if quote == "USD" and self.usd_substitute:
            quote = self.usd_substitute
        base = self.aliases.get(base, base)
        quote = self.aliases.get(quote, quote)
        text = f"{base}{self.separator}{quote}"
        return text.lower() if self.lowercase else text

    def from_exchange(self, exchange_symbol: str) -> str:
        """This exchange's symbol read back into canonical ``BASE-QUOTE``.

        Where the exchange stands a stable coin in for USD, that stable coin reads back as USD,
        so that ``normalize_symbol("BTCUSDT", "binance") == "BTC-USD"`` as the seed says.
        """
        text = exchange_symbol.strip().upper()
        if self.legacy_codes and len(text) == 8 and not _SEPARATORS.search(text):
            # Response keys such as XXBTZUSD: two four-letter legacy codes.
            base, quote = _legacy_asset(text[:4]), _legacy_asset(text[4:])
        else:
            base, quote = split_symbol(text)
        reverse = self.reverse_aliases()
        base, quote = reverse.get(base, base), reverse.get(quote, quote)
        if self.usd_substitute and quote == self.usd_substitute:
            quote = "USD"
        return join_symbol(base, quote)


#: The format of an exchange that declares none: canonical ``BASE-QUOTE``.
CANONICAL_FORMAT = SymbolFormat(separator="-")

# Each row cites where the market ids come from (shared/reference/exchanges.md gathers them).
SYMBOL_FORMATS: Mapping[str, SymbolFormat] = MappingProxyType(
    {
        # Robinhood Crypto Trading API: marketdata/best_bid_ask/?symbol=BTC-USD.
        "robinhood": SymbolFormat(separator="-"),
        # Kraken REST /0/public/Ticker?pair=XBTUSD answers under the key XXBTZUSD (legacy X/Z
        # class prefixes); Kraken's asset codes: BTC is XBT, DOGE is XDG.
        "kraken": SymbolFormat(aliases={"BTC": "XBT", "DOGE": "XDG"}, legacy_codes=True),
        # Binance /api/v3/ticker/24hr?symbol=BTCUSDT; Binance.com lists no USD market.
        "binance": SymbolFormat(usd_substitute="USDT"),
        # Coinbase Advanced Trade /api/v3/brokerage/market/products/BTC-USD/ticker.
        "coinbase": SymbolFormat(separator="-"),
        # KuCoin /api/v1/market/orderbook/level1?symbol=BTC-USDT; no USD market.
        "kucoin": SymbolFormat(separator="-", usd_substitute="USDT"),
        # Bitstamp /api/v2/ticker/btcusd/.
        "bitstamp": SymbolFormat(lowercase=True),
        # Bybit /v5/market/tickers?category=spot&symbol=BTCUSDT; no USD spot market.
        "bybit": SymbolFormat(usd_substitute="USDT"),
        # OKX /api/v5/market/ticker?instId=BTC-USDT; no USD market on the global venue.
        "okx": SymbolFormat(separator="-", usd_substitute="USDT"),
        # Binance.US (https://api.binance.us, github.com/binance-us/binance-us-api-docs
        # rest-api.md): Binance's spot API and its concatenated ids, but its exchangeInfo lists
        # real USD markets (BTCUSD) beside USDT ones (BTCUSDT): USD means USD here, and a USDT
        # market is asked for by name (BTC-USDT). shared/reference/exchanges.md, binanceus row.
        "binanceus": SymbolFormat(),
        # OKX US (us.okx.com; OKX docs v5 overview, okx.com/docs-v5/en/#overview, for its host):
        # OKX's dashed instId, but its instruments list has USD and USDT spot pairs (BTC-USD and
        # BTC-USDT): USD means USD. shared/reference/exchanges.md, okxus row.
        "okxus": SymbolFormat(separator="-"),
    }
)


def format_for(exchange: str) -> SymbolFormat:
    """The format of a bundled exchange by name (:data:`CANONICAL_FORMAT` for any other).

    For the seed's ``symbol_utils`` functions, which take a name. An exchange *object* answers
    from its class's ``symbol_format``, which holds for any name it was registered under.
    """
    return SYMBOL_FORMATS.get(exchange.lower(), CANONICAL_FORMAT)


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


def _legacy_asset(code: str) -> str:
    # Kraken's legacy four-letter codes (XXBT, ZUSD, XETH) carry an X or Z class prefix.
    if len(code) == 4 and code[0] in "XZ" and code not in {"XTZ"}:
        return code[1:]
    return code


def to_exchange_format(symbol: str, exchange: str) -> str:
    """Write a canonical symbol as ``exchange`` writes it (unknown exchanges: ``BASE-QUOTE``)."""
    return format_for(exchange).to_exchange(symbol)


def from_exchange_format(exchange_symbol: str, exchange: str) -> str:
    """Read an exchange's symbol back into canonical ``BASE-QUOTE`` (see ``from_exchange``)."""
    return format_for(exchange).from_exchange(exchange_symbol)


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
