"""``CcxtExchange``: the exchange contract over any ``ccxt.async_support`` exchange.

One generic class; what differs between exchanges is a row of ``profiles.PROFILES``. The seed's
``KrakenExchange``, ``BinanceExchange``, ... (``named_exchanges.py``) only name their row, and any
other ccxt exchange is reachable as ``ccxt:<id>``.

The exchange *holds* a :class:`~powertrader_ccxt.session.CcxtSession` (the ccxt client, its
markets, symbol resolution and the translating ``call``) and speaks the contract on top of it;
``watch_market_data`` hands the same session to ``streaming.py``.

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

import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from powertrader_ccxt.batch_lookup import fetch_by_ids, find_by_client_ids
from powertrader_ccxt.client_ids import to_exchange_client_id
from powertrader_ccxt.convert import (
    balances_from_ccxt,
    book_from_ccxt,
    dec,
    market_data_from_ticker,
)
from powertrader_ccxt.key_formats import secret_problems
from powertrader_ccxt.lookup import SENT_SKEW, find_by_client_id
from powertrader_ccxt.order_arguments import order_arguments
from powertrader_ccxt.order_results import order_result
from powertrader_ccxt.profiles import ExchangeProfile, generic_profile
from powertrader_ccxt.sent import SentOrders
from powertrader_ccxt.session import CcxtSession
from powertrader_ccxt.settings import CcxtSettings, config_problems
from powertrader_ccxt.streaming import watch_market_data, ws_url_from_config
from powertrader_core.errors import (
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFoundError,
)
from powertrader_core.exchange import AbstractExchange
from powertrader_core.kit import RateLimiter
from powertrader_core.models import (
    Balance,
    MarketData,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderStatus,
    TradingFees,
)

__all__ = ["CcxtExchange"]

log = logging.getLogger("powertrader_ccxt")

_PRICE_MAX_AGE = 60.0  # seconds a seen price may stand in for a market order's cost check


class CcxtExchange(AbstractExchange):
    """Any ccxt exchange as a PowerTrader exchange; see the module docstring.

    A subclass sets ``profile`` (a row of ``profiles.PROFILES``); ``name``, ``regions``, the
    credential fields and ``streaming`` follow from it.
    """

    profile: ClassVar[ExchangeProfile] = generic_profile("ccxt")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        profile = cls.__dict__.get("profile")
        if profile is not None:
            if not cls.__dict__.get("name"):
                cls.name = profile.name
            cls.regions = tuple(profile.regions)
            creds = ("api_key", "api_secret")
            cls.required_credentials = (*creds, "passphrase") if profile.passphrase else creds
            # ``ccxt:<id>`` exchanges may or may not need one; known rows say.
            generic = profile.name.startswith("ccxt:")
            cls.optional_credentials = ("passphrase",) if generic else ()
            cls.streaming = profile.streaming  # whether ccxt.pro pushes its tickers
            cls.symbol_format = profile.symbol_format  # the core's row, declared on the class
        super().__init_subclass__(**kwargs)

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self.session = CcxtSession(type(self).profile, self.config, lambda: self.name)
        self._last_price: dict[str, tuple[Decimal, float]] = {}
        self.sent = SentOrders()  # when each client id was sent, and its deadline (sent.py)
        self.ws_url = ws_url_from_config(self.config, self.name)  # websocket origin override

    # ---- what the session holds, by its usual names ------------------------------------------

    @property
    def client(self) -> Any:
        """The ccxt client (``ccxt.async_support.<id>``) the session holds."""
        return self.session.client

    @property
    def settings(self) -> CcxtSettings:
        return self.session.settings

    @property
    def limiter(self) -> RateLimiter | None:
        return self.session.limiter

    @property
    def source(self) -> str:
        return self.session.source

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[str]:
        """Missing credentials, malformed fields, and a sandbox the exchange lacks."""
        problems = super().check_config(config)
        problems += config_problems(config)
        if cls.profile.passphrase and not (config.get("passphrase") or config.get("password")):
            message = "passphrase is missing (this exchange's keys come with one)"
            problems = [p for p in problems if not p.startswith("passphrase")] + [message]
        try:
            sandbox = CcxtSettings.from_config(config).sandbox
        except ValueError:
            sandbox = False
        if sandbox and not cls.profile.sandbox:
            problems.append(f"sandbox: {cls.profile.ccxt_id} has no sandbox")
        secret = config.get("api_secret") or config.get("secret")
        if isinstance(secret, str) and secret:
            problems += secret_problems("api_secret", secret, cls.profile.secret_format)
        return problems

    async def initialize(self) -> bool:
        """Load spot markets: from the disk cache when fresh, else from the exchange."""
        await self.session.load_markets()
        return True

    async def close(self) -> None:
        """Close ccxt's HTTP session (and websockets). Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        session = getattr(self, "session", None)  # None: __init__ failed before making one
        if session is not None:
            await session.close()

    def _now(self) -> float:
        return time.perf_counter()

    # ---- pushed prices (powertrader_ccxt.streaming) ----------------------------------------

    def watch_market_data(self, symbols: Sequence[str]) -> AsyncIterator[MarketData]:
        """Quotes as ccxt.pro pushes them (``watchTickers``), one websocket connection."""
        if not self.streaming:
            raise self._unsupported("watch_market_data")
        return watch_market_data(self.session, list(symbols), self.ws_url)

    # ---- prices --------------------------------------------------------------------------

    async def get_market_data(self, symbol: str) -> MarketData:
        await self.ensure_initialized()
        canonical, ccxt_symbol, quoted, _ = self.session.resolve(symbol, "get_market_data")
        ticker, latency = await self.session.timed_call(
            "get_market_data", self.session.client.fetch_ticker, ccxt_symbol
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
        if not (self.profile.fetch_tickers and self.session.client.has.get("fetchTickers")):
            return await super().get_market_data_batch(symbols)
        resolved = {s: self.session.resolve(s, "get_market_data_batch") for s in symbols}
        wanted = sorted({r[1] for r in resolved.values()})
        tickers, latency = await self.session.timed_call(
            "get_market_data_batch", self.session.client.fetch_tickers, wanted
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
        canonical, ccxt_symbol, quoted, _ = self.session.resolve(symbol, "get_order_book")
        depth = max(int(depth), 1)
        limit = self._book_limit(depth)
        book = await self.session.call(
            "get_order_book", self.session.client.fetch_order_book, ccxt_symbol, limit
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
        canonical, ccxt_symbol, _, market = self.session.resolve(symbol, "get_trading_fees")
        if self.has_credentials and self.session.client.has.get("fetchTradingFee"):
            fee = await self.session.call(
                "get_trading_fees", self.session.client.fetch_trading_fee, ccxt_symbol
            )
            maker, taker = dec(fee.get("maker")), dec(fee.get("taker"))
            if maker is not None and taker is not None:
                return TradingFees(
                    symbol=canonical, maker=maker, taker=taker, exchange=self.name,
                    source="account",
                )
        fees = self.session.client.fees
        trading = fees.get("trading", {}) if isinstance(fees, dict) else {}
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
        balance = await self.session.call(operation, self.session.client.fetch_balance)
        details = balances_from_ccxt(balance)
        if asset is None:
            return {name: b for name, b in details.items() if b.total != 0 or b.used != 0}
        key = asset.strip().upper()
        key = self.profile.symbol_format.reverse_aliases().get(key, key)
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
        canonical, ccxt_symbol, quoted, market = self.session.resolve(request.symbol, operation)

        async def reference_price() -> Decimal:
            recent = self._recent_price(canonical)
            return recent if recent is not None else (await self.get_market_data(canonical)).price

        kind, amount, price, ccxt_price, params = await order_arguments(
            self.session, request, ccxt_symbol, market,
            client_id=self.exchange_client_id(request.client_order_id),
            reference_price=reference_price,
        )
        sent_id = params[self.profile.client_id.param]
        deadline, seconds = self.profile.order_deadline, self.settings.order_deadline
        with self.sent.sending(
            sent_id, deadline, seconds, params, until=request.deadline
        ) as record:
            order = await self.session.call(
                operation,
                self.session.client.create_order,
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

    def engine_deadline(self, seconds: float) -> datetime | None:
        """The AddOrder-style deadline an order sent now would carry, where the exchange's
        matching engine enforces one (``RequestDeadline.engine``; Kraken): ``seconds`` (the
        manager's timeout) unless the configuration names its own ``order_deadline``, within
        the exchange's bounds, a whole second. None where the engine enforces none (an
        arrival window such as ``recvWindow`` is no proof), or the configuration turned it
        off."""
        rule, configured = self.profile.order_deadline, self.settings.order_deadline
        if rule is None or not rule.engine or rule.where != "order_param" or not configured:
            return None
        wanted = configured if "order_deadline" in self.config else seconds
        return datetime.fromtimestamp(rule.until(time.time(), wanted), tz=UTC)

    def _order_result(
        self, order: Mapping[str, Any], operation: str, **naming: Any
    ) -> OrderResult:
        """A ccxt order as our result, named as the caller asked (``order_results.py``)."""
        return order_result(self.session, order, **naming)

    def _recent_price(self, canonical: str) -> Decimal | None:
        seen = self._last_price.get(canonical)
        if seen is None or self._now() - seen[1] > _PRICE_MAX_AGE:
            return None
        return seen[0]

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        operation = "cancel_order"
        self._require_keys(operation)
        await self.ensure_initialized()
        resolved = self.session.resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        order = await self.session.call(
            operation, self.session.client.cancel_order, order_id, ccxt_symbol
        )
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
        resolved = self.session.resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        names = (resolved[0], resolved[2]) if resolved else None
        if order_id is not None:
            order = await self.session.call(
                operation, self.session.client.fetch_order, order_id, ccxt_symbol
            )
            return self._order_result(
                order, operation, names=names, client_order_id=client_order_id
            )
        assert client_order_id is not None
        sent_id = self.exchange_client_id(client_order_id)
        sent_at = self.sent.sent_at(sent_id)
        since_ms = None if sent_at is None else int((sent_at - SENT_SKEW) * 1000)
        found = await find_by_client_id(
            self.session.client, self.profile, self.session.call, sent_id, ccxt_symbol,
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
        resolved = self.session.resolve(symbol, operation) if symbol else None
        ccxt_symbol = resolved[1] if resolved else None
        orders = await self.session.call(
            operation, self.session.client.fetch_open_orders, ccxt_symbol
        )
        return [
            self._order_result(
                order, operation, names=(resolved[0], resolved[2]) if resolved else None,
                default_status=OrderStatus.OPEN,
            )
            for order in orders or []
        ]

    async def find_orders(
        self, client_order_ids: Sequence[str], since: datetime | None = None
    ) -> dict[str, OrderResult]:
        """Many orders by client id in few requests (``batch_lookup.py``); where the profile
        pages its finished orders by offset (Kraken), else ``NotSupportedError``."""
        operation = "find_orders"
        if self.profile.paging.offset_param is None:
            raise self._unsupported(operation)
        self._require_keys(operation)
        await self.ensure_initialized()
        sent = {self.exchange_client_id(cid): cid for cid in client_order_ids}
        since_ms = None if since is None else int((since.timestamp() - SENT_SKEW) * 1000)
        found = await find_by_client_ids(self.session.client, self.profile, self.session.call,
                                         sent, since_ms, exchange=self.name)
        return {cid: self._order_result(order, operation, client_order_id=cid)
                for cid, order in found.items()}

    async def get_orders_by_id(self, order_ids: Sequence[str]) -> dict[str, OrderResult]:
        """Orders by the exchange's ids, ``orders_per_query`` a request (Kraken's QueryOrders:
        50); ``NotSupportedError`` where the profile sets none."""
        operation = "get_orders_by_id"
        if self.profile.orders_per_query <= 0:
            raise self._unsupported(operation)
        self._require_keys(operation)
        await self.ensure_initialized()
        orders = await fetch_by_ids(self.session.client, self.profile, self.session.call,
                                    list(order_ids))
        results = [self._order_result(order, operation) for order in orders]
        return {result.order_id: result for result in results}
