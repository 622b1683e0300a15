"""Accounts, holdings and trading pairs: buying power as USD, every page followed."""

from __future__ import annotations

from decimal import Decimal

import vcr
from powertrader_robinhood import RobinhoodExchange, TradingPair

from powertrader_core import Balance


async def test_balance_merges_holdings_across_two_pages_with_buying_power(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("balances_two_pages.yaml") as cassette:
        balances = await exchange.get_balance()
    assert cassette.all_played and cassette.play_count == 3
    assert balances == {
        "USD": Decimal("1523.47"),
        "BTC": Decimal("0.051200000000000000"),
        "ETH": Decimal("1.25"),  # a JSON number, read exactly
        "DOGE": Decimal("1500.00"),
    }
    assert all(isinstance(value, Decimal) for value in balances.values())


async def test_balance_details_split_free_and_held(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("balances_two_pages.yaml"):
        details = await exchange.get_balance_details()
    assert details["BTC"] == Balance(asset="BTC", free=Decimal("0.0462"), used=Decimal("0.005"),
                                     total=Decimal("0.0512"))
    assert details["USD"].free == details["USD"].total == Decimal("1523.47")


async def test_balance_of_usd_reads_only_the_account(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("accounts.yaml") as cassette:
        assert await exchange.get_balance("usd") == {"USD": Decimal("1523.47")}
    assert cassette.play_count == 1


async def test_balance_of_one_asset_filters_holdings(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("holdings_one_asset.yaml") as cassette:
        assert await exchange.get_balance("BTC") == {"BTC": Decimal("0.0512")}
    assert cassette.play_count == 1


async def test_initialize_loads_every_trading_pair_across_pages(
    exchange: RobinhoodExchange, rh_vcr: vcr.VCR
) -> None:
    with rh_vcr.use_cassette("trading_pairs_two_pages.yaml") as cassette:
        assert await exchange.initialize() is True
    assert cassette.all_played and cassette.play_count == 2
    assert sorted(exchange._pairs) == ["BTC-USD", "DOGE-USD", "ETH-USD", "LUNA-USD"]
    # Known now: no further request for a pair's rules.
    btc = await exchange.get_trading_pair("BTC-USD")
    assert btc == TradingPair(
        symbol="BTC-USD", asset_code="BTC", quote_code="USD",
        asset_increment=Decimal("0.00000001"), quote_increment=Decimal("0.01"),
        min_order_size=Decimal("0.00001"), max_order_size=Decimal("20"), status="tradable",
    )
    assert not (await exchange.get_trading_pair("LUNA-USD")).tradable


async def test_async_with_initializes_and_closes(config: dict[str, str], rh_vcr: vcr.VCR) -> None:
    exchange = RobinhoodExchange(config)
    with rh_vcr.use_cassette("trading_pairs_two_pages.yaml"):
        async with exchange as entered:
            assert entered is exchange
            assert exchange._http is not None and exchange._http.is_open
    assert not exchange._http.is_open
