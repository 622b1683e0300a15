"""Suite-wide guards: no network, and no unclosed session goes unnoticed.

aiohttp reports an unclosed ``ClientSession`` or connector from ``__del__`` through the event
loop's exception handler (logged on ``asyncio``) and as a ResourceWarning. Warnings are already
errors (pyproject); the fixture below collects garbage after each test and fails it when
asyncio logged an unclosed session, since ``__del__`` can run after the test that leaked.
"""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """A manager left open must fail its test: no closing it for the test at loop shutdown.

    The library closes a forgotten manager when its event loop shuts down (the seed's
    examples never close theirs); here that would hide the very leaks the fixture below
    catches. The tests of that mechanism switch it back on, or run it in a subprocess.
    """
    from powertrader_core.manager import shutdown

    shutdown.enabled = False
    _only_our_plugins()


#: The plugins this repository ships; the suite is written against exactly these.
OUR_PLUGINS = frozenset({"ccxt", "paper", "robinhood"})


def _only_our_plugins() -> None:
    """A third-party plugin installed beside ours (docs/plugins.md's example, say) must not
    change what our tests see: its exchange would join every default set (an offline
    `price` would answer from it). It is disabled for the session, in child processes too
    (POWERTRADER_DISABLE_PLUGINS); tests of plugin loading set their own list."""
    import os
    from importlib.metadata import entry_points

    others = {ep.name for ep in entry_points(group="powertrader")} - OUR_PLUGINS
    if not others:
        return
    variable = "POWERTRADER_DISABLE_PLUGINS"
    given = {name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()}
    os.environ[variable] = ",".join(sorted(given | others))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Load the big libraries once and freeze what exists, so per-test collection stays cheap.

    A full ``gc.collect()`` walks every live object: with ccxt loaded that is ~0.3 s, paid after
    every test. Objects alive before the first test (modules, classes) are moved out of the
    collector's sight with ``gc.freeze()``; what tests create is still collected and checked.
    """
    for name in ("ccxt.async_support", "ccxt.pro", "aiohttp", "httpx"):
        try:
            __import__(name)
        except ImportError:
            continue
    gc.collect()
    gc.freeze()


_LEAK_WORDS = ("Unclosed client session", "Unclosed connector", "Unclosed connection")


class _LeakCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(word in message for word in _LEAK_WORDS):
            self.leaks.append(message)


@pytest.fixture(autouse=True)
def _fail_on_unclosed_sessions() -> Iterator[None]:
    catcher = _LeakCatcher()
    logger = logging.getLogger("asyncio")
    logger.addHandler(catcher)
    try:
        yield
        gc.collect()
    finally:
        logger.removeHandler(catcher)
    if catcher.leaks:
        pytest.fail("unclosed aiohttp resources: " + "; ".join(catcher.leaks), pytrace=False)


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(host, str):
        if not (host.startswith("127.") or host in {"::1", "localhost"}):
            raise OSError(f"tests are offline: refused to connect to {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Refuse connections beyond loopback, except in tests marked ``live``."""
    if request.node.get_closest_marker("live") is None:
        monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every test gets its own data, cache and config folders: nothing touches the real ones
    (the rate limiter's shared buckets live in the cache folder: closed after each test)."""
    root = tmp_path_factory.mktemp("powertrader-home")
    for variable, sub in (
        ("POWERTRADER_DATA_DIR", "data"),
        ("POWERTRADER_CACHE_DIR", "cache"),
        ("POWERTRADER_CONFIG_DIR", "config"),
    ):
        monkeypatch.setenv(variable, str(root / sub))
    # pytest-xdist's workers inherit COLUMNS=80/LINES=24 from execnet; a user's pipe has none,
    # and the command line sizes its tables by them.
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    yield
    from powertrader_core.kit.store_choice import close_default_stores

    close_default_stores()
