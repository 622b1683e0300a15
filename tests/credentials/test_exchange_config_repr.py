"""``exchange.config`` never prints a secret (issue 14, item 4).

``repr``, ``str`` and ``vars(exchange)`` of every shipped exchange, Robinhood's private key
included: the configuration stays masked wherever it is stored.
"""

from __future__ import annotations

import pytest

from powertrader_core import ExchangeFactory
from tests.cassette_support import TEST_SECRETS
from tests.credentials.conftest import TEST_PRIVATE_KEY

CONFIGS = {
    "kraken": {"api_key": TEST_SECRETS["api_key"], "api_secret": TEST_SECRETS["api_secret"]},
    "okx": {**TEST_SECRETS},
    "robinhood": {"api_key": TEST_SECRETS["api_key"], "private_key": TEST_PRIVATE_KEY},
    "paper": {"api_key": TEST_SECRETS["api_key"], "account_token": TEST_SECRETS["api_secret"]},
}
#: The paper exchange priced by Kraken: the source's keys nest in ``source_config``.
NESTED = {"source": "kraken", "source_config": {"api_key": TEST_SECRETS["api_key"],
                                                 "api_secret": TEST_SECRETS["api_secret"]}}


@pytest.mark.parametrize("name", sorted(CONFIGS))
async def test_no_secret_in_config_repr_str_or_vars(name: str) -> None:
    config = CONFIGS[name]
    exchange = ExchangeFactory.get_exchange_class(name)(config)
    try:
        seen = " ".join([
            repr(exchange.config), str(exchange.config), f"{exchange.config}",
            repr(vars(exchange)), str(vars(exchange)), repr(exchange),
        ])
        for value in config.values():
            assert value not in seen, f"{name}: a secret is printed"
        assert exchange.config["api_key"] == config["api_key"]  # still a plain dict to read
    finally:
        await exchange.close()


async def test_nested_source_keys_are_masked_too() -> None:
    exchange = ExchangeFactory.get_exchange_class("paper")(NESTED)
    try:
        seen = repr(exchange.config) + repr(vars(exchange)) + str(exchange.config)
        assert TEST_SECRETS["api_key"] not in seen and TEST_SECRETS["api_secret"] not in seen
    finally:
        await exchange.close()
