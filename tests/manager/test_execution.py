"""Best execution and order routing: depth, fees, funds, health, region and credentials."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from powertrader_core import (
    ConfigurationError,
    ExchangeAuthenticationError,
    ExchangeConnectionError,
    InsufficientFundsError,
    OrderRequest,
)
from powertrader_core.manager.health import HealthTracker
from tests.fakes import registered
from tests.manager.conftest import MakeManager
from tests.manager.fakes import FakeVenue, keys, venue
from tests.timing import wall_budget

RICH = {"USD": 1_000_000, "BTC": 10}


@pytest.fixture
def book() -> Iterator[dict[str, type[FakeVenue]]]:
    """thin: best ask but only 1 BTC visible; deep: next best, plenty; pricey: dearer still;
    cheap_eu: the cheapest of all, but not in the US."""
    venues = [
        venue("thin", 99_990, spread=2, level_amount="0.5", levels=2, balances=RICH),
        venue("deep", 100_000, spread=2, level_amount=5, balances=RICH),
        venue("pricey", 100_050, spread=2, level_amount=10, balances=RICH),
        venue("cheap_eu", 90_000, spread=2, level_amount=10, balances=RICH, regions=("eu",)),
    ]
    with registered(*venues) as by_name:
        yield by_name


NAMES = ["thin", "deep", "pricey", "cheap_eu"]


def _buy(amount: str = "3", **extra: object) -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side="buy", amount=amount, order_type="market", **extra)


async def test_best_execution_looks_past_a_thin_top_of_book(book, make_manager: MakeManager):
    async with make_manager(NAMES) as manager:
        best_quote = await manager.get_best_price("BTC-USD", "buy")
        plan = await manager.get_best_execution("BTC-USD", "buy", 3)
    assert best_quote.exchange == "thin"
    assert [e.exchange for e in plan.ranked] == ["deep", "pricey", "thin"]
    assert plan.best.complete and not plan.ranked[-1].complete
    assert plan.best.total == Decimal(3) * Decimal(100_001) * Decimal("1.001")
    assert plan.runner_up is not None and plan.runner_up.exchange == "pricey"
    assert book["cheap_eu"].knobs.calls.total() == 0


async def test_best_execution_to_sell_takes_the_largest_proceeds(book, make_manager):
    async with make_manager(NAMES) as manager:
        plan = await manager.get_best_execution("BTC-USD", "sell", "2")
    assert plan.exchange == "pricey"
    assert plan.best.total == Decimal(2) * Decimal(100_049) * Decimal("0.999")


async def test_an_exchange_without_a_book_is_estimated_at_its_top_of_book(make_manager):
    with registered(venue("bookless", 100, book=False), venue("booked", 101)):
        async with make_manager(["bookless", "booked"]) as manager:
            plan = await manager.get_best_execution("ETH-USD", "buy", 1)
    assert plan.exchange == "bookless" and plan.best.source == "top_of_book"
    assert plan.runner_up is not None and plan.runner_up.source == "order_book"


async def test_place_order_routes_to_the_best_execution_and_says_why(book, make_manager, caplog):
    caplog.set_level("INFO", logger="powertrader_core.manager")
    async with make_manager(NAMES) as manager:
        result = await manager.place_order(_buy())
    assert result.exchange == "deep" and result.order_id == "deep-1"
    routing = result.metadata["routing"]
    assert routing["rule"] == "best_execution" and routing["exchange"] == "deep"
    assert routing["chosen"]["exchange"] == "deep"
    assert routing["chosen"]["total"] == Decimal(3) * Decimal(100_001) * Decimal("1.001")
    assert routing["runner_up"]["exchange"] == "pricey"
    assert routing["runner_up"]["total"] > routing["chosen"]["total"]
    assert len(book["deep"].knobs.orders) == 1
    assert not book["pricey"].knobs.orders and not book["thin"].knobs.orders
    assert "chose deep" in caplog.text and "runner-up pricey" in caplog.text


async def test_routing_skips_a_venue_that_cannot_pay(book, make_manager):
    book["deep"].knobs.balances = {"USD": Decimal(10)}
    async with make_manager(NAMES) as manager:
        result = await manager.place_order(_buy())
    assert result.exchange == "pricey"
    assert "needs" in result.metadata["routing"]["excluded"]["deep"]
    assert "has 10 USD" in result.metadata["routing"]["excluded"]["deep"]
    assert not book["deep"].knobs.orders


async def test_routing_counts_a_stable_coin_that_stands_in_for_usd(book, make_manager):
    # A ccxt:<id> venue whose account holds USDT: its class says USD is quoted as USDT, so a
    # buy of BTC-USD is paid from USDT (the funds check used to read the core's table by name).
    from powertrader_ccxt.named_exchanges import class_for_ccxt_id

    stable = venue("stable_only", 99_000, balances={"USDT": 1_000_000})
    stable.symbol_format = class_for_ccxt_id("gemini").symbol_format
    with registered(stable):
        async with make_manager([*NAMES, "stable_only"]) as manager:
            result = await manager.place_order(_buy())
    assert result.exchange == "stable_only", result.metadata["routing"]
    assert "stable_only" not in result.metadata["routing"]["excluded"]
    poor = venue("stable_poor", 99_000, balances={"USDT": 10})
    poor.symbol_format = stable.symbol_format
    with registered(poor):
        async with make_manager([*NAMES, "stable_poor"]) as manager:
            result = await manager.place_order(_buy())
    assert "USD/USDT, has 10 USDT" in result.metadata["routing"]["excluded"]["stable_poor"]


@pytest.mark.parametrize("entity", ["binanceus", "okxus"])
async def test_routing_wants_dollars_for_a_usd_buy_on_the_us_entities(book, make_manager, entity):
    # Binance.US and OKX US list real USD markets (shared/reference/exchanges.md): BTC-USD there
    # is BTCUSD / BTC-USD, paid in dollars. A USDT balance must not pass the funds check (their
    # family's "USD means USDT" did let it), while dollars do.
    from powertrader_core import ExchangeFactory

    fmt = ExchangeFactory.get_exchange_class(entity).symbol_format
    tokens_only = venue("us_tokens", 99_000, balances={"USDT": 1_000_000})
    tokens_only.symbol_format = fmt
    with registered(tokens_only):
        async with make_manager([*NAMES, "us_tokens"]) as manager:
            result = await manager.place_order(_buy())
    assert result.exchange == "deep"
    assert "needs" in result.metadata["routing"]["excluded"]["us_tokens"]
    assert "USD, has 0 USD" in result.metadata["routing"]["excluded"]["us_tokens"]
    assert not tokens_only.knobs.orders
    dollars = venue("us_dollars", 99_000, balances={"USD": 1_000_000})
    dollars.symbol_format = fmt
    with registered(dollars):
        async with make_manager([*NAMES, "us_dollars"]) as manager:
            result = await manager.place_order(_buy())
    assert result.exchange == "us_dollars", result.metadata["routing"]


async def test_routing_skips_a_venue_that_is_down(book, make_manager):
    health = HealthTracker(failure_threshold=2, cooldown=60)
    for _ in range(2):
        health.record_failure("deep", ExchangeConnectionError("gone", exchange="deep"))
    async with make_manager(NAMES, health=health) as manager:
        result = await manager.place_order(_buy())
        assert manager.get_exchange_status()["deep"]["status"] == "down"
    assert result.exchange == "pricey"
    assert "circuit open" in result.metadata["routing"]["excluded"]["deep"]
    assert book["deep"].knobs.calls.total() == 0  # not even asked


async def test_routing_skips_a_venue_without_credentials(book, make_manager):
    configs = {"thin": keys(), "deep": {}, "pricey": keys()}
    async with make_manager(NAMES, configs=configs) as manager:
        result = await manager.place_order(_buy())
        status = manager.get_exchange_status()["deep"]
    assert result.exchange == "pricey"
    assert "no credentials configured (api_key is missing)" in (
        result.metadata["routing"]["excluded"]["deep"]
    )
    assert status["private_calls"].startswith("skipped: no credentials")
    assert book["deep"].knobs.calls["get_balance"] == 0


async def test_routing_fails_with_one_error_when_no_venue_can_pay(book, make_manager):
    for cls in book.values():
        cls.knobs.balances = {"USD": Decimal(1)}
    async with make_manager(NAMES) as manager:
        with pytest.raises(InsufficientFundsError) as caught:
            await manager.place_order(_buy())
    assert str(caught.value).startswith("place_order: all 3 exchanges failed for buy 3 BTC-USD")
    assert all(not cls.knobs.orders for cls in book.values())


async def test_an_unreadable_balance_does_not_exclude_a_venue(book, make_manager):
    # get_balance fails, the book still answers: the venue stays, funds unchecked.
    book["deep"].knobs.balances = {}
    async with make_manager(["deep", "pricey"]) as manager:
        original = book["deep"].get_balance

        async def broken(self: FakeVenue, asset: str | None = None) -> dict[str, Decimal]:
            raise ExchangeConnectionError("balance endpoint down", exchange="deep")

        book["deep"].get_balance = broken  # type: ignore[method-assign]
        try:
            result = await manager.place_order(_buy())
        finally:
            book["deep"].get_balance = original  # type: ignore[method-assign]
    assert result.exchange == "deep"
    assert result.metadata["routing"]["funds_unchecked"] == ["deep"]


async def test_primary_exchange_takes_orders_unless_auto_best_price(book, make_manager):
    async with make_manager(NAMES, primary_exchange="pricey") as manager:
        result = await manager.place_order(_buy())
    assert result.exchange == "pricey" and result.metadata["routing"]["rule"] == "primary"
    async with make_manager(NAMES, primary_exchange="pricey", auto_best_price=True) as manager:
        result = await manager.place_order(_buy())
    assert result.exchange == "deep" and result.metadata["routing"]["rule"] == "best_execution"


async def test_explicit_exchange_is_used_as_named(book, make_manager):
    async with make_manager(NAMES) as manager:
        result = await manager.place_order(_buy(), exchange="thin")
    assert result.exchange == "thin" and result.metadata["routing"] == {
        "rule": "explicit", "exchange": "thin"
    }
    assert result.client_order_id == book["thin"].knobs.orders[0].client_order_id


async def test_orders_are_never_retried(book, make_manager):
    book["deep"].knobs.errors.append(
        ExchangeConnectionError("reset after send", exchange="deep", request_sent=True)
    )
    async with make_manager(NAMES) as manager:
        with pytest.raises(ExchangeConnectionError, match="reset after send"):
            await manager.place_order(_buy(), exchange="deep")
        assert manager.get_exchange_status()["deep"]["consecutive_failures"] == 1
    assert book["deep"].knobs.calls["place_order"] == 1


async def test_an_order_without_answer_times_out_saying_it_may_have_been_sent(book, make_manager):
    book["deep"].knobs.hang = True
    async with make_manager(NAMES, exchange_timeout=0.2) as manager:
        start = time.perf_counter()
        with pytest.raises(ExchangeConnectionError, match="may have reached") as caught:
            await manager.place_order(_buy(), exchange="deep")
        assert time.perf_counter() - start < 0.2 + wall_budget(0.3)  # the timeout, our work
    assert caught.value.request_sent is None
    assert book["deep"].knobs.calls["place_order"] == 1


async def test_private_calls_without_credentials_send_nothing(book, make_manager):
    async with make_manager(NAMES, configs={}) as manager:
        with pytest.raises(ExchangeAuthenticationError, match="deep place_order: no credentials"):
            await manager.place_order(_buy(), exchange="deep")
    assert book["deep"].knobs.calls.total() == 0


async def test_live_trading_off_sends_orders_only_to_simulated_exchanges(book, make_manager):
    sim = venue("simvenue", 100_000, balances=RICH)
    sim.simulated = True
    with registered(sim):
        async with make_manager([*NAMES, "simvenue"], live_trading=False) as manager:
            with pytest.raises(ConfigurationError, match="live trading is off"):
                await manager.place_order(_buy(), exchange="deep")
            result = await manager.place_order(_buy())
        assert result.exchange == "simvenue" and result.metadata["routing"]["rule"] == "paper"
    assert not book["deep"].knobs.orders


async def test_a_venue_named_paper_is_not_simulated_unless_its_class_says_so(book, make_manager):
    # The live-money gate reads the class's declared ``simulated``, never the name.
    impostor = venue("paper", 100_000, balances=RICH)
    with registered(impostor):
        async with make_manager([*NAMES, "paper"], live_trading=False) as manager:
            with pytest.raises(ConfigurationError, match="live trading is off"):
                await manager.place_order(_buy(), exchange="paper")
            with pytest.raises(ConfigurationError, match="no paper exchange is usable"):
                await manager.place_order(_buy())
    assert not impostor.knobs.orders


async def test_live_trading_off_without_a_paper_exchange_refuses(book, make_manager):
    async with make_manager(NAMES, live_trading=False) as manager:
        with pytest.raises(ConfigurationError, match="no paper exchange is usable"):
            await manager.place_order(_buy())
    assert all(not cls.knobs.orders for cls in book.values())
