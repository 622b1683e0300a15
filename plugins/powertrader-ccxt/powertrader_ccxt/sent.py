"""What one exchange instance sent, by the client id the exchange sees: when, and until when
the exchange may still accept it.

Both serve reconciliation after an order's answer was lost. The send time bounds a lookup's
scan (``lookup.py``: the order cannot be older than its send). The deadline
(``profiles.RequestDeadline``: Kraken's AddOrder ``deadline``, Binance's and Bybit's
``recvWindow``) is the last moment the exchange may still accept the request; a lookup that
finds nothing before then proves nothing, since the request may be in the network or the
exchange's queue. ``CcxtExchange.order_deadline`` reports it (plus :data:`DEADLINE_MARGIN`
for the difference between our clock and the exchange's) and the manager's lookups wait for
it before calling an order absent.

Only the recent orders of this process are known (a bounded record): after a restart
nothing is, and lookups fall back to what they did before (no scan bound, no wait).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from powertrader_ccxt.error_map import HttpRecord
from powertrader_ccxt.profiles import RequestDeadline

__all__ = ["DEADLINE_MARGIN", "SentOrders", "rfc3339"]

#: Seconds added to a deadline we report: the exchange judges it by its own clock.
DEADLINE_MARGIN = 1.0


def rfc3339(epoch: float) -> str:
    """``2021-04-01T00:18:45Z``: an RFC 3339 UTC time in whole seconds, the form of Kraken's
    documented example (``epoch`` must be whole: see ``SentOrders.sending``)."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Sent:
    at: float
    deadline: float | None = None


class SentOrders:
    """The last ``keep`` client ids sent, with their send time and deadline (epoch seconds)."""

    def __init__(self, keep: int = 1024) -> None:
        self._keep = keep
        self._sent: OrderedDict[str, _Sent] = OrderedDict()

    def note_sent(self, sent_id: str) -> float:
        """Record that ``sent_id`` is being sent now; returns the time noted."""
        now = time.time()
        self._sent[sent_id] = _Sent(at=now)
        self._sent.move_to_end(sent_id)
        while len(self._sent) > self._keep:
            self._sent.popitem(last=False)
        return now

    def note_deadline(self, sent_id: str, deadline: float) -> None:
        entry = self._sent.get(sent_id)
        if entry is not None:
            entry.deadline = deadline

    def sent_at(self, sent_id: str) -> float | None:
        entry = self._sent.get(sent_id)
        return None if entry is None else entry.at

    def deadline(self, sent_id: str) -> float | None:
        entry = self._sent.get(sent_id)
        return None if entry is None else entry.deadline

    @contextmanager
    def sending(
        self,
        sent_id: str,
        deadline: RequestDeadline | None,
        seconds: float | None,
        params: MutableMapping[str, Any],
    ) -> Iterator[HttpRecord]:
        """Around the one call that sends order ``sent_id``: notes the send, puts an
        ``order_param`` deadline (``seconds`` from now, within the exchange's bounds; None:
        none) into ccxt's ``params``, and gives the call's HTTP record,
        from which a ``ccxt_option`` deadline (recvWindow counts from the signing, just after
        the request left our limiter) is noted however the call ends."""
        self.note_sent(sent_id)
        if not seconds:
            deadline = None  # the configuration sends none
        seconds = deadline.seconds(seconds) if deadline is not None and seconds else 0.0
        if deadline is not None and deadline.where == "order_param":
            # A whole second (the documented form), rounded up so never shorter than asked,
            # unless that would pass the exchange's longest (Kraken: now + 60 s): then down.
            now = time.time()
            until = float(math.ceil(now + seconds))
            if until > now + deadline.max_seconds:
                until = float(math.floor(now + deadline.max_seconds))
            params[deadline.name] = rfc3339(until)
            self.note_deadline(sent_id, until)
        record = HttpRecord()
        try:
            yield record
        finally:
            if deadline is not None and deadline.where == "ccxt_option":
                self.note_deadline(sent_id, (record.sent_at or time.time()) + seconds)
