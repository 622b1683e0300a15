"""MultiExchangeManager and its parts: many exchanges behind one object.

Reading order:

1. ``facade``: :class:`MultiExchangeManager`, the object callers hold; it delegates.
2. ``venues``: which exchanges take part (region, settings, credentials) and building them.
3. ``calls``: every exchange call bounded by a timeout, retried when it is a read, mapped to
   our errors and recorded once in health (``Caller``), and fan-out over many (``FanOut``).
4. ``health``: per-exchange status, latency and the circuit breaker.
5. ``execution``: best execution (depth and fees) and routing an order among venues.

Order safety (journal, lookups, reconcile) is its own package, :mod:`powertrader_core.orders`;
live prices are :mod:`powertrader_core.streaming`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from powertrader_core._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core.manager.execution import ExecutionPlan
    from powertrader_core.manager.facade import MultiExchangeManager
    from powertrader_core.manager.health import HealthStatus

_LAZY: dict[str, tuple[str, str]] = {
    "ExecutionPlan": ("powertrader_core.manager.execution", "ExecutionPlan"),
    "HealthStatus": ("powertrader_core.manager.health", "HealthStatus"),
    "MultiExchangeManager": ("powertrader_core.manager.facade", "MultiExchangeManager"),
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = [
    "ExecutionPlan",
    "HealthStatus",
    "MultiExchangeManager",
]
