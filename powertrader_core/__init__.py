"""PowerTrader: trade crypto on many exchanges through one async API.

The public names live here; modules behind them are private. Heavier parts (credentials,
settings, the manager, the journal, streaming) load on first use, so ``import
powertrader_core`` stays fast and never imports an exchange library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from powertrader_core import symbols
from powertrader_core.errors import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeOrderError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
    PluginError,
    RegionNotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.factory import ExchangeFactory
from powertrader_core.models import (
    Balance,
    BookLevel,
    ExchangeType,
    FillEstimate,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    OrderType,
    Region,
    Side,
    TimeInForce,
    TradingFees,
)
from powertrader_core.plugins import HOOKSPEC_VERSION, PluginInfo, hookimpl

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core import config_utils
    from powertrader_core.credentials import ExchangeConfigManager
    from powertrader_core.journal import OrderJournal
    from powertrader_core.manager import MultiExchangeManager
    from powertrader_core.settings import Settings

symbol_utils = symbols

__version__ = "0.1.0"

# Public names whose modules load on first access: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "ExchangeConfigManager": ("powertrader_core.credentials", "ExchangeConfigManager"),
    "Settings": ("powertrader_core.settings", "Settings"),
    "config_utils": ("powertrader_core.config_utils", ""),
    "MultiExchangeManager": ("powertrader_core.manager", "MultiExchangeManager"),
    "OrderJournal": ("powertrader_core.journal", "OrderJournal"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'powertrader_core' has no attribute {name!r}")
    module_name, attribute = target
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "HOOKSPEC_VERSION",
    "AbstractExchange",
    "Balance",
    "BookLevel",
    "ConfigurationError",
    "ExchangeAuthenticationError",
    "ExchangeConfigManager",
    "ExchangeConnectionError",
    "ExchangeError",
    "ExchangeFactory",
    "ExchangeOrderError",
    "ExchangeRateLimitError",
    "ExchangeType",
    "FillEstimate",
    "InsufficientFundsError",
    "InvalidOrderError",
    "MarketData",
    "MultiExchangeManager",
    "NotSupportedError",
    "OrderBook",
    "OrderJournal",
    "OrderNotFoundError",
    "OrderRequest",
    "OrderResult",
    "OrderStatus",
    "OrderType",
    "PluginError",
    "PluginInfo",
    "Region",
    "RegionNotSupportedError",
    "Settings",
    "Side",
    "SymbolNotSupportedError",
    "TimeInForce",
    "TradingFees",
    "config_utils",
    "hookimpl",
    "symbol_utils",
    "symbols",
]
