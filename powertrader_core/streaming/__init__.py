"""Live prices: websocket or polling feeds per exchange, fanned out to subscribers.

Reading order:

1. ``monitor``: :class:`PriceMonitor`, one feed per exchange and the subscribers it serves;
   :class:`PriceUpdate`, what a subscriber receives.
2. ``feeds``: one exchange's feed (a websocket stream, or batched polling within the rate
   limit, which also fills in while a websocket is down), its reconnects and the watchdog;
   ``feed_state``: :class:`MonitorConfig`, the feed's state (the status) and its hooks.
3. ``subscribers``: bounded drop-oldest queues, so a slow subscriber never holds up the others.
4. Beyond one process: ``redis_wire`` (one Redis Stream entry per update), ``redis_publisher``
   (``powertrader feed``: a monitor's updates into Redis) and ``redis_source`` (a monitor
   reading them instead of opening its own feeds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from powertrader_core._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core.streaming.feeds import MonitorConfig
    from powertrader_core.streaming.monitor import (
        PriceMonitor,
        PriceSource,
        PriceUpdate,
        canonical_targets,
        monitor_over,
    )
    from powertrader_core.streaming.redis_publisher import RedisPublisher
    from powertrader_core.streaming.redis_source import RedisPriceSource

_LAZY: dict[str, tuple[str, str]] = {
    "MonitorConfig": ("powertrader_core.streaming.feeds", "MonitorConfig"),
    "PriceMonitor": ("powertrader_core.streaming.monitor", "PriceMonitor"),
    "PriceUpdate": ("powertrader_core.streaming.monitor", "PriceUpdate"),
    "canonical_targets": ("powertrader_core.streaming.monitor", "canonical_targets"),
    "monitor_over": ("powertrader_core.streaming.monitor", "monitor_over"),
    "PriceSource": ("powertrader_core.streaming.monitor", "PriceSource"),
    "RedisPublisher": ("powertrader_core.streaming.redis_publisher", "RedisPublisher"),
    "RedisPriceSource": ("powertrader_core.streaming.redis_source", "RedisPriceSource"),
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = [
    "MonitorConfig",
    "PriceMonitor",
    "PriceSource",
    "PriceUpdate",
    "RedisPriceSource",
    "RedisPublisher",
    "canonical_targets",
    "monitor_over",
]
