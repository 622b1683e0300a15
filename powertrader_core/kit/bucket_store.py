"""Where bucket state lives: in this process, or shared by every process on the machine.

A store keeps one number per bucket (``tat``, see ``gcra.py``) and applies the arithmetic to it
in one indivisible step. The limiter talks to any store through two coroutines,
:meth:`BucketStore.reserve` and :meth:`BucketStore.raise_floor`, so a Redis store (one atomic
script per grant, shared across machines) plugs in behind the same interface.

- :class:`MemoryStore`: a dict, for one process (tests, a key used by nothing else).
- :class:`FileStore`: the default (``store_choice.default_store()``). One 16-byte file per
  bucket under
  ``<cache dir>/ratelimits`` (0600 files in a 0700 folder), updated under ``flock``: the command
  line and a running bot on one key draw from one bucket. A grant is a few system calls
  (lock, read, write, unlock) on a descriptor kept open: single-digit microseconds, so one
  process does not pay for the sharing (``bench/bench_limiter.py`` measures it). The lock is
  only ever tried, never waited for while holding the event loop: when another process holds
  it, the coroutine yields and tries again. If the lock stays held for a second (a process
  stopped inside the critical section), the grant falls back to this process's own bucket and
  says so in the log, rather than stalling every request.

The files hold no key: a bucket is named by exchange, pool and a hash of the key (the
limiter's ``bucket_key``). A file that others could write, that is not ours, or is a symlink,
is refused (a hostile file could otherwise stall or unleash our requests); a damaged one is
read as a full bucket (conservative) and rewritten. Wall-clock time is used so that processes
agree; a clock that jumps back is caught by ``gcra.sane_tat`` (bounded wait, never forever).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import stat
import struct
import threading
import time
from pathlib import Path
from typing import Protocol

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit.files import ensure_dir
from powertrader_core.kit.gcra import Rule, grant, raise_floor, sane_tat

try:  # POSIX; elsewhere the file store is unavailable and the memory store is used.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BucketStore",
    "FileStore",
    "MemoryStore",
    "file_store_available",
]

log = logging.getLogger("powertrader.ratelimit")

_LAYOUT = struct.Struct("<4s4xd")  # magic, padding, tat (epoch seconds)
_MAGIC = b"PTB1"
_RETRY_SECONDS = 0.0002
_GIVE_UP_SECONDS = 1.0


class BucketStore(Protocol):
    """Bucket state behind the limiter: each call is one atomic read-compute-write."""

    async def reserve(self, key: str, rule: Rule, cost: float) -> float:
        """Charge ``cost`` to bucket ``key``; the seconds to wait before sending (>= 0)."""
        ...

    async def raise_floor(self, key: str, rule: Rule, busy_for: float) -> None:
        """The exchange says bucket ``key`` is at least ``busy_for`` seconds from empty."""
        ...


class MemoryStore:
    """Buckets in a dict: shared by everything in this process that uses the store."""

    def __init__(self, clock: object = time.monotonic) -> None:
        self._clock = clock if callable(clock) else time.monotonic
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve_now(self, key: str, rule: Rule, cost: float) -> float:
        """:meth:`reserve` without the coroutine (the file store's fallback uses it)."""
        now: float = self._clock()
        with self._lock:
            tat = sane_tat(self._tat.get(key, now), now, rule)
            self._tat[key], start = grant(tat, now, cost, rule)
        return start - now

    async def reserve(self, key: str, rule: Rule, cost: float) -> float:
        return self.reserve_now(key, rule, cost)

    async def raise_floor(self, key: str, rule: Rule, busy_for: float) -> None:
        now: float = self._clock()
        with self._lock:
            tat = sane_tat(self._tat.get(key, now), now, rule)
            self._tat[key] = raise_floor(tat, now, busy_for)


def file_store_available() -> bool:
    return fcntl is not None


def _file_name(key: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", key.split("|", 1)[0])[:40]
    return f"{readable}.{hashlib.sha256(key.encode()).hexdigest()[:24]}.bucket"


class _Busy(Exception):
    """Another process (or thread) holds the bucket's lock right now."""


class FileStore:
    """Buckets in small files under ``folder``, shared by every process on the machine."""

    def __init__(self, folder: Path) -> None:
        if fcntl is None:  # pragma: no cover - Windows
            raise ConfigurationError("a shared rate-limit store needs POSIX file locks")
        self.folder = Path(folder)
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._fallback = MemoryStore(time.time)
        self._folder_ready = False
        self._pid = os.getpid()

    # ---- the one critical section ----------------------------------------------------------

    def _update(self, key: str, rule: Rule, cost: float | None, busy_for: float) -> float:
        """Lock, read, compute, write, unlock: the seconds to wait (0 for a floor update)."""
        if not self._lock.acquire(blocking=False):
            raise _Busy
        try:
            if self._pid != os.getpid():
                self._forked()
            fd = self._fds.get(key)
            if fd is None:
                fd = self._open(key)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _Busy from None
            try:
                now = time.time()
                data = os.pread(fd, _LAYOUT.size, 0)
                if len(data) == _LAYOUT.size:
                    magic, tat = _LAYOUT.unpack(data)
                    if magic != _MAGIC:
                        tat = float("nan")  # damaged: sane_tat reads it as full
                else:
                    tat = now if not data else float("nan")  # new file: empty bucket
                tat = sane_tat(tat, now, rule)
                if cost is None:
                    tat, wait = raise_floor(tat, now, busy_for), 0.0
                else:
                    tat, start = grant(tat, now, cost, rule)
                    wait = start - now
                os.pwrite(fd, _LAYOUT.pack(_MAGIC, tat), 0)
                return wait
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def _forked(self) -> None:
        """A forked child shares its parent's open files, and a ``flock`` belongs to the open
        file, not the process: parent and child would both "hold" the lock at once. The child
        closes its copies and opens its own."""
        fds, self._fds, self._pid = self._fds, {}, os.getpid()
        for fd in fds.values():
            os.close(fd)

    def _open(self, key: str) -> int:
        if not self._folder_ready:
            try:
                ensure_dir(self.folder, 0o700)
            except OSError as exc:
                raise ConfigurationError(
                    f"rate-limit folder {self.folder} is unusable ({exc.strerror})",
                    operation="rate limit",
                ) from None
            self._folder_ready = True
        path = self.folder / _file_name(key)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            raise ConfigurationError(
                f"rate-limit file {path} cannot be opened ({exc.strerror})",
                operation="rate limit",
            ) from None
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            os.close(fd)
            raise ConfigurationError(
                f"rate-limit file {path} is refused: not a regular file of ours, or others "
                "can write it (remove it; it is recreated 0600)",
                operation="rate limit",
            )
        self._fds[key] = fd
        return fd

    async def _retrying(self, key: str, rule: Rule, cost: float | None, busy_for: float) -> float:
        try:
            return self._update(key, rule, cost, busy_for)
        except _Busy:
            pass
        give_up = time.monotonic() + _GIVE_UP_SECONDS
        while time.monotonic() < give_up:
            await asyncio.sleep(_RETRY_SECONDS)
            try:
                return self._update(key, rule, cost, busy_for)
            except _Busy:
                continue
        log.warning("rate-limit bucket %s stayed locked: using this process's own", key)
        if cost is None:
            await self._fallback.raise_floor(key, rule, busy_for)
            return 0.0
        return self._fallback.reserve_now(key, rule, cost)

    # ---- the interface ---------------------------------------------------------------------

    async def reserve(self, key: str, rule: Rule, cost: float) -> float:
        return await self._retrying(key, rule, cost, 0.0)

    async def raise_floor(self, key: str, rule: Rule, busy_for: float) -> None:
        await self._retrying(key, rule, None, busy_for)

    def close(self) -> None:
        """Close the kept descriptors (a later grant reopens them)."""
        with self._lock:
            fds, self._fds = self._fds, {}
        for fd in fds.values():
            os.close(fd)
