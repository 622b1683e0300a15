"""``CcxtExchange``: the exchange contract over any ``ccxt.async_support`` exchange.

One generic class; what differs between exchanges is a row of ``profiles.PROFILES``. The seed's
``KrakenExchange``, ``BinanceExchange``, ... (``exchanges.py``) only name their row, and any
other ccxt exchange is reachable as ``ccxt:<id>``.

Orders are checked against the market before anything is sent: the amount and prices go
through ccxt's ``amount_to_precision`` / ``price_to_precision`` (the exchange's own rounding),
and an amount under the market's minimum amount or cost raises ``InvalidOrderError`` with no
request made. The request's ``client_order_id`` reaches the exchange as ccxt's
``clientOrderId`` (or the exchange's own field where ccxt drops that one: Coinbase), converted
to the exchange's rule where it is stricter (OKX: 32 hex digits).

Every order result names the symbol the caller asked for (``BTC-USD``), with the market really
traded in ``metadata["quoted_symbol"]`` where a stable coin stood in (``BTC-USDT``), as
:class:`MarketData` and :class:`OrderBook` do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from powertrader_ccxt.client_ids import to_exchange_client_id
from powertrader_ccxt.convert import (
    balances_from_ccxt,
    book_from_ccxt,
    dec,
    market_data_from_ticker,
    order_from_ccxt,
)
from powertrader_ccxt.core import CcxtCore
from powertrader_ccxt.lookup import SENT_SKEW, find_by_client_id
from powertrader_ccxt.sent import DEADLINE_MARGIN, SentOrders
from powertrader_core.errors import (
    ExchangeAuthenticationError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
)
from powertrader_core.models import (
    Balance,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    OrderType,
    TimeInForce,
    TradingFees,
)

__all__ = ["CcxtExchange"]

_PRICE_MAX_AGE = 60.0  # seconds a seen price may stand in for a market order's cost check


class CcxtExchange(CcxtCore):
    """Any ccxt exchange as a PowerTrader exchange; see the module docstring."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        profile = cls.__dict__.get("profile")
        if profile is not None:  # the profile says whether ccxt.pro pushes its tickers
            cls.streaming = profile.streaming

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self._last_price: dict[str, tuple[Decimal, float]] = {}
        self.sent = SentOrders()  # when each client id was sent, and its deadline (sent.py)
        from powertrader_ccxt.streaming import ws_url_from_config

        self.ws_url = ws_url_from_config(self.config, self.name)  # websocket origin override

    # ---- pushed prices (powertrader_ccxt.streaming) ----------------------------------------

    def watch_market_data(self, symbols: Sequence[str]) -> AsyncIterator[MarketData]:
        """Quotes as ccxt.pro pushes them (``watchTickers``), one websocket connection."""
        if not self.streaming:
            raise self._unsupported("watch_market_data")
        from powertrader_ccxt.streaming import watch_market_data

        return watch_market_data(self, list(symbols), self.ws_url)

    @property
    def source(self) -> str:
        return f"ccxt:{self.profile.ccxt_id}"

    # ---- prices --------------------------------------------------------------------------

    async def get_market_data(self, symbol: str) -> MarketData:
        await self.ensure_initialized()
        canonical, ccxt_symbol, quoted, _ = self._resolve(symbol, "get_market_data")
        ticker, latency = await self._timed_call(
            "get_market_data", self.client.fetch_ticker, ccxt_symbol
        )
        return self._market_data(ticker, canonical, quoted, latency, "get_market_data")

    def _market_data(
        self,
        ticker: Mapping[str, Any],
        canonical: str,
        quoted: str | None,
        latency_ms: float | None,
        operation: str,
    ) -> MarketData:
        try:
            data = market_data_from_ticker(
                ticker,
                symbol=canonical,
                quoted_symbol=quoted,
                exchange=self.name,
                latency_ms=latency_ms,
                source=self.source,
            )
        except (ValueError, TypeError) as exc:
            from powertrader_core.errors import ExchangeConnectionError

            raise ExchangeConnectionError(
                f"unusable ticker for {canonical}: {exc}",
                exchange=self.name,
                operation=operation,
                request_sent=True,
            ) from None
        self._last_price[canonical] = (data.price, self._now())
        return data

    async def get_market_data_batch(self, symbols: Sequence[str]) -> dict[str, MarketData]:
        """One ``fetch_tickers`` request where the exchange has it, else one per symbol."""
        await self.ensure_initialized()
        if not (self.profile.fetch_tickers and self.client.has.get("fetchTickers")):
            return await super().get_market_data_batch(symbols)
        resolved = {s: self._resolve(s, "get_market_data_batch") for s in symbols}
        wanted = sorted({r[1] for r in resolved.values()})
        tickers, latency = await self._timed_call(
            "get_market_data_batch", self.client.fetch_tickers, wanted
        )
        result: dict[str, MarketData] = {}
        for symbol, (canonical, ccxt_symbol, quoted, _) in resolved.items():
            ticker = tickers.get(ccxt_symbol)
            if ticker is None:
                result[symbol] = await self.get_market_data(symbol)
            else:
                result[symbol] = self._market_data(
                    ticker, canonical, quoted, latency, "get_market_data_batch"
                )
        return result

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        await self.ensure_initialized()
        canonical, ccxt_symbol, quoted, _ = self._resolve(symbol, "get_order_book")
        depth = max(int(depth), 1)
        limit = self._book_limit(depth)
        book = await self._call(
            "get_order_book", self.client.fetch_order_book, ccxt_symbol, limit
        )
        return book_from_ccxt(
            book, symbol=canonical, quoted_symbol=quoted, exchange=self.name, depth=depth
        )

    def _book_limit(self, depth: int) -> int | None:
        allowed = self.profile.order_book_limits
        if allowed is None:
            return depth
        if not allowed:
            return None
        fitting = [size for size in allowed if size >= depth]
        return min(fitting) if fitting else max(allowed)

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        """The account's own rates with keys where ccxt can ask; else the market's published."""
        await self.ensure_initialized()
        canonical, ccxt_symbol, _, market = self._resolve(symbol, "get_trading_fees")
        if self.has_credentials and self.client.has.get("fetchTradingFee"):
            fee = await self._call(
                "get_trading_fees", self.client.fetch_trading_fee, ccxt_symbol
            )
            maker, taker = dec(fee.get("maker")), dec(fee.get("taker"))
            if maker is not None and taker is not None:
                return TradingFees(
                    symbol=canonical, maker=maker, taker=taker, exchange=self.name,
                    source="account",
                )
        trading = self.client.fees.get("trading", {}) if isinstance(self.client.fees, dict) else {}
        maker = dec(market.get("maker"))
        taker = dec(market.get("taker"))
        maker = maker if maker is not None else dec(trading.get("maker"))
        taker = taker if taker is not None else dec(trading.get("taker"))
        if maker is None or taker is None:
            raise NotSupportedError(
                f"no published fees for {canonical}", exchange=self.name,
                operation="get_trading_fees",
            )
        return TradingFees(symbol=canonical, maker=maker, taker=taker, exchange=self.name)

    # ---- balances ------------------------------------------------------------------------

    def _require_keys(self, operation: str) -> None:
        if not self.has_credentials:
            missing = ", ".join(k for k in self.required_credentials if not self.config.get(k))
            raise ExchangeAuthenticationError(
                f"needs API credentials (missing: {missing})",
                exchange=self.name,
                operation=operation,
            )

    async def get_balance_details(self, asset: str | None = None) -> dict[str, Balance]:
        operation = "get_balance"
        self._require_keys(operation)
        await self.ensure_initialized()
        balance = await self._call(operation, self.client.fetch_balance)
        details = balances_from_ccxt(balance)
        if asset is None:
            return {name: b for name, b in details.items() if b.total != 0 or b.used != 0}
        key = asset.strip().upper()
        key = {theirs: ours for ours, theirs in self.profile.aliases.items()}.get(key, key)
        found = details.get(key) or Balance(asset=key, free=Decimal(0), total=Decimal(0))
        return {asset: found}

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        details = await self.get_balance_details(asset)
        return {name: balance.total for name, balance in details.items()}

    # ---- orders --------------------------------------------------------------------------

    def exchange_client_id(self, client_order_id: str) -> str:
        """The id the exchange sees for our ``client_order_id`` (same input, same output)."""
        return to_exchange_client_id(client_order_id, self.profile.client_id)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        operation = "place_order"
        request = order_request
        self._require_keys(operation)
        await self.ensure_initialized()
        canonical, ccxt_symbol, quoted, market = self._resolve(request.symbol, operation)
        kind, amount, price, ccxt_price, params = await self._order_arguments(
            request, canonical, ccxt_symbol, market
        )
        sent_id = params[self.profile.client_id.param]
        deadline, seconds = self.profile.order_deadline, self.settings.order_deadline
        with self.sent.sending(sent_id, deadline, seconds, params) as record:
            order = await self._call(
                operation,
                self.client.create_order,
                ccxt_symbol,
                kind,
                request.side.value,
                float(amount),
                float(ccxt_price) if ccxt_price is not None else None,
                params,
                record=record,
            )
        return self._order_result(
            order,
            operation,
            client_order_id=request.client_order_id,
            names=(canonical, quoted),
            fallback={
                "side": request.side.value,
                "order_type": request.order_type,
                "amount": amount,
                "price": price,
            },
            metadata={"exchange_client_order_id": sent_id, "source": self.source},
        )

    def order_deadline(self, client_order_id: str) -> datetime | None:
        """The latest moment the exchange may still accept the order this instance sent under
        ``client_order_id`` (None: not sent here, or the exchange takes no deadline). A lookup
        that finds no order before then proves nothing (see ``sent.py``)."""
        until = self.sent.deadline(self.exchange_client_id(client_order_id))
        if until is None:
            return None
        return datetime.fromtimestamp(until + DEADLINE_MARGIN, tz=UTC)

    def _order_result(
        self,
        order: Mapping[str, Any],
        operation: str,
        *,
        names: tuple[str, str | None] | None = None,
        client_order_id: str | None = None,
        default_status: OrderStatus = OrderStatus.PENDING,
        fallback: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> OrderResult:
        """A ccxt order as our result, named as the caller asked (see the module docstring).

        ``names`` is ``(canonical, quoted)`` from the caller's symbol; without one, the names
        follow from the market ccxt reports (a stand-in market maps back to its USD name).
        """
        canonical: str | None = None
        quoted: str | None = None
        if names is not None:
            canonical, quoted = names
        elif order.get("symbol"):
            canonical, quoted = self._names_of(str(order["symbol"]))
        extra: dict[str, Any] = dict(metadata or {})
        if quoted:
            extra["quoted_symbol"] = quoted
        return order_from_ccxt(
            order,
            exchange=self.name,
            client_order_id=client_order_id,
            default_status=default_status,
            fallback=fallback,
            metadata=extra,
            symbol=canonical,
            client_id_keys=self.profile.client_id_keys,
            client_id_placeholders=self.profile.client_id_placeholders,
            canceled_states=self.profile.canceled_states,
        )

    async def _order_arguments(
        self,
        request: OrderRequest,
        canonical: str,
        ccxt_symbol: str,
        market: Mapping[str, Any],
    ) -> tuple[str, Decimal, Decimal | None, Decimal | None, dict[str, Any]]:
        """ccxt's ``(type, amount, limit price, price argument, params)``, checked against the
        market's rules. The price argument is the limit price, or for a market BUY where the
        exchange spends a quote amount (Coinbase), the reference price the order's value was
        checked with: ccxt sends amount x price as the amount to spend."""
        operation = "place_order"

        def refuse(message: str) -> InvalidOrderError:
            return InvalidOrderError(message, exchange=self.name, operation=operation)

        amount = self._to_precision("amount", ccxt_symbol, request.amount, refuse)
        limit_price = (
            self._to_precision("price", ccxt_symbol, request.price, refuse)
            if request.price is not None
            else None
        )
        trigger = (
            self._to_precision("price", ccxt_symbol, request.stop_price, refuse)
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
            kind is OrderType.MARKET and request.side.value == "buy" and self._quote_sized_buys()
        )
        reference: Decimal | None = None
        if quote_sized or (min_cost is not None and min_cost > 0):
            reference = limit_price or trigger or self._recent_price(canonical)
            if reference is None:
                reference = (await self.get_market_data(canonical)).price
        if min_cost is not None and min_cost > 0 and reference is not None:
            cost = amount * reference
            if cost < min_cost:
                raise refuse(
                    f"order value {cost.normalize():f} {market.get('quote', '')} is under "
                    f"{ccxt_symbol}'s minimum of {min_cost}"
                )

        params: dict[str, Any] = {
            self.profile.client_id.param: self.exchange_client_id(request.client_order_id)
        }
        if kind in (OrderType.MARKET, OrderType.LIMIT):
            ccxt_type = kind.value
        else:
            if not (self.client.has.get("createStopOrder") or self.client.has.get(
                "createTriggerOrder"
            )):
                raise NotSupportedError(
                    f"{self.profile.ccxt_id} has no stop orders in ccxt",
                    exchange=self.name,
                    operation=operation,
                )
            ccxt_type = "limit" if kind is OrderType.STOP_LIMIT else "market"
            params[self.profile.stop_param] = float(trigger) if trigger is not None else None
        if request.time_in_force is not TimeInForce.GTC:
            if ccxt_type == "market":
                raise refuse(f"time in force {request.time_in_force.value} needs a limit order")
            params["timeInForce"] = request.time_in_force.value
        return ccxt_type, amount, limit_price, reference if quote_sized else limit_price, params

    def _quote_sized_buys(self) -> bool:
        """Whether ccxt needs a price to size a market BUY: the profile says so (Coinbase);
        for ``ccxt:<id>`` exchanges, ccxt's own ``createMarketBuyOrderRequiresPrice`` does."""
        if self.profile.market_buy_needs_price:
            return True
        if not self.profile.name.startswith("ccxt:"):
            return False
        options = self.client.options
        nested = options.get("createOrder")
        if isinstance(nested, Mapping) and "createMarketBuyOrderRequiresPrice" in nested:
            return bool(nested["createMarketBuyOrderRequiresPrice"])
        return bool(options.get("createMarketBuyOrderRequiresPrice"))

    def _to_precision(self, what: str, ccxt_symbol: str, value: Decimal, refuse: Any) -> Decimal:
        method = self.client.amount_to_precision if what == "amount" else (
            self.client.price_to_precision
        )
        try:
            text = method(ccxt_symbol, format(value, "f"))
        except Exception as exc:  # noqa: BLE001 - ccxt: InvalidOrder when it rounds to zero
            raise refuse(f"{what} {value} is under {ccxt_symbol}'s precision: {exc}") from None
        result = Decimal(str(text))
        if result <= 0:
            raise refuse(f"{what} {value} rounds to zero at {ccxt_symbol}'s precision")
        return result

    def _recent_price(self, canonical: str) -> Decimal | None:
        seen = self._last_price.get(canonical)
        if seen is None or self._now() - seen[1] > _PRICE_MAX_AGE:
            return None
        return seen[0]

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        operation = "cancel_order"
        self._require_keys(operation)
        await self.ensure_initialized()
        resolved = self._resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        order = await self._call(operation, self.client.cancel_order, order_id, ccxt_symbol)
        if not isinstance(order, Mapping) or not order.get("id"):
            order = {**(order or {}), "id": order_id}
        return self._order_result(
            order, operation, names=(resolved[0], resolved[2]) if resolved else None,
            default_status=OrderStatus.CANCELED,
        )

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        operation = "get_order"
        if order_id is None and client_order_id is None:
            raise InvalidOrderError(
                "give an order id or a client order id", exchange=self.name, operation=operation
            )
        self._require_keys(operation)
        await self.ensure_initialized()
        resolved = self._resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        names = (resolved[0], resolved[2]) if resolved else None
        if order_id is not None:
            order = await self._call(operation, self.client.fetch_order, order_id, ccxt_symbol)
            return self._order_result(
                order, operation, names=names, client_order_id=client_order_id
            )
        assert client_order_id is not None
        sent_id = self.exchange_client_id(client_order_id)
        sent_at = self.sent.sent_at(sent_id)
        since_ms = None if sent_at is None else int((sent_at - SENT_SKEW) * 1000)
        found = await find_by_client_id(
            self.client, self.profile, self._call, sent_id, ccxt_symbol,
            since_ms=since_ms, exchange=self.name,
        )
        if found is None:
            raise OrderNotFoundError(
                f"no order with client order id {client_order_id}",
                exchange=self.name,
                operation=operation,
            )
        return self._order_result(
            found, operation, names=names, client_order_id=client_order_id,
            metadata={"exchange_client_order_id": sent_id},
        )

    async def get_open_orders(self, symbol: str | None = None) -> list[OrderResult]:
        operation = "get_open_orders"
        self._require_keys(operation)
        await self.ensure_initialized()
        resolved = self._resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        orders = await self._call(operation, self.client.fetch_open_orders, ccxt_symbol)
        return [
            self._order_result(
                order, operation, names=(resolved[0], resolved[2]) if resolved else None,
                default_status=OrderStatus.OPEN,
            )
            for order in orders or []
        ]
