"""Opening Redis from a ``redis://`` URL, once for every part that uses it.

redis-py is an optional dependency (``pip install 'powertrader-core[redis]'``): it is imported
when a Redis URL is first used, and its absence is a :class:`ConfigurationError` that says how
to install it. URLs are shown with their password replaced (``redis://:***@host:6379/0``), so
a message or a status never carries the secret.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from powertrader_core.errors import ConfigurationError

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["open_redis", "raise_if_cancelling", "redacted_url"]

_SCHEMES = {"redis", "rediss", "unix"}


def redacted_url(url: str) -> str:
    """``url`` without its password (and without a user name that could be one)."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f":***@{host}", parts.path, parts.query, parts.fragment))


def open_redis(url: str, **options: Any) -> redis.asyncio.Redis:
    """An asyncio Redis client for ``url`` (nothing is sent until it is used)."""
    scheme = urlsplit(url).scheme
    if scheme not in _SCHEMES:
        raise ConfigurationError(
            f"redis: {redacted_url(url)!r} is not a Redis URL (redis://HOST:PORT/DB)"
        )
    try:
        import redis.asyncio as aioredis
    except ImportError as exc:
        raise ConfigurationError(
            "redis: the redis package is not installed: pip install 'powertrader-core[redis]'"
        ) from exc
    return aioredis.Redis.from_url(url, **options)


def raise_if_cancelling() -> None:
    """Stop a task whose cancellation redis-py absorbed.

    A cancellation that lands inside a redis-py call can come back as a connection error, or
    as nothing at all (the client disconnects and carries on); a loop around Redis calls calls
    this after each one, so a cancelled reader or writer still ends.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
