"""The data that crosses the contract: quotes, order requests, order results, books, fees.

Every model is pydantic v2. Results are frozen (a price a caller holds never changes under it);
requests are frozen too, so what was validated is what is sent. Money is ``Decimal``, converted
exactly from floats and strings; timestamps are timezone-aware UTC.

The first fields of :class:`MarketData`, :class:`OrderRequest` and :class:`OrderResult` keep the
order of the seed's dataclasses, and positional arguments are accepted in that order, so the
seed's examples run unchanged.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from powertrader_core._types import Money, OptionalMoney, UtcDatetime, to_decimal, utc_now
from powertrader_core.enums import (
    ExchangeType,
    OrderStatus,
    OrderType,
    Region,
    Side,
    TimeInForce,
)

__all__ = [
    "Balance",
    "BookLevel",
    "ExchangeType",
    "FillEstimate",
    "MarketData",
    "OrderBook",
    "OrderRequest",
    "OrderResult",
    "OrderStatus",
    "OrderType",
    "Region",
    "Side",
    "TimeInForce",
    "TradingFees",
]


# What exchanges call the same states. Unknown words are refused rather than guessed.
_STATUS_SYNONYMS = {
    "new": OrderStatus.OPEN,
    "accepted": OrderStatus.OPEN,
    "active": OrderStatus.OPEN,
    "live": OrderStatus.OPEN,
    "queued": OrderStatus.PENDING,
    "submitted": OrderStatus.PENDING,
    "partially filled": OrderStatus.PARTIALLY_FILLED,
    "partial": OrderStatus.PARTIALLY_FILLED,
    "closed": OrderStatus.FILLED,
    "done": OrderStatus.FILLED,
    "cancelled": OrderStatus.CANCELED,
    "failed": OrderStatus.REJECTED,
}

_SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$")
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")


def _enum_from_text(enum: type[StrEnum], value: Any, *, upper: bool = False) -> Any:
    """Accept an enum member or its value in any case and with spaces or dashes."""
    if isinstance(value, enum):
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be one of {', '.join(m.value for m in enum)}")
    text = value.strip().replace("-", "_").replace(" ", "_")
    text = text.upper() if upper else text.lower()
    try:
        return enum(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not one of {', '.join(m.value for m in enum)}"
        ) from None


class _SeedPositional(BaseModel):
    """Lets the seed's dataclass-style positional calls work: ``MarketData("BTC-USD", ...)``.

    Models defer building their validators to first use (``defer_build``), which keeps
    ``import powertrader_core`` cheap for the command line and for plugins.
    """

    _positional_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            names = self._positional_fields
            if len(args) > len(names):
                raise TypeError(
                    f"{type(self).__name__} takes at most {len(names)} positional arguments"
                )
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"{type(self).__name__} got two values for {name!r}")
                kwargs[name] = value
        super().__init__(**kwargs)


def canonical_symbol(value: Any) -> str:
    """Validate and canonicalise a ``BASE-QUOTE`` symbol (upper case, one dash)."""
    if not isinstance(value, str):
        raise ValueError("symbol must be a string like 'BTC-USD'")
    text = value.strip().upper().replace("/", "-")
    if not _SYMBOL_RE.match(text):
        raise ValueError(f"symbol {value!r} is not BASE-QUOTE, for example 'BTC-USD'")
    return text


class MarketData(_SeedPositional):
    """A quote: last price, best bid and ask, 24 h volume, when and where.

    ``quoted_symbol`` is set when the exchange quoted a different market than asked, for
    example ``BTC-USDT`` for ``BTC-USD`` on an exchange without a USD market.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)
    _positional_fields = ("symbol", "price", "bid", "ask", "volume", "timestamp", "exchange")

    symbol: str
    price: Money
    bid: Money
    ask: Money
    volume: Money = Decimal(0)
    timestamp: UtcDatetime = Field(default_factory=utc_now)
    exchange: str = ""
    quoted_symbol: str | None = None
    source: str | None = None
    latency_ms: float | None = None

    @field_validator("price", "bid", "ask", "volume")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @property
    def spread(self) -> Decimal:
        return self.ask - self.bid

    @property
    def mid(self) -> Decimal:
        return (self.ask + self.bid) / 2


class OrderRequest(_SeedPositional):
    """An order as the caller asks for it, validated before anything is sent.

    Accepts the seed's strings in any case (``"BUY"``, ``"Market"``, ``"gtc"``). A stop order's
    trigger is ``stop_price``; for the seed's ``order_type="stop"`` with only ``price`` given,
    that price is taken as the trigger. ``client_order_id`` is generated when absent; it is what
    makes a retry safe, since the exchange (or our reconciliation) recognises it.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)
    _positional_fields = ("symbol", "side", "amount", "order_type", "price", "time_in_force")

    symbol: str
    side: Side
    amount: Money
    order_type: OrderType = OrderType.MARKET
    price: OptionalMoney = None
    time_in_force: TimeInForce = TimeInForce.GTC
    stop_price: OptionalMoney = None
    client_order_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    #: The moment after which the exchange's matching engine must refuse this request rather
    #: than execute it late. The manager sets it where the exchange enforces one
    #: (:meth:`AbstractExchange.engine_deadline`) and journals it with the intent; a plugin
    #: whose exchange enforces none ignores it. Not part of what makes two requests the same.
    deadline: UtcDatetime | None = None

    @field_validator("symbol", mode="before")
    @classmethod
    def _symbol(cls, value: Any) -> str:
        return canonical_symbol(value)

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: Any) -> Side:
        result: Side = _enum_from_text(Side, value)
        return result

    @field_validator("order_type", mode="before")
    @classmethod
    def _order_type(cls, value: Any) -> OrderType:
        if isinstance(value, str) and value.strip().lower() in {"stop_loss", "stop-loss"}:
            return OrderType.STOP
        result: OrderType = _enum_from_text(OrderType, value)
        return result

    @field_validator("time_in_force", mode="before")
    @classmethod
    def _time_in_force(cls, value: Any) -> TimeInForce:
        result: TimeInForce = _enum_from_text(TimeInForce, value, upper=True)
        return result

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("amount must be greater than zero")
        return value

    @field_validator("price", "stop_price")
    @classmethod
    def _positive_price(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value <= 0:
            raise ValueError("must be greater than zero")
        return value

    @field_validator("client_order_id", mode="before")
    @classmethod
    def _client_order_id(cls, value: Any) -> str:
        if value is None:
            return str(uuid.uuid4())
        if not isinstance(value, str) or not _CLIENT_ID_RE.match(value):
            raise ValueError(
                "client_order_id must be 1 to 64 letters, digits or '_-:.' characters"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _seed_stop_price(cls, data: Any) -> Any:
        # The seed's OrderRequest has only `price`; for its "stop" orders that is the trigger.
        if isinstance(data, dict):
            kind = data.get("order_type")
            if (
                isinstance(kind, str)
                and kind.strip().lower() in {"stop", "stop_loss", "stop-loss"}
                and data.get("stop_price") is None
                and data.get("price") is not None
            ):
                data = {**data, "stop_price": data["price"], "price": None}
        return data

    @model_validator(mode="after")
    def _prices_fit_type(self) -> OrderRequest:
        kind = self.order_type
        if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) and self.price is None:
            raise ValueError(f"price: a {kind.value} order needs a limit price")
        if kind in (OrderType.STOP, OrderType.STOP_LIMIT) and self.stop_price is None:
            raise ValueError(f"stop_price: a {kind.value} order needs its trigger price")
        if kind is OrderType.MARKET and self.price is not None:
            raise ValueError("price: a market order takes no price (use order_type='limit')")
        if kind in (OrderType.MARKET, OrderType.LIMIT) and self.stop_price is not None:
            raise ValueError(f"stop_price: a {kind.value} order takes no trigger price")
        return self

    @property
    def base(self) -> str:
        return self.symbol.split("-", 1)[0]

    @property
    def quote(self) -> str:
        return self.symbol.split("-", 1)[1]


class OrderResult(_SeedPositional):
    """What the exchange says of an order: its ids, state, fills, fees and when.

    ``fees`` maps a currency to the amount paid in it. ``metadata`` carries what the library
    learned along the way (the venue chosen by routing and its runner-up, the price source).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)
    _positional_fields = (
        "order_id",
        "status",
        "filled_amount",
        "remaining_amount",
        "average_price",
        "fees",
        "timestamp",
    )

    order_id: str
    status: OrderStatus
    filled_amount: Money = Decimal(0)
    remaining_amount: Money = Decimal(0)
    average_price: OptionalMoney = None
    fees: dict[str, Money] = Field(default_factory=dict)
    timestamp: UtcDatetime = Field(default_factory=utc_now)
    client_order_id: str | None = None
    exchange: str = ""
    symbol: str | None = None
    side: Side | None = None
    order_type: OrderType | None = None
    amount: OptionalMoney = None
    price: OptionalMoney = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value  # type: ignore[no-any-return]

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> OrderStatus:
        if isinstance(value, str):
            key = value.strip().lower()
            if key in _STATUS_SYNONYMS:
                return _STATUS_SYNONYMS[key]
        result: OrderStatus = _enum_from_text(OrderStatus, value)
        return result

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: Any) -> Side | None:
        if value is None:
            return None
        result: Side = _enum_from_text(Side, value)
        return result

    @field_validator("order_type", mode="before")
    @classmethod
    def _order_type(cls, value: Any) -> OrderType | None:
        if value is None:
            return None
        result: OrderType = _enum_from_text(OrderType, value)
        return result

    @field_validator("fees", mode="before")
    @classmethod
    def _fees(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def is_final(self) -> bool:
        return self.status.is_final


class BookLevel(BaseModel):
    """One price level of an order book. Accepts ``[price, amount]`` pairs."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    price: Money
    amount: Money

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            if len(data) < 2:
                raise ValueError("a book level is [price, amount]")
            return {"price": data[0], "amount": data[1]}
        return data


class OrderBook(BaseModel):
    """Bids (best, highest first) and asks (best, lowest first) at one moment."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    symbol: str
    bids: tuple[BookLevel, ...] = ()
    asks: tuple[BookLevel, ...] = ()
    timestamp: UtcDatetime = Field(default_factory=utc_now)
    exchange: str = ""
    quoted_symbol: str | None = None

    @model_validator(mode="after")
    def _sorted(self) -> OrderBook:
        bids = tuple(sorted(self.bids, key=lambda level: level.price, reverse=True))
        asks = tuple(sorted(self.asks, key=lambda level: level.price))
        object.__setattr__(self, "bids", bids)
        object.__setattr__(self, "asks", asks)
        return self

    @property
    def best_bid(self) -> Decimal | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.asks[0].price if self.asks else None


class TradingFees(BaseModel):
    """Maker and taker fee rates (0.0026 is 0.26 %) and where they came from."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    symbol: str
    maker: Money
    taker: Money
    exchange: str = ""
    source: str = "market"  # "account" when the exchange told us this account's own rates


class FillEstimate(BaseModel):
    """The all-in cost of filling ``amount`` now: average price, fee and total.

    For a buy, ``total`` is what is paid in the quote currency including the fee; for a sell,
    what is received after the fee. ``filled_amount`` is less than ``amount`` when the visible
    book is too thin.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    symbol: str
    side: Side
    amount: Money
    filled_amount: Money
    average_price: Money
    fee: Money
    fee_rate: Money
    total: Money
    exchange: str = ""
    source: str = "order_book"

    @property
    def complete(self) -> bool:
        return self.filled_amount >= self.amount


class Balance(BaseModel):
    """One asset's balance: free to trade, held in orders, and their total."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    asset: str
    free: Money
    used: Money = Decimal(0)
    total: Money

    @model_validator(mode="before")
    @classmethod
    def _fill_total(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("total") is None and "free" in data:
            used = data.get("used") or 0
            data = {**data, "total": to_decimal(data["free"]) + to_decimal(used)}
        return data
