"""check_exchange_class: a conforming class passes, each way of breaking the contract is named."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import aiohttp
import pytest

from powertrader_core import AbstractExchange, MarketData, OrderRequest, OrderResult
from powertrader_core.testing import (
    ConformanceError,
    check_exchange_class,
    exchange_class_problems,
)
from tests.plugin_kit.acme_plugin.powertrader_acme.exchange import AcmeExchange


class _Base(AbstractExchange):
    """Implements the four abstract coroutines, nothing else."""

    name = "base_ok"

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        return MarketData(symbol, 1, 1, 1, exchange=self.name)

    async def place_order(self, order_request: OrderRequest) -> OrderResult:
        return OrderResult("1", "filled")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}


def test_the_example_exchange_and_a_minimal_one_conform() -> None:
    check_exchange_class(AcmeExchange)
    assert exchange_class_problems(_Base) == []


def test_seed_style_get_supported_regions_override_counts_as_declared() -> None:
    class SeedStyle(_Base):
        name = "seed_style_ok"

        def get_supported_regions(self) -> list[str]:
            return ["us", "global"]

    assert exchange_class_problems(SeedStyle) == []


def test_not_an_exchange_class() -> None:
    assert "not a subclass of powertrader_core.AbstractExchange" in exchange_class_problems(dict)[0]
    with pytest.raises(ConformanceError, match="not a subclass"):
        check_exchange_class(object())


def test_every_problem_is_listed_at_once() -> None:
    class Broken(AbstractExchange):
        name = "Bad Name"
        regions = ("mars", "us")
        required_credentials = "api_key"  # type: ignore[assignment]
        streaming = True

        def initialize(self) -> bool:  # type: ignore[override]
            return True

        async def get_market_data(self) -> MarketData:  # type: ignore[override]
            raise AssertionError

        async def place_order(self, order_request: OrderRequest) -> OrderResult:
            raise AssertionError

        async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
            return {}

        async def normalize_symbol(self, symbol: str) -> str:  # type: ignore[override]
            return symbol

        async def watch_market_data(  # type: ignore[override]
            self, symbols: Sequence[str]
        ) -> AsyncIterator[MarketData]:
            raise AssertionError

    with pytest.raises(ConformanceError) as info:
        check_exchange_class(Broken)
    problems = info.value.problems
    text = str(info.value)
    assert "Broken breaks the exchange contract" in text
    expected = [
        "name must be a lower-case identifier",
        "regions ['mars'] are not among",
        "required_credentials must be a sequence of field names",
        "initialize must be a coroutine function",
        "get_market_data(self) cannot be called as get_market_data('BTC-USD')",
        "normalize_symbol must be a plain method, not async",
        "watch_market_data must return an async iterator",
    ]
    for fragment in expected:
        assert any(fragment in problem for problem in problems), (fragment, problems)


def test_abstract_class_is_reported_with_the_missing_methods() -> None:
    class Half(AbstractExchange):
        async def initialize(self) -> bool:
            return True

    problems = exchange_class_problems(Half)
    # Market data is the one thing every exchange must have; the rest has a refusing default.
    assert any("abstract methods not implemented: get_market_data" == p for p in problems), (
        problems
    )


def test_streaming_without_watch_and_empty_regions() -> None:
    class Quiet(_Base):
        name = "quiet"
        regions: ClassVar[Sequence[str]] = ()
        streaming = True

    problems = exchange_class_problems(Quiet)
    assert any("declares no regions" in p for p in problems)
    assert any("streaming is True but watch_market_data is not implemented" in p for p in problems)


def test_construction_must_not_show_credentials_or_fail() -> None:
    class Leaky(_Base):
        name = "leaky"
        required_credentials = ("api_key", "api_secret")

        def __repr__(self) -> str:
            return f"<Leaky {dict(self.config)}>"  # its config alone prints masked

    class Fragile(_Base):
        name = "fragile"

        def __init__(self, config: dict[str, Any] | None = None) -> None:
            super().__init__(config)
            raise KeyError("endpoint")

    class Chatty(_Base):
        name = "chatty"
        required_credentials = ("api_key",)

        @classmethod
        def check_config(cls, config: Any) -> list[str]:
            return [f"api_key {config.get('api_key')!r} looks wrong"]

    assert any("repr() or str()" in p for p in exchange_class_problems(Leaky))
    assert any("raised KeyError" in p for p in exchange_class_problems(Fragile))
    problems = exchange_class_problems(Chatty)
    assert any("check_config shows a configured value" in p for p in problems)


async def test_construction_must_not_open_a_session() -> None:
    sessions: list[aiohttp.ClientSession] = []

    class Eager(_Base):
        name = "eager"

        def __init__(self, config: dict[str, Any] | None = None) -> None:
            super().__init__(config)
            self.session = aiohttp.ClientSession()
            sessions.append(self.session)

    try:
        problems = exchange_class_problems(Eager)
    finally:
        for session in sessions:
            await session.close()
    assert any("building it opened a network session" in p for p in problems), problems


def test_static_checks_need_no_pytest() -> None:
    """check_exchange_class works from a plain script: pytest is not imported for it."""
    code = (
        "import sys, json\n"
        "import powertrader_core\n"
        "before = 'pytest' in sys.modules\n"
        "from powertrader_core.testing import check_exchange_class\n"
        "from tests.plugin_kit.acme_plugin.powertrader_acme.exchange import AcmeExchange\n"
        "check_exchange_class(AcmeExchange)\n"
        "print(json.dumps([before, 'pytest' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out) == [False, False]
