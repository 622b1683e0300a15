"""The markets cache is checked before it is trusted (issue 14, item 2).

Whoever can write the cache used to choose which market an order trades (a rewritten cache made
a BTC-USD order execute as ETH/USD), its precision and limits, and ccxt ``options``. Now: a
file or folder another user owns or can write is refused; what is read is checked (shape, each
market's id maps back to its symbol, indexes name their markets); no ccxt option comes from
the file; a file that fails is fetched again and rewritten (it heals); a ``saved_at`` in the
future is stale.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from powertrader_ccxt import KrakenExchange
from powertrader_ccxt.markets_cache import MarketsCache

from powertrader_core import OrderRequest
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator


def _cache_file(folder: Path) -> Path:
    (path,) = sorted(folder.glob("kraken*.json"))
    return path


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


async def _warm(sim: KrakenSimulator, folder: Path) -> Path:
    async with KrakenExchange(kraken_config(sim, folder, rate_limit=False)):
        pass
    assert sim.count("AssetPairs") == 1
    return _cache_file(folder)


def _swap_btc_for_eth(data: dict[str, Any]) -> None:
    markets = data["markets"]
    markets["BTC/USD"]["id"] = markets["ETH/USD"]["id"]


def _one_bad_precision(data: dict[str, Any]) -> None:
    data["markets"]["SOL/USD"]["precision"]["amount"] = "lots"


def _altname_points_elsewhere(data: dict[str, Any]) -> None:
    data["helper_options"]["marketsByAltname"]["__symbols__"]["XBTUSD"] = "ETH/USD"


def _from_the_future(data: dict[str, Any]) -> None:
    data["saved_at"] = time.time() + 3600


def _not_spot(data: dict[str, Any]) -> None:
    data["markets"]["ETH/USD"]["spot"] = False


def _symbol_not_its_key(data: dict[str, Any]) -> None:
    data["markets"]["BTC/USD"]["symbol"] = "ETH/USD"


@pytest.mark.parametrize(
    "change",
    [_swap_btc_for_eth, _one_bad_precision, _altname_points_elsewhere, _from_the_future,
     _not_spot, _symbol_not_its_key],
)
async def test_a_tampered_cache_is_fetched_again_and_healed(
    kraken_sim: KrakenSimulator, tmp_path: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    path = await _warm(kraken_sim, tmp_path)
    _edit(path, change)
    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)) as exchange:
        result = await exchange.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    assert kraken_sim.count("AssetPairs") == 2  # fetched again instead of trusted
    placed = kraken_sim.orders[result.order_id]
    assert placed["_pair"] == "XXBTZUSD"  # the BTC market, whatever the file said
    # healed: the rewritten file is used by the next start
    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)):
        pass
    assert kraken_sim.count("AssetPairs") == 2


async def test_no_ccxt_option_comes_from_the_cache(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    path = await _warm(kraken_sim, tmp_path)

    def plant_options(data: dict[str, Any]) -> None:
        data["helper_options"]["hostname"] = "elsewhere.invalid"
        data["helper_options"]["defaultType"] = "margin"

    _edit(path, plant_options)
    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)) as exchange:
        options = exchange.client.options
        assert options.get("hostname") != "elsewhere.invalid"
        assert options.get("defaultType") != "margin"
        assert "XBTUSD" in options["marketsByAltname"]  # the checked index is still used
    assert kraken_sim.count("AssetPairs") == 1


@pytest.mark.parametrize("target", ["file", "folder"])
async def test_a_cache_others_can_write_is_refused(
    kraken_sim: KrakenSimulator, tmp_path: Path, target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = await _warm(kraken_sim, tmp_path)
    (path if target == "file" else path.parent).chmod(0o666 if target == "file" else 0o777)
    with caplog.at_level(logging.WARNING):
        async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)):
            pass
    assert kraken_sim.count("AssetPairs") == 2
    assert any("refusing markets cache" in r.getMessage() and "writable by other users"
               in r.getMessage() for r in caplog.records)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
async def test_a_cache_owned_by_another_user_is_refused(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    path = await _warm(kraken_sim, tmp_path)
    os.chown(path, 4242, -1)
    async with KrakenExchange(kraken_config(kraken_sim, tmp_path, rate_limit=False)):
        pass
    assert kraken_sim.count("AssetPairs") == 2
    assert path.stat().st_uid == 4242  # not written over either: refused, not reused


def test_a_stamp_from_the_future_is_stale(tmp_path: Path) -> None:
    cache = MarketsCache(tmp_path, "kraken", ccxt_version="1")
    market = {"id": "XXBTZUSD", "symbol": "BTC/USD", "base": "BTC", "quote": "USD", "spot": True}
    cache.save({"BTC/USD": market}, None)
    assert cache.load() is not None
    _edit(cache.path, _from_the_future)
    assert cache.load() is None


def test_the_cache_folder_is_made_private_even_under_a_group_umask(tmp_path: Path) -> None:
    """Under umask 002 (user-private groups) a new folder would be 0775, and then refused."""
    folder = tmp_path / "cache" / "ccxt"
    old = os.umask(0o002)
    try:
        cache = MarketsCache(folder, "kraken", ccxt_version="1")
        market = {"id": "XXBTZUSD", "symbol": "BTC/USD", "base": "BTC", "quote": "USD",
                  "spot": True}
        cache.save({"BTC/USD": market}, None)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert cache.load() is not None
