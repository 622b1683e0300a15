"""``powertrader serve``: quote-to-screen latency with 10 tabs open, and the server's memory.

The server runs as a person runs it (``powertrader serve --exchange paper``, a subprocess,
the paper exchange's offline simulated market polled every 0.1 s: 20 quotes a second for two
symbols). Headless Chromium (Debian's ``chromium``, driven by playwright) opens the page.

Latency is measured in the browser: each quote carries the server's clock (ms) at the moment
the price monitor handed it to the dashboard; the page subtracts that from its own clock
(``performance.timeOrigin + performance.now()``, same machine) when the event arrives, before
drawing. That is the monitor → board → per-tab queue → Server-Sent Events → browser path.

The tabs of one browser share one event stream (a leader tab reads it and passes events on
over a BroadcastChannel: a browser keeps at most six HTTP/1.1 connections per host, so a
stream per tab would leave the seventh tab unable to load). So the server's fan-out is
measured too, with 10 separate browsers (playwright contexts), a stream each. That figure
also pays for 10 renderer processes drawing 20 quotes a second on this 2-core machine (the
tabs of one browser share a renderer): the server alone, read by 10 plain SSE clients, stays
in single milliseconds.

Figures, each against a baseline from the same run:

- latency median and 99th percentile over every quote received by 10 tabs of one browser,
  against 1 tab (goal: p99 ≤ 100 ms);
- the same with 10 browsers, a stream each;
- server resident memory with 10 tabs, and with 10 browsers streaming, against the same
  server with no page open.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _harness import Figure

TABS = 10
WARMUP_S = 3.0
MEASURE_S = 30.0  # long enough that one stall of a busy machine is not the p99
INTERVAL_S = 0.1


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _collect(pages: Sequence[Any], seconds: float) -> list[float]:
    """Clear every tab's samples, wait ``seconds``, return all samples taken meanwhile."""
    for page in pages:
        page.evaluate("window.__ptLatency.length = 0")
    time.sleep(seconds)
    samples: list[float] = []
    for page in pages:
        samples += page.evaluate("window.__ptLatency.slice()")
    return samples


def _start_server(home: str) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "POWERTRADER_DATA_DIR": f"{home}/data",
        "POWERTRADER_CONFIG_DIR": f"{home}/config",
        "POWERTRADER_CACHE_DIR": f"{home}/cache",
        "POWERTRADER_CREDENTIALS_DIR": f"{home}/credentials",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "powertrader_core", "serve", "--exchange", "paper", "--port",
         "0", "--interval", str(INTERVAL_S), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=home,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("powertrader serve did not start")
    return process, json.loads(line)["url"]


def run() -> list[Figure]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("no chromium on PATH (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        process, url = _start_server(home)
        try:
            time.sleep(WARMUP_S)
            rss_idle = _rss_mb(process.pid)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
                )
                context = browser.new_context()
                pages = [context.new_page()]
                pages[0].goto(url)
                time.sleep(WARMUP_S)
                one = _collect(pages, MEASURE_S)
                for _ in range(TABS - 1):
                    page = context.new_page()
                    page.goto(url)
                    pages.append(page)
                time.sleep(WARMUP_S)
                ten = _collect(pages, MEASURE_S)
                load = os.getloadavg()[0]
                rss_ten = _rss_mb(process.pid)
                context.close()
                apart = []
                for _ in range(TABS):  # separate browsers: nothing shared, a stream each
                    page = browser.new_context().new_page()
                    page.goto(url)
                    apart.append(page)
                time.sleep(WARMUP_S)
                browsers = _collect(apart, MEASURE_S)
                rss_browsers = _rss_mb(process.pid)
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()
    if not one or not ten or not browsers:
        raise RuntimeError("no quotes reached a page")
    per_tab = len(ten) / TABS
    return [
        Figure(f"serve quote-to-screen median, {TABS} tabs ({len(ten)} quotes, "
               f"{per_tab:.0f}/tab)", statistics.median(ten), statistics.median(one), "ms",
               f"1 tab, {len(one)} quotes"),
        Figure(f"serve quote-to-screen p99, {TABS} tabs (machine load {load:.0f})",
               _percentile(ten, 0.99),
               _percentile(one, 0.99), "ms", "1 tab", goal="p99 <= 100 ms"),
        Figure(f"serve quote-to-screen median, {TABS} browsers", statistics.median(browsers),
               statistics.median(one), "ms", "1 tab"),
        Figure(f"serve quote-to-screen p99, {TABS} browsers", _percentile(browsers, 0.99),
               _percentile(one, 0.99), "ms", "1 tab", goal="p99 <= 100 ms"),
        Figure(f"serve server memory (RSS), {TABS} tabs of one browser", rss_ten, rss_idle, "MB",
               "same server, no page"),
        Figure(f"serve server memory (RSS), {TABS} browsers streaming", rss_browsers, rss_idle,
               "MB", "same server, no page"),
    ]
