"""The machine-wide store (``kit/bucket_store.FileStore``): real processes, hostile files,
a lock held by someone else."""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from powertrader_core.errors import ConfigurationError
from powertrader_core.kit import Budget, FileStore, Pool, RateLimiter, default_store
from powertrader_core.kit.bucket_store import _file_name
from tests.ratelimit._worker import BUDGET

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_on_one_key_stay_within_one_budget(tmp_path: Path) -> None:
    """Capacity 5, 50/s: two processes asking 30 each get 60 grants that, merged, never
    exceed what one bucket allows in any window."""
    start_at = time.time() + 1.0
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ratelimit._worker", str(tmp_path), "30", str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=60)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers)
    times = sorted(t for out in outputs for t in json.loads(out))
    assert len(times) == 60
    pool = BUDGET.pool("private")
    for i, first in enumerate(times):
        for j in range(i, len(times)):
            span = times[j] - first
            # the bucket's bound over any span; a grant is noted when its process next runs,
            # late by up to a busy machine's scheduling delay: 30 ms of slack
            assert j - i + 1 <= pool.capacity + pool.per_second * (span + 0.03) + 1e-9
    # and the pair did not run one bucket each: 60 grants need at least (60 - 5) / 50 s
    assert times[-1] - times[0] >= (60 - pool.capacity) / pool.per_second - 0.05


async def test_state_survives_the_process_and_is_named_without_the_key(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    limiter = RateLimiter(BUDGET, "secret-key-123", store=store)
    for _ in range(4):
        await limiter.acquire("private")
    store.close()
    again = RateLimiter(BUDGET, "secret-key-123", store=FileStore(tmp_path))
    waited = await again.acquire("private")  # 4 spent, capacity 5 less headroom: must wait
    assert waited > 0
    _check_files(tmp_path, "secret-key-123")


def _check_files(folder: Path, key: str) -> None:
    for path in folder.iterdir():
        assert key not in path.name
        assert key.encode() not in path.read_bytes()
        assert path.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def _bucket_path(folder: Path, limiter: RateLimiter) -> Path:
    return folder / _file_name(limiter.bucket_key("private"))


async def test_a_file_others_can_write_is_refused(tmp_path: Path) -> None:
    limiter = RateLimiter(BUDGET, "k", store=FileStore(tmp_path))
    path = _bucket_path(tmp_path, limiter)
    path.write_bytes(b"")
    path.chmod(0o666)
    with pytest.raises(ConfigurationError, match="others can write it"):
        await limiter.acquire("private")


async def test_a_symlink_is_refused(tmp_path: Path) -> None:
    limiter = RateLimiter(BUDGET, "k", store=FileStore(tmp_path / "rl"))
    (tmp_path / "rl").mkdir(mode=0o700)
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    _bucket_path(tmp_path / "rl", limiter).symlink_to(target)
    with pytest.raises(ConfigurationError, match="cannot be opened"):
        await limiter.acquire("private")


def _write_private(path: Path, content: bytes) -> None:
    path.parent.chmod(0o700)
    path.write_bytes(content)
    path.chmod(0o600)


@pytest.mark.parametrize(
    "content", [b"garbage!", b"XXXX\0\0\0\0" + b"\x7f" * 8, b"PTB1\0\0\0\0" + b"\xff" * 8]
)
async def test_a_damaged_file_reads_as_a_full_bucket_and_is_rewritten(
    tmp_path: Path, content: bytes
) -> None:
    limiter = RateLimiter(BUDGET, "k", store=FileStore(tmp_path))
    _write_private(_bucket_path(tmp_path, limiter), content)
    path = _bucket_path(tmp_path, limiter)
    assert await limiter.acquire("private") > 0  # full: conservative
    assert path.read_bytes()[:4] == b"PTB1"
    assert await limiter.acquire("private") < 0.1  # bounded, not forever


async def test_a_held_lock_yields_the_loop_and_is_waited_for(tmp_path: Path) -> None:
    limiter = RateLimiter(BUDGET, "k", store=FileStore(tmp_path))
    await limiter.acquire("private")  # creates the file
    fd = os.open(_bucket_path(tmp_path, limiter), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process in its critical section
        task = asyncio.create_task(limiter.acquire("private"))
        await asyncio.sleep(0.05)  # the loop kept running meanwhile
        assert not task.done()
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert await asyncio.wait_for(task, 1) == 0.0
    finally:
        os.close(fd)


async def test_a_lock_held_for_good_falls_back_to_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(BUDGET, "k", store=FileStore(tmp_path))
    await limiter.acquire("private")
    fd = os.open(_bucket_path(tmp_path, limiter), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a process stopped inside its critical section
        with caplog.at_level(logging.WARNING, logger="powertrader.ratelimit"):
            waited = await asyncio.wait_for(limiter.acquire("private"), 3)
        assert waited == 0.0
        assert "stayed locked" in caplog.text
        assert "shared-test|" in caplog.text and "the-same-key" not in caplog.text
    finally:
        os.close(fd)


def test_the_default_store_lives_in_the_cache_folder(tmp_path: Path) -> None:
    from powertrader_core.kit import cache_dir

    store = default_store()
    assert isinstance(store, FileStore)
    assert store.folder == cache_dir() / "ratelimits"
    assert default_store() is store


async def test_a_budget_for_another_exchange_shares_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    a = RateLimiter(BUDGET, "k", store=store)
    other = Budget.of("other", Pool("private", capacity=5, per_second=50))
    b = RateLimiter(other, "k", store=store)
    for _ in range(4):
        await a.acquire("private")
    assert await b.acquire("private") == 0.0


def _child_spends(folder: str, times: int) -> None:
    async def spend() -> None:
        for _ in range(times):
            await _FORK_LIMITER.acquire("private")

    asyncio.run(spend())


_FORK_LIMITER: RateLimiter


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # Python 3.12+ on threads
def test_a_forked_child_opens_its_own_files_and_shares_the_bucket(tmp_path: Path) -> None:
    """``flock`` locks belong to the open file, which a fork shares: the child must reopen,
    and what it spends is seen by the parent."""
    import multiprocessing

    global _FORK_LIMITER
    store = FileStore(tmp_path)
    slow = Budget.of("fork-test", Pool("private", capacity=5, per_second=0.1))
    _FORK_LIMITER = RateLimiter(slow, "k", store=store)
    assert asyncio.run(_FORK_LIMITER.acquire("private")) == 0.0  # the parent opened the file
    child = multiprocessing.get_context("fork").Process(
        target=_child_spends, args=(str(tmp_path), 3)
    )
    child.start()
    child.join(30)
    assert child.exitcode == 0
    # 1 + 3 spent of 5 (less headroom): the parent's next one waits
    assert asyncio.run(_FORK_LIMITER.acquire("private")) > 0
    assert store._pid == os.getpid()
