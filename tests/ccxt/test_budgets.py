"""The budget rows (``budgets.py``): every pool cited, charges as documented, rows reachable."""

from __future__ import annotations

import pytest
from powertrader_ccxt.budgets import BINANCE, BUDGETS, BYBIT, KUCOIN, OKX, is_public
from powertrader_ccxt.profiles import PROFILES, generic_profile


@pytest.mark.parametrize("ccxt_id", sorted(BUDGETS))
def test_every_pool_says_where_its_figures_come_from(ccxt_id: str) -> None:
    venue = BUDGETS[ccxt_id]
    assert venue.budget.exchange == ccxt_id
    for pool in venue.budget.pools.values():
        assert pool.source, f"{ccxt_id} {pool.name} has no source"
    for tier in venue.budget.tiers:
        venue.for_tier(tier)  # every tier builds


def test_every_profile_row_and_family_member_has_a_budget() -> None:
    for profile in PROFILES.values():
        assert profile.budget is not None, profile.name
    assert generic_profile("myokx").budget is BUDGETS["myokx"]
    assert generic_profile("bybiteu").budget is BUDGETS["bybiteu"]
    assert generic_profile("hollaex").budget is None  # ccxt's own spacing, as a bucket


def test_binance_charges_the_documented_weights() -> None:
    assert BINANCE.charges("public", "GET", "depth", {"limit": 1000}) == (("weight", 50),)
    assert BINANCE.charges("public", "GET", "depth", {"limit": 5000}) == (("weight", 250),)
    assert BINANCE.charges("public", "GET", "ticker/24hr", {"symbol": "BTCUSDT"}) == (
        ("weight", 2),
    )
    assert BINANCE.charges("public", "GET", "ticker/24hr", {}) == (("weight", 80),)
    assert BINANCE.charges("private", "POST", "order", {}) == (("weight", 1), ("orders", 1))
    assert BINANCE.charges("private", "GET", "order", {}) == (("weight", 4),)
    assert BINANCE.budget.pool("weight").scope == "ip"
    assert BINANCE.used_headers == (("x-mbx-used-weight-1m", "weight"),)


def test_okx_and_bybit_charge_per_endpoint() -> None:
    assert OKX.charges("public", "GET", "market/ticker", {}) == (("ticker", 1),)
    assert OKX.charges("private", "POST", "trade/order", {}) == (("place", 1),)
    assert BYBIT.charges("private", "POST", "v5/order/create", {}) == (("ip", 1), ("create", 1))
    assert BYBIT.charges("public", "GET", "v5/market/tickers", {}) == (("ip", 1),)


def test_public_is_what_ccxt_calls_public() -> None:
    assert is_public("public") and is_public(["v3", "public"]) and is_public("dapiPublic")
    assert not is_public("private") and not is_public("sapi")
    assert not is_public(["v3", "private"])


def test_vip_levels_are_tiers_where_the_exchange_documents_them() -> None:
    assert BYBIT.budget.tier == "default" and KUCOIN.budget.tier == "vip0"
    create = BYBIT.for_tier("vip2").budget.pool("create")
    assert create.capacity + create.per_second == 30  # [Y2] VIP2: 30 a second
    assert BYBIT.for_tier("vip2").budget.pool("amend") == BYBIT.budget.pool("amend")
    spot = KUCOIN.for_tier("vip12").budget.pool("spot")
    assert spot.capacity + spot.per_second * 30 == 40_000  # [KC1] VIP12: 40,000 per 30 s
