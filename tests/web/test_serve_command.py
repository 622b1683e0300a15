"""``powertrader serve`` as a person runs it: a subprocess, offline, on loopback only."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.conftest import SERVE_TOKEN as TOKEN


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc shows them) listening on ``port``, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_serve_offline_on_loopback_with_paper_quotes(
    served: tuple[subprocess.Popen[str], dict[str, object]],
) -> None:
    process, started = served
    url = str(started["url"])
    assert url.startswith("http://127.0.0.1:")
    assert started["symbols"] == ["BTC-USD", "ETH-USD"] and started["exchanges"] == ["paper"]
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    assert _listening(port) == ["0100007F"]  # 127.0.0.1 only, no other address
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(url + "api/state").status_code == 401  # the token from the environment
    deadline = time.monotonic() + 5
    quotes: list[dict[str, object]] = []
    with httpx.stream("GET", url + "api/events", headers=headers, timeout=5) as events:
        for line in events.iter_lines():
            if line.startswith("data:"):
                record = json.loads(line[5:])
                if record["type"] == "quote":
                    quotes.append(record)
                if len({(q["symbol"], q["bid"]) for q in quotes if q["symbol"] == "BTC-USD"}) >= 2:
                    break
            assert time.monotonic() < deadline, "no changing BTC-USD quotes within 5 s"
    assert {q["exchange"] for q in quotes} == {"paper"}
    assert {q["source"] for q in quotes} == {"paper:sim"}
    process.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop, exit 130 as every command
    assert process.wait(timeout=15) == 130
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()


def test_help_does_not_import_the_web_stack() -> None:
    code = (
        "import sys\n"
        "from powertrader_core.cli.app import app\n"
        "print(sorted(m for m in ('starlette', 'uvicorn', 'powertrader_core.web') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sigterm_stops_cleanly(
    served: tuple[subprocess.Popen[str], dict[str, object]],
) -> None:
    process, _started = served
    process.send_signal(signal.SIGTERM)  # a service manager's stop: exit 0
    assert process.wait(timeout=15) == 0
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()
