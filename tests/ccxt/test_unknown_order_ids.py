"""A missing order and a malformed order id are different answers, and stay different errors.

For a well-formed id no order has, Binance answers ``-2013 Order does not exist.`` (lookup) and
``-2011 Unknown order sent.`` (cancel), Kraken ``EOrder:Unknown order``: OrderNotFoundError,
which lets a caller conclude the order is not there. For an id not in their format they
answer ``-1100`` (illegal characters) and ``EOrder:Invalid order``: the request was wrong,
which proves nothing about any order, so it is a refusal (InvalidOrderError for Kraken's,
"request refused" for Binance's), never OrderNotFoundError. Sources in each
cassette's header (``cassettes/<name>/unknown_order_*.yaml``, ``invalid_order_id.yaml``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from powertrader_core.errors import ExchangeError, InvalidOrderError, OrderNotFoundError
from tests.cassette_support import make_vcr
from tests.ccxt.cassette_exchange import KEY_PAIR, exchange_with_markets, played
from tests.conformance import test_ccxt_cassettes as kit_cases

#: the ids the conformance kit asks about (its cases' ``missing_order_id``)
WELL_FORMED = {
    "binance": kit_cases.TestBinanceCassettes.missing_order_id,
    "kraken": kit_cases.TestKrakenCassettes.missing_order_id,
}


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
async def test_a_well_formed_missing_id_is_not_found(name: str, tmp_path: Path) -> None:
    recorder = make_vcr(name, match_body=True)
    async with exchange_with_markets(name, recorder, tmp_path, KEY_PAIR) as exchange:
        with played(recorder, "unknown_order_lookup", requests=1):
            with pytest.raises(OrderNotFoundError, match=rf"^{name} get_order: order not found"):
                await exchange.get_order(WELL_FORMED[name], "BTC-USD")
        with played(recorder, "unknown_order_cancel", requests=1):
            with pytest.raises(OrderNotFoundError, match=rf"^{name} cancel_order:"):
                await exchange.cancel_order(WELL_FORMED[name], "BTC-USD")


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
async def test_a_malformed_id_is_invalid_not_missing(name: str, tmp_path: Path) -> None:
    recorder = make_vcr(name, match_body=True)
    async with exchange_with_markets(name, recorder, tmp_path, KEY_PAIR) as exchange:
        with played(recorder, "invalid_order_id", requests=2):
            with pytest.raises(ExchangeError) as lookup:
                await exchange.get_order("pt-conformance-no-such-order", "BTC-USD")
            with pytest.raises(ExchangeError) as cancel:
                await exchange.cancel_order("pt-conformance-no-such-order", "BTC-USD")
    for raised in (lookup.value, cancel.value):
        assert not isinstance(raised, OrderNotFoundError), raised
        if name == "kraken":
            assert isinstance(raised, InvalidOrderError), raised
