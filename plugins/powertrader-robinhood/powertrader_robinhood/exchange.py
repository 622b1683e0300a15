"""``RobinhoodExchange``: the official Robinhood Crypto Trading API behind the contract.

The seed's Robinhood logged in with a username, a password and 2FA. The real Crypto Trading API
does not: the user makes an Ed25519 key pair (``powertrader robinhood keygen``), pastes the
public key into Robinhood's web app and receives an API key; every request is signed with the
private key. Configuration, as the credentials manager loads it::

    {"api_key": "rh-api-...", "private_key": "<base64 seed>",
     "base_url": "https://trading.robinhood.com", "timeout": 10}

What Robinhood is, and how the contract maps onto it:

- US accounts, USD pairs only. Every endpoint needs the keys, market data included.
- Quotes (``get_market_data``, ``get_market_data_batch``: one request for any number of
  symbols) carry Robinhood's spread-inclusive bid and ask, and its mid as ``price``.
- No order book is published: ``get_order_book`` raises ``NotSupportedError``, and
  ``estimate_fill`` asks Robinhood's own estimated-price endpoint instead.
- Robinhood charges no fee; it earns its spread, which is already inside the bid, the ask and
  every estimate. ``get_trading_fees`` therefore reports 0 maker and taker with
  ``source="spread"``, so that nothing adds a fee on top of a price that already holds it.
- Orders are checked against the pair's increments and size limits before they are sent
  (:mod:`powertrader_robinhood.orders`); cancelling is asynchronous at Robinhood, so
  ``cancel_order`` returns the order as Robinhood reports it just after the request.
- A token bucket per API key keeps under 100 requests a minute with bursts to 300.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from powertrader_core import (
    AbstractExchange,
    Balance,
    ConfigurationError,
    ExchangeConnectionError,
    ExchangeError,
    FillEstimate,
    InvalidOrderError,
    MarketData,
    OrderNotFoundError,
    OrderRequest,
    OrderResult,
    OrderStatus,
    Side,
    SymbolNotSupportedError,
    TradingFees,
)
from powertrader_core.kit import (
    SYMBOL_FORMATS,
    RateLimiter,
    SymbolFormat,
    require_canonical,
    to_decimal,
    utc_now,
)
from powertrader_robinhood._http import API_PREFIX, DEFAULT_BASE_URL, RobinhoodHttp
from powertrader_robinhood.budget import budget_from_config
from powertrader_robinhood.errors import Call
from powertrader_robinhood.keys import key_problems
from powertrader_robinhood.orders import build_order_body, check_client_order_id
from powertrader_robinhood.parsing import (
    TradingPair,
    fill_estimate_from,
    market_data_from,
    order_result_from,
    parse_decimal,
)
from powertrader_robinhood.signing import RobinhoodSigner

__all__ = ["RobinhoodExchange"]

ACCOUNTS = f"{API_PREFIX}trading/accounts/"
BEST_BID_ASK = f"{API_PREFIX}marketdata/best_bid_ask/"
ESTIMATED_PRICE = f"{API_PREFIX}marketdata/estimated_price/"
TRADING_PAIRS = f"{API_PREFIX}trading/trading_pairs/"
HOLDINGS = f"{API_PREFIX}trading/holdings/"
ORDERS = f"{API_PREFIX}trading/orders/"

#: How many pages of recent orders a lookup by client_order_id reads at most.
ORDER_SEARCH_PAGES = 10
#: How long a full list of trading pairs is taken as the whole market (seconds). Within it, a
#: symbol not in the list is refused without a request; after it, it is looked up once.
PAIRS_TTL = 3600.0


class RobinhoodExchange(AbstractExchange):
    """Robinhood Crypto (US): the official Crypto Trading API, signed with Ed25519."""

    name = "robinhood"
    regions: ClassVar[Sequence[str]] = ("us",)
    symbol_format: ClassVar[SymbolFormat] = SYMBOL_FORMATS["robinhood"]
    required_credentials: ClassVar[Sequence[str]] = ("api_key", "private_key")

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(config)
        self._transport = transport
        self._limiter = limiter
        self._http: RobinhoodHttp | None = None
        self._signer: RobinhoodSigner | None = None
        self._pairs: dict[str, TradingPair] = {}
        self._pairs_loaded_at: float | None = None  # monotonic time of the last full list

    # ---- configuration -----------------------------------------------------------------

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[str]:
        """Missing fields, and a private key that is not base64 of an Ed25519 key (32 or 64
        bytes). Never echoes a value."""
        problems = super().check_config(config)
        private_key = config.get("private_key")
        if private_key:
            problems += key_problems(str(private_key))
        base_url = config.get("base_url")
        if base_url and not str(base_url).startswith(("https://", "http://")):
            problems.append("base_url must start with https:// (or http:// for a local test)")
        timeout = config.get("timeout")
        if timeout is not None:
            try:
                if float(timeout) <= 0:
                    problems.append("timeout must be a positive number of seconds")
            except (TypeError, ValueError):
                problems.append("timeout must be a number of seconds")
        return problems

    def _get_signer(self) -> RobinhoodSigner:
        if self._signer is None:
            problems = self.check_config(self.config)
            if problems:
                raise ConfigurationError(
                    "; ".join(problems)
                    + " (`powertrader robinhood keygen` shows how to make the keys)",
                    exchange=self.name,
                    operation="credentials",
                )
            self._signer = RobinhoodSigner(str(self.config["api_key"]),
                                           str(self.config["private_key"]))
        return self._signer

    def _client(self) -> RobinhoodHttp:
        if self._http is None:
            api_key = str(self.config.get("api_key") or "")
            # the core's limiter on Robinhood's documented budget, shared by every process
            # on the machine that uses this key (budget.py)
            limiter = self._limiter or RateLimiter(budget_from_config(self.config), api_key)
            self._http = RobinhoodHttp(
                base_url=str(self.config.get("base_url") or DEFAULT_BASE_URL),
                signer=self._get_signer,
                limiter=limiter,
                exchange_name=lambda: self.name,
                timeout=float(self.config.get("timeout") or 10.0),
                transport=self._transport,
                secrets=(api_key or None, self.config.get("private_key")),
            )
        return self._http

    async def _get(self, path: str, operation: str, params: list[tuple[str, str]] | None = None,
                   call: Call = Call.READ) -> Any:
        return await self._client().request("GET", path, operation=operation, params=params,
                                            call=call)

    async def _list(self, path: str, operation: str,
                    params: list[tuple[str, str]] | None = None,
                    max_pages: int = 1000) -> list[dict[str, Any]]:
        return [item async for item in self._client().paginate(
            path, operation=operation, params=params, max_pages=max_pages)]

    def _symbol(self, symbol: str, operation: str) -> str:
        """Canonical ``BASE-USD``, or ``SymbolNotSupportedError`` without a request."""
        canonical = require_canonical(symbol, exchange=self.name, operation=operation)
        if not canonical.endswith("-USD"):
            raise SymbolNotSupportedError(
                f"{canonical}: Robinhood lists USD pairs only", exchange=self.name,
                operation=operation,
            )
        return canonical

    def _mapping(self, answer: Any, operation: str) -> Mapping[str, Any]:
        if not isinstance(answer, Mapping):
            raise ExchangeError("Robinhood's answer is not an object", exchange=self.name,
                                operation=operation)
        return answer

    # ---- lifecycle ---------------------------------------------------------------------

    async def initialize(self) -> bool:
        """Check the keys locally, then load every trading pair (which proves them)."""
        self._get_signer()
        pairs = await self._list(TRADING_PAIRS, "initialize")
        self._pairs = {pair.symbol: pair for pair in map(TradingPair.from_api, pairs)}
        self._pairs_loaded_at = time.monotonic()
        return True

    async def close(self) -> None:
        """Close the HTTP client. Safe to call more than once."""
        if self._http is not None:
            await self._http.close()
        await super().close()

    # ---- market data -------------------------------------------------------------------

    async def get_market_data(self, symbol: str) -> MarketData:
        """Robinhood's quote: spread-inclusive bid and ask, and the mid as ``price``."""
        return (await self._quotes([symbol], "get_market_data"))[symbol]

    async def get_market_data_batch(self, symbols: Sequence[str]) -> dict[str, MarketData]:
        """Quotes for many symbols in one request (``?symbol=A&symbol=B``)."""
        return await self._quotes(list(symbols), "get_market_data_batch")

    async def _quotes(self, symbols: list[str], operation: str) -> dict[str, MarketData]:
        if not symbols:
            return {}
        wanted = {given: self._symbol(given, operation) for given in symbols}
        unique = list(dict.fromkeys(wanted.values()))
        answer = self._mapping(
            await self._get(BEST_BID_ASK, operation, [("symbol", s) for s in unique]), operation
        )
        received_at = utc_now()
        found: dict[str, MarketData] = {}
        for item in answer.get("results") or []:
            if isinstance(item, Mapping) and isinstance(item.get("symbol"), str):
                symbol = item["symbol"].upper()
                if symbol in unique:
                    found[symbol] = market_data_from(
                        item, symbol=symbol, exchange=self.name, received_at=received_at
                    )
        missing = [s for s in unique if s not in found]
        if missing:
            raise SymbolNotSupportedError(
                f"Robinhood returned no quote for {', '.join(missing)}", exchange=self.name,
                operation=operation,
            )
        return {given: found[canonical] for given, canonical in wanted.items()}

    async def estimate_fill(
        self, symbol: str, side: Side | str, amount: Decimal | float | str
    ) -> FillEstimate:
        """Robinhood's own estimate for this size (its estimated-price endpoint), spread
        included: Robinhood publishes no order book to walk."""
        canonical = self._symbol(symbol, "estimate_fill")
        try:
            side = Side(str(side.value if isinstance(side, Side) else side).lower())
            size = to_decimal(amount)
        except ValueError as exc:
            raise InvalidOrderError(str(exc), exchange=self.name,
                                    operation="estimate_fill") from None
        if not size.is_finite() or size <= 0:
            raise InvalidOrderError("amount must be greater than zero", exchange=self.name,
                                    operation="estimate_fill")
        rh_side = "ask" if side is Side.BUY else "bid"
        quantity = format(size.normalize(), "f")
        answer = self._mapping(await self._get(ESTIMATED_PRICE, "estimate_fill", [
            ("symbol", canonical), ("side", rh_side), ("quantity", quantity)]), "estimate_fill")
        results = [r for r in answer.get("results") or [] if isinstance(r, Mapping)]
        matching = [r for r in results if str(r.get("side", rh_side)).lower() == rh_side
                    and parse_decimal(r.get("quantity")) in (None, size)]
        if not (matching or results):
            raise SymbolNotSupportedError(f"Robinhood returned no estimate for {canonical}",
                                          exchange=self.name, operation="estimate_fill")
        return fill_estimate_from((matching or results)[0], symbol=canonical, side=side,
                                  amount=size, exchange=self.name)

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        """Zero maker and taker, ``source="spread"``: Robinhood charges no fee but earns a
        spread that is already inside every bid, ask and estimate it quotes. No request."""
        canonical = self._symbol(symbol, "get_trading_fees")
        return TradingFees(symbol=canonical, maker=Decimal(0), taker=Decimal(0),
                           exchange=self.name, source="spread")

    async def get_trading_pair(self, symbol: str) -> TradingPair:
        """A pair's increments and size limits, cached. After ``initialize`` the full list is
        authoritative for ``PAIRS_TTL``: an unlisted symbol is refused without a request.
        Otherwise an unknown symbol is looked up once (a new listing is found that way)."""
        canonical = self._symbol(symbol, "get_trading_pair")
        pair = self._pairs.get(canonical)
        complete = (self._pairs_loaded_at is not None
                    and time.monotonic() - self._pairs_loaded_at < PAIRS_TTL)
        if pair is None and not complete:
            for item in await self._list(TRADING_PAIRS, "get_trading_pair",
                                         [("symbol", canonical)]):
                found = TradingPair.from_api(item)
                self._pairs[found.symbol] = found
            pair = self._pairs.get(canonical)
        if pair is None:
            raise SymbolNotSupportedError(f"Robinhood does not list {canonical}",
                                          exchange=self.name, operation="get_trading_pair")
        return pair

    # ---- balances ----------------------------------------------------------------------

    async def _buying_power(self, operation: str) -> Balance:
        account = self._mapping(await self._get(ACCOUNTS, operation), operation)
        currency = str(account.get("buying_power_currency") or "USD").upper()
        power = parse_decimal(account.get("buying_power")) or Decimal(0)
        return Balance(asset=currency, free=power, used=Decimal(0), total=power)

    async def _holdings(self, operation: str, asset: str | None = None) -> dict[str, Balance]:
        params = [("asset_code", asset)] if asset else None
        balances: dict[str, Balance] = {}
        for item in await self._list(HOLDINGS, operation, params):
            code = str(item.get("asset_code") or "").upper()
            if not code:
                continue
            total = parse_decimal(item.get("total_quantity")) or Decimal(0)
            free = parse_decimal(item.get("quantity_available_for_trading"))
            free = total if free is None else min(free, total)
            balances[code] = Balance(asset=code, free=free, used=total - free, total=total)
        return balances

    async def get_balance_details(self, asset: str | None = None) -> dict[str, Balance]:
        """Holdings (every page) and buying power as the USD balance."""
        operation = "get_balance"
        if asset is not None:
            code = asset.strip().upper()
            if code == "USD":
                usd = await self._buying_power(operation)
                return {code: usd.model_copy(update={"asset": code})}
            held = await self._holdings(operation, code)
            return {code: held.get(code, Balance(asset=code, free=Decimal(0), total=Decimal(0)))}
        usd = await self._buying_power(operation)
        return {usd.asset: usd, **await self._holdings(operation)}

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        """Total per asset: holdings merged with buying power as USD."""
        details = await self.get_balance_details(asset)
        return {code: balance.total for code, balance in details.items()}

    # ---- orders ------------------------------------------------------------------------
    #
    # No engine deadline (engine_deadline stays None): the order endpoint takes none, and
    # x-timestamp is valid for 30 s as an authentication check only (docs.robinhood.com/
    # crypto/trading, "Authentication: Timestamp"). An order whose answer was lost stays
    # unknown until found by its client_order_id or settled by the user.

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        """Check the order against the pair's rules, then send it (never resent on its own)."""
        canonical = self._symbol(order_request.symbol, "place_order")
        check_client_order_id(order_request.client_order_id, self.name)
        try:
            pair = await self.get_trading_pair(canonical)
        except ExchangeConnectionError as exc:
            # Only the rules lookup failed: the order itself provably never left.
            raise ExchangeConnectionError(
                f"could not read {canonical}'s trading rules, so the order was not sent "
                f"({exc.message})",
                exchange=self.name, operation="place_order", request_sent=False,
            ) from exc
        body = build_order_body(order_request, pair, exchange=self.name)
        answer = await self._client().request(
            "POST", ORDERS, operation="place_order", call=Call.PLACE_ORDER, body=body
        )
        return order_result_from(self._mapping(answer, "place_order"), exchange=self.name)

    def _order_path(self, order_id: str, operation: str) -> str:
        try:
            canonical = str(uuid.UUID(str(order_id)))
        except ValueError:
            raise OrderNotFoundError(
                f"{order_id!r} is not a Robinhood order id (those are UUIDs)",
                exchange=self.name, operation=operation,
            ) from None
        return f"{ORDERS}{canonical}/"

    async def cancel_order(self, order_id: str, symbol: str | None = None) -> OrderResult:
        """Ask Robinhood to cancel; return the order as Robinhood reports it right after.

        Robinhood cancels asynchronously ("Cancel request was submitted"), so the order may
        still read open; if reading it fails, the result is ``UNKNOWN`` with the cancel noted.
        """
        path = self._order_path(order_id, "cancel_order")
        answer = await self._client().request(
            "POST", f"{path}cancel/", operation="cancel_order", call=Call.ONE_ORDER
        )
        note = {"cancel_requested": True, "cancel_answer": str(answer or "")[:200]}
        try:
            order = await self.get_order(order_id)
        except ExchangeError as exc:
            return OrderResult(order_id=order_id, status=OrderStatus.UNKNOWN, exchange=self.name,
                               symbol=symbol, metadata={**note, "lookup_error": str(exc)})
        return order.model_copy(update={"metadata": {**order.metadata, **note}})

    async def get_order(
        self,
        order_id: str | None = None,
        symbol: str | None = None,
        *,
        client_order_id: str | None = None,
    ) -> OrderResult:
        """One order by Robinhood's id, or by our ``client_order_id``.

        The list endpoint cannot filter by client id, so that lookup reads the most recent
        orders (filtered by symbol when given), at most ``ORDER_SEARCH_PAGES`` pages.
        """
        if order_id:
            answer = await self._get(self._order_path(order_id, "get_order"), "get_order",
                                     call=Call.ONE_ORDER)
            return order_result_from(self._mapping(answer, "get_order"), exchange=self.name)
        if not client_order_id:
            raise InvalidOrderError("give an order_id or a client_order_id", exchange=self.name,
                                    operation="get_order")
        wanted = client_order_id.strip().lower()
        params = [("symbol", self._symbol(symbol, "get_order"))] if symbol else None
        pages = int(self.config.get("order_search_pages") or ORDER_SEARCH_PAGES)
        async for item in self._client().paginate(ORDERS, operation="get_order", params=params,
                                                  max_pages=pages):
            if str(item.get("client_order_id") or "").lower() == wanted:
                return order_result_from(item, exchange=self.name)
        raise OrderNotFoundError(
            f"no order with client_order_id {client_order_id!r} among the most recent "
            f"{pages} pages of orders", exchange=self.name, operation="get_order",
        )

    async def get_open_orders(self, symbol: str | None = None) -> list[OrderResult]:
        """Orders still working: states ``open`` and ``partially_filled``, every page."""
        base = [("symbol", self._symbol(symbol, "get_open_orders"))] if symbol else []
        results: dict[str, OrderResult] = {}
        for state in ("open", "partially_filled"):
            for item in await self._list(ORDERS, "get_open_orders", [*base, ("state", state)]):
                order = order_result_from(item, exchange=self.name)
                results.setdefault(order.order_id, order)
        return list(results.values())
