"""Order safety: one request from a caller is at most one order at an exchange.

Reading order:

1. ``journal`` (with ``journal_model`` and ``journal_store``): the SQLite order journal; an
   intent is committed before an order leaves, and every outcome after.
2. ``safety``: :class:`OrderSafety` sends an order through the journal and, when the answer is
   lost, looks it up before anything is resent.
   ``outcome``: an answer without the order's outcome, completed by looking it up.
3. ``locate``: finding an order by its client order id, and when absence is proven.
4. ``reconcile``: settling every unsettled journal entry against its exchange.
5. ``cancel``: cancelling through the journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from powertrader_core._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core.orders.journal import OrderJournal
    from powertrader_core.orders.journal_model import JournalEntry, JournalState
    from powertrader_core.orders.journal_rows import DamagedJournalRow

_LAZY: dict[str, tuple[str, str]] = {
    "DamagedJournalRow": ("powertrader_core.orders.journal_rows", "DamagedJournalRow"),
    "JournalEntry": ("powertrader_core.orders.journal_model", "JournalEntry"),
    "JournalState": ("powertrader_core.orders.journal_model", "JournalState"),
    "OrderJournal": ("powertrader_core.orders.journal", "OrderJournal"),
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = [
    "DamagedJournalRow",
    "JournalEntry",
    "JournalState",
    "OrderJournal",
]
