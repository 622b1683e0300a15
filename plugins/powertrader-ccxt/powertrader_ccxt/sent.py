"""What one exchange instance sent, by the client id the exchange sees: when, and until when
the exchange may still accept it.

Both serve reconciliation after an order's answer was lost. The send time bounds a lookup's
scan (``lookup.py``: the order cannot be older than its send). The deadline
(``profiles.RequestDeadline``) goes into the request: for Kraken the one the manager journaled
(``OrderRequest.deadline``, from ``CcxtExchange.engine_deadline``), which is what proves
absence after a crash; the record here is this process's own note of it.

Only the recent orders of this process are known (a bounded record): after a restart
nothing is, and lookups have no scan bound.
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

__all__ = ["SentOrders", "rfc3339"]


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
        until: datetime | None = None,
    ) -> Iterator[HttpRecord]:
        """Around the one call that sends order ``sent_id``: notes the send, puts an
        ``order_param`` deadline (``seconds`` from now, within the exchange's bounds; None:
        none) into ccxt's ``params``, and gives the call's HTTP record,
        from which a ``ccxt_option`` deadline (recvWindow counts from the signing, just after
        the request left our limiter) is noted however the call ends. ``until``: the
        ``order_param`` deadline the manager journaled (``OrderRequest.deadline``), sent as
        it is."""
        self.note_sent(sent_id)
        if not seconds:
            deadline = None  # the configuration sends none
        seconds = deadline.seconds(seconds) if deadline is not None and seconds else 0.0
        if deadline is not None and deadline.where == "order_param":
            at = until.timestamp() if until is not None else deadline.until(time.time(), seconds)
            params[deadline.name] = rfc3339(float(math.floor(at)))
            self.note_deadline(sent_id, at)
        record = HttpRecord()
        try:
            yield record
        finally:
            if deadline is not None and deadline.where == "ccxt_option":
                self.note_deadline(sent_id, (record.sent_at or time.time()) + seconds)
