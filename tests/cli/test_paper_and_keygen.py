"""``powertrader paper show | reset`` and ``powertrader robinhood keygen --save``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from powertrader_core import ExchangeConfigManager
from powertrader_core.cli.app import register_plugin_commands
from tests.cli.conftest import Invoke, parsed


def test_paper_show_and_reset(cli: Invoke) -> None:
    assert cli("order", "buy", "BTC-USD", "0.01").exit_code == 0
    shown = parsed(cli("paper", "show", "--json"))
    assert Decimal(shown["balances"]["BTC"]) == Decimal("0.01") and shown["orders"] == 1
    table = cli("paper", "show")
    assert table.exit_code == 0 and "BTC" in table.stdout and "1 orders, 0 open" in table.stdout

    unasked = cli("paper", "reset", "--json")
    assert unasked.exit_code == 2 and "needs --yes" in parsed(unasked)["error"]["message"]
    assert parsed(cli("paper", "show", "--json"))["orders"] == 1  # nothing reset

    reset = parsed(cli("paper", "reset", "--yes", "--usd", "500", "--json"))
    assert reset["balances"] == {"USD": "500"} and reset["orders"] == 0
    assert parsed(cli("orders", "--json"))["orders"] == []


def test_keygen_save_stores_the_private_key_not_on_screen(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_plugin_commands()
    folder = tmp_path / "credentials"  # the conftest's POWERTRADER_CREDENTIALS_DIR
    ExchangeConfigManager(folder).save_exchange_config("robinhood", {"api_key": "rh-api-1"})
    result = cli("robinhood", "keygen", "--save")
    assert result.exit_code == 0, result.output
    stored = ExchangeConfigManager(folder).load_exchange_config("robinhood")
    assert stored["api_key"] == "rh-api-1"  # kept beside the new key
    assert stored["private_key"] and stored["private_key"] not in result.output
    assert f"saved as private_key in {folder / 'robinhood_config.json'}" in result.stdout

    monkeypatch.setenv("POWERTRADER_PASSPHRASE", "correct horse battery")
    encrypted = parsed(cli("robinhood", "keygen", "--save", "--json"))
    assert encrypted["saved_to"] == str(folder / "robinhood_config.enc")
    assert "private_key" not in encrypted
    assert not (folder / "robinhood_config.json").exists()  # no plain copy left


def test_reusing_a_client_order_id_says_the_order_was_replayed(cli: Invoke) -> None:
    first = parsed(cli("order", "buy", "BTC-USD", "0.01", "--client-order-id", "mine-1",
                       "--json"))
    assert first["replayed"] is False
    again = cli("order", "buy", "BTC-USD", "0.01", "--client-order-id", "mine-1")
    assert again.exit_code == 0, again.output
    assert "client order id mine-1 was used before" in again.stderr
    assert "nothing was sent now" in again.stderr
    replay = parsed(cli("order", "buy", "BTC-USD", "0.01", "--client-order-id", "mine-1",
                        "--json"))
    assert replay["replayed"] is True
    assert replay["order"]["order_id"] == first["order"]["order_id"]
    assert len(parsed(cli("orders", "--json"))["orders"]) == 1
