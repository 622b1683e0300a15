"""The conformance kit on the ccxt plugin's exchanges, replayed from their cassettes.

:class:`CcxtCassetteConformance` is ``ExchangeConformance`` pointed at ``cassettes/<name>/``:
each check plays the exchange's ``markets`` recording and the recordings its calls need
(:attr:`CcxtCassetteConformance.plays`), merged into one cassette by :class:`MergedCassettes`
(``"markets+ticker"`` names the two files). The recordings are the ones the per-exchange tests
(``tests/ccxt/test_cassettes_<name>.py``) replay; their sources are in each folder's README.

Replay as there (``tests/ccxt/cassette_exchange.py``): a fresh markets cache per check, no
rate limiter, no pause on close, record mode ``none`` (a request no recording answers fails),
request bodies matched less their nonces and signatures. Two differences, both because the
kit asks its own questions:

- a recording may be played more than once (the kit builds an exchange twice in some
  checks, and the single-session recordings repeat the markets requests);
- the order book's size parameter is not matched: the kit asks 5 levels, the recordings were
  asked for 20 (their exact request is checked by the per-exchange tests); the plugin keeps
  the 5 it was asked for.

``cassette("server_error")`` plays the ticker request answered with an HTTP 503 maintenance
page instead of its recorded answer (``@503``): the kit's check that a failing server is
``ExchangeConnectionError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
import vcr
from vcr.persisters.filesystem import FilesystemPersister

from powertrader_core.exchange import AbstractExchange
from powertrader_core.models import OrderRequest
from powertrader_core.testing import ExchangeConformance
from tests.cassette_support import VOLATILE_PARAMS, make_vcr
from tests.ccxt.cassette_exchange import KEY_PAIR, replayed_exchange

#: Query parameters that size an order book (Kraken count, Binance/OKX/Coinbase limit, ...).
BOOK_SIZE_PARAMS = {"count", "limit", "depth", "size", "sz"}

_MAINTENANCE = {
    "status": {"code": 503, "message": "Service Unavailable"},
    "headers": {"Content-Type": ["text/html"]},
    "body": {"string": b"<html><body><h1>503 Service Unavailable</h1></body></html>"},
}


class MergedCassettes:
    """A vcrpy persister reading ``a+b+c.yaml`` as the recordings of ``a.yaml``, ``b.yaml``
    and ``c.yaml`` in that order; a part written ``name@503`` has its last recording
    answered with a 503 maintenance page. Replay only: it never writes."""

    @classmethod
    def load_cassette(
        cls, cassette_path: str | Path, serializer: Any
    ) -> tuple[list[Any], list[Any]]:
        path = Path(cassette_path)
        requests: list[Any] = []
        responses: list[Any] = []
        for part in path.name.removesuffix(".yaml").split("+"):
            name, _, status = part.partition("@")
            got_requests, got_responses = FilesystemPersister.load_cassette(
                path.with_name(f"{name}.yaml"), serializer
            )
            got_responses = list(got_responses)
            if status == "503":
                got_responses[-1] = _MAINTENANCE
            requests += list(got_requests)
            responses += got_responses
        return requests, responses

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: Any, serializer: Any) -> None:
        raise AssertionError(f"conformance cassettes are replay only: {cassette_path}")


def _query_less_book_size(request: Any) -> list[tuple[str, str]]:
    return sorted(
        (k, v) for k, v in request.query
        if k.lower() not in VOLATILE_PARAMS and k.lower() not in BOOK_SIZE_PARAMS
    )


def _kit_query_matcher(r1: Any, r2: Any) -> None:
    assert _query_less_book_size(r1) == _query_less_book_size(r2), (r1.query, r2.query)


def kit_recorder(name: str) -> vcr.VCR:
    """The replay-only VCR of ``cassettes/<name>/`` for the kit (see the module docstring)."""
    recorder = make_vcr(name, match_body=True)
    recorder.register_persister(MergedCassettes)
    recorder.register_matcher("kit_query", _kit_query_matcher)
    recorder.match_on = tuple("kit_query" if m == "stable_query" else m for m in recorder.match_on)
    return recorder


#: Checks that call nothing needing keys, run without them: with keys, fees are the account's
#: own (a private request no cassette holds); without, the market's published ones.
_KEYLESS = {"trading_fees", "estimate_fill"}


class CcxtCassetteConformance(ExchangeConformance):
    """``ExchangeConformance`` on one ccxt exchange replayed from ``cassettes/<name>/``.

    A subclass sets ``name``, ``symbols`` (markets the ``ticker`` recording quotes) and
    ``too_small_amount``; ``plays`` maps a check to the recordings it plays besides
    ``markets`` (default: ``ticker``); ``credentials`` the keys (the suite's fake ones);
    ``valid_order`` the order its ``limit_order`` recording answers.
    """

    name: ClassVar[str]
    credentials: ClassVar[Mapping[str, str]] = KEY_PAIR
    plays: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    default_plays: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "order_book": ("order_book",),
        "estimate_fill": ("order_book",),
        "balance": ("balance",),
        "open_orders": ("open_orders",),
        "unknown_order_lookup": ("unknown_order_lookup",),
        "unknown_order_cancel": ("unknown_order_cancel",),
        "order_result": ("limit_order",),
        "server_error": ("ticker@503",),
        "class_contract": (),
        "regions_declared": (),
        "close_unused": (),
        "watch_declared": (),
    }

    @pytest.fixture(autouse=True)
    def _replay(self, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.cache_dir = tmp_path
        self.check = request.node.name.split("[", 1)[0].removeprefix("test_")

    def recordings(self, check: str) -> tuple[str, ...]:
        return ("markets", *self.plays.get(check, self.default_plays.get(check, ("ticker",))))

    @contextmanager
    def _played(self, check: str) -> Iterator[object]:
        with kit_recorder(self.name).use_cassette(
            "+".join(self.recordings(check)), allow_playback_repeats=True
        ) as played:
            yield played

    def cassette(self, check: str) -> Any:
        return self._played(check)

    async def make_exchange(self) -> AbstractExchange:
        config: dict[str, Any] = {"markets_cache_dir": str(self.cache_dir)}
        if self.check not in _KEYLESS:
            config |= self.credentials
        return replayed_exchange(self.name, config)

    async def break_server(self) -> bool:
        return True  # cassette("server_error") answers the ticker with a 503

    def valid_order(self) -> OrderRequest | None:
        return None
