"""The session under a ``CcxtExchange``: configuration, the ccxt client, markets, calls.

A :class:`CcxtSession` owns one ccxt client and everything around it: reading the
configuration, refusing a sandbox the exchange lacks, the shared rate limiter, the markets
cache, symbol resolution (:meth:`CcxtSession.resolve`, with the USD stand-in) and
:meth:`CcxtSession.call`, through which every ccxt call passes so that each failure arrives as
one of our exceptions naming the exchange and the operation.

The exchange (``generic_exchange.CcxtExchange``) *holds* a session and speaks the contract on
top of it; the websocket stream (``streaming.py``) takes the same session. Neither imports the
other, and the session imports neither.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from powertrader_ccxt.error_map import HttpRecord, translate, unreadable_answer
from powertrader_ccxt.markets_cache import (
    MarketsCache,
    compact_helpers,
    default_cache_dir,
    expand_helpers,
)
from powertrader_ccxt.metering import Meter, meter_for
from powertrader_ccxt.profiles import ExchangeProfile
from powertrader_ccxt.settings import CcxtSettings
from powertrader_core.errors import (
    ConfigurationError,
    ExchangeError,
    NotSupportedError,
    SymbolNotSupportedError,
)
from powertrader_core.kit import RateLimiter
from powertrader_core.symbols import require_canonical

__all__ = ["CcxtSession", "Resolved"]

log = logging.getLogger("powertrader_ccxt")
T = TypeVar("T")

#: ``(canonical, ccxt symbol, quoted canonical or None, market)``: see ``CcxtSession.resolve``.
Resolved = tuple[str, str, str | None, dict[str, Any]]


class CcxtSession:
    """One ccxt client for one exchange instance, its markets, and the calls made through it.

    ``name`` gives the exchange's name (the one errors carry), asked each time: the factory
    renames an instance after building it (a second account, ``kraken_sub``). ``config`` is
    the exchange's configuration (keys included: never printed, see ``settings.py``).
    """

    def __init__(
        self, profile: ExchangeProfile, config: Mapping[str, Any], name: Callable[[], str]
    ) -> None:
        self.profile = profile
        self._name = name
        name_now = name()
        try:
            self.settings = CcxtSettings.from_config(config)
        except ValueError as exc:
            raise ConfigurationError(str(exc), exchange=name_now, operation="configure") from None
        if self.settings.sandbox and not profile.sandbox:
            raise NotSupportedError(
                f"{profile.ccxt_id} has no sandbox (test environment) known to ccxt; remove "
                "'sandbox' or point 'base_url' at a test server",
                exchange=name_now,
                operation="configure",
            )
        self.limiter: RateLimiter | None = None  # the core's, on this exchange's budget
        from powertrader_ccxt.ccxt_files import has_exchange

        if not has_exchange(profile.ccxt_id):
            raise ConfigurationError(
                f"ccxt has no exchange {profile.ccxt_id!r}: use a named exchange or "
                "'ccxt:<id>' with one of ccxt's ids",
                exchange=name_now,
                operation="configure",
            )
        try:
            self.client: Any = self._build_client()
        except LookupError:
            raise NotSupportedError(
                f"{profile.ccxt_id} has no sandbox (test environment) known to ccxt",
                exchange=name_now,
                operation="configure",
            ) from None
        self.loaded = False
        self._resolved: dict[str, Resolved] = {}
        self._closed = False

    @property
    def name(self) -> str:
        """The exchange's registered name, as it is now."""
        return self._name()

    def __repr__(self) -> str:
        return f"<CcxtSession {self.name!r} ccxt={self.profile.ccxt_id!r}>"

    @property
    def source(self) -> str:
        """Where quotes come from, as ``MarketData.source`` names it: ``ccxt:<id>``."""
        return f"ccxt:{self.profile.ccxt_id}"

    # ---- set-up --------------------------------------------------------------------------

    def _build_client(self) -> Any:
        from powertrader_ccxt.client import build_client  # imports ccxt: the first use

        def meter(rate_limit_ms: float) -> Meter | None:
            found = meter_for(self.profile, self.settings, rate_limit_ms)
            self.limiter = found.limiter if found is not None else None
            return found

        return build_client(self.profile, self.settings, meter)

    def markets_cache(self) -> MarketsCache:
        """The on-disk markets cache for this exchange (and its ``base_url``/sandbox variant)."""
        from powertrader_ccxt.client import ccxt_version

        variant = ""
        if self.settings.base_url or self.settings.sandbox:
            variant = f"{self.settings.base_url or ''}|sandbox={self.settings.sandbox}"
        return MarketsCache(
            self.settings.markets_cache_dir or default_cache_dir(),
            self.profile.ccxt_id,
            ttl=self.settings.markets_cache_ttl,
            variant=variant,
            ccxt_version=ccxt_version(),
        )

    # ---- calling ccxt --------------------------------------------------------------------

    async def call(
        self,
        operation: str,
        func: Callable[..., Awaitable[T]],
        *args: Any,
        record: HttpRecord | None = None,
    ) -> T:
        """Run one ccxt coroutine; any failure becomes our exception for ``operation``.
        ``record``: where the call notes what it saw over HTTP (a fresh one if not given)."""
        result, _ = await self.timed_call(operation, func, *args, record=record)
        return result

    async def timed_call(
        self,
        operation: str,
        func: Callable[..., Awaitable[T]],
        *args: Any,
        record: HttpRecord | None = None,
    ) -> tuple[T, float]:
        """``call`` that also returns the milliseconds spent, rate-limiter waits excluded."""
        from powertrader_ccxt.client import CURRENT_RECORD

        record = HttpRecord() if record is None else record
        token = CURRENT_RECORD.set(record)
        started = time.perf_counter()
        try:
            result = await func(*args)
            elapsed = (time.perf_counter() - started - record.waited) * 1000
        except ExchangeError:
            raise
        except Exception as exc:
            error = translate(
                exc,
                exchange=self.name,
                exchange_id=self.profile.ccxt_id,
                operation=operation,
                record=record,
                secrets=self.settings.secrets,
            )
            log.debug("%s", error)
            raise error from exc  # the cause (a DNS failure, a reset) stays for --debug
        finally:
            CURRENT_RECORD.reset(token)
        unreadable = unreadable_answer(record, exchange=self.name, operation=operation)
        if unreadable is not None:
            raise unreadable
        return result, elapsed

    # ---- markets -------------------------------------------------------------------------

    async def load_markets(self) -> None:
        """Load spot markets once: from the disk cache when fresh, else from the exchange."""
        if self.loaded:
            return
        cache = self.markets_cache()
        cached = cache.load()
        if cached is not None:
            try:
                self.client.set_markets(cached.markets, cached.currencies)
            except Exception as exc:  # noqa: BLE001 - a cache ccxt cannot take is fetched again
                log.warning("%s: markets cache %s unusable (%s)", self.name, cache.path, exc)
                cached = None
        if cached is not None:
            # Only the indexes of markets ccxt itself names, checked against the markets:
            # no other ccxt option ever comes from the cache.
            wanted = set(self.client.options.get("marketHelperProps", []))
            helpers = {k: v for k, v in cached.helper_options.items() if k in wanted}
            self.client.options.update(expand_helpers(helpers, self.client.markets))
            log.debug("%s: markets from cache %s", self.name, cache.path)
        else:
            fetched: list[Any] = []
            original = self.client.fetch_markets

            async def capture(params: Any = None) -> Any:
                # what the exchange listed, as ccxt parsed it: set_markets adds the fee tiers
                # and defaults again on load, so the cache stays a third of the size
                result = await original({} if params is None else params)
                fetched[:] = list(result or [])
                return result

            self.client.fetch_markets = capture
            try:
                await self.call("initialize", self.client.load_markets)
            finally:
                del self.client.fetch_markets
            spot = [m for m in fetched if m.get("spot") and m.get("symbol")]
            if not spot:
                raise SymbolNotSupportedError(
                    "the exchange lists no spot market", exchange=self.name, operation="initialize"
                )
            by_symbol = {m["symbol"]: m for m in spot}
            if len(by_symbol) != len(self.client.markets or {}):
                self.client.set_markets(by_symbol, self.client.currencies)
            helpers = {
                key: self.client.options[key]
                for key in self.client.options.get("marketHelperProps", [])
                if key in self.client.options
            }
            cache.save(by_symbol, self.client.currencies, compact_helpers(helpers))
        self._resolved.clear()
        self.loaded = True

    def resolve(self, symbol: str, operation: str) -> Resolved:
        """``(canonical, ccxt symbol, quoted canonical or None, market)`` for a symbol, memoised
        per spelling until markets are loaded again (the rules: ``_resolve_uncached``)."""
        found = self._resolved.get(symbol)
        if found is None:
            found = self._resolve_uncached(symbol, operation)
            self._resolved[symbol] = found
        return found

    def _resolve_uncached(self, symbol: str, operation: str) -> Resolved:
        """What :meth:`resolve` answers, worked out.

        ``BTC-USD`` is ccxt's ``BTC/USD``; where that market is missing and the exchange stands
        a stable coin in for USD, ``BTC/USDT`` is used and its canonical name returned as the
        market really quoted. The exchange's own asset codes (``XBT-USD``) are accepted too.
        """
        canonical = require_canonical(symbol, exchange=self.name, operation=operation)
        base, quote = canonical.split("-", 1)
        reverse = self.profile.symbol_format.reverse_aliases()
        base, quote = reverse.get(base, base), reverse.get(quote, quote)
        canonical = f"{base}-{quote}"
        markets = self.client.markets or {}
        direct = f"{base}/{quote}"
        if direct in markets:
            return canonical, direct, None, markets[direct]
        substitute = self.profile.symbol_format.usd_substitute
        if quote == "USD" and substitute:
            stand_in = f"{base}/{substitute}"
            if stand_in in markets:
                return canonical, stand_in, f"{base}-{substitute}", markets[stand_in]
        raise SymbolNotSupportedError(
            f"{canonical} is not a spot market of {self.profile.ccxt_id}",
            exchange=self.name,
            operation=operation,
        )

    def names_of(self, ccxt_symbol: str) -> tuple[str, str | None]:
        """``(canonical, quoted or None)`` for a market ccxt reports, when no symbol was asked.

        The reverse of :meth:`_resolve_uncached`: ``BTC/USDT`` on an exchange that stands USDT
        in for a missing ``BTC/USD`` is ``BTC-USD``, quoted on ``BTC-USDT``, as in MarketData.
        """
        base, _, rest = ccxt_symbol.partition("/")
        quote = rest.split(":", 1)[0]
        canonical = f"{base}-{quote}".upper()
        substitute = self.profile.symbol_format.usd_substitute
        if substitute and quote == substitute and f"{base}/USD" not in (self.client.markets or {}):
            return f"{base}-USD".upper(), canonical
        return canonical, None

    # ---- closing -------------------------------------------------------------------------

    async def close(self) -> None:
        """Close ccxt's HTTP session (and websockets). Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        client = self.client
        if client.session is None and not getattr(client, "clients", None):
            client.closed_by_user = True  # a later call must not open a session nobody closes
            return
        try:
            await client.close()
        except Exception as exc:  # noqa: BLE001 - closing must not fail the caller
            log.warning("%s: closing the ccxt client failed: %s", self.name, type(exc).__name__)
