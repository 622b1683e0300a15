"""Acme: a made-up exchange with fixed prices, the smallest complete PowerTrader plugin.

A real plugin talks to its exchange in these methods (load markets in ``initialize``, open its
HTTP session on first use, close it in ``close``); the shape is the same.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from functools import cached_property

from powertrader_core import (
    AbstractExchange,
    ExchangeAuthenticationError,
    InvalidOrderError,
    MarketData,
    NotSupportedError,
    OrderBook,
    OrderRequest,
    OrderResult,
    OrderType,
    SymbolNotSupportedError,
    TradingFees,
)
from powertrader_core.kit import RateLimiter

from .budget import BUDGET, ORDER_COST

PRICES = {"BTC-USD": Decimal("60000"), "ETH-USD": Decimal("3000")}
MIN_AMOUNT = Decimal("0.0001")
HALF_SPREAD = Decimal("0.0005")
FEES = {"maker": Decimal("0.001"), "taker": Decimal("0.002")}


class AcmeExchange(AbstractExchange):
    name = "acme"
    regions = ("us", "eu")
    required_credentials = ("api_key",)

    async def initialize(self) -> bool:
        return True

    @cached_property
    def limiter(self) -> RateLimiter:
        # The core's limiter on Acme's documented budget: a bucket per (exchange, key, pool),
        # shared by every process on this machine that uses the key; idle time is credited.
        return RateLimiter(BUDGET, self.config.get("api_key"))

    # Acme writes markets as "btc_usd"; the library speaks "BTC-USD".
    def normalize_symbol(self, symbol: str) -> str:
        return symbol.lower().replace("-", "_")

    def denormalize_symbol(self, exchange_symbol: str) -> str:
        return exchange_symbol.upper().replace("_", "-")

    def _price(self, symbol: str, operation: str) -> Decimal:
        if symbol not in PRICES:
            raise SymbolNotSupportedError(
                f"{symbol} is not listed", exchange=self.name, operation=operation
            )
        return PRICES[symbol]

    async def get_market_data(self, symbol: str) -> MarketData:
        price = self._price(symbol, "get_market_data")
        await self.limiter.acquire("public")  # before every request to the exchange
        return MarketData(
            symbol=symbol,
            price=price,
            bid=price * (1 - HALF_SPREAD),
            ask=price * (1 + HALF_SPREAD),
            volume=Decimal(1200),
            exchange=self.name,
        )

    async def get_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        quote = await self.get_market_data(symbol)
        levels = range(min(depth, 10))
        return OrderBook(
            symbol=symbol,
            bids=[(quote.bid - step, Decimal(1)) for step in levels],
            asks=[(quote.ask + step, Decimal(1)) for step in levels],
            exchange=self.name,
        )

    async def get_trading_fees(self, symbol: str) -> TradingFees:
        self._price(symbol, "get_trading_fees")
        return TradingFees(symbol=symbol, exchange=self.name, **FEES)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        # Every check happens before anything would be sent.
        if order_request.order_type not in (OrderType.MARKET, OrderType.LIMIT):
            raise NotSupportedError(
                f"Acme takes market and limit orders, not {order_request.order_type.value}",
                exchange=self.name,
                operation="place_order",
            )
        price = self._price(order_request.symbol, "place_order")
        if order_request.amount < MIN_AMOUNT:
            raise InvalidOrderError(
                f"amount {order_request.amount} is below the minimum {MIN_AMOUNT}",
                exchange=self.name,
                operation="place_order",
            )
        if not self.has_credentials:
            raise ExchangeAuthenticationError(
                "api_key is not configured", exchange=self.name, operation="place_order"
            )
        await self.limiter.acquire("private", ORDER_COST)
        return OrderResult(
            order_id=str(uuid.uuid4()),
            status="filled",
            filled_amount=order_request.amount,
            remaining_amount=0,
            average_price=order_request.price or price,
            client_order_id=order_request.client_order_id,
            exchange=self.name,
            symbol=order_request.symbol,
            side=order_request.side,
        )

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        balances = {"USD": Decimal(10000), "BTC": Decimal(0)}
        return {asset: balances.get(asset, Decimal(0))} if asset else balances
