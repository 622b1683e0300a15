"""The simulated market: a seeded random walk per symbol, with a spread and an order book.

It lets the paper exchange (and everything built on it: the manager, the command line, the
tests) run with no network at all.

How prices move, and why that way
---------------------------------
Prices advance with **time**, not with requests: the market has a start time (its clock's
time when it was built) and moves one step every ``tick_seconds``. The price of a symbol at a
moment is therefore a function of the seed, the symbol and the number of ticks since the start,
and nothing else: asking twice in the same tick gives the same quote, asking for ETH does not
move BTC, and two markets with the same seed and clock agree, whenever and however often each
was asked before. Advancing on each request would make a quote depend on how often (and in
which order) callers asked, which is hard to reason about once the manager asks many exchanges
concurrently.

Each step is a whole number ``k`` from -1000 to 1000 (thousandths of the largest step) drawn by
:class:`~powertrader_paper.walk.SeededWalk`, keyed on ``"<seed>:<symbol>"``. The walk finds
the sum of the steps up to any tick without drawing them one by one (a tree of partial sums,
see :mod:`.walk`), so a symbol first asked a month after the market started is priced in about
a millisecond, as fast as one asked every second: nothing blocks the event loop to catch up.
The mid at tick ``t`` is the start price times ``(1 + volatility) ** (K / 1000)``, where ``K``
is the sum of the steps before ``t``: one step moves the mid by at most ``volatility``, and the
mid depends only on ``K``, not on the path to it. The power is computed with ``Decimal``'s
correctly rounded ``ln`` and ``exp`` at 28 digits and the mid rounded to seven significant
digits of the start price (BTC at 60000 moves in cents): no float touches a price, and the walk
is the same on every platform. The mid never goes below a floor of a hundred such increments,
and never beyond ``e ** 21`` (about a billion) times the price it went on from, so that a very
volatile market run for years cannot overflow a price's digits.

The clock never moves a price backwards: a clock set back keeps the last price until it passes
the tick it was asked at.

Tests inject a fake clock and advance it to move prices; :meth:`SimulatedMarket.set_price`
moves one symbol by hand (for demonstrations and exact tests) and the walk continues from there:
afterwards the mid is the set price times ``(1 + volatility) ** (K / 1000)`` with ``K`` the sum
of the steps since the tick it was set at.

Start prices are a table of rough USD prices of common coins; a market quoted in another
currency is converted through the same table (``ETH-BTC`` is 3000 / 60000). An asset the table
does not know gets a start price drawn from the seed, so any ``BASE-QUOTE`` can be traded.

The book has ``book_levels`` levels a side, one basis point apart, starting at the best bid and
ask (the mid plus or minus half the spread). Level *n* holds *n* times ``level_notional`` USD
worth of the base asset, so a larger order walks deeper, at a worse average price. The volume
of the last 24 h is reported as 0: the simulation has no trade history to count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Context, Decimal

from powertrader_core.models import BookLevel, MarketData, OrderBook
from powertrader_paper.config import PaperConfig
from powertrader_paper.walk import STEP_BOUND, SeededWalk

__all__ = ["STARTING_PRICES_USD", "SimulatedMarket", "usd_value"]

#: Rough USD prices to start the walk from; close enough to look familiar, not a price feed.
STARTING_PRICES_USD: dict[str, Decimal] = {
    "BTC": Decimal(60000),
    "ETH": Decimal(3000),
    "SOL": Decimal(150),
    "BNB": Decimal(550),
    "XRP": Decimal("0.5"),
    "ADA": Decimal("0.45"),
    "DOGE": Decimal("0.15"),
    "AVAX": Decimal(30),
    "DOT": Decimal(7),
    "LINK": Decimal(15),
    "LTC": Decimal(80),
    "BCH": Decimal(400),
    "MATIC": Decimal("0.7"),
    "POL": Decimal("0.7"),
    "TRX": Decimal("0.12"),
    "XLM": Decimal("0.11"),
    "ATOM": Decimal(8),
    "UNI": Decimal(8),
    "SHIB": Decimal("0.00002"),
    "PEPE": Decimal("0.00001"),
    # Fiat currencies, for markets quoted in them.
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CHF": Decimal("1.12"),
    "CAD": Decimal("0.73"),
    "AUD": Decimal("0.66"),
    "JPY": Decimal("0.0067"),
}

#: Assets worth one US dollar for the simulation.
USD_LIKE = frozenset({"USD", "USDT", "USDC", "DAI", "BUSD", "FDUSD", "TUSD", "USDP", "PYUSD"})

_LEVEL_SPACING = Decimal("0.0001")  # one basis point between book levels
_AMOUNT_STEP = Decimal("0.00000001")  # book amounts in units of 1e-8 (a satoshi for BTC)
_SIGNIFICANT_DIGITS = 7
# Our own context for the walk's powers, so a caller's decimal context cannot change a price.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
# Rounding to the increment needs room for every digit down to it, whatever the price.
_ROUNDING = Context(prec=60, rounding=ROUND_HALF_EVEN)
# The walk moves the mid by at most e ** 21 (about 10 ** 9) either way from where it went on:
# a very volatile market run for long would otherwise overflow the digits of a price.
_MAX_LOG_MOVE = Decimal(21)


def usd_value(asset: str, seed: int | str) -> Decimal:
    """The USD price the walk starts from; unknown assets get one drawn from the seed."""
    if asset in USD_LIKE:
        return Decimal(1)
    if asset in STARTING_PRICES_USD:
        return STARTING_PRICES_USD[asset]
    draw = random.Random(f"{seed}:{asset}:start").randint(10, 10000)
    return Decimal(draw) / 100  # 0.10 to 100.00 USD


def _tick_for(price: Decimal) -> Decimal:
    """The price increment: seven significant digits of ``price`` (60000 -> 0.01)."""
    return Decimal(1).scaleb(price.adjusted() - (_SIGNIFICANT_DIGITS - 1))


@dataclass
class _Walk:
    """One symbol's walk: its steps, the price it goes on from, and its mid at tick ``at``.

    ``anchor_mid`` is the mid where the sum of the steps was ``anchor_position``: the start
    price at 0, or the last :meth:`SimulatedMarket.set_price`.
    """

    steps: SeededWalk
    tick: Decimal
    floor: Decimal
    base_usd: Decimal
    anchor_mid: Decimal
    anchor_position: int = 0
    at: int = 0
    mid: Decimal = Decimal(0)


class SimulatedMarket:
    """Quotes and order books for any ``BASE-QUOTE`` symbol, without a network."""

    def __init__(self, config: PaperConfig) -> None:
        self._config = config
        self._start = config.now()
        self._tick = timedelta(microseconds=max(1, int(config.tick_seconds * 1_000_000)))
        self._walks: dict[str, _Walk] = {}
        # ln(1 + volatility) / 1000: the log-move of one thousandth of a step.
        self._unit = _CONTEXT.divide(_CONTEXT.ln(1 + config.volatility), STEP_BOUND)

    def market_data(self, symbol: str, exchange: str) -> MarketData:
        """The quote for ``symbol`` now: the mid as last price, best bid and ask."""
        now = self._config.now()
        walk = self._advance(symbol, now)
        bid, ask = self._best_prices(walk)
        return MarketData(
            symbol=symbol,
            price=walk.mid,
            bid=bid,
            ask=ask,
            volume=Decimal(0),
            timestamp=now,
            exchange=exchange,
            source=self._config.source_label,
        )

    def order_book(self, symbol: str, depth: int, exchange: str) -> OrderBook:
        """``depth`` levels a side (at most ``book_levels``), best first."""
        now = self._config.now()
        walk = self._advance(symbol, now)
        bid, ask = self._best_prices(walk)
        spacing = max(walk.tick, (walk.mid * _LEVEL_SPACING).quantize(walk.tick))
        count = min(depth, self._config.book_levels)
        bids = []
        asks = []
        for level in range(count):
            amount = self._level_amount(walk, level)
            bid_price = bid - spacing * level
            if bid_price > 0:
                bids.append(BookLevel(price=bid_price, amount=amount))
            asks.append(BookLevel(price=ask + spacing * level, amount=amount))
        return OrderBook(symbol=symbol, bids=bids, asks=asks, timestamp=now, exchange=exchange)

    def set_price(self, symbol: str, price: Decimal) -> None:
        """Move ``symbol``'s mid to ``price`` now; the walk goes on from there.

        For demonstrations and tests that need an exact price; the seeded walk alone is
        deterministic too, but its path is not chosen.
        """
        walk = self._advance(symbol, self._config.now())
        walk.anchor_mid = max(walk.floor, price.quantize(walk.tick))
        walk.anchor_position = walk.steps.position(walk.at)
        walk.mid = walk.anchor_mid

    # ---- the walk ------------------------------------------------------------------------

    def _advance(self, symbol: str, now: datetime) -> _Walk:
        """Bring ``symbol``'s walk to the tick of ``now`` (never backwards), in O(log n)."""
        walk = self._walks.get(symbol) or self._new_walk(symbol)
        target = (now - self._start) // self._tick
        if target > walk.at:
            moved = walk.steps.position(target) - walk.anchor_position
            log_move = _CONTEXT.multiply(self._unit, moved)
            log_move = min(_MAX_LOG_MOVE, max(-_MAX_LOG_MOVE, log_move))
            factor = _CONTEXT.exp(log_move)
            mid = _CONTEXT.multiply(walk.anchor_mid, factor).quantize(walk.tick, context=_ROUNDING)
            walk.mid = max(walk.floor, mid)
            walk.at = target
        return walk

    def _new_walk(self, symbol: str) -> _Walk:
        seed = self._config.seed
        base, quote = symbol.split("-", 1)
        start = self._config.starting_prices.get(symbol)
        if start is None:
            start = usd_value(base, seed) / usd_value(quote, seed)
        tick = _tick_for(start)
        mid = max(tick, start.quantize(tick))
        walk = _Walk(
            steps=SeededWalk(f"{seed}:{symbol}"),
            tick=tick,
            # A floor keeps the bid positive whatever the walk does (a hundred ticks).
            floor=tick * 100,
            base_usd=usd_value(base, seed),
            anchor_mid=mid,
            mid=mid,
        )
        self._walks[symbol] = walk
        return walk

    def _best_prices(self, walk: _Walk) -> tuple[Decimal, Decimal]:
        """Best bid and ask around the mid: rounded outwards, at least one tick apart."""
        half = walk.mid * self._config.spread / 2
        bid = (walk.mid - half).quantize(walk.tick, rounding=ROUND_DOWN)
        ask = (walk.mid + half).quantize(walk.tick, rounding=ROUND_UP)
        if ask <= bid:
            ask = bid + walk.tick
        return bid, ask

    def _level_amount(self, walk: _Walk, level: int) -> Decimal:
        """Level ``level`` (0 = best) holds ``level + 1`` times ``level_notional`` USD."""
        notional = self._config.level_notional * (level + 1)
        amount = (notional / walk.base_usd).quantize(_AMOUNT_STEP, rounding=ROUND_DOWN)
        return max(amount, _AMOUNT_STEP)
