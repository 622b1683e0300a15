"""An ``OrderRequest`` checked against Robinhood's rules and turned into its order body.

Everything Robinhood would refuse is refused here, before any request, with an
``InvalidOrderError`` that says what to change:

- the amount must be a multiple of the pair's ``asset_increment`` and within
  ``min_order_size`` and ``max_order_size``; limit and stop prices multiples of its
  ``quote_increment``. Amounts and prices off the increment are **refused, never rounded**:
  rounding changes what the caller asked to buy or pay, silently, and that is the caller's
  decision (the message names the nearest allowed value below);
- the time in force must be GTC: the only one Robinhood's API takes (``time_in_force: "gtc"``),
  so IOC and FOK are refused rather than quietly placed as resting orders;
- ``client_order_id`` must be a UUID in its canonical form, which Robinhood uses for
  idempotency and we use to find the order again after a timeout;
- the market must be tradable.

The body maps the seed's order types onto Robinhood's: market, limit, stop (``stop_loss``)
and stop_limit, each with its own ``<type>_order_config``, quantities and prices as strings
written at the pair's increment.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_DOWN, Decimal
from typing import Any

from powertrader_core import InvalidOrderError, OrderRequest, OrderType, TimeInForce
from powertrader_robinhood.parsing import TradingPair

__all__ = ["ROBINHOOD_TYPES", "build_order_body", "format_at_increment"]

#: Our order types and Robinhood's.
ROBINHOOD_TYPES = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP: "stop_loss",
    OrderType.STOP_LIMIT: "stop_limit",
}


def _places(increment: Decimal) -> int:
    exponent = increment.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_at_increment(value: Decimal, increment: Decimal | None) -> str:
    """``value`` as Robinhood wants it: a plain decimal string with the increment's places."""
    if increment is None or increment <= 0:
        text = format(value.normalize(), "f")
        return text
    return format(value.quantize(Decimal(1).scaleb(-_places(increment))), "f")


def _plain(value: Decimal | None) -> str:
    """A decimal for people: ``0.00000001``, never ``1E-8``."""
    return "none" if value is None else format(value.normalize(), "f")


def _off_increment(value: Decimal, increment: Decimal | None) -> bool:
    return increment is not None and increment > 0 and value % increment != 0


def _floor(value: Decimal, increment: Decimal) -> Decimal:
    return (value / increment).to_integral_value(rounding=ROUND_DOWN) * increment


def _refuse(message: str, exchange: str) -> InvalidOrderError:
    return InvalidOrderError(message, exchange=exchange, operation="place_order")


def check_client_order_id(client_order_id: str, exchange: str) -> str:
    """The id if it is a canonical UUID (what Robinhood requires), else a clear refusal."""
    try:
        canonical = str(uuid.UUID(client_order_id))
    except (ValueError, AttributeError, TypeError):
        raise _refuse(
            f"client_order_id {client_order_id!r} is not a UUID; Robinhood requires one "
            "(leave it out and one is generated)",
            exchange,
        ) from None
    if canonical != client_order_id:
        raise _refuse(
            f"client_order_id must be a UUID in canonical form ({canonical!r}), so that the "
            "order can be found again by it",
            exchange,
        )
    return canonical


def _check_amount(request: OrderRequest, pair: TradingPair, exchange: str) -> None:
    amount = request.amount
    increment = pair.asset_increment
    if increment is not None and _off_increment(amount, increment):
        raise _refuse(
            f"amount {_plain(amount)} {pair.asset_code} is not a multiple of {pair.symbol}'s "
            f"asset increment {_plain(increment)}; Robinhood refuses it and PowerTrader does "
            f"not round amounts for you (the nearest allowed amount below is "
            f"{format_at_increment(_floor(amount, increment), increment)})",
            exchange,
        )
    if pair.min_order_size is not None and amount < pair.min_order_size:
        raise _refuse(
            f"amount {_plain(amount)} {pair.asset_code} is below {pair.symbol}'s minimum order "
            f"size {_plain(pair.min_order_size)}",
            exchange,
        )
    if pair.max_order_size is not None and amount > pair.max_order_size:
        raise _refuse(
            f"amount {_plain(amount)} {pair.asset_code} is above {pair.symbol}'s maximum order "
            f"size {_plain(pair.max_order_size)}",
            exchange,
        )


def _check_price(name: str, value: Decimal, pair: TradingPair, exchange: str) -> str:
    increment = pair.quote_increment
    if increment is not None and _off_increment(value, increment):
        raise _refuse(
            f"{name} {_plain(value)} is not a multiple of {pair.symbol}'s price increment "
            f"{_plain(increment)} {pair.quote_code}; PowerTrader does not round prices for you "
            f"(nearest below: "
            f"{format_at_increment(_floor(value, increment), increment)})",
            exchange,
        )
    return format_at_increment(value, increment)


def build_order_body(request: OrderRequest, pair: TradingPair, *, exchange: str) -> dict[str, Any]:
    """Robinhood's order body for ``request``, or ``InvalidOrderError`` before anything is sent."""
    client_order_id = check_client_order_id(request.client_order_id, exchange)
    if request.time_in_force is not TimeInForce.GTC:
        raise _refuse(
            f"time in force {request.time_in_force.value} is not available: Robinhood's API "
            "takes only GTC (good till canceled)",
            exchange,
        )
    if not pair.tradable:
        raise _refuse(f"{pair.symbol} is not tradable now (status {pair.status!r})", exchange)
    _check_amount(request, pair, exchange)
    kind = ROBINHOOD_TYPES[request.order_type]
    config: dict[str, str] = {
        "asset_quantity": format_at_increment(request.amount, pair.asset_increment)
    }
    if request.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        assert request.price is not None  # OrderRequest guarantees it for these types
        config["limit_price"] = _check_price("limit price", request.price, pair, exchange)
    if request.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
        assert request.stop_price is not None
        config["stop_price"] = _check_price("stop price", request.stop_price, pair, exchange)
    if request.order_type is not OrderType.MARKET:
        config["time_in_force"] = "gtc"
    return {
        "client_order_id": client_order_id,
        "side": request.side.value,
        "type": kind,
        "symbol": pair.symbol,
        f"{kind}_order_config": config,
    }
