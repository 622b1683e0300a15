"""Configuration is validated once, when the exchange is built, naming every bad field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from powertrader_paper import PaperConfig, PaperExchange

from powertrader_core import ConfigurationError


def test_defaults() -> None:
    config = PaperConfig.from_mapping({})
    assert config.source == "sim"
    assert config.source_label == "paper:sim"
    assert config.taker_fee == Decimal("0.001")
    assert config.maker_fee == Decimal("0.0005")
    assert config.starting_balances == {"USD": Decimal(10000)}
    assert config.account == "default"
    assert config.now().utcoffset() is not None


def test_values_are_converted_exactly() -> None:
    config = PaperConfig.from_mapping(
        {
            "source": " Kraken ",
            "taker_fee": 0.0026,
            "starting_balances": {"usd": "2500.10", "btc": 0.1},
            "starting_prices": {"btc/usd": 65000},
            "unrelated_key": "ignored",
        }
    )
    assert config.source == "kraken"
    assert config.source_label == "paper:kraken"
    assert config.taker_fee == Decimal("0.0026")
    assert config.starting_balances == {"USD": Decimal("2500.10"), "BTC": Decimal("0.1")}
    assert config.starting_prices == {"BTC-USD": Decimal(65000)}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("source", ""),
        ("source", "paper"),
        ("taker_fee", "-0.001"),
        ("maker_fee", "0.5"),
        ("taker_fee", "abc"),
        ("spread", "nan"),
        ("book_levels", 0),
        ("book_levels", True),
        ("tick_seconds", 0),
        ("account", "../escape"),
        ("starting_balances", {"USD": -5}),
        ("starting_balances", ["USD"]),
        ("starting_prices", {"BTC": 1}),
        ("clock", "now"),
        ("seed", 1.5),
    ],
)
def test_bad_values_are_refused_naming_the_field(key: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        PaperExchange({key: value})
    assert key in str(info.value)
    assert info.value.exchange == "paper"
    assert PaperExchange.check_config({key: value})


def test_check_config_of_a_good_config_is_empty() -> None:
    assert PaperExchange.check_config({}) == []
    assert PaperExchange.check_config({"taker_fee": "0.002", "seed": "demo"}) == []


async def test_a_clock_must_be_timezone_aware(tmp_path: object) -> None:
    from datetime import datetime

    with pytest.raises(ConfigurationError, match="timezone-aware"):
        PaperExchange({"clock": datetime.now})
