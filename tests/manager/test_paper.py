"""Through the real paper exchange: named, it takes part; orders go there when live is off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powertrader_core import ExchangeFactory, OrderRequest
from powertrader_core.manager.facade import MultiExchangeManager
from tests.fakes import registered
from tests.manager.fakes import FAST_RETRY, DictConfig, settings

pytest.importorskip("powertrader_paper")

PAPER = {"paper": {"starting_balances": {"USD": 50_000}, "seed": 7}}


def _manager(**overrides: object) -> MultiExchangeManager:
    return MultiExchangeManager(
        DictConfig(PAPER), settings(live_trading=False, **overrides), ["paper"], retry=FAST_RETRY
    )


def test_paper_takes_part_only_where_named() -> None:
    ExchangeFactory.get_exchange_class("paper")
    default = MultiExchangeManager(DictConfig(), settings(exchanges=None))
    assert "paper" not in default.get_available_exchanges()
    assert _manager().get_available_exchanges() == ["paper"]


async def test_compare_best_price_and_order_through_paper() -> None:
    async with _manager() as manager:
        quotes = await manager.compare_prices("BTC-USD")
        assert list(quotes) == ["paper"] and quotes["paper"].exchange == "paper"
        best = await manager.get_best_price("BTC-USD", "sell")
        assert best.exchange == "paper" and best.bid > 0
        plan = await manager.get_best_execution("BTC-USD", "buy", "0.01")
        assert plan.exchange == "paper" and plan.best.complete
        result = await manager.place_order(
            OrderRequest(symbol="BTC-USD", side="buy", amount="0.01", order_type="market")
        )
        assert result.exchange == "paper" and result.status == "filled"
        assert result.metadata["routing"] == {"rule": "paper", "exchange": "paper"}
        balances = await manager.get_balances("paper")
        assert balances["paper"]["BTC"] == Decimal("0.01")
        assert balances["paper"]["USD"] < 50_000
        status = manager.get_exchange_status()["paper"]
    assert status["status"] == "connected" and status["private_calls"] == "available"


async def test_paper_registered_under_another_name_is_still_simulated() -> None:
    # The live-money gate reads the class's declared ``simulated``, so a second paper account
    # takes orders with live trading off, as "paper" does.
    from powertrader_paper import PaperExchange

    with registered(paper_b=PaperExchange):
        manager = MultiExchangeManager(
            DictConfig({"paper_b": PAPER["paper"]}),
            settings(live_trading=False),
            ["paper_b"],
            retry=FAST_RETRY,
        )
        async with manager:
            result = await manager.place_order(
                OrderRequest(symbol="BTC-USD", side="buy", amount="0.01", order_type="market"),
                exchange="paper_b",
            )
        assert result.exchange == "paper_b" and result.status == "filled"
