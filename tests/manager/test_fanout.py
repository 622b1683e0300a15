"""Fan-out: compare and best price across eight venues; slow, failing and hanging venues."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from powertrader_core import (
    ConfigurationError,
    ExchangeConnectionError,
    ExchangeError,
    ExchangeRateLimitError,
    MultiExchangeManager,
    SymbolNotSupportedError,
)
from tests.fakes import registered
from tests.manager.conftest import EIGHT, MakeManager
from tests.manager.fakes import FAST_RETRY, DictConfig, FakeVenue, settings, venue
from tests.timing import wall_budget


async def test_compare_prices_returns_every_venue_under_its_name(eight, make_manager: MakeManager):
    async with make_manager(list(eight)) as manager:
        quotes = await manager.compare_prices("BTC-USD")
    assert list(quotes) == list(EIGHT)
    for name, quote in quotes.items():
        assert quote.exchange == name
        assert quote.price == Decimal(EIGHT[name]["mid"])
        assert quote.symbol == "BTC-USD"
    assert all(cls.knobs.calls["get_market_data"] == 1 for cls in eight.values())


async def test_best_price_is_lowest_ask_to_buy_and_highest_bid_to_sell(eight, make_manager):
    async with make_manager(list(eight)) as manager:
        buy = await manager.get_best_price("BTC-USD", "buy")
        sell = await manager.get_best_price("btc/usd", side="SELL")
    asks = {n: k["mid"] + k["spread"] / 2 for n, k in EIGHT.items()}
    bids = {n: k["mid"] - k["spread"] / 2 for n, k in EIGHT.items()}
    assert buy.exchange == min(asks, key=asks.__getitem__) == "hov"
    assert buy.ask == Decimal(str(asks["hov"]))
    assert sell.exchange == max(bids, key=bids.__getitem__) == "gul"
    assert sell.bid == Decimal(str(bids["gul"]))


async def test_fan_out_is_concurrent(eight, make_manager):
    for cls in eight.values():
        cls.knobs.latency = 0.1
    async with make_manager(list(eight)) as manager:
        await manager.compare_prices("BTC-USD")
    # As the venues saw it: all eight were asked before any answered (one after the other,
    # each would be asked only after the previous one's 0.1 s answer: 0.8 s in all).
    assert all(len(cls.knobs.started) == 1 for cls in eight.values())
    assert max(c.knobs.started[0] for c in eight.values()) < min(
        c.knobs.finished[0] for c in eight.values()
    )


async def test_hanging_venue_costs_the_timeout_and_is_named_in_status(eight, make_manager):
    eight["dax"].knobs.hang = True
    async with make_manager(list(eight), exchange_timeout=0.3) as manager:
        start = time.perf_counter()
        quotes = await manager.compare_prices("BTC-USD")
        elapsed = time.perf_counter() - start
        status = manager.get_exchange_status()
    assert elapsed < 0.3 + wall_budget(0.25)  # the timeout, and our own work on top
    assert set(quotes) == set(EIGHT) - {"dax"}
    assert status["dax"]["status"] == "degraded"
    assert "dax get_market_data: no answer within 0.3 s" in status["dax"]["last_error"]
    assert status["dax"]["last_error_at"] is not None
    assert status["dax"]["consecutive_failures"] == 1
    assert status["ace"]["status"] == "connected"
    assert status["ace"]["latency"] is not None and status["ace"]["latency"] >= 1


async def test_hanging_initialise_is_bounded_too(make_manager):
    class SlowStart(FakeVenue):
        name = "slowstart"

        async def initialize(self) -> bool:
            await asyncio.Event().wait()
            return True

    SlowStart.knobs = venue("slowstart", 1).knobs
    with registered(venue("quick", 10), SlowStart):
        async with make_manager(["quick", "slowstart"], exchange_timeout=0.2) as manager:
            quotes = await manager.compare_prices("ETH-USD")
            assert list(quotes) == ["quick"]
            assert "no answer within" in manager.get_exchange_status()["slowstart"]["last_error"]


async def test_one_failing_venue_does_not_fail_the_call(eight, make_manager):
    eight["bex"].knobs.error = ExchangeConnectionError("reset", exchange="bex", operation="x")
    eight["cor"].knobs.error = RuntimeError("plugin bug")
    async with make_manager(list(eight)) as manager:
        detailed = await manager.compare_prices_detailed("BTC-USD")
        quotes = await manager.compare_prices("BTC-USD")
    assert set(quotes) == set(EIGHT) - {"bex", "cor"}
    assert set(detailed.errors) == {"bex", "cor"}
    # A plugin's stray exception comes out as our error, naming exchange and operation.
    assert isinstance(detailed.errors["cor"], ExchangeError)
    assert str(detailed.errors["cor"]).startswith("cor get_market_data: unexpected RuntimeError")


async def test_every_venue_failing_raises_one_error_listing_each(make_manager):
    a = venue("fa", 1, error=ExchangeConnectionError("refused", exchange="fa", operation="q"))
    b = venue("fb", 1, hang=True)
    with registered(a, b):
        async with make_manager(["fa", "fb"], exchange_timeout=0.1) as manager:
            with pytest.raises(ExchangeConnectionError) as caught:
                await manager.compare_prices("BTC-USD")
    message = str(caught.value)
    assert message.startswith("compare_prices: all 2 exchanges failed for BTC-USD: ")
    assert "fa q: refused" in message and "fb get_market_data: no answer within 0.1 s" in message
    assert set(caught.value.failures) == {"fa", "fb"}  # type: ignore[attr-defined]


async def test_mixed_failures_raise_the_common_base(make_manager):
    a = venue("fa", 1, error=ExchangeConnectionError("refused", exchange="fa"))
    b = venue("fb", 1, error=ExchangeRateLimitError("slow down", exchange="fb", retry_after=60))
    with registered(a, b):
        async with make_manager(["fa", "fb"]) as manager:
            with pytest.raises(ExchangeError) as caught:
                await manager.compare_prices("BTC-USD")
    assert type(caught.value) is ExchangeError
    assert "fa: refused" in str(caught.value) and "fb: slow down" in str(caught.value)


async def test_reads_retry_a_transient_failure(eight, make_manager):
    knobs = eight["ace"].knobs
    knobs.errors.append(ExchangeConnectionError("blip", exchange="ace"))
    async with make_manager(["ace"]) as manager:
        quote = await manager.get_market_data("BTC-USD", "ace")
        assert quote.exchange == "ace"
        assert manager.get_exchange_status()["ace"]["status"] == "connected"
    assert knobs.calls["get_market_data"] == 2


async def test_a_refusal_is_not_retried_and_does_not_count_against_health(eight, make_manager):
    eight["ace"].knobs.listed = {"ETH-USD"}
    async with make_manager(["ace", "bex"]) as manager:
        quotes = await manager.compare_prices("BTC-USD")
        status = manager.get_exchange_status()["ace"]
    assert list(quotes) == ["bex"]
    assert eight["ace"].knobs.calls["get_market_data"] == 1
    assert status["consecutive_failures"] == 0 and status["status"] != "down"
    assert "BTC-USD is not listed" in status["last_error"]


async def test_venue_outside_the_region_takes_part_only_when_named(eight, make_manager):
    """The region decides the default set; an exchange named explicitly is used anyway, and
    the manager says so in one line (issue 16: ``ccxt:gemini`` refused in region us)."""
    eu_only = venue("euro", 50, regions=("eu",))
    with registered(eu_only):
        async with make_manager(list(eight)) as manager:
            assert "euro" not in manager.get_available_exchanges()
        async with MultiExchangeManager(
            DictConfig(), settings(), retry=FAST_RETRY
        ) as manager:  # the region's default set
            assert "euro" not in manager.get_available_exchanges()
        async with make_manager([*eight, "euro"]) as manager:
            assert "euro" not in manager.get_available_exchanges()  # a mixed list: the region's
            assert "euro" not in await manager.compare_prices("BTC-USD")
            quote = await manager.get_market_data("BTC-USD", "euro")  # named alone: used
            assert manager.outside_region("euro") == (
                "euro does not list region 'us' (it lists eu); used because it was named"
            )
            assert manager.outside_region("ace") is None
        async with make_manager(["euro"]) as manager:
            assert manager.get_available_exchanges() == ["euro"]  # none of the region named
            assert list(await manager.compare_prices("BTC-USD")) == ["euro"]
    assert quote.exchange == "euro"
    assert eu_only.knobs.calls["get_market_data"] == 2


async def test_market_data_without_a_name_uses_the_primary_then_falls_back(eight, make_manager):
    eight["cor"].knobs.error = ExchangeConnectionError("down", exchange="cor")
    async with make_manager(list(eight), primary_exchange="cor") as manager:
        quote = await manager.get_market_data("BTC-USD")
    assert eight["cor"].knobs.calls["get_market_data"] >= 1
    assert quote.exchange != "cor"


async def test_market_data_without_a_name_takes_the_first_answer(eight, make_manager):
    """The exchanges are asked together: a hanging one costs nothing when another answers,
    and the slow ones are not waited for (their calls are cancelled)."""
    for name, cls in eight.items():
        cls.knobs.latency = 0.05 if name == "fyx" else 2.0
    eight["ace"].knobs.hang = True
    async with make_manager(list(eight), exchange_timeout=5) as manager:
        quote = await manager.get_market_data("BTC-USD")
    assert quote.exchange == "fyx"
    # As the venues saw it: all were asked at once, and none but fyx was waited for (their
    # calls were cancelled unfinished; one after the other: 2 s each, the hanging one 5 s).
    assert all(len(cls.knobs.started) == 1 for cls in eight.values())
    assert max(c.knobs.started[0] for c in eight.values()) < eight["fyx"].knobs.finished[0]
    assert [name for name, cls in eight.items() if cls.knobs.finished] == ["fyx"]


async def test_market_data_offline_fails_as_fast_as_the_slowest_failure(eight, make_manager):
    for cls in eight.values():
        cls.knobs.latency = 0.2
        cls.knobs.error = ExchangeConnectionError("cannot resolve host: no network?")
    async with make_manager(list(eight), exchange_timeout=5) as manager:
        with pytest.raises(ExchangeConnectionError, match="all 8 exchanges failed") as caught:
            await manager.get_market_data("BTC-USD")
    assert sorted(caught.value.failures) == sorted(eight)  # type: ignore[attr-defined]
    # Together, as the venues saw it (retried once): each round of eight was asked before any
    # of its answers came; one after the other: 8 x 2 x 0.2 s.
    knobs = [cls.knobs for cls in eight.values()]
    assert all(len(k.started) == len(k.finished) == 2 for k in knobs)
    for attempt in (0, 1):
        assert max(k.started[attempt] for k in knobs) < min(k.finished[attempt] for k in knobs)


async def test_bad_names_and_symbols_fail_before_anything_is_sent(eight, make_manager):
    async with make_manager(["ace"]) as manager:
        with pytest.raises(ConfigurationError, match="unknown exchange 'nope'"):
            await manager.get_market_data("BTC-USD", "nope")
        with pytest.raises(ConfigurationError, match="not among this manager's exchanges"):
            await manager.get_market_data("BTC-USD", "bex")
        with pytest.raises(SymbolNotSupportedError, match="BASE-QUOTE"):
            await manager.compare_prices("BTCUSD!")
    assert eight["ace"].knobs.calls.total() == 0
    with pytest.raises(ConfigurationError, match="unknown exchange 'nope'"):
        make_manager(["ace", "nope"])


async def test_exchanges_are_built_lazily_and_closed_by_async_with(eight, make_manager):
    manager = make_manager(list(eight))
    assert all(cls.knobs.calls.total() == 0 for cls in eight.values())
    async with manager:
        await manager.get_market_data("BTC-USD", "ace")
        assert eight["ace"].knobs.calls["initialize"] == 1
        assert eight["bex"].knobs.calls["initialize"] == 0
        await manager.compare_prices("BTC-USD")
        await manager.compare_prices("BTC-USD")
        assert eight["ace"].knobs.calls["initialize"] == 1  # initialised once
    assert all(cls.knobs.closed == 1 for cls in eight.values())


async def test_a_class_under_a_second_name_is_a_separate_instance(eight, make_manager):
    with registered(ace_sub=eight["ace"]):
        async with make_manager(["ace", "ace_sub"]) as manager:
            quotes = await manager.compare_prices("BTC-USD")
            status = manager.get_exchange_status()
            first = await manager.get_exchange("ace")
            second = await manager.get_exchange("ace_sub")
    assert quotes["ace_sub"].exchange == "ace_sub" and quotes["ace"].exchange == "ace"
    assert first is not second and second.name == "ace_sub"
    assert status["ace_sub"]["status"] == "connected"
    assert eight["ace"].knobs.closed == 2


async def test_best_price_errors_name_get_best_price(eight, make_manager):
    for cls in eight.values():
        cls.knobs.error = ExchangeConnectionError("down")
    async with make_manager(list(eight)) as manager:
        with pytest.raises(ExchangeConnectionError, match=r"^get_best_price: all 8 exchanges"):
            await manager.get_best_price("BTC-USD", "buy")
        with pytest.raises(SymbolNotSupportedError, match="get_best_price"):
            await manager.get_best_price("BTCUSD!", "buy")
