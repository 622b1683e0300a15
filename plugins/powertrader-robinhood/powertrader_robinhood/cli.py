"""``powertrader robinhood ...``: the commands this plugin adds to the command line.

``keygen`` exists because setting up keys is where users of the original app got stuck: the
API wants an Ed25519 key pair that Robinhood's web app does not make for you. The command
makes one, prints the public key to paste into Robinhood and the private key to keep, and the
steps in between. The private key is printed once and stored nowhere by this command.
"""

from __future__ import annotations

import json

import typer

from powertrader_robinhood.keys import KeyPair, generate_keypair

__all__ = ["KEYGEN_STEPS", "keygen_command", "register_commands", "robinhood_app"]

KEYGEN_STEPS = (
    "On a computer, open Robinhood's web app at https://robinhood.com/account/crypto "
    "(Account > Settings > Crypto; the classic web view) and choose to add an API key "
    "(\"Add key\" under API trading).",
    "Paste the PUBLIC key shown above into the public key field, choose the permissions "
    "(read, and trade if PowerTrader should place orders) and save.",
    "Robinhood shows your API key (it looks like rh-api-...). Copy it.",
    "Store the API key and the PRIVATE key shown above with `powertrader config set robinhood` "
    "(api_key, private_key), or in the environment as ROBINHOOD_API_KEY and "
    "ROBINHOOD_PRIVATE_KEY.",
    "Keep the private key secret: never paste it into Robinhood or share it. If it leaks, "
    "delete the API key in Robinhood's web app and run this command again.",
)

robinhood_app = typer.Typer(
    name="robinhood",
    help="Robinhood Crypto Trading API: make the keys it needs.",
    no_args_is_help=True,
)


def _render(pair: KeyPair) -> str:
    lines = [
        "Robinhood Crypto Trading API key pair (Ed25519)",
        "",
        "PUBLIC key (paste this into Robinhood):",
        f"  {pair.public_key}",
        "",
        "PRIVATE key (store it as private_key; never share it):",
        f"  {pair.private_key}",
        "",
        "Next steps:",
    ]
    lines += [f"  {number}. {step}" for number, step in enumerate(KEYGEN_STEPS, start=1)]
    return "\n".join(lines)


def _save(pair: KeyPair) -> str:
    """Store the private key as Robinhood's ``private_key`` in the command line's credentials
    folder, beside an API key already stored; encrypted when a passphrase is set
    (``POWERTRADER_PASSPHRASE``) or the file already is. Returns the file written."""
    from powertrader_core import ExchangeConfigManager
    from powertrader_core.kit import credentials_dir

    manager = ExchangeConfigManager(credentials_dir())
    config = dict(manager.stored_config("robinhood"))
    config["private_key"] = pair.private_key
    return str(manager.save_exchange_config("robinhood", config))


@robinhood_app.command("keygen")
def keygen_command(
    as_json: bool = typer.Option(False, "--json", help="Print the keys and steps as JSON."),
    save: bool = typer.Option(
        False,
        "--save",
        help="Store the private key with your credentials (encrypted when a passphrase is "
        "set) instead of printing it.",
    ),
) -> None:
    """Make an Ed25519 key pair for Robinhood and print the setup steps."""
    from powertrader_core import ConfigurationError

    pair = generate_keypair()
    saved = None
    if save:
        try:
            saved = _save(pair)
        except ConfigurationError as exc:
            message = f"robinhood keygen: {exc}"
            if as_json:
                typer.echo(json.dumps({"error": {"type": "ConfigurationError",
                                                 "message": message}}))
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(1) from None
    if as_json:
        payload: dict[str, object] = {"public_key": pair.public_key}
        if saved is None:
            payload["private_key"] = pair.private_key
        else:
            payload["saved_to"] = saved
        payload["steps"] = list(KEYGEN_STEPS)
        typer.echo(json.dumps(payload, indent=2))
        return
    text = _render(pair)
    if saved is not None:  # the private key stays out of the terminal's scrollback
        text = text.replace(
            f"PRIVATE key (store it as private_key; never share it):\n  {pair.private_key}",
            f"PRIVATE key: saved as private_key in {saved}",
        )
    typer.echo(text)


def register_commands(app: typer.Typer) -> None:
    """Add the ``robinhood`` command group to the ``powertrader`` app."""
    app.add_typer(robinhood_app, name="robinhood")
