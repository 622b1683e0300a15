"""Subscribers: bounded drop-oldest queues, errors logged once, coroutines, unsubscribe handles."""

from __future__ import annotations

import asyncio
import logging

import pytest

from powertrader_core import MarketData
from powertrader_core.streaming.subscribers import Subscription
from tests.streaming.fakes import quote, stream_venue, until


async def test_full_queue_drops_the_oldest_and_counts() -> None:
    gate = asyncio.Event()
    got: list[object] = []

    async def slow(exchange: str, symbol: str, data: MarketData) -> None:
        await gate.wait()
        got.append(data.price)

    sub = Subscription("price", slow, max_queue=3)
    for price in range(1, 8):  # the first is taken by the callback at once; 2..7 queue up
        sub.offer(("x", "BTC-USD", quote("BTC-USD", price)))
        await asyncio.sleep(0)
    assert sub.queued == 3 and sub.dropped == 3 and sub.dropped_by_exchange == {"x": 3}
    gate.set()
    await until(lambda: len(got) == 4)
    assert [int(p) for p in got] == [1, 5, 6, 7]  # 2, 3 and 4 (the oldest) were dropped
    assert sub.snapshot()["dropped"] == 3 and sub.delivered == 4
    sub.unsubscribe()
    task = sub.take_task()
    assert task is None or task.done() or task.cancelled() or await asyncio.wait([task])


async def test_a_failing_callback_is_logged_once_and_stays_subscribed(caplog) -> None:
    calls: list[int] = []

    def broken(exchange: str, symbol: str, data: MarketData) -> None:
        calls.append(1)
        raise RuntimeError(f"bug #{len(calls)}")

    sub = Subscription("price", broken)
    with caplog.at_level(logging.DEBUG, logger="powertrader_core.streaming"):
        for price in range(5):
            sub.offer(("x", "BTC-USD", quote("BTC-USD", price + 1)))
            await asyncio.sleep(0)
        await until(lambda: len(calls) == 5)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "bug #1" in errors[0].getMessage() and errors[0].exc_info
    assert sub.active and sub.errors == 5 and sub.last_error == "RuntimeError: bug #5"
    sub.unsubscribe()
    task = sub.take_task()
    if task is not None:
        await asyncio.wait([task])


async def test_handles_unsubscribe_by_call_or_method(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    a: list[str] = []
    b: list[str] = []
    c: list[bool] = []
    handle_a = manager.subscribe_to_price_updates(lambda e, s, d: a.append(s))
    handle_b = manager.subscribe_to_price_updates(lambda e, s, d: b.append(s))
    handle_c = manager.subscribe_to_connection_events(lambda e, ok: c.append(ok))
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 1)
    await until(lambda: len(a) == 1 and len(b) == 1 and c == [True])

    handle_a()  # callable
    handle_b.unsubscribe()  # or a method
    handle_b.unsubscribe()  # twice is fine
    handle_c()
    assert not handle_a.active and not handle_b.active and not handle_c.active
    v.control.push("BTC-USD", 2)
    v.control.drop()
    await until(lambda: v.control.connects == 2)
    await asyncio.sleep(0.01)
    assert (a, b, c) == (["BTC-USD"], ["BTC-USD"], [True])
    assert manager.price_monitor.subscriptions() == []


async def test_coroutine_and_plain_callbacks_both_work(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    plain: list[str] = []
    awaited: list[str] = []
    events: list[tuple[str, bool]] = []

    async def on_price(exchange: str, symbol: str, data: MarketData) -> None:
        await asyncio.sleep(0)
        awaited.append(f"{exchange}:{symbol}:{data.price}")

    async def on_connection(exchange: str, connected: bool) -> None:
        await asyncio.sleep(0)
        events.append((exchange, connected))

    manager.subscribe_to_price_updates(on_price)
    manager.subscribe_to_price_updates(lambda e, s, d: plain.append(s))
    manager.subscribe_to_connection_events(on_connection)
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open)
    v.control.push("BTC-USD", 42)
    await until(lambda: awaited and plain and events)
    assert awaited == ["ws1:BTC-USD:42"] and plain == ["BTC-USD"] and events == [("ws1", True)]


async def test_a_stuck_subscriber_never_holds_up_the_others(venues, make_manager) -> None:
    v = venues(stream_venue("ws1"))["ws1"]
    manager = make_manager(["ws1"])
    stuck = asyncio.Event()
    fast: list[int] = []

    async def never_returns(exchange: str, symbol: str, data: MarketData) -> None:
        await stuck.wait()

    slow_handle = manager.subscribe_to_price_updates(never_returns, max_queue=5)
    manager.subscribe_to_price_updates(lambda e, s, d: fast.append(int(d.price)))
    await manager.start_price_monitoring(["BTC-USD"])
    await until(lambda: v.control.open)
    for price in range(1, 51):
        v.control.push("BTC-USD", price)
    await until(lambda: len(fast) == 50)
    assert fast == list(range(1, 51))
    dropped = slow_handle.dropped  # all but the one in its callback and the five queued
    assert dropped in (44, 45) and slow_handle.queued + dropped + 1 >= 50
    feed = manager.get_exchange_status()["ws1"]["price_feed"]
    assert feed["updates"] == 50 and feed["dropped_updates"] == dropped
    assert feed["dropped_by_subscriber"] == {slow_handle.name: dropped}
    subscribers = manager.get_price_monitoring_status()["subscribers"]
    assert [s["dropped"] for s in subscribers] == [dropped, 0]


def test_subscribing_needs_no_running_loop() -> None:
    sub = Subscription("price", print)
    assert sub.active and "price" in repr(sub)
    with pytest.raises(ValueError):
        Subscription("price", print, max_queue=0)
    sub.unsubscribe()
