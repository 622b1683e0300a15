"""Which bucket store a limiter uses when none is given: Redis when configured, else files.

- ``POWERTRADER_REDIS_URL`` set (or :func:`use_redis` called, as the manager does for the
  settings' ``redis_url``): a :class:`~powertrader_core.kit.redis_store.RedisStore`, one
  budget per key across every machine that uses that Redis.
- Otherwise the machine's :class:`~powertrader_core.kit.bucket_store.FileStore` under
  ``cache_dir()/ratelimits`` (every process on this machine), or a memory store where POSIX
  file locks are missing.

One store per Redis URL or folder per process, so every limiter on a key shares its buckets.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from powertrader_core.kit.bucket_store import (
    BucketStore,
    FileStore,
    MemoryStore,
    file_store_available,
)

__all__ = ["close_default_stores", "default_store", "use_redis"]

_stores: dict[Path | str, BucketStore] = {}
_stores_lock = threading.Lock()
_configured_redis: str | None = None


def use_redis(url: str | None) -> None:
    """Keep rate-limit buckets in the Redis at ``url`` from now on (None: back to files);
    ``POWERTRADER_REDIS_URL`` wins over it."""
    global _configured_redis
    _configured_redis = url or None


def _redis_url() -> str | None:
    return os.environ.get("POWERTRADER_REDIS_URL", "").strip() or _configured_redis


def default_store() -> BucketStore:
    """The store for limiters built without one (see the module docstring)."""
    url = _redis_url()
    if url:
        with _stores_lock:
            store = _stores.get(url)
            if store is None:
                from powertrader_core.kit.redis_store import RedisStore

                store = _stores[url] = RedisStore(url)
            return store
    from powertrader_core.kit.paths import cache_dir

    folder = cache_dir() / "ratelimits"
    with _stores_lock:
        store = _stores.get(folder)
        if store is None:
            store = FileStore(folder) if file_store_available() else MemoryStore()
            _stores[folder] = store
        return store


def close_default_stores() -> None:
    """Forget the stores and close their files (tests; a process that moves its cache
    folder). A Redis store's connections close with its event loop."""
    with _stores_lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        if isinstance(store, FileStore):
            store.close()
