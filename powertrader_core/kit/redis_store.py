"""Rate-limit buckets in Redis: one budget per exchange key across machines.

With ``POWERTRADER_REDIS_URL`` set (or the settings' ``redis_url``), every limiter keeps its
buckets here instead of in this machine's files, so processes on different machines stay
under the exchange's documented limit together. Each grant is one atomic Lua script
(``EVALSHA``): read the bucket's ``tat``, apply the same GCRA arithmetic as
:mod:`powertrader_core.kit.gcra` (``sane_tat``, then ``grant`` or ``raise_floor``), write it
back. The script takes the time from Redis (``TIME``), so machines whose clocks disagree still
agree on the bucket. Keys (``powertrader:ratelimit:<exchange>|<key hash>|<pool>``) carry no
secret and expire once the bucket has drained.

The script also notes which processes use a bucket (a sorted set, members seen within the last
minute). **Redis down**: grants fall back to this process's own bucket and the log says so
once (and once when Redis is back); that bucket gets only this process's share of the budget
(the refill rate divided by the number of processes last seen on it), so the processes
together stay under the limit instead of each taking all of it. Redis is tried again at most
once a second meanwhile, so a dead server costs no time per request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from powertrader_core.kit.bucket_store import MemoryStore
from powertrader_core.kit.gcra import MAX_QUEUE_SECONDS, Rule
from powertrader_core.kit.redis_url import open_redis, raise_if_cancelling, redacted_url

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["RedisStore"]

log = logging.getLogger("powertrader.ratelimit")

PREFIX = "powertrader:ratelimit:"
#: How long Redis is left alone after a failure before it is tried again.
_RETRY_AFTER_FAILURE = 1.0
#: A process that has not drawn from a bucket for this long no longer counts as sharing it.
_MEMBER_SECONDS = 60

# The arithmetic of gcra.py, in Lua (kept line for line beside it: sane_tat, grant, raise_floor).
# ARGV: interval, tolerance, full, cost ("" for a floor update), busy_for, member, now ("" =
# Redis TIME; tests pass one to compare with gcra.py), max queue seconds, member seconds.
_SCRIPT = """
local now
if ARGV[7] ~= '' then
  now = tonumber(ARGV[7])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local full = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '')
if tat == nil then tat = now end
if tat ~= tat or tat > now + full + tonumber(ARGV[8]) then tat = now + full end
local wait = 0
if ARGV[4] ~= '' then
  local cost = tonumber(ARGV[4])
  if cost < 0 then cost = 0 end
  if interval > 0 and cost > tolerance / interval then cost = tolerance / interval end
  local base = tat
  if now > base then base = now end
  tat = base + cost * interval
  local start = tat - tolerance
  if start > now then wait = start - now end
else
  local floor = now + math.max(0, tonumber(ARGV[5]))
  if floor > tat then tat = floor end
end
local ttl = math.ceil((tat - now + full) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', ttl)
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[9]))
redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[9]) * 2000))
return {string.format('%.6f', wait), redis.call('ZCARD', KEYS[2]), string.format('%.6f', tat)}
"""


def _member_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object())}"


class RedisStore:
    """Bucket state in Redis, shared across machines (see the module docstring)."""

    def __init__(self, url: str, *, client: redis.asyncio.Redis | None = None) -> None:
        self.url = redacted_url(url)
        self._client = client if client is not None else open_redis(url, decode_responses=True)
        self._script = self._client.register_script(_SCRIPT)
        self._member = _member_id()
        self._sharers: dict[str, int] = {}
        self._fallback = MemoryStore(time.time)
        self._down_until = 0.0
        self.down = False

    async def _run(self, key: str, rule: Rule, cost: float | None, busy_for: float,
                   now: float | None = None) -> tuple[float, float]:
        answer: Any = await self._script(
            keys=[PREFIX + key, PREFIX + key + ":members"],
            args=[
                repr(rule.interval),
                repr(rule.tolerance),
                repr(rule.full),
                "" if cost is None else repr(cost),
                repr(busy_for),
                self._member,
                "" if now is None else repr(now),
                repr(MAX_QUEUE_SECONDS),
                repr(_MEMBER_SECONDS),
            ],
        )
        wait, sharers, tat = float(answer[0]), int(answer[1]), float(answer[2])
        self._sharers[key] = max(1, sharers)
        return wait, tat

    def _share(self, key: str, rule: Rule) -> Rule:
        """This process's part of ``rule`` while Redis is away: the refill divided among the
        processes last seen on the bucket (the capacity in seconds stays: GCRA's tolerance)."""
        sharers = self._sharers.get(key, 2)  # never seen: assume one other process
        return Rule(rule.interval * sharers, rule.tolerance, rule.full)

    async def _update(self, key: str, rule: Rule, cost: float | None, busy_for: float) -> float:
        if time.monotonic() >= self._down_until:
            try:
                wait, _tat = await self._run(key, rule, cost, busy_for)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down or refusing: fall back
                raise_if_cancelling()
                self._down_until = time.monotonic() + _RETRY_AFTER_FAILURE
                if not self.down:
                    self.down = True
                    log.warning(
                        "rate limits: Redis %s unreachable (%s: %s); each process keeps its "
                        "share of the budget until it is back",
                        self.url,
                        type(exc).__name__,
                        exc,
                    )
            else:
                if self.down:
                    self.down = False
                    log.warning("rate limits: Redis %s is back; budgets shared again", self.url)
                return wait
        share = self._share(key, rule)
        if cost is None:
            await self._fallback.raise_floor(key, share, busy_for)
            return 0.0
        return self._fallback.reserve_now(key, share, cost)

    async def reserve(self, key: str, rule: Rule, cost: float) -> float:
        return await self._update(key, rule, cost, 0.0)

    async def raise_floor(self, key: str, rule: Rule, busy_for: float) -> None:
        await self._update(key, rule, None, busy_for)

    async def aclose(self) -> None:
        await self._client.aclose()
