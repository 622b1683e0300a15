"""Run a file of ``examples/`` as a user would: its own process, its own folder, offline.

The process gets a fresh working folder (the seed's ``credentials/`` lives there), private
data, cache and config folders, and a ``sitecustomize`` that makes every host but 127.0.0.1
unreachable (name lookups fail at once, as on a machine without network), so Kraken is served
by the simulator its ``credentials/kraken_config.json`` points at and every other exchange is
down. Nothing else is changed: the example's text runs as it is.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

_OFFLINE = '''\
"""Offline, for the examples' tests: only loopback hosts resolve and connect."""
import socket

_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _local(host):
    if isinstance(host, bytes):
        host = host.decode()
    return host is None or (isinstance(host, str) and (
        host.startswith("127.") or host in {"::1", "localhost"}))


def _offline_getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"offline: {host} is unreachable")
    return _getaddrinfo(host, *args, **kwargs)


def _offline_connect(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(host):
        raise OSError(f"offline: {host} is unreachable")
    return _connect(self, address)


socket.getaddrinfo = _offline_getaddrinfo
socket.socket.connect = _offline_connect
'''


@dataclass
class Run:
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def prepare(folder: Path, kraken: dict[str, Any] | None = None) -> dict[str, str]:
    """The working folder (with ``credentials/kraken_config.json``) and the environment."""
    site = folder / "offline-site"
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(_OFFLINE)
    work = folder / "work"
    work.mkdir()
    if kraken is not None:
        credentials = work / "credentials"
        credentials.mkdir(mode=0o700)
        path = credentials / "kraken_config.json"
        path.write_text(json.dumps(kraken))
        path.chmod(0o600)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("POWERTRADER_", "KRAKEN_", "COINBASE_", "BITSTAMP_", "ROBINHOOD_"))
        and key not in {"PYTHONWARNINGS", "PYTHONDEVMODE", "PYTHONPATH"}
    }
    env.update({
        "PYTHONPATH": str(site),
        "POWERTRADER_DATA_DIR": str(folder / "data"),
        "POWERTRADER_CACHE_DIR": str(folder / "cache"),
        "POWERTRADER_CONFIG_DIR": str(folder / "config"),
        "PYTHONUNBUFFERED": "1",
    })
    if os.environ.get("POWERTRADER_DISABLE_PLUGINS"):  # the suite's: only our own plugins
        env["POWERTRADER_DISABLE_PLUGINS"] = os.environ["POWERTRADER_DISABLE_PLUGINS"]
    return env


async def run_example(
    name: str,
    folder: Path,
    env: dict[str, str],
    *,
    limit: float = 60,
    stop_when: str | None = None,
) -> Run:
    """Run ``examples/<name>``; with ``stop_when``, SIGTERM it once stdout holds that text.

    The simulators live on this test's event loop, so the process is awaited, never waited
    for in a blocking call.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / name),
        cwd=folder / "work", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    if stop_when is None:
        out, err = await asyncio.wait_for(process.communicate(), limit)
        return Run(process.returncode, out.decode(), err.decode())
    assert process.stdout is not None and process.stderr is not None
    seen = ""
    try:
        async with asyncio.timeout(limit):
            while stop_when not in seen:
                line = await process.stdout.readline()
                if not line:
                    break
                seen += line.decode()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest, err = await process.communicate()
    return Run(process.returncode, seen + rest.decode(), err.decode())
