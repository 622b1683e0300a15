"""The command line, as people run it: one ``powertrader feed`` of the paper exchange into a
real redis-server, three ``powertrader watch --from`` consumers that each see the same updates.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.simulators.redis_server import RedisServer

pytest.importorskip("powertrader_paper")
pytest.importorskip("redis")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for variable, sub in (
        ("POWERTRADER_DATA_DIR", "data"),
        ("POWERTRADER_CACHE_DIR", "cache"),
        ("POWERTRADER_CONFIG_DIR", "config"),
        ("POWERTRADER_CREDENTIALS_DIR", "credentials"),
    ):
        env[variable] = str(home / sub)
    env.pop("COLUMNS", None)
    return env


def _powertrader(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "powertrader_core", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_readers(
    server: RedisServer, watchers: list[subprocess.Popen[str]], within: float = 90.0
) -> None:
    """Until Redis lists every watcher in XREAD; a watcher that exits first fails here."""
    deadline = time.monotonic() + within
    while (reading := server.readers()) < len(watchers):
        for watcher in watchers:
            if watcher.poll() is not None:
                raise AssertionError(f"a watcher ended early: {watcher.communicate()}")
        assert time.monotonic() < deadline, f"{reading} of {len(watchers)} watchers reading"
        time.sleep(0.05)


@pytest.mark.slow
def test_one_feed_three_watchers_same_updates(redis_server: RedisServer, tmp_path: Path) -> None:
    env = _env(tmp_path)
    watchers = [
        _powertrader(
            "watch", "BTC-USD", "ETH-USD", "--exchange", "paper", "--from", redis_server.url,
            "--count", "8", "--duration", "40", "--json", env=env,
        )
        for _ in range(3)
    ]
    # The watchers read from "now": the feed starts once all three have fixed their start
    # and are blocked in XREAD (what Redis itself reports), not after a guessed delay.
    _wait_for_readers(redis_server, watchers)
    feed = _powertrader(
        "feed", "BTC-USD", "ETH-USD", "--exchange", "paper", "--to", redis_server.url,
        "--interval", "0.2", "--duration", "30", "--json", env=_env(tmp_path / "feed"),
    )
    try:
        outputs = [w.communicate(timeout=60) for w in watchers]
    finally:
        feed.terminate()
        _out, feed_err = feed.communicate(timeout=30)
    quotes = []
    for (out, err), watcher in zip(outputs, watchers, strict=True):
        assert watcher.returncode == 0, err
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        got = [(q["exchange"], q["symbol"], q["timestamp"], q["bid"], q["ask"]) for q in lines]
        assert len(got) == 8, out
        assert all(isinstance(q["bid"], str) for q in lines)  # money as strings in JSON
        quotes.append(got)
    assert quotes[0] == quotes[1] == quotes[2]
    assert {symbol for _ex, symbol, *_ in quotes[0]} == {"BTC-USD", "ETH-USD"}
    assert "Traceback" not in feed_err


def test_watch_from_a_redis_that_is_not_there_ends_saying_so(tmp_path: Path) -> None:
    env = _env(tmp_path)
    down = _powertrader(
        "watch", "BTC-USD", "--exchange", "paper", "--from", "redis://127.0.0.1:9/0",
        "--count", "1", "--duration", "20", env=env,
    )
    out, err = down.communicate(timeout=40)
    assert down.returncode == 1, (out, err)
    assert "price source redis://127.0.0.1:9/0 down" in err
    assert "Traceback" not in err


def test_feed_refuses_a_url_that_is_not_redis(tmp_path: Path) -> None:
    bad = _powertrader(
        "feed", "BTC-USD", "--exchange", "paper", "--to", "http://127.0.0.1:6379",
        "--duration", "1", env=_env(tmp_path),
    )
    _out, err = bad.communicate(timeout=30)
    assert bad.returncode != 0
    assert "not a Redis URL" in err
