"""Best execution: where an amount costs least all-in, and where an order may go.

The top of the book says little about a real order: the venue with the best ask may hold only
a sliver at that price, and its fee may eat the difference. So exchanges are ranked by
``estimate_fill`` (walk the book for the whole amount, add the taker fee); an exchange without
an order book is estimated at its top of book and says so (``source="top_of_book"``).

For an order, the candidates must also be configured (credentials), healthy (circuit closed),
list the market, and, where the balance could be read, be able to pay. Every exchange left out
is named with its reason in the plan, and the plan goes into the order result's metadata.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from powertrader_core.errors import ExchangeError, InsufficientFundsError, NotSupportedError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.manager.calls import Caller, FanOut, combine_errors
from powertrader_core.models import Balance, FillEstimate, OrderRequest, OrderType, Side
from powertrader_core.routing import estimate_from_quote, funds_shortfall, rank_for_amount

__all__ = ["ExecutionPlan", "plan_execution", "plan_order_route"]

log = logging.getLogger("powertrader_core.manager")


def _costs(estimate: FillEstimate) -> dict[str, Any]:
    return {
        "exchange": estimate.exchange,
        "total": estimate.total,
        "average_price": estimate.average_price,
        "fee": estimate.fee,
        "filled_amount": estimate.filled_amount,
        "complete": estimate.complete,
        "source": estimate.source,
    }


@dataclass(frozen=True)
class ExecutionPlan:
    """Exchanges ranked by the all-in cost of an amount, best first, and those left out."""

    symbol: str
    side: Side
    amount: Decimal
    ranked: tuple[FillEstimate, ...]
    excluded: Mapping[str, str] = field(default_factory=dict)
    #: Exchanges whose balance could not be read: kept as candidates, funds unchecked.
    funds_unchecked: tuple[str, ...] = ()

    @property
    def best(self) -> FillEstimate:
        return self.ranked[0]

    @property
    def runner_up(self) -> FillEstimate | None:
        return self.ranked[1] if len(self.ranked) > 1 else None

    @property
    def exchange(self) -> str:
        return self.best.exchange

    def describe(self) -> dict[str, Any]:
        """The plan as plain data: chosen venue and runner-up with their costs, exclusions."""
        runner_up = self.runner_up
        return {
            "chosen": _costs(self.best),
            "runner_up": None if runner_up is None else _costs(runner_up),
            "excluded": dict(self.excluded),
            "funds_unchecked": list(self.funds_unchecked),
        }


async def _estimate(
    exchange: AbstractExchange, symbol: str, side: Side, amount: Decimal
) -> FillEstimate:
    try:
        estimate = await exchange.estimate_fill(symbol, side, amount)
    except NotSupportedError:
        quote = await exchange.get_market_data(symbol)
        try:
            fee_rate = (await exchange.get_trading_fees(symbol)).taker
        except NotSupportedError:
            fee_rate = Decimal(0)
        estimate = estimate_from_quote(quote, side, amount, fee_rate)
    if estimate.exchange != exchange.name:
        estimate = estimate.model_copy(update={"exchange": exchange.name})
    return estimate


async def _estimates(
    caller: Caller, names: Sequence[str], symbol: str, side: Side, amount: Decimal
) -> FanOut[FillEstimate]:
    return await caller.read_all(
        names, "estimate_fill", lambda exchange: _estimate(exchange, symbol, side, amount)
    )


def _ranked(names: Sequence[str], results: Mapping[str, FillEstimate]) -> list[FillEstimate]:
    # In the callers' order first, so that among equal costs their preference stands.
    return rank_for_amount(results[name] for name in names if name in results)


async def plan_execution(
    caller: Caller, names: Sequence[str], symbol: str, side: Side, amount: Decimal
) -> ExecutionPlan:
    """Rank ``names`` by the all-in cost of ``amount`` (public data only)."""
    fan = await _estimates(caller, names, symbol, side, amount)
    fan.require_results(f"{side.value} {amount} {symbol}")
    return ExecutionPlan(
        symbol=symbol,
        side=side,
        amount=amount,
        ranked=tuple(_ranked(names, fan.results)),
        excluded={name: str(error) for name, error in fan.errors.items()},
    )


async def plan_order_route(
    caller: Caller, names: Sequence[str], order: OrderRequest
) -> ExecutionPlan:
    """Rank where ``order`` may go: configured, healthy, listing it, able to pay."""
    errors: dict[str, ExchangeError] = {}
    usable: list[str] = []
    for name in names:
        try:
            caller.prepare(name, "place_order", private=True)
        except ExchangeError as error:
            errors[name] = error
            continue
        usable.append(name)

    async def free_balances(exchange: AbstractExchange) -> dict[str, Balance]:
        return await exchange.get_balance_details()

    estimates, balances = await asyncio.gather(
        _estimates(caller, usable, order.symbol, order.side, order.amount),
        caller.read_all(usable, "get_balance", free_balances, private=True),
    )
    errors.update(estimates.errors)
    limit = order.price if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None
    kept: list[FillEstimate] = []
    for estimate in _ranked(usable, estimates.results):
        name = estimate.exchange
        if not caller.health.is_routable(name):
            errors[name] = caller.circuit_open(name, "place_order")
            continue
        details = balances.results.get(name)
        if details is not None:
            free = {asset: balance.free for asset, balance in details.items()}
            exchange = caller.pool.build(name)
            shortfall = funds_shortfall(
                estimate,
                free,
                base=order.base,
                quote_assets=type(exchange).symbol_format.quote_assets(order.quote),
                limit_price=limit,
            )
            if shortfall is not None:
                errors[name] = InsufficientFundsError(
                    shortfall, exchange=name, operation="place_order"
                )
                continue
        kept.append(estimate)
    subject = f"{order.side.value} {order.amount} {order.symbol}"
    if not kept:
        raise combine_errors(errors, "place_order", subject)
    plan = ExecutionPlan(
        symbol=order.symbol,
        side=order.side,
        amount=order.amount,
        ranked=tuple(kept),
        excluded={name: str(error) for name, error in errors.items()},
        funds_unchecked=tuple(
            n for n in usable if n in estimates.results and n not in balances.results
        ),
    )
    runner_up = plan.runner_up
    log.info(
        "routing %s: chose %s (total %s)%s",
        subject,
        plan.best.exchange,
        plan.best.total,
        "" if runner_up is None else f"; runner-up {runner_up.exchange} (total {runner_up.total})",
    )
    return plan
