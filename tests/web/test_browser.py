"""The dashboard in a real headless browser: Debian's chromium, driven by playwright.

Nothing downloads a browser: playwright's Python package brings only its driver, and the
browser is the system's ``chromium`` (``.ci/run`` installs it when missing). Without one the
test is skipped, saying so.

It checks what a person would: the page loads with nothing but our server (every other
request is refused and recorded), paper quotes for BTC-USD show within 2 s and change without
a reload, the failing exchange shows as down with its reason, best bid and ask are marked,
the chart draws, and a paper order placed from the form shows up in the orders (with its
journal state) and the balances. Its screenshot goes to ``docs/dashboard.png`` when
``PT_UPDATE_SCREENSHOT=1`` (a test run must not dirty the work tree), else to a temp folder.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web.conftest import SERVE_TOKEN, ServeFactory

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary on PATH (Debian: apt-get install -y chromium; .ci/run does it)",
    ),
]
playwright = pytest.importorskip("playwright.async_api", reason="pip install playwright")

DOCS = Path(__file__).resolve().parents[2] / "docs"


async def test_dashboard_in_a_real_browser(serve: ServeFactory, tmp_path: Path) -> None:
    async with serve(poll_interval=0.5) as dash, playwright.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = await browser.new_context(viewport={"width": 1440, "height": 900})
            elsewhere: list[str] = []

            async def only_our_server(route: object, request: object) -> None:
                url = request.url  # type: ignore[attr-defined]
                if url.startswith(dash.origin):
                    await route.continue_()  # type: ignore[attr-defined]
                else:
                    elsewhere.append(url)
                    await route.abort()  # type: ignore[attr-defined]

            await context.route("**/*", only_our_server)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            await page.goto(dash.url)
            bid = page.locator('tr[data-exchange="paper"][data-symbol="BTC-USD"] td.bid')
            await page.wait_for_function(
                """() => { const c = document.querySelector(
                    'tr[data-exchange="paper"][data-symbol="BTC-USD"] td.bid');
                    return c && /[0-9]/.test(c.textContent); }""",
                timeout=10_000,
            )
            # The page's own clock: from the start of navigation to the first quote drawn.
            shown_ms = await page.evaluate("window.__ptFirstQuoteMs")
            assert shown_ms < 2000, f"first quote drawn {shown_ms:.0f} ms after navigation"
            first = await bid.text_content()
            events = await page.evaluate("window.__ptEvents")
            await page.wait_for_function(
                "(first) => document.querySelector("
                "'tr[data-exchange=\"paper\"][data-symbol=\"BTC-USD\"] td.last').textContent"
                " !== first",
                arg=await page.locator(
                    'tr[data-exchange="paper"][data-symbol="BTC-USD"] td.last'
                ).text_content(),
                timeout=5000,
            )
            assert await page.evaluate("window.__ptEvents") > events  # live, no reload
            assert first is not None and first.replace(",", "").replace(".", "").isdigit()

            down = page.locator('#health tr[data-exchange="downex"]')
            await down.and_(page.locator('[data-status="down"]')).wait_for(timeout=5000)
            assert "connection refused" in (await down.locator("td.reason").text_content() or "")
            note = page.locator('tr[data-exchange="downex"][data-symbol="BTC-USD"] td.note')
            assert "down" in (await note.text_content() or "")
            up = page.locator('#health tr[data-exchange="paper"]')
            assert await up.get_attribute("data-status") == "connected"

            btc = page.locator('table.quotes[data-symbol="BTC-USD"]')
            assert await btc.locator("td.best-bid").count() == 1
            assert await btc.locator("td.best-ask").count() == 1
            line = '#charts svg[data-symbol="BTC-USD"] g[data-exchange="paper"] path'
            await page.wait_for_selector(line)
            drawn = await page.get_attribute(line, "d")
            await page.wait_for_function(  # the chart follows the quotes
                "([sel, d]) => { const p = document.querySelector(sel);"
                " return p && p.getAttribute('d') !== d; }",
                arg=[line, drawn],
                timeout=5000,
            )
            assert await page.locator("#plugins tr[data-plugin]").count() >= 1

            await page.fill('#paper-form input[name="amount"]', "0.02")
            await page.click("#paper-form button")
            await page.wait_for_selector("#paper-result.ok", timeout=5000)
            assert "filled" in (await page.text_content("#paper-result") or "")
            await page.wait_for_selector('#orders tr[data-state="filled"]', timeout=8000)
            await page.wait_for_selector(
                '#balances tr[data-exchange="paper"][data-asset="BTC"]', timeout=8000
            )

            if os.environ.get("PT_UPDATE_SCREENSHOT") == "1":
                await page.wait_for_timeout(6000)  # a few seconds of chart for the picture
                target = DOCS / "dashboard.png"
            else:
                target = tmp_path / "dashboard.png"
            await page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
            assert elsewhere == [], f"the page asked beyond our server: {elsewhere}"
            assert errors == [], errors
            await context.close()
        finally:
            await browser.close()


async def test_more_tabs_than_a_browser_has_connections(serve: ServeFactory) -> None:
    """A browser keeps six HTTP/1.1 connections per host and an event stream holds one: the
    tabs share one stream (a leader passes events on), so a seventh tab still loads, and
    when the leader closes another tab takes over."""
    async with serve(poll_interval=0.3) as dash, playwright.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = await browser.new_context()
            pages = [await context.new_page() for _ in range(7)]
            await asyncio.gather(*(page.goto(dash.url, timeout=10_000) for page in pages))
            roles = [await page.evaluate("window.__ptRole") for page in pages]
            assert sorted(roles) == ["follower"] * 6 + ["leader"]
            assert dash.board.tabs == 1  # one stream for the whole browser
            ticks = [await page.evaluate("window.__ptEvents || 0") for page in pages]
            for page, before in zip(pages, ticks, strict=True):
                await page.wait_for_function(
                    "(b) => (window.__ptEvents || 0) > b", arg=before, timeout=3000
                )
            leader = pages[roles.index("leader")]
            await leader.close()
            rest = [page for page in pages if page is not leader]
            await rest[0].wait_for_function(
                "() => document.querySelector('#conn').className.includes('up')"
            )
            for page in rest:  # still live: someone else leads now
                before = await page.evaluate("window.__ptEvents")
                await page.wait_for_function(
                    "(b) => window.__ptEvents > b", arg=before, timeout=5000
                )
            assert [await page.evaluate("window.__ptRole") for page in rest].count("leader") == 1
            await context.close()
        finally:
            await browser.close()


async def test_the_serve_command_in_a_real_browser(
    served: tuple[subprocess.Popen[str], dict[str, object]],
) -> None:
    """What a person does: ``powertrader serve`` (offline, paper), open the printed URL with
    the token once, and watch BTC-USD and ETH-USD quotes move."""
    _process, started = served
    url = str(started["url"])
    async with playwright.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page()
            await page.goto(f"{url}?token={SERVE_TOKEN}")
            assert page.url == url  # the token left the address bar (kept in a cookie)
            for symbol in ("BTC-USD", "ETH-USD"):
                cell = f'tr[data-exchange="paper"][data-symbol="{symbol}"] td.last'
                await page.wait_for_function(
                    "(sel) => /[0-9]/.test(document.querySelector(sel)?.textContent || '')",
                    arg=cell,
                    timeout=2000,
                )
                before = await page.text_content(cell)
                await page.wait_for_function(
                    "([sel, b]) => document.querySelector(sel).textContent !== b",
                    arg=[cell, before],
                    timeout=5000,
                )
            assert await page.get_attribute('#health tr[data-exchange="paper"]',
                                            "data-status") == "connected"
        finally:
            await browser.close()
