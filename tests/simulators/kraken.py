"""A Kraken-shaped REST server on 127.0.0.1 for tests and benchmarks (aiohttp).

It speaks Kraken's REST API the way ccxt calls it, so a ``KrakenExchange`` configured with
``base_url=sim.base_url`` talks to it exactly as to api.kraken.com:

- public (GET): ``/0/public/Time``, ``Assets``, ``AssetPairs``, ``Ticker``, ``Depth``
- private (POST, signed as Kraken signs: ``API-Key`` and ``API-Sign`` headers, checked):
  ``Balance``, ``BalanceEx``, ``TradeBalance``, ``TradeVolume``, ``AddOrder``,
  ``CancelOrder``, ``QueryOrders``, ``OpenOrders``, ``ClosedOrders``

Answers have Kraken's shapes (``{"error": [], "result": ...}``, numbers as strings, X/Z asset
codes); see ``kraken_data.py`` for where the shapes come from.

Knobs (attributes and methods of :class:`KrakenSimulator`; change them at any time):

- ``latency``: seconds added before every answer; ``path_latency[path] = seconds`` per path
  (``path`` is the last segment, e.g. ``"Ticker"``).
- ``fail(kind, path=None, times=1, **details)``: queue a fault from ``faults.py`` (``hang``,
  ``status`` with ``status=500/502/503``, ``rate_limit`` with ``retry_after``, ``html``,
  ``truncated``, ``truncated_json``, ``empty``, ``error`` with Kraken's ``message`` such as
  ``"EAPI:Invalid key"``, ``"EOrder:Insufficient funds"``, ``"EGeneral:Invalid arguments"``,
  ``drop``, and for order safety ``accept_then_drop`` / ``accept_then_502`` /
  ``accept_then_hang``, which store the order and then lose the answer, and ``hold`` with
  ``delay``, which processes the request that much later). ``times=None`` keeps the fault
  until ``clear_faults()``.
- AddOrder honours Kraken's ``deadline`` parameter (RFC 3339): processed after it, the order
  is refused with ``kraken_orders.DEADLINE_PASSED`` and not stored; one sooner than
  ``deadline_min_seconds`` (2 s, Kraken's minimum) or later than 60 s after the request
  arrived is refused as an invalid argument. With ``fail("hold", path="AddOrder", delay=s)``
  the request is accepted late (the accept-late knob): an order when it is processed before
  its deadline, refused after it.
- ``KrakenSimulator(extra_pairs=2000)``: a market list of that many synthetic pairs
  (``SYN0000/USD``...) besides the real-looking ones (BTC/USD, BTC/EUR, BTC/USDT, ETH/USD,
  SOL/USD).
- Rate limits as Kraken documents them (``kraken_limits.py``; off by default):
  ``tier="starter"|"intermediate"|"pro"`` enforces the private REST counter per API key and
  the per-pair trading counter; ``public_per_second=1.0`` the public budget per address
  (``public_burst``); ``ledger_cost`` what a ledger or trade-history call adds (2). A refused
  call is answered ``EAPI:Rate limit exceeded`` (or ``EOrder:Rate limit exceeded``) in the
  error array with HTTP 200, and recorded in ``refused``.
- ``set_price(pair_key_or_symbol, price)``, ``balances`` (Kraken asset code -> Decimal).
- ``api_key`` / ``api_secret``: what the signature is checked against (defaults are the
  suite's ``TEST_SECRETS``); a wrong key answers ``EAPI:Invalid key``, a bad signature
  ``EAPI:Invalid signature``.

What it records, for assertions:

- ``requests``: every request as :class:`RequestRecord` (method, path, params, monotonic
  time), with helpers ``count(path)`` and ``times(path)``.
- ``refused``: ``(method, error)`` of every request answered with a Kraken error.
- ``orders``: txid -> the stored order (Kraken's order shape plus ``_cl_ord_id``), kept in
  placement order; ``orders_placed`` counts them. Market orders fill at once against the
  simulated ask/bid; limit orders fill when marketable, otherwise stay open; stop orders stay
  open.

Use it through the ``kraken_sim`` fixture of ``tests/simulators/fixtures.py``, or as
``async with KrakenSimulator() as sim:``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.simulators.faults import (
    AFTER_KINDS,
    DELAY_KINDS,
    HOLD_KINDS,
    Fault,
    FaultPlan,
    apply_after,
    apply_before,
)
from tests.simulators.kraken_data import (
    Asset,
    Pair,
    default_assets,
    default_pairs,
    synthetic_pairs,
)
from tests.simulators.kraken_limits import ENGINE_CALLS, KrakenLimits, cancel_increment
from tests.simulators.kraken_orders import KrakenError, OrderBookKeeper

__all__ = ["KrakenSimulator", "RequestRecord"]

DEFAULT_KEY = "pt-test-api-key-4b1d6c"
DEFAULT_SECRET = "cHQtdGVzdC1zZWNyZXQtZG8tbm90LWxlYWstOWYzYQ=="


@dataclass
class RequestRecord:
    method: str
    path: str
    params: dict[str, str]
    at: float  # time.monotonic() when the request arrived


@dataclass
class KrakenSimulator:
    """See the module docstring for the knobs."""

    extra_pairs: int = 0
    latency: float = 0.0
    api_key: str = DEFAULT_KEY
    api_secret: str = DEFAULT_SECRET
    path_latency: dict[str, float] = field(default_factory=dict)
    tier: str | None = None
    public_per_second: float | None = None
    public_burst: float = 2.0
    #: AddOrder refuses a deadline sooner than this after the request arrived ("min now() +
    #: 2 seconds"); tests that shorten the plugin's bound set it lower.
    deadline_min_seconds: float = 2.0
    ledger_cost: float = 2
    requests: list[RequestRecord] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (method, Kraken's error)

    def __post_init__(self) -> None:
        self.assets: dict[str, Asset] = default_assets()
        self.pairs: dict[str, Pair] = default_pairs()
        if self.extra_pairs:
            assets, pairs = synthetic_pairs(self.extra_pairs)
            self.assets.update(assets)
            self.pairs.update(pairs)
        self.balances: dict[str, Decimal] = {
            "ZUSD": Decimal("100000.0000"),
            "ZEUR": Decimal("50000.0000"),
            "XXBT": Decimal("2.5000000000"),
            "XETH": Decimal("10.0000000000"),
            "USDT": Decimal("1000.00000000"),
        }
        self.limits = KrakenLimits(
            tier=self.tier,
            ledger_cost=self.ledger_cost,
            public_per_second=self.public_per_second,
            public_burst=self.public_burst,
        )
        self.plan = FaultPlan()
        self.book = OrderBookKeeper(self)
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0

    # ---- life cycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> KrakenSimulator:
        app = web.Application()
        app.router.add_route("*", "/0/{kind}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> KrakenSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- knobs -----------------------------------------------------------------------------

    def fail(
        self, kind: str, path: str | None = None, times: int | None = 1, **details: Any
    ) -> Fault:
        """Queue a fault (see ``faults.py`` for the kinds)."""
        return self.plan.add(Fault(kind=kind, path=path, times=times, **details))

    def clear_faults(self) -> None:
        self.plan.clear()

    def pair(self, key_or_symbol: str) -> Pair:
        wanted = key_or_symbol.upper()
        for pair in self.pairs.values():
            if wanted in (pair.key, pair.altname, pair.wsname):
                return pair
        raise KeyError(key_or_symbol)

    def set_price(self, key_or_symbol: str, price: Decimal | str | float) -> None:
        self.pair(key_or_symbol).price = Decimal(str(price))

    # ---- records ---------------------------------------------------------------------------

    def count(self, path: str) -> int:
        """Requests whose path ends with ``path`` (``"AddOrder"``, ``"public/Ticker"``)."""
        return sum(1 for r in self.requests if r.path.endswith(path))

    def times(self, path: str) -> list[float]:
        return [r.at for r in self.requests if r.path.endswith(path)]

    @property
    def orders(self) -> dict[str, dict[str, Any]]:
        return self.book.orders

    @property
    def orders_placed(self) -> int:
        return len(self.book.orders)

    # ---- serving ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        kind, method = request.match_info["kind"], request.match_info["method"]
        params = dict(request.query)
        raw_body = await request.read()
        if request.method == "POST":
            params.update(parse_qsl(raw_body.decode(), keep_blank_values=True))
        self.requests.append(RequestRecord(request.method, request.path, params, arrived))
        params = {**params, "_arrived_at": repr(time.time())}  # AddOrder's deadline bounds

        delay = self.path_latency.get(method, self.latency)
        if delay:
            await asyncio.sleep(delay)
        fault = self.plan.take(request.path)
        if fault is not None and fault.kind in DELAY_KINDS:
            await asyncio.sleep(fault.delay)  # then processed as usual: a late arrival
            fault = None
        if fault is not None and fault.kind not in AFTER_KINDS:
            return await apply_before(fault, request, self._stopping, _error, _sample())
        if kind == "private":
            problem = self._check_signature(request, raw_body)
            if problem:
                return web.json_response(_error(problem))
        refusal = self._rate_limited(kind, method, params, request)
        if refusal is not None:
            self.refused.append((method, refusal))
            return web.json_response(_error(refusal))
        handler = _HANDLERS.get((kind, method))
        if handler is None:
            answer: web.StreamResponse = web.json_response(_error("EGeneral:Unknown method"))
        else:
            try:
                answer = web.json_response({"error": [], "result": handler(self, params)})
            except KrakenError as exc:
                self.refused.append((method, str(exc)))
                answer = web.json_response(_error(str(exc)))
        if fault is not None and fault.kind in HOLD_KINDS:
            await self._stopping.wait()  # processed; the answer never comes
            return web.Response(status=503, text="simulator stopped")
        if fault is not None:
            return apply_after(fault, request, answer)
        return answer

    def _rate_limited(
        self, kind: str, method: str, params: dict[str, str], request: web.Request
    ) -> str | None:
        now = time.monotonic()
        if kind == "public":
            return self.limits.public(request.remote or "?", now)
        if method not in ENGINE_CALLS:
            return self.limits.private(request.headers.get("API-Key", ""), method, now)
        if method == "AddOrder":
            try:
                pair = self.pair(params.get("pair", "")).key
            except KeyError:
                return None  # the handler answers it; nothing counted
            return self.limits.engine(pair, 1.0, now)
        order = self.book.orders.get(params.get("txid", ""))
        if order is None:
            return None
        age = time.time() - float(order["opentm"])
        return self.limits.engine(self.pair(order["_pair"]).key, cancel_increment(age), now)

    def _check_signature(self, request: web.Request, body: bytes) -> str | None:
        key = request.headers.get("API-Key")
        if key != self.api_key:
            return "EAPI:Invalid key"
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        nonce = params.get("nonce", "")
        digest = hashlib.sha256((nonce + body.decode()).encode()).digest()
        try:
            secret = base64.b64decode(self.api_secret)
        except ValueError:
            return "EAPI:Invalid key"
        expected = base64.b64encode(
            hmac.new(secret, request.path.encode() + digest, hashlib.sha512).digest()
        ).decode()
        if not hmac.compare_digest(expected, request.headers.get("API-Sign", "")):
            return "EAPI:Invalid signature"
        return None

    # ---- public endpoints ------------------------------------------------------------------

    def _time(self, params: dict[str, str]) -> dict[str, Any]:
        now = int(time.time())
        return {"unixtime": now, "rfc1123": time.strftime("%a, %d %b %y %H:%M:%S +0000")}

    def _assets(self, params: dict[str, str]) -> dict[str, Any]:
        return {code: asset.as_kraken() for code, asset in self.assets.items()}

    def _asset_pairs(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = _pair_list(params)
        pairs = self.pairs.values() if not wanted else [self._pair_or_fail(p) for p in wanted]
        return {pair.key: pair.as_kraken() for pair in pairs}

    def _ticker(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = _pair_list(params)
        pairs = [self._pair_or_fail(p) for p in wanted] if wanted else list(self.pairs.values())
        return {pair.key: pair.ticker() for pair in pairs}

    def _depth(self, params: dict[str, str]) -> dict[str, Any]:
        pair = self._pair_or_fail(params.get("pair", ""))
        count = max(1, min(int(params.get("count", "100") or 100), 500))
        return {pair.key: pair.depth(count, int(time.time()))}

    def _pair_or_fail(self, name: str) -> Pair:
        try:
            return self.pair(name)
        except KeyError:
            raise KrakenError("EQuery:Unknown asset pair") from None


def _error(message: str) -> dict[str, Any]:
    return {"error": [message]}


def _sample() -> dict[str, Any]:
    """A realistic JSON body to cut short for the ``truncated`` faults."""
    pair = default_pairs()["XXBTZUSD"]
    return {"error": [], "result": {pair.key: pair.ticker()}}


def _pair_list(params: dict[str, str]) -> list[str]:
    return [p for p in params.get("pair", "").split(",") if p]


_HANDLERS: dict[tuple[str, str], Any] = {
    ("public", "Time"): KrakenSimulator._time,
    ("public", "Assets"): KrakenSimulator._assets,
    ("public", "AssetPairs"): KrakenSimulator._asset_pairs,
    ("public", "Ticker"): KrakenSimulator._ticker,
    ("public", "Depth"): KrakenSimulator._depth,
    ("private", "Balance"): lambda sim, p: sim.book.balance(p),
    ("private", "BalanceEx"): lambda sim, p: sim.book.balance_ex(p),
    ("private", "TradeBalance"): lambda sim, p: sim.book.trade_balance(p),
    ("private", "TradeVolume"): lambda sim, p: sim.book.trade_volume(p),
    ("private", "AddOrder"): lambda sim, p: sim.book.add_order(p),
    ("private", "CancelOrder"): lambda sim, p: sim.book.cancel_order(p),
    ("private", "QueryOrders"): lambda sim, p: sim.book.query_orders(p),
    ("private", "OpenOrders"): lambda sim, p: sim.book.open_orders(p),
    ("private", "ClosedOrders"): lambda sim, p: sim.book.closed_orders(p),
}
