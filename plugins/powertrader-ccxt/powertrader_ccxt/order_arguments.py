"""An order request as ccxt's ``create_order`` arguments, checked against the market first.

The amount and prices go through ccxt's ``amount_to_precision`` / ``price_to_precision`` (the
exchange's own rounding); an amount under the market's minimum amount or cost, or over its
maximum, raises ``InvalidOrderError`` before any request is made. Pure but for the reference
price, which the caller supplies (a recent quote, else one fetched) only when a check needs it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from powertrader_ccxt.convert import dec
from powertrader_ccxt.session import CcxtSession
from powertrader_core.errors import InvalidOrderError, NotSupportedError
from powertrader_core.models import OrderRequest, OrderType, TimeInForce

__all__ = ["OrderArguments", "order_arguments"]

#: ``(ccxt type, amount, limit price, price argument, params)``: see :func:`order_arguments`.
OrderArguments = tuple[str, Decimal, Decimal | None, Decimal | None, dict[str, Any]]

_OPERATION = "place_order"


async def order_arguments(
    session: CcxtSession,
    request: OrderRequest,
    ccxt_symbol: str,
    market: Mapping[str, Any],
    *,
    client_id: str,
    reference_price: Callable[[], Awaitable[Decimal]],
) -> OrderArguments:
    """ccxt's ``(type, amount, limit price, price argument, params)``, checked against the
    market's rules. The price argument is the limit price, or for a market BUY where the
    exchange spends a quote amount (Coinbase), the reference price the order's value was
    checked with: ccxt sends amount x price as the amount to spend. ``client_id`` is the id
    the exchange sees (``client_ids.py``); ``reference_price()`` is awaited only when an order
    without a price of its own needs one (a minimum cost, a quote-sized buy)."""
    profile = session.profile

    def refuse(message: str) -> InvalidOrderError:
        return InvalidOrderError(message, exchange=session.name, operation=_OPERATION)

    amount = _to_precision(session, "amount", ccxt_symbol, request.amount, refuse)
    limit_price = (
        _to_precision(session, "price", ccxt_symbol, request.price, refuse)
        if request.price is not None
        else None
    )
    trigger = (
        _to_precision(session, "price", ccxt_symbol, request.stop_price, refuse)
        if request.stop_price is not None
        else None
    )
    limits = market.get("limits") or {}
    min_amount = dec((limits.get("amount") or {}).get("min"))
    if min_amount is not None and amount < min_amount:
        raise refuse(
            f"amount {amount} is under {ccxt_symbol}'s minimum of {min_amount} "
            f"{market.get('base', '')}".rstrip()
        )
    max_amount = dec((limits.get("amount") or {}).get("max"))
    if max_amount is not None and max_amount > 0 and amount > max_amount:
        raise refuse(f"amount {amount} is over {ccxt_symbol}'s maximum of {max_amount}")
    min_cost = dec((limits.get("cost") or {}).get("min"))
    kind = request.order_type
    quote_sized = (
        kind is OrderType.MARKET and request.side.value == "buy" and quote_sized_buys(session)
    )
    reference: Decimal | None = None
    if quote_sized or (min_cost is not None and min_cost > 0):
        reference = limit_price or trigger
        if reference is None:
            reference = await reference_price()
    if min_cost is not None and min_cost > 0 and reference is not None:
        cost = amount * reference
        if cost < min_cost:
            raise refuse(
                f"order value {cost.normalize():f} {market.get('quote', '')} is under "
                f"{ccxt_symbol}'s minimum of {min_cost}"
            )

    params: dict[str, Any] = {profile.client_id.param: client_id}
    if kind in (OrderType.MARKET, OrderType.LIMIT):
        ccxt_type = kind.value
    else:
        has = session.client.has
        if not (has.get("createStopOrder") or has.get("createTriggerOrder")):
            raise NotSupportedError(
                f"{profile.ccxt_id} has no stop orders in ccxt",
                exchange=session.name,
                operation=_OPERATION,
            )
        ccxt_type = "limit" if kind is OrderType.STOP_LIMIT else "market"
        params[profile.stop_param] = float(trigger) if trigger is not None else None
    if request.time_in_force is not TimeInForce.GTC:
        if ccxt_type == "market":
            raise refuse(f"time in force {request.time_in_force.value} needs a limit order")
        params["timeInForce"] = request.time_in_force.value
    return ccxt_type, amount, limit_price, reference if quote_sized else limit_price, params


def quote_sized_buys(session: CcxtSession) -> bool:
    """Whether ccxt needs a price to size a market BUY: the profile says so (Coinbase);
    for ``ccxt:<id>`` exchanges, ccxt's own ``createMarketBuyOrderRequiresPrice`` does."""
    profile = session.profile
    if profile.market_buy_needs_price:
        return True
    if not profile.name.startswith("ccxt:"):
        return False
    options = session.client.options
    nested = options.get("createOrder")
    if isinstance(nested, Mapping) and "createMarketBuyOrderRequiresPrice" in nested:
        return bool(nested["createMarketBuyOrderRequiresPrice"])
    return bool(options.get("createMarketBuyOrderRequiresPrice"))


def _to_precision(
    session: CcxtSession,
    what: str,
    ccxt_symbol: str,
    value: Decimal,
    refuse: Callable[[str], InvalidOrderError],
) -> Decimal:
    client = session.client
    method = client.amount_to_precision if what == "amount" else client.price_to_precision
    try:
        text = method(ccxt_symbol, format(value, "f"))
    except ArithmeticError:
        # decimal.DivisionImpossible and its kin: ccxt rounds within 28 significant digits,
        # so a value this large cannot be written at the market's step.
        step = (session.client.markets.get(ccxt_symbol) or {}).get("precision", {}).get(what)
        raise refuse(
            f"{what} {value} is too large: it cannot be written at {ccxt_symbol}'s precision"
            + (f" (step {step})" if step is not None else "")
            + "; no exchange takes an order that size"
        ) from None
    except Exception as exc:  # noqa: BLE001 - ccxt: InvalidOrder when it rounds to zero
        raise refuse(f"{what} {value} is under {ccxt_symbol}'s precision: {exc}") from None
    result = Decimal(str(text))
    if result <= 0:
        raise refuse(f"{what} {value} rounds to zero at {ccxt_symbol}'s precision")
    return result
