"""A manager never closed is closed when its event loop shuts down (issue 15, item 3).

Code written like the seed's (``asyncio.run(main())``, no ``close``) must end quietly: the
real thing runs in a subprocess whose stderr must be empty, with a control run (the mechanism
switched off) showing the warnings it prevents. The suite itself keeps the mechanism off
(``tests/conftest.py``), so a test that leaks a session still fails.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from powertrader_core.manager import shutdown
from powertrader_core.manager.facade import MultiExchangeManager
from tests.examples.harness import prepare
from tests.simulators.fixtures import kraken_config

pytest.importorskip("powertrader_ccxt")

SEED_STYLE = """\
import asyncio
import sys
from pt_multi_exchange import MultiExchangeManager

if sys.argv[1:] == ["off"]:
    from powertrader_core.manager import shutdown
    shutdown.enabled = False

async def main():
    manager = MultiExchangeManager()
    data = await manager.get_market_data("BTC-USD", "kraken")
    print(f"BTC: ${data.price}")

asyncio.run(main())
"""


async def _run(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    script = tmp_path / "seed_style.py"
    script.write_text(SEED_STYLE)
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, str(script),
        cwd=tmp_path / "work", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_seed_style_code_ends_quietly(kraken_sim: Any, tmp_path: Path) -> None:
    env = prepare(tmp_path, kraken_config(kraken_sim))
    env["POWERTRADER_EXCHANGES"] = "kraken"
    code, out, err = await _run(tmp_path, env)
    assert (code, out, err) == (0, "BTC: $65000.0\n", "")


async def test_without_it_the_same_code_leaks(kraken_sim: Any, tmp_path: Path) -> None:
    """The control: what the mechanism prevents is real."""
    env = prepare(tmp_path, kraken_config(kraken_sim))
    env["POWERTRADER_EXCHANGES"] = "kraken"
    script = tmp_path / "seed_style.py"
    script.write_text(SEED_STYLE)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), "off", cwd=tmp_path / "work", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert out.decode() == "BTC: $65000.0\n"
    assert "Unclosed client session" in err.decode() or "release all resources" in err.decode()


async def test_dev_mode_names_the_manager_left_open(kraken_sim: Any, tmp_path: Path) -> None:
    """Closed, but said: with -X dev the ResourceWarning tells the author to close it."""
    env = prepare(tmp_path, kraken_config(kraken_sim))
    env["POWERTRADER_EXCHANGES"] = "kraken"
    code, out, err = await _run(tmp_path, env, "-X", "dev")
    assert code == 0 and out == "BTC: $65000.0\n"
    assert "ResourceWarning: MultiExchangeManager was not closed" in err
    assert "Unclosed" not in err and "release all resources" not in err


class _Closing:
    """Stands in for a manager's resources: records when it was closed, and on which loop."""

    def __init__(self) -> None:
        self.closed: list[asyncio.AbstractEventLoop] = []

    async def close(self) -> None:
        await asyncio.sleep(0)  # closing may await: the loop is still running
        self.closed.append(asyncio.get_running_loop())


def test_closed_at_asyncio_run_end_with_a_resource_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutdown, "enabled", True)
    resource = _Closing()
    closer = shutdown.LoopShutdownCloser(resource.close, "the resource")
    loops: list[asyncio.AbstractEventLoop] = []

    async def main() -> None:
        await closer.arm()
        await closer.arm()  # once per loop
        loops.append(asyncio.get_running_loop())

    with pytest.warns(ResourceWarning, match="the resource was not closed"):
        asyncio.run(main())
    assert resource.closed == loops and not closer.armed
    assert not shutdown._parked


def test_an_explicit_close_disarms_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutdown, "enabled", True)
    resource = _Closing()
    closer = shutdown.LoopShutdownCloser(resource.close, "the resource")

    async def main() -> None:
        await closer.arm()
        await closer.disarm()
        await resource.close()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(main())
    assert len(resource.closed) == 1 and not shutdown._parked


def test_each_loop_gets_its_own_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Used again under a second asyncio.run: armed again, closed again at that loop's end."""
    monkeypatch.setattr(shutdown, "enabled", True)
    resource = _Closing()
    closer = shutdown.LoopShutdownCloser(resource.close, "the resource")
    with pytest.warns(ResourceWarning):
        asyncio.run(closer.arm())
        asyncio.run(closer.arm())
    assert len(resource.closed) == 2 and resource.closed[0] is not resource.closed[1]


async def test_the_manager_arms_on_first_use_and_close_disarms(
    monkeypatch: pytest.MonkeyPatch, kraken_sim: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutdown, "enabled", True)
    from powertrader_core.credentials.manager import ExchangeConfigManager

    configs = ExchangeConfigManager(tmp_path / "credentials")
    configs.save_exchange_config("kraken", kraken_config(kraken_sim, tmp_path / "cache"))
    manager = MultiExchangeManager(configs, exchanges=["kraken"])
    assert not manager._shutdown.armed  # built: nothing opened yet
    await manager.get_market_data("BTC-USD", "kraken")
    assert manager._shutdown.armed
    await manager.close()
    assert not manager._shutdown.armed and not shutdown._parked


async def test_the_suite_keeps_it_off_so_leaks_still_fail(
    kraken_sim: Any, tmp_path: Path
) -> None:
    """tests/conftest.py switches it off: a manager a test forgets is not closed for it."""
    from powertrader_core.credentials.manager import ExchangeConfigManager

    assert shutdown.enabled is False
    configs = ExchangeConfigManager(tmp_path / "credentials")
    configs.save_exchange_config("kraken", kraken_config(kraken_sim, tmp_path / "cache"))
    manager = MultiExchangeManager(configs, exchanges=["kraken"])
    await manager.get_market_data("BTC-USD", "kraken")
    assert not manager._shutdown.armed and not shutdown._parked
    await manager.close()
