"""Live prices: websocket or polling feeds per exchange, fanned out to subscribers.

Reading order:

1. ``monitor``: :class:`PriceMonitor`, one feed per exchange and the subscribers it serves;
   :class:`PriceUpdate`, what a subscriber receives.
2. ``feeds``: one exchange's feed (a websocket stream, or batched polling within the rate
   limit), its reconnects and the watchdog; :class:`MonitorConfig`.
3. ``subscribers``: bounded drop-oldest queues, so a slow subscriber never holds up the others.
"""

from powertrader_core.streaming.feeds import MonitorConfig
from powertrader_core.streaming.monitor import (
    PriceMonitor,
    PriceUpdate,
    canonical_targets,
    monitor_over,
)

__all__ = ["MonitorConfig", "PriceMonitor", "PriceUpdate", "canonical_targets", "monitor_over"]
