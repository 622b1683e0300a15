"""``powertrader robinhood keygen``: added through the plugin hook, plain and ``--json``."""

from __future__ import annotations

import base64
import json

import typer
from powertrader_robinhood import public_key_b64
from powertrader_robinhood.cli import KEYGEN_STEPS
from typer.testing import CliRunner

from powertrader_core.plugins.registry import get_registry


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """A fresh root, so the real app is left untouched."""

    # Through the registry's hook, as the real command line does it.
    get_registry().pm.hook.powertrader_register_commands(app=app)
    return app


def test_keygen_prints_both_keys_and_the_numbered_steps() -> None:
    result = CliRunner().invoke(_app(), ["robinhood", "keygen"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    public = lines[lines.index("PUBLIC key (paste this into Robinhood):") + 1]
    private = lines[lines.index("PRIVATE key (store it as private_key; never share it):") + 1]
    assert public_key_b64(private) == public
    assert "robinhood.com/account/crypto" in result.output
    assert "powertrader config set robinhood" in result.output
    assert "ROBINHOOD_API_KEY" in result.output and "ROBINHOOD_PRIVATE_KEY" in result.output
    for number in range(1, len(KEYGEN_STEPS) + 1):
        assert f"{number}. " in result.output


def test_keygen_json_is_machine_readable() -> None:
    result = CliRunner().invoke(_app(), ["robinhood", "keygen", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(base64.b64decode(payload["private_key"])) == 32
    assert public_key_b64(payload["private_key"]) == payload["public_key"]
    assert payload["steps"] == list(KEYGEN_STEPS)


def test_each_run_makes_a_new_pair() -> None:
    runner = CliRunner()
    first = json.loads(runner.invoke(_app(), ["robinhood", "keygen", "--json"]).output)
    second = json.loads(runner.invoke(_app(), ["robinhood", "keygen", "--json"]).output)
    assert first["private_key"] != second["private_key"]
