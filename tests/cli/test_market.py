"""``price``, ``compare``, ``best``: the paper exchange offline, and every real exchange failing
as one row each (with its reason, no traceback) when there is no network."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.cli.conftest import Invoke, parsed


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that only need a failure: exchanges give up after 1 s instead of retrying."""
    monkeypatch.setenv("POWERTRADER_EXCHANGE_TIMEOUT", "1")


def test_price_from_the_paper_exchange(cli: Invoke) -> None:
    result = cli("price", "btc-usd", "--exchange", "paper", "--json")
    assert result.exit_code == 0, result.output
    quote = parsed(result)
    assert quote["exchange"] == "paper" and quote["symbol"] == "BTC-USD"
    bid, ask = Decimal(quote["bid"]), Decimal(quote["ask"])
    assert 0 < bid < ask and Decimal(quote["spread"]) == ask - bid
    assert quote["source"] == "paper:sim" and quote["latency_ms"] >= 0
    table = cli("price", "BTC-USD", "-e", "paper")
    assert table.exit_code == 0 and "paper:sim" in table.stdout


def test_compare_on_paper_marks_best_bid_and_ask(cli: Invoke) -> None:
    result = cli("compare", "BTC-USD", "--exchange", "paper", "--json")
    assert result.exit_code == 0, result.output
    report = parsed(result)
    assert report["symbol"] == "BTC-USD" and report["failures"] == []
    (quote,) = report["quotes"]
    assert quote["best_bid"] is True and quote["best_ask"] is True
    assert report["best_ask"] == {"exchange": "paper", "price": quote["ask"]}
    assert report["best_bid"] == {"exchange": "paper", "price": quote["bid"]}
    for key in ("bid", "ask", "spread", "last"):
        assert isinstance(quote[key], str)
    assert "best bid, best ask" in cli("compare", "BTC-USD", "-e", "paper").stdout


def test_compare_without_network_is_a_row_per_exchange_and_exit_1(cli: Invoke) -> None:
    # The suite refuses every connection beyond loopback: the machine has no network.
    started = time.monotonic()
    result = cli("compare", "BTC-USD", "--json")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    report = parsed(result)
    assert report["quotes"] == [] and report["best_bid"] is None
    failures = {failure["exchange"]: failure for failure in report["failures"]}
    assert set(failures) == {  # region us: the US entities of Binance and OKX included
        "binanceus", "bitstamp", "coinbase", "kraken", "okxus", "robinhood"
    }
    for name, failure in failures.items():
        assert failure["error"].startswith(f"{name} "), failure  # names the exchange
    assert failures["kraken"]["type"] == "ExchangeConnectionError"
    assert "credentials" in failures["robinhood"]["error"]
    assert "Traceback" not in result.output
    assert elapsed < 15, f"failing exchanges took {elapsed:.1f} s"

    table = cli("compare", "BTC-USD")
    assert table.exit_code == 1
    assert "Traceback" not in table.output
    for name in failures:
        assert name in table.stdout


@pytest.mark.usefixtures("short_timeout")
def test_compare_and_price_in_another_region(cli: Invoke) -> None:
    eu = parsed(cli("compare", "BTC-USD", "--region", "eu", "--json"))
    assert "robinhood" not in {f["exchange"] for f in eu["failures"]}
    assert "binance" in {f["exchange"] for f in eu["failures"]}
    wrong = cli("price", "BTC-USD", "--region", "mars", "--json")
    assert wrong.exit_code == 2  # bad input
    assert "--region must be us, eu or global" in parsed(wrong)["error"]["message"]


@pytest.mark.usefixtures("short_timeout")
def test_price_without_network_is_one_line_naming_the_exchange(cli: Invoke) -> None:
    result = cli("price", "BTC-USD", "--exchange", "kraken")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "kraken" in line
    assert "Traceback" not in result.output

    debug = cli("--debug", "price", "BTC-USD", "--exchange", "kraken")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_best_execution_for_an_amount_on_paper(cli: Invoke) -> None:
    result = cli("best", "ETH-USD", "--side", "buy", "--amount", "2", "-e", "paper", "--json")
    assert result.exit_code == 0, result.output
    plan = parsed(result)
    assert plan["best"] == "paper" and plan["side"] == "buy" and plan["amount"] == "2"
    (estimate,) = plan["ranked"]
    average, fee, total = (Decimal(estimate[k]) for k in ("average_price", "fee", "total"))
    assert total == average * 2 + fee and estimate["complete"] is True
    assert plan["excluded"] == {}


def test_best_price_without_an_amount(cli: Invoke) -> None:
    sell = parsed(cli("best", "BTC-USD", "--side", "SELL", "-e", "paper", "--json"))
    assert sell["amount"] is None and sell["best"] == "paper"
    assert sell["ranked"][0]["price"] == sell["ranked"][0]["bid"]
    table = cli("best", "BTC-USD", "--side", "buy", "-e", "paper")
    assert table.exit_code == 0 and "top of book" in table.stdout
    missing_side = cli("best", "BTC-USD")
    assert missing_side.exit_code == 2 and "--side" in missing_side.output
    bad_amount = cli("best", "BTC-USD", "--side", "buy", "--amount", "-1", "--json")
    assert bad_amount.exit_code == 2
    assert "--amount" in parsed(bad_amount)["error"]["message"]


@pytest.mark.usefixtures("short_timeout")
def test_best_without_network_fails_naming_every_exchange(cli: Invoke) -> None:
    result = cli("best", "BTC-USD", "--side", "buy", "--amount", "0.1", "--json")
    assert result.exit_code == 1
    error = parsed(result)["error"]
    assert set(error["failures"]) == {
        "binanceus", "bitstamp", "coinbase", "kraken", "okxus", "robinhood"
    }
    assert "Traceback" not in result.output
