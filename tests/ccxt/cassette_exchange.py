"""Shared set-up and checks for the ccxt plugin's cassette tests (``test_cassettes_<id>.py``).

The cassettes come in two shapes, and each has its helper:

- one session per cassette (Kraken, Binance, Coinbase, Bitstamp): each cassette holds the
  requests ``load_markets`` makes and then the call under test. :func:`replayer` runs a
  scenario on a fresh exchange inside one cassette.
- markets apart (KuCoin, Bybit, OKX): ``markets.yaml`` is played once while the fixture starts
  the exchange (:func:`exchange_with_markets`), then each test plays one operation's cassette
  under :func:`played`.

Either way the exchange gets a fresh markets cache (so nothing is read from an earlier test),
replay-only cassettes with request bodies matched (so a change in what ccxt or the plugin sends
fails), no pause on close, and no rate limiter: the limiter is tested against the simulator,
and with it on every replayed request would wait out the exchange's ``rateLimit``. A cassette
must be played exactly as recorded: a request left unmade means the plugin no longer asks
what the exchange was asked. Per-exchange files keep only what is theirs: keys, recorded ids,
the values each answer must give, and the exchange's quirks; what every exchange must do (money
in Decimal, well-formed results, refusals before any request, closing) is the conformance
kit's, run on the same recordings by ``tests/conformance/test_ccxt_cassettes.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import vcr

from powertrader_core import ExchangeFactory
from powertrader_core.errors import InvalidOrderError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest
from tests.cassette_support import TEST_SECRETS, make_vcr

Scenario = Callable[[AbstractExchange], Awaitable[Any]]
#: ``await replay(cassette, scenario, *, keys=True)``: see :func:`replayer`.
Replay = Callable[..., Awaitable[Any]]

#: The key and secret most exchanges take (no passphrase).
KEY_PAIR = {"api_key": TEST_SECRETS["api_key"], "api_secret": TEST_SECRETS["api_secret"]}


def coinbase_cdp_keys() -> dict[str, str]:
    """A Coinbase CDP-style key: a key name and a freshly made P-256 private key in PEM
    (why Coinbase cannot take ``TEST_SECRETS``: ``test_cassettes_coinbase.py``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return {"api_key": "organizations/pt-test-org/apiKeys/pt-test-key", "api_secret": pem.decode()}


def replayed_exchange(name: str, config: Mapping[str, Any]) -> AbstractExchange:
    """Create ``name`` through the factory, ready to run against cassettes (limiter off)."""
    exchange = ExchangeFactory.create_exchange(name, {**config, "rate_limit": False})
    # Replayed answers need no TLS shutdown: skip ccxt's 250 ms pause on close.
    exchange.client.timeout_on_exit = 0  # type: ignore[attr-defined]
    return exchange


@contextmanager
def played(recorder: vcr.VCR, cassette: str, *, requests: int | None = None) -> Iterator[Any]:
    """Use ``cassette``; on leaving, check every recorded request was made (all of them, or
    exactly ``requests`` when given: 0 proves nothing was sent)."""
    with recorder.use_cassette(cassette) as recorded:
        yield recorded
    if requests is None:
        assert recorded.all_played, f"{cassette}: not every recorded request was made"
    else:
        assert recorded.play_count == requests, f"{cassette}: {recorded.play_count} requests"


def replayer(
    name: str, cache_dir: Path, credentials: Mapping[str, str] = KEY_PAIR
) -> Replay:
    """``replay(cassette, scenario, *, keys=True)``: run ``scenario`` on a fresh ``name``
    exchange inside ``cassette``, which must be played in full, and return what it returns.

    ``keys=False`` leaves the credentials out, for the public-only sessions.
    """
    recorder = make_vcr(name, match_body=True)

    async def run(cassette: str, scenario: Scenario, *, keys: bool = True) -> Any:
        config: dict[str, Any] = {"markets_cache_dir": str(cache_dir)}
        if keys:
            config |= credentials
        exchange = replayed_exchange(name, config)
        with played(recorder, cassette):
            async with exchange:
                result = await scenario(exchange)
        return result

    return run


@asynccontextmanager
async def exchange_with_markets(
    name: str, recorder: vcr.VCR, cache_dir: Path, credentials: Mapping[str, str]
) -> AsyncIterator[AbstractExchange]:
    """A ``name`` exchange whose markets were loaded from ``markets.yaml``, every recorded
    request of it made; closed on leaving."""
    exchange = replayed_exchange(name, {**credentials, "markets_cache_dir": str(cache_dir)})
    try:
        with played(recorder, "markets"):
            await exchange.ensure_initialized()
        async with exchange:
            yield exchange
    finally:
        await exchange.close()


async def assert_too_small_refused(
    replay: Replay, name: str, *, amount: str, price: str, why: str
) -> None:
    """A BTC-USD limit buy of ``amount`` at ``price`` is refused for ``why`` (or as rounding to
    zero), naming the exchange and operation, while the ``markets`` cassette is all that plays:
    it holds no order, so none was sent."""
    request = OrderRequest(
        symbol="BTC-USD", side="buy", amount=amount, order_type="limit", price=price
    )

    async def scenario(exchange: AbstractExchange) -> Any:
        with pytest.raises(InvalidOrderError) as refused:
            await exchange.place_order(request)
        return refused.value

    error = await replay("markets", scenario)
    assert f"{name} place_order" in str(error)
    assert why in str(error) or "zero" in str(error)


async def assert_refused_unsent(
    exchange: AbstractExchange, recorder: vcr.VCR, name: str, request: OrderRequest
) -> None:
    """``request`` is refused as under the minimum, naming the exchange and operation, before
    any request: not one of the ``limit_order`` cassette's recordings is played."""
    with played(recorder, "limit_order", requests=0):
        with pytest.raises(InvalidOrderError, match="minimum") as caught:
            await exchange.place_order(request)
    assert f"{name} place_order" in str(caught.value)
