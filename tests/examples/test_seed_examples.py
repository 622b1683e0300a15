"""The seed's nine examples, shipped in ``examples/``, each run as it is in its own process.

Offline (see ``harness.py``): Kraken is the simulator that ``credentials/kraken_config.json``
points at (the seed's default folder, in the example's working folder), every other exchange
is unreachable. Each run must print what its own print lines promise, exit 0 (the streaming
example runs until it is stopped) and leave stderr empty: no traceback, no warning from ccxt
or aiohttp about resources left open, although no example closes its manager.
"""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.examples.harness import EXAMPLES, Run, prepare, run_example
from tests.simulators.fixtures import kraken_config
from tests.timing import wall_budget

pytest.importorskip("powertrader_ccxt")

SHIPPED = {
    "market_data.py", "order_placement.py", "balances.py", "monitoring.py", "streaming.py",
    "symbol_conversion.py", "config_helpers.py", "hub_settings.py", "custom_exchange.py",
}


def _clean(run: Run) -> None:
    assert run.stderr == "", run.stderr
    assert "Traceback" not in run.stdout


@pytest.fixture
def world(kraken_sim: Any, tmp_path: Path) -> dict[str, str]:
    return prepare(tmp_path, kraken_config(kraken_sim, timeout=5))


def test_every_example_is_shipped_and_marks_its_edits() -> None:
    assert {path.name for path in EXAMPLES.glob("*.py")} == SHIPPED
    for name in SHIPPED:
        text = (EXAMPLES / name).read_text()
        assert text.startswith("# The seed's"), name
        # Every line that is not the seed's says so: "# EDIT: why".
        for line in text.splitlines():
            if "EDIT" in line:
                assert "# EDIT: " in line, (name, line)


async def test_market_data(world: dict[str, str], tmp_path: Path) -> None:
    run = await run_example("market_data.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    assert run.lines == [
        "BTC: $65000.0",
        "kraken: $3000.0",  # the others are unreachable: compare_prices lists who answered
        "Best buy price: $65000.0 on kraken",
    ]


async def test_order_placement_with_live_trading(
    world: dict[str, str], tmp_path: Path, kraken_sim: Any
) -> None:
    world["POWERTRADER_LIVE_TRADING"] = "1"
    run = await run_example("order_placement.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    # The seed sends the same OrderRequest twice: one request (one client order id) is at most
    # one order, so the second call answers the first order rather than buying again.
    assert kraken_sim.orders_placed == 1
    (txid, order), = kraken_sim.orders.items()
    assert order["status"] == "closed"  # a market order fills at once at the simulated ask
    first, second = run.lines
    assert first == f"Order {txid}: filled"
    printed = re.fullmatch(r"Executed at \$(\S+) on best exchange", second)
    assert printed is not None, second
    assert Decimal(printed.group(1)) == Decimal(order["price"]) > 0  # the fill price, not None


async def test_order_placement_without_live_trading_is_refused(
    world: dict[str, str], tmp_path: Path, kraken_sim: Any
) -> None:
    run = await run_example("order_placement.py", tmp_path, world)
    assert run.returncode == 1 and kraken_sim.orders_placed == 0
    assert "live" in run.stderr.lower()  # the refusal says how to turn live trading on


async def test_balances(world: dict[str, str], tmp_path: Path) -> None:
    run = await run_example("balances.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    assert run.stdout == (
        "\nKRAKEN Balances:\n  BTC: 2.5\n  ETH: 10.0\n  EUR: 50000.0\n  USD: 100000.0\n"
        "  USDT: 1000.0\nKraken BTC balance: 2.5\n"
    )


async def test_monitoring(world: dict[str, str], tmp_path: Path) -> None:
    run = await run_example("monitoring.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    assert run.lines == [
        "System Status: unknown",
        "Available Exchanges: 6/6",  # region us: Binance.US and OKX US are US entities
        "binanceus: unknown (Nonems)",
        "bitstamp: unknown (Nonems)",
        "coinbase: unknown (Nonems)",
        "kraken: unknown (Nonems)",
        "okxus: unknown (Nonems)",
        "robinhood: unknown (Nonems)",
    ]


async def test_streaming_with_the_websocket_host_unreachable(
    world: dict[str, str], tmp_path: Path, kraken_sim: Any
) -> None:
    """ws.kraken.com is unreachable (offline): Kraken's prices are polled within 10 s."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    run = await run_example(
        "streaming.py", tmp_path, world, limit=30, stop_when="[kraken] ETH-USD: $"
    )
    took = loop.time() - started
    # Stopped by SIGTERM, as a service manager would. On stderr only the library's warnings
    # of feeds that are down (logging's last-resort handler: the example configures none):
    # Kraken's websocket (polled instead) and the unreachable or unconfigured exchanges.
    for line in run.stderr.splitlines():
        assert re.match(r"[a-z]+: (price feed down:|websocket down) ", line), run.stderr
    assert "kraken: websocket down" in run.stderr and "polling until it is back" in run.stderr
    assert "Traceback" not in run.stdout
    lines = run.lines
    kraken = [line for line in lines if line.startswith("[kraken] ")]
    assert "[kraken] Connected" in kraken
    assert any(re.fullmatch(r"\[kraken\] BTC-USD: \$\d+(\.\d+)?", line) for line in kraken)
    assert any(re.fullmatch(r"\[kraken\] ETH-USD: \$\d+(\.\d+)?", line) for line in kraken)
    assert took < wall_budget(10.0), took
    assert kraken_sim.count("public/Ticker") >= 1  # polled from REST: no websocket reached


async def test_symbol_conversion(world: dict[str, str], tmp_path: Path) -> None:
    run = await run_example("symbol_conversion.py", tmp_path, world)
    _clean(run)
    assert run.lines == ["BTCUSDT XBTUSD BTC-USD BTC-USD"]  # what the seed's comments say


async def test_config_helpers(world: dict[str, str], tmp_path: Path, kraken_sim: Any) -> None:
    run = await run_example("config_helpers.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    assert run.lines == [
        # Binance.US and OKX US quote real USD markets, and stream, so they rank above
        # Robinhood (polling only) by config_utils' documented order
        "US exchanges: ['kraken', 'coinbase', 'bitstamp', 'binanceus', 'okxus', 'robinhood']",
        "Kraken connected: True",
    ]
    assert kraken_sim.requests  # connected to the simulator, not assumed


async def test_hub_settings(world: dict[str, str], tmp_path: Path) -> None:
    run = await run_example("hub_settings.py", tmp_path, world)
    _clean(run)
    # Nothing set: each read answers the seed's own fallback.
    assert run.lines == ["robinhood us True ['BTC', 'ETH'] 3 5.0"]


async def test_custom_exchange(
    world: dict[str, str], tmp_path: Path, custom_api: tuple[str, list[str]]
) -> None:
    url, seen = custom_api
    world["CUSTOM_EXCHANGE_URL"] = url
    run = await run_example("custom_exchange.py", tmp_path, world)
    _clean(run)
    assert run.returncode == 0
    assert run.lines == ["Custom exchange price: $64000.5"]
    assert seen == ["BTCUSD"]
    saved = tmp_path / "work" / "credentials" / "custom_config.json"
    assert saved.exists() and saved.stat().st_mode & 0o077 == 0
