"""A failure before the request is sent is a ConfigurationError, journaled ``not_sent``
(issue 14, item 5).

A Kraken secret that is not base64 used to make ``place_order`` say "the order may exist"
and journal it ``unknown`` although nothing left the machine. Now: ``ConfigurationError``
naming the cause, the journal says ``not_sent``, and the order is never looked up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("powertrader_ccxt")

from powertrader_core import ConfigurationError, OrderRequest
from powertrader_core.manager.facade import MultiExchangeManager
from powertrader_core.orders.journal import OrderJournal
from tests.cassette_support import TEST_SECRETS
from tests.manager.fakes import FAST_RETRY, DictConfig, settings
from tests.simulators.fixtures import kraken_config


@pytest.mark.parametrize("secret", ["not base64!", "abc", "a" * 21])
async def test_a_secret_that_cannot_sign_is_a_configuration_error_never_sent(
    kraken_sim_factory: Any, tmp_path: Path, secret: str
) -> None:
    kraken_sim = await kraken_sim_factory()
    config = kraken_config(kraken_sim, tmp_path / "cache", rate_limit=False, api_secret=secret)
    journal = OrderJournal(tmp_path / "journal.sqlite3")
    manager = MultiExchangeManager(
        DictConfig({"kraken": config}), settings(exchange_timeout=2), ["kraken"],
        retry=FAST_RETRY, journal=journal,
    )
    order = OrderRequest("BTC-USD", "buy", "0.01")
    async with manager:
        with pytest.raises(ConfigurationError) as caught:
            await manager.place_order(order, exchange="kraken")
        entry = await journal.get(order.client_order_id, "kraken")
    message = str(caught.value)
    assert "could not be signed" in message and "nothing was sent" in message
    assert "may exist" not in message and secret not in message
    assert TEST_SECRETS["api_key"] not in message
    assert entry is not None and entry.state.value == "not_sent"
    private = [r.path for r in kraken_sim.requests if "/private/" in r.path]
    assert private == []  # not sent, and never looked up (no QueryOrders, no OpenOrders)
