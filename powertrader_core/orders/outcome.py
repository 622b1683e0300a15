"""An order's outcome when the exchange's answer to placing it does not say.

Kraken's AddOrder answers with the order's id alone (``{"txid": [...], "descr": ...}``): the
plugin can only report ``pending``, and a caller printing ``result.average_price`` after a
market order would print ``None``. So when the answer's status is ``pending`` and it names the
order, :func:`complete_answer` asks the exchange for the order by its id and returns what it
says: status, filled amount, average price and fees.

- Within the call's time: every look is bounded by what is left of the exchange timeout
  counted from the send; when none is left, the answer is returned as it came (the journal
  keeps it ``accepted``, and ``reconcile()`` reads its state later).
- Within the rate limit: the looks go through the plugin's own ``get_order``, which waits for
  its budget like any private call.
- A market order still open or pending is looked at again (50 ms, then doubling) until it is
  final or the time is up; any other order is looked at once: a limit order that rests
  returns ``open`` at once, it is not waited on.
- A look that fails is not an error for the caller: the order was placed; its answer stands.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from powertrader_core.errors import ExchangeError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest, OrderResult, OrderStatus, OrderType

__all__ = ["complete_answer"]

log = logging.getLogger("powertrader_core.manager")

#: States of a market order worth another look: it has not finished filling yet.
_NOT_DONE = frozenset({OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})
_FIRST_PAUSE = 0.05


def _merged(answer: OrderResult, found: OrderResult, exchange: str) -> OrderResult:
    """What the lookup says, named as the answer was (exchange, client id, metadata)."""
    return found.model_copy(
        update={
            "exchange": exchange,
            "client_order_id": answer.client_order_id or found.client_order_id,
            "metadata": {**answer.metadata, **found.metadata, "outcome": "looked up"},
        }
    )


async def complete_answer(
    venue: AbstractExchange,
    order: OrderRequest,
    answer: OrderResult,
    until: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> OrderResult:
    """``answer`` completed by looking the order up (see the module docstring); ``until`` is
    the event loop's time by which the call must be done."""
    if answer.status is not OrderStatus.PENDING or not answer.order_id:
        return answer
    loop = asyncio.get_running_loop()
    result, pause = answer, _FIRST_PAUSE
    while True:
        left = until - loop.time()
        if left <= 0:
            return result
        try:
            async with asyncio.timeout(left):
                found = await venue.get_order(
                    answer.order_id, order.symbol, client_order_id=order.client_order_id
                )
        except (ExchangeError, TimeoutError, OSError) as error:
            log.info("place_order %s: the outcome of order %s could not be read (%s); "
                     "returning the exchange's answer", order.client_order_id,
                     answer.order_id, error)
            return result
        result = _merged(answer, found, venue.name)
        if order.order_type is not OrderType.MARKET or result.status not in _NOT_DONE:
            return result
        left = until - loop.time()
        if left <= pause:
            return result
        await sleep(pause)
        pause *= 2
