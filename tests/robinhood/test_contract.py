"""The factory builds it from the credentials manager's configuration; it honours the contract."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import vcr
from powertrader_robinhood import RobinhoodExchange

from powertrader_core import AbstractExchange, ExchangeFactory, ExchangeType


def test_factory_creates_it_from_a_credentials_config(config: dict[str, str]) -> None:
    exchange = ExchangeFactory.create_exchange("robinhood", dict(config))
    assert isinstance(exchange, RobinhoodExchange)
    assert exchange.name == "robinhood"
    assert exchange.has_credentials
    assert exchange.get_supported_regions() == ["us"]
    assert RobinhoodExchange.check_config(config) == []
    assert "robinhood" in ExchangeFactory.get_available_exchanges("us")
    assert "robinhood" not in ExchangeFactory.get_available_exchanges("eu")
    assert isinstance(ExchangeFactory.create_exchange(ExchangeType.ROBINHOOD, config),
                      RobinhoodExchange)


def test_seed_module_name_gives_the_class() -> None:
    from pt_exchanges import RobinhoodExchange as SeedName

    assert SeedName is RobinhoodExchange
    assert issubclass(SeedName, AbstractExchange)


def test_nothing_secret_in_reprs(config: dict[str, str]) -> None:
    exchange = RobinhoodExchange(config)
    client = exchange._client()
    signer = exchange._get_signer()
    for text in (repr(exchange), repr(client), repr(signer)):
        assert config["private_key"] not in text
    assert config["api_key"] not in repr(exchange) + repr(client) + repr(signer)


def test_capabilities(config: dict[str, str]) -> None:
    exchange = RobinhoodExchange(config)
    for operation in ("cancel_order", "get_order", "get_open_orders", "get_trading_fees"):
        assert exchange.supports(operation), operation
    assert not exchange.supports("get_order_book")
    assert not exchange.supports("watch_market_data")


async def test_close_is_idempotent_and_leaves_no_open_client(
    config: dict[str, str], rh_vcr: vcr.VCR
) -> None:
    never_used = RobinhoodExchange(config)
    await never_used.close()
    await never_used.close()

    exchange = RobinhoodExchange(config)
    with rh_vcr.use_cassette("accounts.yaml"):
        assert await exchange.get_balance("USD") == {"USD": Decimal("1523.47")}
    assert exchange._http is not None and exchange._http.is_open
    await exchange.close()
    await exchange.close()
    assert not exchange._http.is_open


def test_factory_with_the_credentials_managers_config(
    config: dict[str, str], tmp_path: Path
) -> None:
    from powertrader_core import ExchangeConfigManager

    environ = {"ROBINHOOD_API_KEY": config["api_key"],
               "ROBINHOOD_PRIVATE_KEY": config["private_key"]}
    from_env = ExchangeConfigManager(tmp_path / "env", environ=environ, env_file=None)
    assert from_env.validate_config("robinhood")
    loaded = from_env.load_exchange_config("robinhood")
    exchange = ExchangeFactory.create_exchange("robinhood", loaded)
    assert isinstance(exchange, RobinhoodExchange) and exchange.has_credentials
    assert exchange._get_signer() is not None  # the key decodes
    assert config["private_key"] not in repr(loaded)

    from_file = ExchangeConfigManager(tmp_path / "files", environ={}, env_file=None)
    from_file.save_exchange_config("robinhood", config, encrypt=False)
    exchange = ExchangeFactory.create_exchange(
        "robinhood", from_file.load_exchange_config("robinhood")
    )
    assert exchange.config["private_key"] == config["private_key"]

    broken = ExchangeConfigManager(tmp_path / "broken", env_file=None,
                                   environ={**environ, "ROBINHOOD_PRIVATE_KEY": "bm90IGEga2V5"})
    problems = broken.config_problems("robinhood")
    assert problems and "private_key" in problems[0] and "bm90IGEga2V5" not in problems[0]
