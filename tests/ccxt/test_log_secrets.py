"""No secret in a library's DEBUG log (issue 14, item 3).

With ``logging.basicConfig(level=logging.DEBUG)`` ccxt logs every request with its headers:
Kraken's ``API-Key``, Binance's ``X-MBX-APIKEY``, OKX's key and passphrase. Those records are
scrubbed for every user of the library, not only the command line's ``--debug``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from powertrader_core import ExchangeFactory, OrderRequest
from tests.cassette_support import TEST_SECRETS
from tests.ccxt.cassette_exchange import coinbase_cdp_keys
from tests.simulators.fixtures import kraken_config
from tests.simulators.kraken import KrakenSimulator

PRIVATE = {
    "kraken": ("privatePostBalance", {}),
    "binance": ("privateGetAccount", {}),
    "okx": ("privateGetAccountBalance", {}),
    "kucoin": ("privateGetAccounts", {}),
    "bybit": ("privateGetV5AccountWalletBalance", {"accountType": "UNIFIED"}),
    "bitstamp": ("privatePostBalance", {}),
}


def _texts(caplog: pytest.LogCaptureFixture) -> str:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return "\n".join(handler.format(record) for record in caplog.records)


@pytest.mark.parametrize("name", [*sorted(PRIVATE), "coinbase"])
async def test_ccxt_request_log_lines_carry_no_secret(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """ccxt's own request log line (``fetch``'s ``self.logger.debug``), with the headers its
    ``sign`` really makes for a private call."""
    config: dict[str, Any] = coinbase_cdp_keys() if name == "coinbase" else dict(TEST_SECRETS)
    exchange = ExchangeFactory.create_exchange(name, config)
    try:
        client = exchange.client  # type: ignore[attr-defined]
        if name == "coinbase":
            path, api, http, params = "brokerage/accounts", ["v3", "private"], "GET", {}
        else:
            method_name, params = PRIVATE[name]
            path, api, http = _endpoint(client, method_name)
        signed = client.sign(path, api, http, params)
        with caplog.at_level(logging.DEBUG):
            client.logger.debug(
                "%s %s, Request: %s %s",
                signed["method"], signed["url"], signed["headers"], signed["body"],
            )
        text = _texts(caplog)
        assert "Request:" in text  # the line was logged, scrubbed
        for secret in config.values():
            for line in str(secret).splitlines():
                if len(line) > 8 and "-----" not in line:
                    assert line not in text, f"{name}: a secret in ccxt's log"
        for header, value in (signed["headers"] or {}).items():
            lowered = header.lower()
            secretish = lowered == "authorization" or any(
                word in lowered for word in ("key", "sign", "pass")
            )
            if secretish and len(str(value)) >= 16:  # keys and signatures, not "version: 2"
                assert str(value) not in text, f"{name}: {header} in ccxt's log"
    finally:
        await exchange.close()


def _endpoint(client: Any, method_name: str) -> tuple[str, Any, str]:
    """(path, api, HTTP method) of ccxt's implicit method ``method_name`` (an ``Entry``)."""
    function = getattr(client, method_name).__func__
    entry = function.__closure__[0].cell_contents
    return entry.path, entry.api, entry.method


async def test_a_real_debug_session_against_the_simulator_logs_no_secret(
    kraken_sim: KrakenSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    exchange = ExchangeFactory.create_exchange(
        "kraken", kraken_config(kraken_sim, tmp_path, rate_limit=False)
    )
    with caplog.at_level(logging.DEBUG):
        async with exchange:
            await exchange.get_balance()
            await exchange.place_order(OrderRequest("BTC-USD", "buy", "0.01"))
    text = _texts(caplog)
    assert "ccxt.base.exchange" in text and "AddOrder" in text  # ccxt did log its requests
    assert TEST_SECRETS["api_key"] not in text and TEST_SECRETS["api_secret"] not in text
    assert "'API-Key': '***'" in text and "'API-Sign': '***'" in text
