"""Order request deadlines: a late order request is refused by the exchange, not executed.

Kraken's AddOrder takes ``deadline`` (RFC 3339), enforced by the matching engine; Binance and
Bybit refuse signed requests older than ``recvWindow``, checked on arrival only. The plugin
sends the configuration's ``order_deadline`` (default: the timeout) within each exchange's
bounds, or the ``OrderRequest.deadline`` the manager journaled; ``engine_deadline`` tells the
manager the deadline only where the engine enforces it. Against the Kraken simulator, whose
AddOrder honours ``deadline``, Kraken's shortest deadline (3 s) is shortened so the tests
take under a second each.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from powertrader_ccxt import PROFILES, KrakenExchange
from powertrader_ccxt.profiles import RequestDeadline
from powertrader_ccxt.sent import rfc3339
from powertrader_ccxt.settings import CcxtSettings, config_problems

from powertrader_core import (
    ExchangeConnectionError,
    ExchangeError,
    ExchangeFactory,
    OrderRequest,
)
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator
from tests.simulators.kraken_orders import DEADLINE_PASSED


@pytest.fixture
def short_kraken_deadlines(
    monkeypatch: pytest.MonkeyPatch, kraken_sim: KrakenSimulator
) -> Iterator[None]:
    """Kraken's deadline bounds with a 0.2 s minimum instead of 3 s (speed only), in the
    plugin and the simulator alike."""
    kraken_sim.deadline_min_seconds = 0.0
    profile = KrakenExchange.profile
    fast = dataclasses.replace(
        profile,
        order_deadline=RequestDeadline("order_param", "deadline", 0.2, 60.0, engine=True),
    )
    monkeypatch.setattr(KrakenExchange, "profile", fast)
    yield


def _limit(amount: str = "0.01") -> OrderRequest:
    return OrderRequest(symbol="BTC-USD", side="buy", amount=amount, order_type="limit",
                        price="60000")


async def _settled(sim: KrakenSimulator, seconds: float = 3.0) -> None:
    """Until the simulator answered every AddOrder it received (a held one lands late)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(sim.orders) + len(sim.refused) >= sim.count("AddOrder"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the simulator never processed the held AddOrder")


async def test_add_order_carries_a_deadline_the_timeout_ahead(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, timeout=7)
    order = _limit()
    async with KrakenExchange(config) as exchange:
        before = time.time()
        await exchange.place_order(order)
        after = time.time()
    (sent,) = [r.params for r in kraken_sim.requests if r.path.endswith("AddOrder")]
    text = sent["deadline"]  # Kraken's documented form, whole seconds, rounded up
    assert text.endswith("Z") and len(text) == len("2021-04-01T00:18:45Z")
    stamped = datetime.fromisoformat(text).timestamp()
    assert before + 7 <= stamped <= after + 7 + 1


async def test_the_journaled_deadline_is_the_one_sent(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    """The manager asks ``engine_deadline`` before journaling; the request carries exactly it."""
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, timeout=7)
    async with KrakenExchange(config) as exchange:
        before = time.time()
        deadline = exchange.engine_deadline(4.0)
        assert deadline is not None and deadline.tzinfo is not None
        assert deadline.timestamp() == int(deadline.timestamp())  # a whole second
        assert before + 4 <= deadline.timestamp() <= before + 5 + 1
        order = _limit().model_copy(update={"deadline": deadline})
        await exchange.place_order(order)
    (sent,) = [r.params for r in kraken_sim.requests if r.path.endswith("AddOrder")]
    assert sent["deadline"] == rfc3339(deadline.timestamp())


@pytest.mark.parametrize(
    ("name", "config"),
    [("binance", {}), ("bybit", {}), ("okx", {}), ("kucoin", {}), ("coinbase", {}),
     ("bitstamp", {}), ("kraken", {"order_deadline": False})],
)
async def test_no_engine_deadline_where_the_engine_enforces_none(
    name: str, config: dict[str, Any]
) -> None:
    """recvWindow (Binance, Bybit), allowMaxTimeWindow (KuCoin), expTime (OKX) are checked
    before the engine; Coinbase and Bitstamp have none: no absence can be proven there."""
    exchange = ExchangeFactory.create_exchange(name, config)
    try:
        assert exchange.engine_deadline(5.0) is None
    finally:
        await exchange.close()


def test_kraken_engine_deadline_stays_within_the_documented_bounds() -> None:
    rule = PROFILES["kraken"].order_deadline
    assert rule is not None and rule.engine
    now = 1617236300.25
    assert rule.until(now, 0.5) == 1617236304.0  # at least now + 3 s (2 s and travel)
    assert rule.until(now, 300) == 1617236360.0  # at most now + 60 s, rounded down


@pytest.mark.usefixtures("short_kraken_deadlines")
@pytest.mark.parametrize(("order_deadline", "orders_left"), [(None, 0), (False, 1)])
async def test_a_request_held_past_its_deadline_is_refused(
    kraken_sim: KrakenSimulator, tmp_path: Path, order_deadline: Any, orders_left: int
) -> None:
    """The AddOrder is held 1.5 s in the network or Kraken's queue while the client gives up
    after 0.3 s. With the deadline (the timeout, 0.3 s, rounded up to a whole second: at most
    1.3 s) Kraken refuses it when it lands: no order. Without one (``order_deadline: false``)
    it lands as an order nobody was told of."""
    extra: dict[str, Any] = {"timeout": 0.3}
    if order_deadline is not None:
        extra["order_deadline"] = order_deadline
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, **extra)
    async with KrakenExchange(config) as exchange:
        await exchange.ensure_initialized()
        kraken_sim.fail("hold", path="AddOrder", delay=1.5)
        with pytest.raises(ExchangeConnectionError, match="kraken place_order"):
            await exchange.place_order(_limit())
        await _settled(kraken_sim)
    assert len(kraken_sim.orders) == orders_left
    if orders_left == 0:
        assert kraken_sim.refused == [("AddOrder", DEADLINE_PASSED)]
    else:
        assert kraken_sim.refused == []


@pytest.mark.usefixtures("short_kraken_deadlines")
async def test_an_answer_refusing_a_late_order_is_an_error_and_no_order(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    """Held 1.5 s past a 0.2 s deadline (at most 1.2 s, rounded up to a whole second) but
    answered within the 2 s timeout: Kraken's refusal comes back as an error naming the
    exchange, and there is no order."""
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, order_deadline=0.2)
    async with KrakenExchange(config) as exchange:
        await exchange.ensure_initialized()
        kraken_sim.fail("hold", path="AddOrder", delay=1.5)
        with pytest.raises(ExchangeError, match="kraken place_order") as refused:
            await exchange.place_order(_limit())
    assert "Deadline" in str(refused.value) and kraken_sim.orders == {}


async def test_the_longest_deadline_stays_within_kraken_s_sixty_seconds(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    """A 600 s timeout asks for more than Kraken allows: 60 s, rounded down (rounding up
    would pass now + 60 s, which Kraken refuses as an invalid argument)."""
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False, timeout=600)
    async with KrakenExchange(config) as exchange:
        before = time.time()
        await exchange.place_order(_limit())
    (sent,) = [r.params for r in kraken_sim.requests if r.path.endswith("AddOrder")]
    stamped = datetime.fromisoformat(sent["deadline"]).timestamp()
    assert before + 59 <= stamped <= before + 60 and kraken_sim.refused == []


def test_kraken_deadline_bounds_and_format() -> None:
    kraken = PROFILES["kraken"].order_deadline
    assert kraken == RequestDeadline("order_param", "deadline", 3.0, 60.0, engine=True)
    assert [kraken.seconds(s) for s in (0.5, 10, 600)] == [3.0, 10, 60.0]
    assert rfc3339(1617236325.0) == "2021-04-01T00:18:45Z"
    okx = PROFILES["okx"].order_deadline  # expTime: documented, not sent, not an engine's
    assert okx is not None and okx.where == "none" and not okx.engine


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 10.0), (True, 10.0), ("on", 10.0), (False, None), ("off", None), (0, None),
     ("4.5", 4.5), (30, 30.0)],
)
def test_order_deadline_setting(value: Any, expected: float | None) -> None:
    config = {} if value is None else {"order_deadline": value}
    assert CcxtSettings.from_config(config).order_deadline == expected
    assert CcxtSettings.from_config({**config, "timeout": 3}).order_deadline == (
        3.0 if value in (None, True, "on") else expected
    )


def test_a_malformed_order_deadline_is_named() -> None:
    assert config_problems({"order_deadline": "soon"}) == ["order_deadline must be a number"]
    with pytest.raises(ValueError, match="order_deadline"):
        CcxtSettings.from_config({"order_deadline": -1})


@pytest.mark.parametrize(
    ("name", "config", "window_ms"),
    [
        ("binance", {"timeout": 4}, 4000),
        ("binance", {"timeout": 300}, 59000),  # Binance refuses 60000 or more
        ("binance", {"timeout": 0.2}, 1000),
        ("bybit", {}, 5000),  # ccxt's default kept as the longest
        ("bybit", {"order_deadline": 2}, 2000),
    ],
)
async def test_recv_window_follows_the_order_deadline(
    name: str, config: dict[str, Any], window_ms: int
) -> None:
    exchange = ExchangeFactory.create_exchange(name, config)
    try:
        assert exchange.client.options["recvWindow"] == window_ms  # type: ignore[attr-defined]
    finally:
        await exchange.close()


async def test_recv_window_left_alone_without_a_deadline() -> None:
    exchange = ExchangeFactory.create_exchange("binance", {"order_deadline": False})
    try:
        assert exchange.client.options["recvWindow"] == 10_000  # type: ignore[attr-defined]
    finally:
        await exchange.close()


async def test_kraken_refuses_a_deadline_sooner_than_two_seconds(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    """Kraken's minimum, now + 2 s on arrival, is the simulator's too: a sooner deadline is an
    invalid argument (no order); the plugin's own deadlines (at least now + 3 s) never are."""
    config = kraken_config(kraken_sim, tmp_path, rate_limit=False)
    async with KrakenExchange(config) as exchange:
        await exchange.ensure_initialized()
        soon = datetime.fromtimestamp(math.ceil(time.time()) + 1, tz=UTC)  # under now + 2 s
        with pytest.raises(ExchangeError, match="kraken place_order"):
            await exchange.place_order(_limit().model_copy(update={"deadline": soon}))
        await exchange.place_order(_limit())
    assert kraken_sim.refused == [("AddOrder", "EGeneral:Invalid arguments:deadline")]
    assert len(kraken_sim.orders) == 1
