"""The simulated market's walk: a late first question is fast, and never changes the answer.

Regression: a symbol first asked long after the market started used to draw every step since
the start, one by one (some 0.3 s a simulated day, with the event loop blocked). The walk is now
a tree of partial sums (``powertrader_paper.walk``); these tests hold it to the same promises:
a price is a function of seed, symbol and tick, whoever asked what before.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from powertrader_paper.config import PaperConfig
from powertrader_paper.sim import SimulatedMarket
from powertrader_paper.walk import BRANCHING, STEP_BOUND, SeededWalk

from tests.paper.conftest import START, FakeClock

DAY = 86_400
STEP_VARIANCE = STEP_BOUND * (STEP_BOUND + 1) / 3  # uniform on -1000..1000


def _market(clock: FakeClock, **settings: object) -> SimulatedMarket:
    return SimulatedMarket(PaperConfig.from_mapping({"clock": clock, **settings}))


def test_a_symbol_first_asked_a_month_later_is_priced_at_once() -> None:
    clock = FakeClock()
    market = _market(clock)
    market.market_data("BTC-USD", "paper")  # builds the market and the quote model first
    clock.advance(30 * DAY)
    started = time.process_time()
    quote = market.market_data("ETH-USD", "paper")
    elapsed = time.process_time() - started
    # About a millisecond of CPU (this process's CPU time: a loaded machine's waits for a core
    # are not the walk's); the bound is generous for slow machines (step by step took ~10 s).
    assert elapsed < 0.05, f"catching up 30 days took {elapsed * 1000:.1f} ms"
    assert quote.price != Decimal(3000)
    assert 0 < quote.bid < quote.price < quote.ask


def test_markets_asked_at_different_moments_agree() -> None:
    often = FakeClock()
    asked_often = _market(often)
    seen = {}
    for hour in range(0, 30 * 24, 7):  # every seven hours, a few seconds off the hour
        often.now = START + timedelta(hours=hour, seconds=hour % 5)
        seen[often.now] = asked_often.market_data("BTC-USD", "paper").price
        asked_often.market_data("ETH-USD", "paper")  # another symbol in between changes nothing
    # A market built at the same start and asked only once, at any of those moments, agrees.
    for moment in [*list(seen)[::13], often.now]:
        once = FakeClock()
        asked_once = _market(once)
        once.now = moment
        assert asked_once.market_data("BTC-USD", "paper").price == seen[moment], moment


def test_the_position_is_the_sum_of_bounded_steps_whatever_the_order_asked() -> None:
    walk = SeededWalk("7:BTC-USD")
    ticks = range(2 * BRANCHING * BRANCHING + 5)  # across leaf and level-1 boundaries
    positions = [walk.position(t) for t in ticks]
    assert positions[0] == 0
    steps = [b - a for a, b in pairwise(positions)]
    assert all(-STEP_BOUND <= step <= STEP_BOUND for step in steps)
    assert len(set(steps)) > 1000  # a walk, not a drift
    # Asked backwards, and by a fresh walk that jumps straight to each tick: the same numbers.
    backwards = SeededWalk("7:BTC-USD")
    assert [backwards.position(t) for t in reversed(ticks)] == positions[::-1]
    assert all(SeededWalk("7:BTC-USD").position(t) == positions[t] for t in ticks[::997])
    assert SeededWalk("8:BTC-USD").position(ticks[-1]) != positions[-1]


def test_a_long_gap_has_the_variance_of_all_its_steps() -> None:
    # Steps drawn one by one would give n * STEP_VARIANCE after n ticks; so must the tree.
    for n in (BRANCHING - 3, 30 * DAY):
        positions = [SeededWalk(f"{seed}:X-USD").position(n) for seed in range(200)]
        ratio = statistics.pvariance(positions) / (n * STEP_VARIANCE)
        assert 0.75 < ratio < 1.25, (n, ratio)
        assert abs(statistics.fmean(positions)) < 0.2 * (n * STEP_VARIANCE) ** 0.5


def test_one_tick_moves_the_mid_by_at_most_the_volatility() -> None:
    clock = FakeClock()
    market = _market(clock, volatility="0.01")
    previous = market.market_data("BTC-USD", "paper").price
    for _ in range(300):
        clock.advance(1)
        price = market.market_data("BTC-USD", "paper").price
        assert abs(price / previous - 1) <= Decimal("0.01") + Decimal("0.0000002")
        previous = price


def test_a_clock_set_back_keeps_the_last_price() -> None:
    clock = FakeClock()
    market = _market(clock)
    clock.advance(600)
    late = market.market_data("BTC-USD", "paper").price
    clock.advance(-300)
    assert market.market_data("BTC-USD", "paper").price == late


def test_a_wild_market_run_for_years_still_quotes() -> None:
    clock = FakeClock()
    market = _market(clock, volatility="0.49")
    clock.advance(5 * 365 * DAY)
    quote = market.market_data("BTC-USD", "paper")
    assert 0 < quote.bid < quote.ask
    assert quote.price <= Decimal(60000) * Decimal(21).exp()
