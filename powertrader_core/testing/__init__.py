"""The conformance kit that every exchange plugin runs on itself (see docs/plugins.md).

- :class:`ExchangeConformance`: the pytest base class a plugin's tests subclass. It needs
  pytest and pytest-asyncio (``pip install "powertrader-core[testing]"``) and is imported
  on first use, so this package stays importable without them.
- :func:`check_exchange_class`: the static checks alone (methods, coroutines, signatures,
  name, regions, credentials), usable from any script, like scikit-learn's
  ``check_estimator``. :func:`exchange_class_problems` returns the problems as a list.
- :func:`supported_operations`: which operations a plugin implements (a plugin that only
  serves prices is a real plugin; what it lacks raises NotSupportedError).
- The behavioural checks as plain async functions (``check_market_data``, ...), and
  :class:`TransportSpy`, which counts requests and open sessions through aiohttp and httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from powertrader_core.testing._checks import (
    MISSING_ORDER_ID,
    check_balance,
    check_cancel_unknown_order,
    check_close,
    check_estimate_fill,
    check_lookup_unknown_order,
    check_market_data,
    check_market_data_batch,
    check_open_orders,
    check_order_book,
    check_order_refused,
    check_order_result,
    check_server_error,
    check_symbol_round_trip,
    check_trading_fees,
    check_unknown_symbol_quote,
    check_watch_declared,
    order_of_type,
)
from powertrader_core.testing._spy import TransportSpy
from powertrader_core.testing._static import (
    KNOWN_REGIONS,
    ConformanceError,
    check_exchange_class,
    exchange_class_problems,
    supported_operations,
)

if TYPE_CHECKING:  # pragma: no cover
    from powertrader_core.testing.conformance import ExchangeConformance

__all__ = [
    "KNOWN_REGIONS",
    "MISSING_ORDER_ID",
    "ConformanceError",
    "ExchangeConformance",
    "TransportSpy",
    "check_balance",
    "check_cancel_unknown_order",
    "check_close",
    "check_estimate_fill",
    "check_exchange_class",
    "check_lookup_unknown_order",
    "check_market_data",
    "check_market_data_batch",
    "check_open_orders",
    "check_order_book",
    "check_order_refused",
    "check_order_result",
    "check_server_error",
    "check_symbol_round_trip",
    "check_trading_fees",
    "check_unknown_symbol_quote",
    "check_watch_declared",
    "exchange_class_problems",
    "order_of_type",
    "supported_operations",
]


def __getattr__(name: str) -> Any:
    # pytest is a test-time dependency: the base class loads only when someone asks for it.
    if name == "ExchangeConformance":
        from powertrader_core.testing.conformance import ExchangeConformance

        return ExchangeConformance
    raise AttributeError(f"module 'powertrader_core.testing' has no attribute {name!r}")
