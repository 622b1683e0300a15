"""PowerTrader: trade crypto on many exchanges through one async API.

The public names live here; modules behind them are private. Every name but the exception
classes loads on first use (PEP 562), so ``import powertrader_core`` costs next to nothing and
``powertrader --help`` never waits for pydantic, let alone an exchange library. Type checkers
see the names through the ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from powertrader_core._lazy import lazy_exports
from powertrader_core.errors import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeOrderError,
    ExchangeRateLimitError,
    InsufficientFundsError,
    InvalidOrderError,
    JournalConflict,
    JournalError,
    NotSupportedError,
    OrderNotFoundError,
    PluginError,
    RegionNotSupportedError,
    SymbolNotSupportedError,
)

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core import config_utils, symbols
    from powertrader_core import symbols as symbol_utils
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.exchange import AbstractExchange
    from powertrader_core.factory import ExchangeFactory
    from powertrader_core.kit.files import atomic_write_text
    from powertrader_core.manager.execution import ExecutionPlan
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.manager.health import HealthStatus
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
    from powertrader_core.orders.journal import OrderJournal
    from powertrader_core.plugins.hookspecs import HOOKSPEC_VERSION, hookimpl
    from powertrader_core.plugins.registry import PluginInfo
    from powertrader_core.settings import Settings
    from powertrader_core.streaming.monitor import MonitorConfig, PriceUpdate

__version__ = "0.1.0"

# Public names, loaded on first access (PEP 562): name -> (module, attribute or "" for the
# module itself). Only the exception classes above load eagerly: they are cheap, and callers
# name them in ``except`` clauses.
_LAZY: dict[str, tuple[str, str]] = {
    "AbstractExchange": ("powertrader_core.exchange", "AbstractExchange"),
    "ExchangeFactory": ("powertrader_core.factory", "ExchangeFactory"),
    "Balance": ("powertrader_core.models", "Balance"),
    "BookLevel": ("powertrader_core.models", "BookLevel"),
    "ExchangeType": ("powertrader_core.models", "ExchangeType"),
    "FillEstimate": ("powertrader_core.models", "FillEstimate"),
    "MarketData": ("powertrader_core.models", "MarketData"),
    "OrderBook": ("powertrader_core.models", "OrderBook"),
    "OrderRequest": ("powertrader_core.models", "OrderRequest"),
    "OrderResult": ("powertrader_core.models", "OrderResult"),
    "OrderStatus": ("powertrader_core.models", "OrderStatus"),
    "OrderType": ("powertrader_core.models", "OrderType"),
    "Region": ("powertrader_core.models", "Region"),
    "Side": ("powertrader_core.models", "Side"),
    "TimeInForce": ("powertrader_core.models", "TimeInForce"),
    "TradingFees": ("powertrader_core.models", "TradingFees"),
    "HOOKSPEC_VERSION": ("powertrader_core.plugins.hookspecs", "HOOKSPEC_VERSION"),
    "PluginInfo": ("powertrader_core.plugins.registry", "PluginInfo"),
    "hookimpl": ("powertrader_core.plugins.hookspecs", "hookimpl"),
    "symbols": ("powertrader_core.symbols", ""),
    "symbol_utils": ("powertrader_core.symbols", ""),
    "ExchangeConfigManager": ("powertrader_core.credentials.manager", "ExchangeConfigManager"),
    "Settings": ("powertrader_core.settings", "Settings"),
    "config_utils": ("powertrader_core.config_utils", ""),
    "MultiExchangeManager": ("powertrader_core.manager.facade", "MultiExchangeManager"),
    "ExecutionPlan": ("powertrader_core.manager.execution", "ExecutionPlan"),
    "HealthStatus": ("powertrader_core.manager.health", "HealthStatus"),
    "OrderJournal": ("powertrader_core.orders.journal", "OrderJournal"),
    "PriceUpdate": ("powertrader_core.streaming.monitor", "PriceUpdate"),
    "MonitorConfig": ("powertrader_core.streaming.monitor", "MonitorConfig"),
    "atomic_write_text": ("powertrader_core.kit.files", "atomic_write_text"),
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

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
    "ExecutionPlan",
    "FillEstimate",
    "HealthStatus",
    "InsufficientFundsError",
    "InvalidOrderError",
    "JournalConflict",
    "JournalError",
    "MarketData",
    "MonitorConfig",
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
    "PriceUpdate",
    "Region",
    "RegionNotSupportedError",
    "Settings",
    "Side",
    "SymbolNotSupportedError",
    "TimeInForce",
    "TradingFees",
    "atomic_write_text",
    "config_utils",
    "hookimpl",
    "symbol_utils",
    "symbols",
]
