"""KrakenExchange against the simulator: the contract end to end, and what is never sent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from powertrader_ccxt import PROFILES, CcxtExchange, ExchangeProfile, KrakenExchange

from powertrader_core import (
    ExchangeAuthenticationError,
    InvalidOrderError,
    OrderNotFoundError,
    OrderRequest,
    OrderStatus,
    SymbolNotSupportedError,
)
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("kraken*.json"))


def _config(sim: KrakenSimulator, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return kraken_config(sim, tmp_path, rate_limit=False, **extra)


async def test_prices_books_fees_and_balances(kraken_sim: KrakenSimulator, tmp_path: Path) -> None:
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        quote = await exchange.get_market_data("BTC-USD")
        assert quote.price == Decimal("65000.0")
        assert (quote.bid, quote.ask) == (Decimal("64999.5"), Decimal("65000.5"))
        assert quote.exchange == "kraken" and quote.quoted_symbol is None
        assert quote.source == "ccxt:kraken" and quote.latency_ms is not None
        assert isinstance(quote.volume, Decimal)
        # Kraken's own asset code is accepted too
        assert (await exchange.get_market_data("XBT-USD")).symbol == "BTC-USD"

        book = await exchange.get_order_book("BTC-USD", depth=5)
        assert len(book.bids) == len(book.asks) == 5
        assert book.best_bid == Decimal("64999.5") and book.best_ask == Decimal("65000.5")

        fees = await exchange.get_trading_fees("BTC-USD")
        assert (fees.maker, fees.taker, fees.source) == (
            Decimal("0.0025"), Decimal("0.004"), "account"
        )
        estimate = await exchange.estimate_fill("BTC-USD", "buy", "0.1")
        assert estimate.fee_rate == Decimal("0.004")

        balances = await exchange.get_balance()
        assert balances["BTC"] == Decimal("2.5") and balances["USD"] == Decimal("100000")
        assert await exchange.get_balance("btc") == {"btc": Decimal("2.5")}
        assert (await exchange.get_balance("DOGE"))["DOGE"] == 0

        batch = await exchange.get_market_data_batch(["BTC-USD", "ETH-USD", "SOL-USD"])
        assert batch["ETH-USD"].price == Decimal("3000.00")
    # one Ticker request for the whole batch
    assert kraken_sim.requests[-1].path.endswith("Ticker")
    assert kraken_sim.requests[-1].params["pair"].count(",") == 2


async def test_fees_without_keys_are_the_market_published_ones(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    config = {"base_url": kraken_sim.base_url, "markets_cache_dir": str(tmp_path),
              "rate_limit": False}
    async with KrakenExchange(config) as exchange:
        fees = await exchange.get_trading_fees("BTC-USD")
        assert (fees.maker, fees.taker, fees.source) == (
            Decimal("0.0025"), Decimal("0.004"), "market"
        )
        estimate = await exchange.estimate_fill("BTC-USD", "sell", "1")
        assert estimate.complete
        with pytest.raises(ExchangeAuthenticationError, match="kraken get_balance: needs API"):
            await exchange.get_balance()
        with pytest.raises(ExchangeAuthenticationError):
            await exchange.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    assert kraken_sim.count("/private/") == 0


async def test_unknown_symbol(kraken_sim: KrakenSimulator, tmp_path: Path) -> None:
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        with pytest.raises(SymbolNotSupportedError, match="kraken get_market_data: DOGE-USD"):
            await exchange.get_market_data("DOGE-USD")
        with pytest.raises(SymbolNotSupportedError):
            await exchange.get_market_data("not a symbol")
    assert kraken_sim.count("Ticker") == 0


class _KrakenWithStandIn(CcxtExchange):
    """Kraken's row with a USDT stand-in, to see the substitution reported."""

    profile: ClassVar[ExchangeProfile] = dataclasses.replace(
        PROFILES["kraken"],
        name="kraken_usdt",
        symbol_format=dataclasses.replace(
            PROFILES["kraken"].symbol_format, usd_substitute="USDT"
        ),
    )


async def test_usd_stand_in_is_reported(kraken_sim: KrakenSimulator, tmp_path: Path) -> None:
    del kraken_sim.pairs["XXBTZUSD"]
    async with _KrakenWithStandIn(_config(kraken_sim, tmp_path)) as exchange:
        quote = await exchange.get_market_data("BTC-USD")
        assert quote.symbol == "BTC-USD"
        assert quote.quoted_symbol == "BTC-USDT"
        assert quote.price == Decimal("65010.0")
        book = await exchange.get_order_book("BTC-USD", 3)
        assert book.quoted_symbol == "BTC-USDT"


async def test_orders_round_trip_with_the_client_id(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        request = OrderRequest("BTC-USD", "buy", "0.0123456789", "limit", "60000.04")
        placed = await exchange.place_order(request)
        sent = kraken_sim.requests[-1].params
        # amount truncated to lot_decimals 8, price rounded to pair_decimals 1
        assert (sent["volume"], sent["price"]) == ("0.01234567", "60000")
        assert sent["cl_ord_id"] == request.client_order_id
        assert placed.client_order_id == request.client_order_id
        assert placed.amount == Decimal("0.01234567")

        found = await exchange.get_order(placed.order_id)
        assert found.status is OrderStatus.OPEN
        by_client = await exchange.get_order(client_order_id=request.client_order_id)
        assert by_client.order_id == placed.order_id
        assert [o.order_id for o in await exchange.get_open_orders()] == [placed.order_id]

        canceled = await exchange.cancel_order(placed.order_id, "BTC-USD")
        assert canceled.status is OrderStatus.CANCELED
        after = await exchange.get_order(client_order_id=request.client_order_id)
        assert after.status is OrderStatus.CANCELED

        market = await exchange.place_order(OrderRequest("BTC-USD", "sell", "0.01"))
        filled = await exchange.get_order(market.order_id)
        assert filled.status is OrderStatus.FILLED
        assert filled.average_price == Decimal("64999.5")
        assert filled.fees["USD"] > 0

        with pytest.raises(OrderNotFoundError, match="kraken cancel_order"):
            await exchange.cancel_order("OUNKNO-WNORD-ER0000")
        with pytest.raises(OrderNotFoundError, match="kraken get_order"):
            await exchange.get_order("OUNKNO-WNORD-ER0000")
        with pytest.raises(OrderNotFoundError, match="kraken get_order"):
            await exchange.get_order(client_order_id="never-sent")
    assert kraken_sim.orders_placed == 2


async def test_a_long_client_id_is_converted_the_same_way_for_lookup(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    ours = "strategy-alpha:leg-0001:retry-0"  # over Kraken's 18 free-text characters
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        placed = await exchange.place_order(
            OrderRequest("ETH-USD", "buy", "0.01", "limit", "2000", client_order_id=ours)
        )
        sent = kraken_sim.requests[-1].params["cl_ord_id"]
        assert sent != ours and len(sent) == 36
        assert placed.metadata["exchange_client_order_id"] == sent
        found = await exchange.get_order(client_order_id=ours)
        assert found.order_id == placed.order_id and found.client_order_id == ours


@pytest.mark.parametrize(
    ("request_args", "words"),
    [
        (("BTC-USD", "buy", "0.00001", "limit", "60000"), "minimum of 0.00005"),
        (("BTC-USD", "buy", "0.000000001", "limit", "60000"), "precision"),
        (("SOL-USD", "buy", "0.03", "limit", "10"), "order value 0.3 USD is under"),
        (("SOL-USD", "buy", "0.03"), "order value"),  # market: priced from a ticker
    ],
)
async def test_orders_under_the_market_minimums_are_never_sent(
    kraken_sim: KrakenSimulator, tmp_path: Path, request_args: tuple[str, ...], words: str
) -> None:
    kraken_sim.set_price("SOL/USD", "10")
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        with pytest.raises(InvalidOrderError, match=words) as caught:
            await exchange.place_order(OrderRequest(*request_args))
    assert str(caught.value).startswith("kraken place_order: ")
    assert kraken_sim.count("AddOrder") == 0
    assert kraken_sim.orders_placed == 0


async def test_stop_orders_go_as_kraken_stop_loss(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as exchange:
        await exchange.place_order(OrderRequest("BTC-USD", "sell", "0.01", "stop", "50000"))
        await exchange.place_order(
            OrderRequest("BTC-USD", "sell", "0.01", "stop_limit", "49000", stop_price="50000")
        )
    market_stop, limit_stop = (r.params for r in kraken_sim.requests if "AddOrder" in r.path)
    assert (market_stop["ordertype"], market_stop["price"]) == ("stop-loss", "50000")
    assert (limit_stop["ordertype"], limit_stop["price"], limit_stop["price2"]) == (
        "stop-loss-limit", "50000", "49000"
    )


async def test_markets_cache_spares_the_second_instance(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as first:
        await first.get_market_data("BTC-USD")
    assert kraken_sim.count("AssetPairs") == 1
    assert len(_cache_files(tmp_path)) == 1
    async with KrakenExchange(_config(kraken_sim, tmp_path)) as second:
        assert (await second.get_market_data("BTC-USD")).price == Decimal("65000.0")
        # parsed from the cache: Kraken's XXBT still reads as BTC
        assert (await second.get_balance())["BTC"] == Decimal("2.5")
    assert kraken_sim.count("AssetPairs") == 1
    assert kraken_sim.count("Assets") == 1
    # a time to live of 0 disables the cache
    async with KrakenExchange(_config(kraken_sim, tmp_path, markets_cache_ttl=0)):
        pass
    assert kraken_sim.count("AssetPairs") == 2


async def test_markets_of_another_endpoint_do_not_mix(
    kraken_sim_factory: Any, tmp_path: Path
) -> None:
    one = await kraken_sim_factory()
    two = await kraken_sim_factory(extra_pairs=3)
    async with KrakenExchange(_config(one, tmp_path)):
        pass
    async with KrakenExchange(_config(two, tmp_path)) as exchange:
        assert "SYN0002/USD" in exchange.client.markets
    assert two.count("AssetPairs") == 1
    assert len(_cache_files(tmp_path)) == 2


async def test_close_is_idempotent_and_calls_after_close_fail_clearly(
    kraken_sim: KrakenSimulator, tmp_path: Path
) -> None:
    exchange = KrakenExchange(_config(kraken_sim, tmp_path))
    await exchange.initialize()
    await exchange.get_market_data("BTC-USD")
    await exchange.close()
    await exchange.close()
    with pytest.raises(Exception, match="kraken get_market_data"):
        await exchange.get_market_data("BTC-USD")
    # an instance never used closes without a session to close
    await KrakenExchange().close()
