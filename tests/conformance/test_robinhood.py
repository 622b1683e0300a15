"""The suite on the Robinhood plugin, replaying the plugin's own cassettes (offline).

Each check runs against one cassette joined from the plugin's recorded interactions (trading
pairs, quotes, the fill estimate, balances, orders): the suite's checks make those requests in
their own order and combination, so they get every interaction they may need, replayable more
than once. The Robinhood cassettes themselves stay as their tests recorded them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from powertrader_robinhood import RobinhoodExchange, generate_keypair

from powertrader_core import AbstractExchange, OrderRequest
from powertrader_core.testing import ExchangeConformance
from tests.cassette_support import CASSETTES, TEST_SECRETS, make_vcr

#: The recorded interactions the checks draw on.
RECORDINGS = (
    "trading_pairs_two_pages",
    "best_bid_ask_single",
    "error_unknown_symbol",
    "estimated_price",
    "balances_two_pages",
    "open_orders",
    "place_market_order",
)
#: The client order id recorded in place_market_order.yaml (its body is matched exactly).
RECORDED_CLIENT_ORDER_ID = "0f3a9c2e-5b7d-4e81-a6c4-2d9e8b1f7a01"

_KEYS = generate_keypair()


def join_cassettes(names: tuple[str, ...], target: Path) -> Path:
    """One cassette holding the interactions of several, in order."""
    interactions: list[Any] = []
    for name in names:
        recorded = yaml.safe_load((CASSETTES / "robinhood" / f"{name}.yaml").read_text())
        interactions += recorded["interactions"]
    target.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}))
    return target


#: For the server_error check: the pairs load, then Robinhood answers a quote with a 503 page.
FAILING = ("trading_pairs_two_pages", "error_unavailable_html")


@pytest.fixture(scope="module")
def joined_cassettes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("robinhood")
    return {
        "default": join_cassettes(RECORDINGS, folder / "conformance.yaml"),
        "server_error": join_cassettes(FAILING, folder / "server_error.yaml"),
    }


class TestRobinhoodConformance(ExchangeConformance):
    # The recordings quote BTC-USD alone (the batch recording asks for three at once).
    symbols = ("BTC-USD",)
    unknown_symbol = "NOPE-USD"
    too_small_amount = "0.000005"  # the recorded BTC-USD minimum is 0.00001
    unsupported_order_type = None  # market, limit, stop loss and stop limit all exist
    fill_amount = "0.5"  # the size of the recorded estimate
    open_orders_by_symbol = False  # the recording lists open orders of every market
    skip_checks: ClassVar[dict[str, str]] = {}

    @pytest.fixture(autouse=True)
    def _cassette_files(self, joined_cassettes: dict[str, Path]) -> None:
        self.cassette_files = joined_cassettes

    async def make_exchange(self) -> AbstractExchange:
        config = {"api_key": TEST_SECRETS["api_key"], "private_key": _KEYS.private_key}
        return RobinhoodExchange(config)

    def cassette(self, check: str) -> Any:
        recorder = make_vcr("robinhood", match_body=True)
        path = self.cassette_files.get(check, self.cassette_files["default"])
        return recorder.use_cassette(str(path), allow_playback_repeats=True)

    async def break_server(self) -> bool:
        return True  # cassette("server_error") answers the quote with a 503

    def valid_order(self) -> OrderRequest:
        return OrderRequest(
            "BTC-USD", "buy", "0.001", client_order_id=RECORDED_CLIENT_ORDER_ID
        )
