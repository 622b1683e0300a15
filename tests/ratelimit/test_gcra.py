"""The bucket arithmetic alone (``kit/gcra.py``): pure functions, no clock, no store."""

from __future__ import annotations

import math

import pytest

from powertrader_core.kit.budgets import Pool
from powertrader_core.kit.gcra import MAX_QUEUE_SECONDS, grant, raise_floor, sane_tat

PRO = Pool("private", capacity=20, per_second=1.0).rule()  # Kraken Pro: max 20, decay 1/s


def run(rule, times_and_costs, tat=0.0):
    starts = []
    for now, cost in times_and_costs:
        tat, start = grant(tat, now, cost, rule)
        starts.append(start)
    return starts, tat


def test_a_drained_bucket_grants_at_once_up_to_capacity_less_headroom() -> None:
    starts, _ = run(PRO, [(100.0, 1)] * 20)
    assert starts[:19] == [100.0] * 19  # 20 less one unit of headroom
    assert starts[19] == pytest.approx(101.0)


def test_idle_time_is_credited() -> None:
    _starts, tat = run(PRO, [(100.0, 1)] * 19)
    # after 5 idle seconds, 5 units have drained: five more go at once
    tat2, start = grant(tat, 105.0, 5, PRO)
    assert start == 105.0
    assert tat2 == pytest.approx(tat + 5)


def test_a_full_bucket_spaces_requests_by_their_cost() -> None:
    starts, _ = run(PRO, [(100.0, 1)] * 19 + [(100.0, 2), (100.0, 1)])
    assert starts[-2] == pytest.approx(102.0)
    assert starts[-1] == pytest.approx(103.0)


def test_a_cost_beyond_capacity_waits_for_an_empty_bucket_not_forever() -> None:
    _, start = grant(0.0, 100.0, 10_000, PRO)
    assert start == 100.0
    tat, _ = grant(0.0, 100.0, 10_000, PRO)
    assert tat == pytest.approx(100.0 + PRO.tolerance)


def test_negative_cost_charges_nothing() -> None:
    assert grant(50.0, 100.0, -3, PRO) == (100.0, 100.0)


def test_the_exchange_can_only_raise_what_we_counted() -> None:
    assert raise_floor(110.0, 100.0, 5.0) == 110.0
    assert raise_floor(101.0, 100.0, 5.0) == 105.0
    assert raise_floor(101.0, 100.0, -5.0) == 101.0


@pytest.mark.parametrize("stored", [math.nan, math.inf, -math.inf, 1e300])
def test_impossible_state_reads_as_a_full_bucket(stored: float) -> None:
    now = 100.0
    fixed = sane_tat(stored, now, PRO)
    if stored == -math.inf:
        assert fixed == now + PRO.full  # not finite: conservative
    else:
        assert fixed == now + PRO.full
    assert sane_tat(now + 30.0, now, PRO) == now + 30.0  # a queue is kept as is
    assert sane_tat(now + PRO.full + MAX_QUEUE_SECONDS + 1, now, PRO) == now + PRO.full


def test_a_window_pool_never_lets_more_than_its_limit_through_any_window() -> None:
    """Binance: 6,000 weight per minute. Greedy requests of weight 20 for five minutes:
    every 60 s window (sliding, so fixed ones too) holds at most 6,000."""
    rule = Pool.window("weight", 6000, 60, scope="ip").rule()
    tat, now, sent = 0.0, 0.0, []
    while now < 300:
        tat, start = grant(tat, now, 20, rule)
        now = start
        sent.append(start)
    j = 0
    for i, start in enumerate(sent):
        while sent[j] <= start - 60:
            j += 1
        assert (i - j + 1) * 20 <= 6000
    assert len(sent) * 20 >= 0.85 * 6000 * 5  # and it does not waste the budget
