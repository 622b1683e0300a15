"""A newcomer's commands in real processes, offline (no host name resolves): they end in time,
say why, and Ctrl-C ends any of them with exit 130, at a prompt too."""

from __future__ import annotations

import base64
import json
import os
import pty
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.processes import private_env, run, script

SECRET = base64.b64encode(b"not a real kraken secret, 64 bytes long...........").decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process offline as the children are: no host name resolves but loopback ones."""
    from tests.cli.offline_site.sitecustomize import _offline_getaddrinfo

    monkeypatch.setattr(socket, "getaddrinfo", _offline_getaddrinfo)


def test_price_offline_ends_within_3_s(offline: None, cli: Invoke) -> None:
    """Asked together, the first answer taken, a DNS failure not retried: offline, `price`
    fails in well under 3 s (one after the other, with retries, it took 6-9 s). In-process,
    so the figure is the command's and not the interpreter's start on a busy machine."""
    started = time.monotonic()
    result = cli("price", "BTC-USD")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert elapsed < 3, f"price took {elapsed:.1f} s offline"
    assert "cannot resolve api.kraken.com: no network?" in result.stderr


def test_price_offline_blames_the_network_in_one_line(env: dict[str, str]) -> None:
    completed = run(env, "price", "BTC-USD", timeout=60)
    assert completed.returncode == 1, completed.stderr
    assert "cannot resolve api.kraken.com: no network?" in completed.stderr
    assert "exchange not available" not in completed.stderr
    assert completed.stderr.count("\n") == 1  # one line, no log lines around it


def test_watch_offline_ends_within_15_s(offline: None, cli: Invoke) -> None:
    started = time.monotonic()
    result = cli("watch", "BTC-USD", "--count", "1")
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert "nothing to watch for BTC-USD: " in result.stderr


def test_watch_offline_says_why_in_one_line(env: dict[str, str]) -> None:
    completed = run(env, "watch", "BTC-USD", "--count", "1", timeout=60)
    assert completed.returncode == 1
    [line] = completed.stderr.splitlines()
    assert line.startswith("error: watch: nothing to watch for BTC-USD: ")
    assert "cannot resolve api.kraken.com" in line


def _interrupt_after(process: subprocess.Popen[str], marker: str, seconds: float = 30) -> str:
    """Read stdout until ``marker`` shows, then send SIGINT; what was read."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in time: {seen!r}"
        line = process.stdout.readline()
        assert line or process.poll() is None, f"ended early: {seen!r}"
        seen += line
    process.send_signal(signal.SIGINT)
    return seen


def test_ctrl_c_ends_watch_with_130(env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [script(), "watch", "BTC-USD", "--exchange", "paper", "--json", "--interval", "0.2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=env["POWERTRADER_DATA_DIR"].rsplit("/", 1)[0],
    )
    try:
        _interrupt_after(process, '"exchange":"paper"')
        assert process.wait(timeout=15) == 130
    finally:
        process.kill()
        process.communicate()


def _at_terminal(env: dict[str, str], *args: str) -> tuple[int, subprocess.Popen[bytes]]:
    """``powertrader args`` with a pseudo-terminal as stdin, stdout and stderr."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [script(), *args], env=env, stdin=slave, stdout=slave, stderr=slave,
        cwd=env["POWERTRADER_DATA_DIR"].rsplit("/", 1)[0], start_new_session=True,
    )
    os.close(slave)
    return master, process


def _read_until(master: int, marker: bytes, seconds: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in time: {seen!r}"
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _drain(master: int, process: subprocess.Popen[bytes], seconds: float) -> tuple[int, bytes]:
    seen = b""
    deadline = time.monotonic() + seconds
    while process.poll() is None or select.select([master], [], [], 0)[0]:
        assert time.monotonic() < deadline, f"still running: {seen!r}"
        if select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return process.wait(timeout=5), seen


def test_ctrl_c_at_a_prompt_exits_130(env: dict[str, str]) -> None:
    master, process = _at_terminal(env, "config", "set", "kraken")
    try:
        _read_until(master, b"api_key")
        process.send_signal(signal.SIGINT)
        code, _ = _drain(master, process, 15)
        assert code == 130
    finally:
        process.kill()
        process.wait()  # reaped: a failure here is not also a ResourceWarning in the next test
        os.close(master)


def test_public_prices_at_a_terminal_never_ask_for_the_passphrase(env: dict[str, str]) -> None:
    """Encrypted keys, no passphrase, a person at the terminal: `compare` does not prompt
    (it used to, under its spinner, and hang); the locked exchange still takes part."""
    saved = run({**env, "POWERTRADER_PASSPHRASE": "correct horse"}, "config", "set", "kraken",
                "--api-key", "key", "--api-secret", SECRET, "--encrypt")
    assert saved.returncode == 0, saved.stderr
    master, process = _at_terminal(env, "compare", "BTC-USD", "--exchange", "kraken")
    try:
        code, output = _drain(master, process, 20)
    finally:
        process.kill()
        process.wait()  # reaped: a failure here is not also a ResourceWarning in the next test
        os.close(master)
    text = output.decode(errors="replace")
    assert "Passphrase" not in text
    assert code == 1 and "cannot resolve api.kraken.com" in text  # asked, offline


def test_watch_json_ends_its_stream_with_the_error_as_a_line(env: dict[str, str]) -> None:
    completed = run(env, "watch", "BTC-USD", "--count", "1", "--json", timeout=60)
    assert completed.returncode == 1
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert all("error" in line for line in lines[:-1])  # each failure as it came
    assert lines[-1]["error"]["operation"] == "watch"


def test_credentials_set_in_one_folder_are_seen_from_another(tmp_path: Path) -> None:
    """The command line keeps keys in the user's config folder, not ./credentials."""
    env = private_env(tmp_path)
    del env["POWERTRADER_CREDENTIALS_DIR"]
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    saved = run(env, "config", "set", "kraken", "--api-key", "key-123456789012",
                "--api-secret", SECRET, cwd=here)
    assert saved.returncode == 0, saved.stderr
    assert not (here / "credentials").exists()
    shown = run(env, "config", "show", "kraken", "--json", cwd=there)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["kraken"]["values"]["api_key"]["source"].startswith(
        f"file {tmp_path / 'config' / 'credentials'}"
    )
    table = run(env, "config", "show", cwd=there)
    assert f"credentials folder: {tmp_path / 'config' / 'credentials'}" in table.stdout


def test_a_live_order_without_keys_answers_in_one_line_without_asking(
    env: dict[str, str],
) -> None:
    """At a terminal: no pricing, no "Send this order with real money?", one line."""
    master, process = _at_terminal(env, "order", "buy", "BTC-USD", "0.001", "--live",
                                   "--exchange", "kraken")
    try:
        code, output = _drain(master, process, 30)
    finally:
        process.kill()
        process.wait()  # reaped: a failure here is not also a ResourceWarning in the next test
        os.close(master)
    text = output.decode(errors="replace").strip()
    assert code == 1
    assert "real money" not in text and "LIVE ORDER" not in text
    assert text.splitlines() == [
        "error: kraken place_order: no usable credentials (api_key is missing; api_secret is "
        "missing): add them with `powertrader config set kraken`. Nothing was sent"
    ]
