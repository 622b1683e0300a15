"""The paper account's rules: place, settle and cancel orders, keep the balances right.

Every function here takes a :class:`~powertrader_paper.store.Ledger` and runs inside one
database transaction (the exchange calls them through ``PaperStore.run``). They do all their
checks before their first write, and a raise rolls everything back, so a refused order leaves
no trace: no balance moved, no order row.

The life of an order
--------------------
- A **market** order fills at once against the book, walking the levels, and pays the taker
  fee. If the visible book cannot fill it completely it is refused (:class:`InvalidOrderError`):
  the paper exchange never leaves a market order half done.
- A **limit** order first takes whatever the book offers at its price or better (taker fee);
  what is left rests (GTC) and holds its funds. A resting order fills completely, at its own
  price and with the maker fee, when a later quote crosses it. IOC keeps nothing resting (the
  rest expires); FOK fills completely on arrival or expires without filling.
- A **stop** or **stop-limit** order holds its funds and waits, untriggered, until the last
  price reaches its trigger; then it arrives like a market order (stop) or a limit order
  (stop-limit) would. A stop that cannot be filled when it triggers (too little money for the
  price it met, a book too thin) is rejected, with the reason in its metadata.
- **Cancel** releases what the order held; cancelling a cancelled order returns it unchanged.

Funds held ("used"): a resting buy holds ``remaining * price * (1 + maker fee)`` of the quote
currency, exactly what it will pay when it fills; a resting sell holds its remaining base
amount. Untriggered stops hold what they would pay at their trigger (or limit) price with the
taker fee. Simulated books are not depleted by our own fills: the simulated market replenishes.

A ``client_order_id`` is unique per account. Placing it again with the same request returns the
existing order unchanged (a retry after a timeout is safe); placing it with a different request
raises :class:`InvalidOrderError`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from powertrader_core.errors import (
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
)
from powertrader_core.models import (
    MarketData,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from powertrader_paper.matching import (
    Fill,
    filled_amount,
    limit_crossed,
    notional,
    stop_triggered,
    take_liquidity,
)
from powertrader_paper.precision import check_request
from powertrader_paper.records import FillRecord, PaperOrder
from powertrader_paper.store import Ledger

__all__ = [
    "Fees",
    "Market",
    "cancel",
    "find_order",
    "needs_book",
    "open_account",
    "place",
    "reset_account",
    "settle",
]


@dataclass(frozen=True)
class Fees:
    """The account's fee rates."""

    maker: Decimal
    taker: Decimal

    @property
    def highest(self) -> Decimal:
        """The larger rate: what a limit order may pay at most, however it fills."""
        return max(self.maker, self.taker)


@dataclass(frozen=True)
class Market:
    """What the engine knows of one symbol's market at one moment.

    ``book`` may be ``None`` when settling from a quote alone: resting limit orders need only
    the quote; an order that arrives (or a stop that triggers) needs the book.
    """

    quote: MarketData
    book: OrderBook | None
    now: datetime
    source: str
    exchange: str


# ---- the account -------------------------------------------------------------------------


def open_account(ledger: Ledger, starting_balances: dict[str, Decimal], now: datetime) -> bool:
    """Give a new account its starting balances; True when it was new."""
    if ledger.meta("created_at") is not None:
        return False
    reset_account(ledger, starting_balances, now)
    return True


def reset_account(ledger: Ledger, starting_balances: dict[str, Decimal], now: datetime) -> None:
    """Start over: no orders, no fills, the starting balances."""
    ledger.wipe()
    for asset, amount in starting_balances.items():
        ledger.set_total(asset, amount)
    ledger.set_meta("created_at", now.isoformat())


# ---- placing -----------------------------------------------------------------------------


def place(ledger: Ledger, request: OrderRequest, market: Market, fees: Fees) -> PaperOrder:
    """Place ``request``: check it, fill what fills now, hold funds for what rests."""
    check_request(request, market.exchange)  # what the account can keep exactly
    existing = ledger.order_by_client_id(request.client_order_id)
    if existing is not None:
        if existing.matches(request):
            return existing
        raise InvalidOrderError(
            f"client_order_id {request.client_order_id!r} was already used for another order "
            f"({existing.order_id})",
            exchange=market.exchange,
            operation="place_order",
        )
    # The request's deadline (``OrderRequest.deadline``, from ``engine_deadline``) is judged
    # here, inside the transaction that would store the order, against the wall clock: an
    # engine-enforced deadline, so after it a request not stored never will be.
    if request.deadline is not None and datetime.now(UTC) > request.deadline:
        raise InvalidOrderError(
            f"deadline elapsed ({request.deadline.isoformat()}): not placed",
            exchange=market.exchange,
            operation="place_order",
        )
    order_id = f"paper-{uuid.uuid4().hex}"
    order = PaperOrder.from_request(request, order_id, market.source, market.now)
    if order.is_stop:
        order = _hold_for_stop(ledger, order, fees, market.exchange)
        ledger.insert_order(order)
        return _settle_one(ledger, order, market, fees)
    if market.book is None:  # the exchange always fetches the book before placing
        raise InvalidOrderError(
            "no order book to fill against", exchange=market.exchange, operation="place_order"
        )
    order, fills = _arrive(ledger, order, market.book, fees, market, held=Decimal(0))
    ledger.insert_order(order)
    _record_fills(ledger, order, fills, fees.taker, "taker", market.now)
    return order


def _hold_for_stop(ledger: Ledger, order: PaperOrder, fees: Fees, exchange: str) -> PaperOrder:
    """An untriggered stop holds what it would pay at its trigger (or limit) price."""
    if order.side is Side.BUY and order.order_type is OrderType.STOP_LIMIT:
        assert order.price is not None  # OrderRequest guarantees it
        need = order.amount * order.price * (1 + fees.highest)
    elif order.side is Side.BUY:
        assert order.stop_price is not None  # OrderRequest guarantees it
        need = order.amount * order.stop_price * (1 + fees.taker)
    else:
        need = order.amount
    _check_funds(ledger, order, need, held=Decimal(0), exchange=exchange)
    return order.replace(reserved=need)


def _arrive(
    ledger: Ledger,
    order: PaperOrder,
    book: OrderBook,
    fees: Fees,
    market: Market,
    held: Decimal,
) -> tuple[PaperOrder, list[Fill]]:
    """Fill ``order`` against ``book`` as a taker; decide what rests, check funds, apply.

    Returns the order as it now stands and the fills it took (for the caller to record once
    the order row exists). ``held`` is what the order already holds (a triggered stop), which
    it may spend. Raises before writing anything when the order cannot be filled or paid for.
    """
    limit = order.price if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None
    fills = take_liquidity(book, order.side, order.remaining, limit)
    got = filled_amount(fills)
    rests = limit is not None and order.time_in_force is TimeInForce.GTC
    rest = order.remaining - got if rests else Decimal(0)
    cost = notional(fills)
    fee = cost * fees.taker
    # What a resting rest holds: exactly what it will pay when it fills as a maker.
    if order.side is Side.BUY:
        hold = rest * limit * (1 + fees.maker) if limit is not None else Decimal(0)
    else:
        hold = rest
    # What the order must be able to pay: a sell, its amount; a market buy, what the walk
    # costs; a limit buy, all of it at its limit price with the higher fee, so that an order
    # too large is refused whatever the book does (a fill-or-kill that would expire included).
    if order.side is Side.SELL:
        need = order.remaining
    elif limit is None:
        need = cost + fee
    else:
        need = order.remaining * limit * (1 + fees.highest)
    thin = order.side is Side.BUY and limit is None and got < order.remaining
    _check_funds(
        ledger, order, need, held=held, exchange=market.exchange, covers=got if thin else None
    )

    if limit is None and got < order.remaining:
        raise InvalidOrderError(
            f"the book holds only {got} {order.base} to fill {order.remaining}",
            exchange=market.exchange,
            operation="place_order",
        )

    if order.time_in_force is TimeInForce.FOK and got < order.remaining:
        expired = order.replace(
            status=OrderStatus.EXPIRED,
            reserved=Decimal(0),
            updated_at=market.now,
            reason="fill or kill: the book could not fill all of it at once",
        )
        return expired, []

    _move_funds(ledger, order, got, cost, fee)
    filled = order.filled + got
    if filled == order.amount:
        status = OrderStatus.FILLED
    elif rest > 0:
        status = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
    else:
        status = OrderStatus.EXPIRED  # IOC: what did not fill at once is dropped
    arrived = order.replace(
        status=status,
        filled=filled,
        cost=order.cost + cost,
        fee=order.fee + fee,
        reserved=hold,
        updated_at=market.now,
    )
    return arrived, fills


def _check_funds(
    ledger: Ledger,
    order: PaperOrder,
    need: Decimal,
    held: Decimal,
    exchange: str,
    covers: Decimal | None = None,
) -> None:
    """Refuse an order its account cannot pay. ``covers``: for a market buy larger than the
    book, the part the book holds, which is all ``need`` prices (so 100 and 1,000 BTC do not
    read as the same cost)."""
    asset = order.reserved_asset
    available = ledger.free(asset) + held
    if need > available:
        what = f"needs {_plain(need)} {asset}"
        if covers is not None:
            what = (
                f"needs more than {_plain(need)} {asset}, what the {_plain(covers)} "
                "the book holds cost alone"
            )
        raise InsufficientFundsError(
            f"{order.side.value} {_plain(order.amount)} {order.symbol} {what}; "
            f"{_plain(available)} {asset} available",
            exchange=exchange,
            operation="place_order",
        )


def _plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent, for messages."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _move_funds(
    ledger: Ledger, order: PaperOrder, got: Decimal, cost: Decimal, fee: Decimal
) -> None:
    """Apply a fill to the totals: the base asset one way, the quote (with the fee) the other."""
    if got == 0:
        return
    if order.side is Side.BUY:
        ledger.add(order.base, got)
        ledger.add(order.quote, -(cost + fee))
    else:
        ledger.add(order.base, -got)
        ledger.add(order.quote, cost - fee)


def _record_fills(
    ledger: Ledger,
    order: PaperOrder,
    fills: list[Fill],
    rate: Decimal,
    liquidity: str,
    now: datetime,
) -> None:
    for fill in fills:
        ledger.add_fill(
            FillRecord(
                order_id=order.order_id,
                symbol=order.symbol,
                side=order.side,
                price=fill.price,
                amount=fill.amount,
                fee=fill.price * fill.amount * rate,
                fee_asset=order.quote,
                liquidity=liquidity,
                timestamp=now,
            )
        )


# ---- settling resting orders -------------------------------------------------------------


def needs_book(orders: list[PaperOrder], quote: MarketData) -> bool:
    """True when settling ``orders`` against ``quote`` will trigger a stop (which needs a book)."""
    return any(
        order.is_stop
        and not order.triggered
        and order.stop_price is not None
        and stop_triggered(order.side, order.stop_price, quote)
        for order in orders
    )


def settle(ledger: Ledger, symbol: str, market: Market, fees: Fees) -> list[PaperOrder]:
    """Fill or trigger ``symbol``'s open orders that ``market`` has crossed; return them all."""
    open_orders = ledger.orders(symbol, open_only=True)
    return [_settle_one(ledger, order, market, fees) for order in open_orders]


def _settle_one(ledger: Ledger, order: PaperOrder, market: Market, fees: Fees) -> PaperOrder:
    if order.is_stop and not order.triggered:
        assert order.stop_price is not None
        if market.book is None or not stop_triggered(order.side, order.stop_price, market.quote):
            return order
        return _trigger(ledger, order, market, fees)
    if order.price is None or not limit_crossed(order.side, order.price, market.quote):
        return order
    return _fill_resting(ledger, order, market, fees)


def _trigger(ledger: Ledger, order: PaperOrder, market: Market, fees: Fees) -> PaperOrder:
    """A stop's trigger was reached: it arrives now, spending what it held."""
    assert market.book is not None
    triggered = order.replace(triggered=True, updated_at=market.now)
    try:
        arrived, fills = _arrive(ledger, triggered, market.book, fees, market, held=order.reserved)
    except (InsufficientFundsError, InvalidOrderError) as exc:
        rejected = triggered.replace(
            status=OrderStatus.REJECTED, reserved=Decimal(0), reason=exc.message
        )
        ledger.save_order(rejected)
        return rejected
    ledger.save_order(arrived)
    _record_fills(ledger, arrived, fills, fees.taker, "taker", market.now)
    return arrived


def _fill_resting(ledger: Ledger, order: PaperOrder, market: Market, fees: Fees) -> PaperOrder:
    """The market crossed a resting limit order: all of it fills at its price, as a maker."""
    assert order.price is not None
    got = order.remaining
    cost = got * order.price
    fee = cost * fees.maker
    _move_funds(ledger, order, got, cost, fee)
    filled = order.replace(
        status=OrderStatus.FILLED,
        filled=order.amount,
        cost=order.cost + cost,
        fee=order.fee + fee,
        reserved=Decimal(0),
        updated_at=market.now,
    )
    ledger.save_order(filled)
    _record_fills(ledger, filled, [Fill(order.price, got)], fees.maker, "maker", market.now)
    return filled


# ---- looking up and cancelling -----------------------------------------------------------


def find_order(
    ledger: Ledger, order_id: str | None, client_order_id: str | None
) -> PaperOrder | None:
    """An order by our id, else by the caller's ``client_order_id``."""
    if order_id is not None:
        found = ledger.order(order_id) or ledger.order_by_client_id(order_id)
        if found is not None or client_order_id is None:
            return found
    return ledger.order_by_client_id(client_order_id) if client_order_id else None


def cancel(
    ledger: Ledger, order_id: str, symbol: str | None, now: datetime, exchange: str
) -> PaperOrder:
    """Cancel an open order and release what it held."""
    order = find_order(ledger, order_id, None)
    if order is None or (symbol is not None and order.symbol != symbol):
        raise OrderNotFoundError(
            f"no order {order_id!r}" + (f" for {symbol}" if symbol else ""),
            exchange=exchange,
            operation="cancel_order",
        )
    if order.status is OrderStatus.CANCELED:
        return order
    if not order.is_open:
        raise InvalidOrderError(
            f"order {order.order_id} is {order.status.value} and can no longer be cancelled",
            exchange=exchange,
            operation="cancel_order",
        )
    canceled = order.replace(status=OrderStatus.CANCELED, reserved=Decimal(0), updated_at=now)
    ledger.save_order(canceled)
    return canceled
