"""Kraken's documented rate limits, enforced by the simulator (off unless asked for).

What Kraken documents, and what this module refuses (answers in the ``error`` array with
HTTP 200, as Kraken does: docs.kraken.com/api/docs/guides/spot-rest-intro):

- **Private REST counter, per API key** (docs.kraken.com/api/docs/guides/spot-rest-ratelimits):
  starts at 0; every private call adds 1, ledger and trade-history calls add ``ledger_cost``
  (2 in the documentation; later scrapes of the page say 4); AddOrder and CancelOrder are not
  counted here. It decays by 0.33 / 0.5 / 1 per second and may not exceed 15 / 20 / 20
  (Starter / Intermediate / Pro). Past it: ``EAPI:Rate limit exceeded``.
- **Trading (matching-engine) counter, per pair** (docs.kraken.com/api/docs/guides/
  spot-ratelimits): AddOrder adds 1; a cancel adds 8 / 6 / 5 / 4 / 2 / 1 for an order younger
  than 5 / 10 / 15 / 45 / 90 / 300 s. It decays by 1 / 2.34 / 3.75 per second up to a threshold
  of 60 / 125 / 180. Past it: ``EOrder:Rate limit exceeded``.
- **Public calls, per IP** (support.kraken.com/articles/206548367): "about one a second stays
  within the limits"; Kraken publishes no exact figure. Enforced here as a counter that gains
  1 a call, decays by ``public_per_second`` and may not exceed ``public_burst`` (2 by default:
  one a second always passes, a burst of three does not).

A refused call is not counted, and is recorded in the simulator's ``refused`` list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENGINE_CALLS", "ENGINE_REFUSED", "REST_REFUSED", "TIERS", "KrakenLimits", "Tier",
    "cancel_increment",
]

REST_REFUSED = "EAPI:Rate limit exceeded"
ENGINE_REFUSED = "EOrder:Rate limit exceeded"

_LEDGER_CALLS = frozenset({"Ledgers", "QueryLedgers", "TradesHistory", "QueryTrades"})
#: Cancel penalty by order age: (younger than seconds, increment).
_CANCEL_PENALTY = ((5, 8), (10, 6), (15, 5), (45, 4), (90, 2), (300, 1))


@dataclass(frozen=True)
class Tier:
    rest_max: float
    rest_decay: float
    engine_max: float
    engine_decay: float


TIERS = {
    "starter": Tier(15, 0.33, 60, 1.0),
    "intermediate": Tier(20, 0.5, 125, 2.34),
    "pro": Tier(20, 1.0, 180, 3.75),
}


@dataclass
class _Counter:
    value: float = 0.0
    at: float = 0.0

    def try_add(self, amount: float, now: float, maximum: float, decay: float) -> bool:
        self.value = max(0.0, self.value - (now - self.at) * decay)
        self.at = now
        if self.value + amount > maximum:
            return False
        self.value += amount
        return True


@dataclass
class KrakenLimits:
    """The counters; ``tier=None`` and ``public_per_second=None`` enforce nothing."""

    tier: str | None = None
    ledger_cost: float = 2
    public_per_second: float | None = None
    public_burst: float = 2.0
    _rest: dict[str, _Counter] = field(default_factory=dict)
    _engine: dict[str, _Counter] = field(default_factory=dict)
    _public: dict[str, _Counter] = field(default_factory=dict)

    def public(self, address: str, now: float) -> str | None:
        if self.public_per_second is None:
            return None
        counter = self._public.setdefault(address, _Counter(at=now))
        ok = counter.try_add(1, now, self.public_burst, self.public_per_second)
        return None if ok else REST_REFUSED

    def private(self, key: str, method: str, now: float) -> str | None:
        """The REST counter for a private call other than AddOrder / CancelOrder."""
        if self.tier is None:
            return None
        tier = TIERS[self.tier]
        cost = self.ledger_cost if method in _LEDGER_CALLS else 1
        counter = self._rest.setdefault(key, _Counter(at=now))
        ok = counter.try_add(cost, now, tier.rest_max, tier.rest_decay)
        return None if ok else REST_REFUSED

    def engine(self, pair: str, increment: float, now: float) -> str | None:
        """The per-pair trading counter, for AddOrder (1) or a cancel (its age penalty)."""
        if self.tier is None:
            return None
        tier = TIERS[self.tier]
        counter = self._engine.setdefault(pair, _Counter(at=now))
        ok = counter.try_add(increment, now, tier.engine_max, tier.engine_decay)
        return None if ok else ENGINE_REFUSED


def cancel_increment(age: float) -> float:
    """What cancelling an order ``age`` seconds old adds to its pair's trading counter."""
    return next((inc for limit, inc in _CANCEL_PENALTY if age < limit), 0.0)


ENGINE_CALLS = frozenset({"AddOrder", "CancelOrder"})
