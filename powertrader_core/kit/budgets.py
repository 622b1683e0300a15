"""An exchange's documented request budget, as data: pools, capacities, refill rates, tiers.

A plugin describes each venue's budget with these types beside its profile row, citing the
documentation on each pool (``source``); the limiter (``limiter.py``) enforces it. Two ways
exchanges document a budget, two constructors:

- a **bucket or decaying counter** (Kraken's private call counter: max 15, decays 0.33/s;
  Robinhood: 100 a minute, bursts to 300): ``Pool(name, capacity, per_second)`` as written;
- a **window** (Binance: 6,000 weight per minute; OKX: 20 requests per 2 s):
  :meth:`Pool.window`. A bucket of capacity ``B`` refilled at ``r`` lets ``B + r * W`` through
  in any window of length ``W``, so the window's limit is split: a tenth as burst, the rest as
  refill. No window, sliding or fixed, then sees more than the documented limit.

``scope`` says whose budget a pool is: ``"key"`` (an API key or account: each key its own
bucket) or ``"ip"`` (the machine's address: every key, and no key, on this machine share it).

Tiers (Kraken's starter/intermediate/pro, VIP levels) are configuration: a :class:`Budget`
holds the pools of its default tier and, per tier, the pools that differ; :meth:`Budget.for_tier`
picks one and refuses a tier the budget does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit.gcra import Rule

__all__ = ["Budget", "Pool", "Scope"]

Scope = Literal["key", "ip"]

#: The headroom kept below a pool's documented capacity: one unit, or 5 % of a small capacity.
#: Our clock and the exchange's disagree by the network's jitter; a bucket run exactly at its
#: capacity would be refused now and then when two requests arrive closer than they left.
_HEADROOM_UNITS = 1.0
_HEADROOM_SHARE = 0.05
#: The share of a window's limit granted as burst (the rest is spread as refill).
_WINDOW_BURST_SHARE = 0.1


@dataclass(frozen=True)
class Pool:
    """One bucket of an exchange's budget: ``capacity`` units, refilled at ``per_second``."""

    name: str
    capacity: float
    per_second: float
    scope: Scope = "key"
    #: Where the figures come from (documentation URL, section), and any reading we chose.
    source: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a pool needs a name")
        if not (self.capacity >= 1 and self.per_second > 0):
            raise ValueError(f"pool {self.name!r}: capacity >= 1 and per_second > 0 needed")
        if self.scope not in ("key", "ip"):
            raise ValueError(f"pool {self.name!r}: scope is 'key' or 'ip', not {self.scope!r}")

    @classmethod
    def window(
        cls, name: str, limit: float, seconds: float, *, scope: Scope = "key", source: str = ""
    ) -> Pool:
        """A pool for "``limit`` units per ``seconds``": never more than ``limit`` in any
        window of that length (see the module docstring)."""
        if limit < 1 or seconds <= 0:
            raise ValueError(f"pool {name!r}: a window needs limit >= 1 and seconds > 0")
        burst = max(1.0, limit * _WINDOW_BURST_SHARE)
        return cls(name, burst, (limit - burst) / seconds, scope=scope, source=source)

    def rule(self) -> Rule:
        """The arithmetic's view: seconds per unit; capacity less the headroom, in seconds."""
        interval = 1.0 / self.per_second
        headroom = min(_HEADROOM_UNITS, self.capacity * _HEADROOM_SHARE)
        usable = max(self.capacity - headroom, 1.0) if self.capacity > 1 else 1.0
        return Rule(interval=interval, tolerance=usable * interval, full=self.capacity * interval)


def _frozen(pools: Mapping[str, Pool]) -> Mapping[str, Pool]:
    for name, pool in pools.items():
        if name != pool.name:
            raise ValueError(f"pool {pool.name!r} filed under {name!r}")
    return MappingProxyType(dict(pools))


@dataclass(frozen=True)
class Budget:
    """An exchange's pools (by name), and per tier the pools that differ.

    Build it with :meth:`of`: ``Budget.of("kraken", public_pool, private_pool,
    tiers={"pro": (faster_private_pool,)}, tier="starter")``.
    """

    exchange: str
    pools: Mapping[str, Pool]
    tiers: Mapping[str, Mapping[str, Pool]] = field(default_factory=dict)
    #: The tier these ``pools`` are (None: the exchange has no tiers).
    tier: str | None = None

    @classmethod
    def of(
        cls,
        exchange: str,
        *pools: Pool,
        tiers: Mapping[str, tuple[Pool, ...]] | None = None,
        tier: str | None = None,
    ) -> Budget:
        if not pools:
            raise ValueError(f"{exchange}: a budget needs at least one pool")
        by_name = {pool.name: pool for pool in pools}
        if len(by_name) != len(pools):
            raise ValueError(f"{exchange}: two pools share a name")
        tier_pools: dict[str, Mapping[str, Pool]] = {}
        for name, overrides in (tiers or {}).items():
            unknown = [p.name for p in overrides if p.name not in by_name]
            if unknown:
                raise ValueError(f"{exchange}: tier {name!r} names unknown pools {unknown}")
            tier_pools[name] = _frozen({p.name: p for p in overrides})
        if tiers and tier is None:
            raise ValueError(f"{exchange}: a budget with tiers says which one its pools are")
        if tier is not None:
            tier_pools.setdefault(tier, MappingProxyType({}))
        return cls(exchange, _frozen(by_name), MappingProxyType(tier_pools), tier)

    def pool(self, name: str) -> Pool:
        try:
            return self.pools[name]
        except KeyError:
            raise ValueError(f"{self.exchange} has no rate-limit pool {name!r}") from None

    def for_tier(self, tier: str | None) -> Budget:
        """This budget on ``tier`` (None: the default one). A tier it does not know is a
        :class:`ConfigurationError` naming the ones it does."""
        if tier is None or tier == self.tier:
            return self
        wanted = str(tier).strip().lower()
        if wanted not in self.tiers:
            known = ", ".join(sorted(self.tiers)) or "none"
            raise ConfigurationError(
                f"unknown tier {tier!r} (known: {known})",
                exchange=self.exchange,
                operation="configure",
            )
        pools = dict(self.pools)
        pools.update(self.tiers[wanted])
        return replace(self, pools=MappingProxyType(pools), tier=wanted)

    def renamed(self, exchange: str) -> Budget:
        """The same budget under another exchange name (a family member: ``myokx`` is
        budgeted like ``okx`` where its own figures are unknown)."""
        return replace(self, exchange=exchange)
