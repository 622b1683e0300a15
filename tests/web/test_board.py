"""The live board: per-tab bounded queues (drop-oldest), its records, and its end."""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any

from powertrader_core.web.views import health_record
from tests.web.conftest import ServeFactory


def _data(frame: str) -> dict[str, Any]:
    assert frame.startswith("data: "), frame
    record: dict[str, Any] = json.loads(frame.removeprefix("data: ").strip())
    return record


async def test_a_slow_tab_loses_its_oldest_updates_and_holds_up_nobody(
    serve: ServeFactory,
) -> None:
    async with serve(exchanges=("paper",), poll_interval=0.05, tab_queue=4) as dash:
        slow, fast = dash.board.events(), dash.board.events()
        first = await anext(slow)  # the snapshot; then this tab reads nothing for a while
        assert first.startswith("retry:") and '"type":"snapshot"' in first
        await anext(fast)
        seen: list[dict[str, Any]] = []
        async with asyncio.timeout(10):
            while sum(record["type"] == "quote" for record in seen) < 40:
                seen.append(_data(await anext(fast)))
        slow_tab, fast_tab = dash.board.tab_status()
        assert slow_tab["queued"] == 4 and slow_tab["dropped"] > 0  # bounded, oldest dropped
        assert fast_tab["dropped"] == 0  # the other tab got everything, on time
        newest = max(record["t"] for record in seen if record["type"] == "quote")
        kept = [_data(await anext(slow)) for _ in range(4)]
        kept_quotes = [record["t"] for record in kept if record["type"] == "quote"]
        assert kept_quotes and min(kept_quotes) >= newest - 1000  # what is left is recent
        await slow.aclose()  # type: ignore[attr-defined]
        await fast.aclose()  # type: ignore[attr-defined]
        assert dash.board.tabs == 0


async def test_streams_end_when_the_board_stops(serve: ServeFactory) -> None:
    async with serve(exchanges=("paper",)) as dash:
        stream = dash.board.events()
        await anext(stream)
        dash.board.end_streams()
        async with asyncio.timeout(5):
            rest = [frame async for frame in stream]
        assert all(frame.startswith(("data:", ":")) for frame in rest)
        assert dash.board.tabs == 0


async def test_snapshot_has_quotes_history_health_account_plugins(serve: ServeFactory) -> None:
    async with serve() as dash:
        stream = dash.board.events()
        async with asyncio.timeout(5):
            async for frame in stream:  # until paper's first BTC-USD quote went out
                if '"exchange":"paper","symbol":"BTC-USD"' in frame and '"quote"' in frame:
                    break
        await stream.aclose()  # type: ignore[attr-defined]
        await dash.board.refresh_account()
        snapshot = dash.board.snapshot()
    assert snapshot["symbols"] == ["BTC-USD", "ETH-USD"]
    assert snapshot["exchanges"] == ["paper", "simex", "downex"]
    quote = next(q for q in snapshot["quotes"] if q["exchange"] == "paper")
    assert quote["source"] == "paper:sim" and isinstance(quote["bid"], str)  # exact strings
    assert any(h["points"] for h in snapshot["history"])
    assert {row["exchange"] for row in snapshot["health"]} == {"paper", "simex", "downex"}
    assert snapshot["account"]["balances"]["paper"] == {"USD": "10000"}
    assert "downex" in snapshot["account"]["balance_errors"]
    assert any(plugin["name"] == "paper" and plugin["ok"] for plugin in snapshot["plugins"])
    assert snapshot["live_trading"] is False


def test_a_feed_that_lost_its_exchange_reads_down_with_the_feed_reason() -> None:
    status = {
        "status": "degraded",
        "last_error": "kraken get_ticker: timeout",
        "circuit": "closed",
        "has_credentials": False,
        "price_feed": {
            "mode": "polling",
            "connected": False,
            "last_error": "kraken get_market_data_batch: connection refused",
        },
    }
    record = health_record("kraken", status, required=("api_key",))
    assert record["status"] == "down"
    assert record["reason"] == "get_market_data_batch: connection refused"
    assert record["configured"] == "no"
    healthy = health_record("paper", {"status": "connected", "has_credentials": True}, ())
    assert healthy["status"] == "connected" and healthy["reason"] is None
    assert healthy["configured"] == "not needed"


def test_the_page_never_writes_server_text_as_html() -> None:
    static = resources.files("powertrader_core.web") / "static"
    for name in ("dashboard.js", "chart.js"):
        script = (static / name).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in script, f"{name} uses {sink}"
    page = (static / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
