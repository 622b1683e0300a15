"""``powertrader config set|show|validate|delete|encrypt``: exchange credentials from the shell.

Secrets not given as options are asked for with hidden input, so they stay out of the shell's
history; ``show`` prints them masked (``abcd…wxyz``) with where each came from. The passphrase
of encrypted files comes from ``$POWERTRADER_PASSPHRASE`` or a prompt. Every command takes
``--json``. Imports happen inside the commands, so ``powertrader --help`` stays fast.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from powertrader_core.cli._context import regionless

if TYPE_CHECKING:
    from powertrader_core.credentials.manager import ExchangeConfigManager

config_app = typer.Typer(
    name="config",
    help="Exchange credentials: set, show (masked), validate, delete, encrypt.",
    no_args_is_help=True,
)

_CONFIG_DIR = typer.Option(
    None,
    "--config-dir",
    help="Credentials folder (default: $POWERTRADER_CREDENTIALS_DIR, else credentials in the "
    "user configuration folder; `config show` says which).",
)
_JSON = typer.Option(False, "--json", help="Machine-readable output only.")
_Exchanges = Annotated[
    list[str] | None,
    typer.Argument(help="Exchange names (default: every configured or stored one)."),
]


def _fail(message: str, as_json: bool, code: int = 2) -> NoReturn:
    if as_json:
        typer.echo(json.dumps({"error": message}))
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _manager(config_dir: str | None, *, confirm: bool = False) -> ExchangeConfigManager:
    from powertrader_core.cli._prompts import passphrase_prompt
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.kit.paths import credentials_dir

    folder = config_dir if config_dir is not None else credentials_dir()
    return ExchangeConfigManager(folder, passphrase=passphrase_prompt(confirm=confirm))


def _names_to_show(manager: ExchangeConfigManager) -> list[str]:
    """Known exchanges with a configuration somewhere, and files no plugin claims."""
    from powertrader_core.factory import ExchangeFactory

    names = set(manager.stored_exchanges())
    environ = os.environ
    for name in ExchangeFactory.get_available_exchanges():
        if any(environ.get(v) for group in manager.env_variables(name).values() for v in group):
            names.add(name)
    return sorted(names)


@config_app.command("set")
@regionless
def set_command(
    exchange: str = typer.Argument(..., help="Exchange name, e.g. kraken."),
    api_key: str | None = typer.Option(None, "--api-key", help="API key (asked if needed)."),
    api_secret: str | None = typer.Option(None, "--api-secret", help="API secret."),
    passphrase: str | None = typer.Option(
        None, "--passphrase", help="The exchange's API passphrase (OKX, KuCoin, Coinbase)."
    ),
    private_key: str | None = typer.Option(
        None, "--private-key", help="Base64 private key (Robinhood)."
    ),
    base_url: str | None = typer.Option(None, "--base-url", help="Another API endpoint."),
    extra: Annotated[
        list[str] | None,
        typer.Option("--set", help="Any other key, as KEY=VALUE (repeatable)."),
    ] = None,
    encrypt: bool | None = typer.Option(
        None,
        "--encrypt/--plain",
        help="Encrypt the file (default: when a passphrase is set or the file is encrypted).",
    ),
    config_dir: str | None = _CONFIG_DIR,
    as_json: bool = _JSON,
) -> None:
    """Store an exchange's credentials; required secrets not given are asked for."""
    from powertrader_core.cli._prompts import ask_secret, at_terminal
    from powertrader_core.errors import ConfigurationError

    manager = _manager(config_dir, confirm=True)
    try:
        cls = manager.exchange_class(exchange, "config set")
        config: dict[str, Any] = dict(manager.stored_config(exchange))
        given = {
            "api_key": api_key,
            "api_secret": api_secret,
            "passphrase": passphrase,
            "private_key": private_key,
            "base_url": base_url,
        }
        config.update({key: value for key, value in given.items() if value is not None})
        for item in extra or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                _fail(f"--set expects KEY=VALUE, got a value without '=' for {key!r}", as_json)
            config[key.strip()] = value
        for field in cls.required_credentials:
            if not config.get(field):
                option = "--" + field.replace("_", "-")
                if as_json or not at_terminal():
                    _fail(f"{field} is required: give it with {option} or --set "
                          f"{field}=VALUE (nothing asked without a terminal)", as_json)
                config[field] = ask_secret(field)
        path = manager.save_exchange_config(exchange, config, encrypt=encrypt)
        problems = manager.config_problems(exchange)
    except ConfigurationError as exc:
        _fail(str(exc), as_json)
    if as_json:
        typer.echo(json.dumps({"exchange": exchange, "path": str(path), "problems": problems}))
        return
    typer.echo(f"saved {exchange} to {path}")
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)


@config_app.command("show")
@regionless
def show_command(
    exchanges: _Exchanges = None,
    config_dir: str | None = _CONFIG_DIR,
    as_json: bool = _JSON,
) -> None:
    """Show configurations with secrets masked and where each value comes from."""
    from powertrader_core.credentials.secret import is_secret_field, mask
    from powertrader_core.errors import ConfigurationError

    manager = _manager(config_dir)
    try:
        names = [name.lower() for name in exchanges] if exchanges else _names_to_show(manager)
    except ConfigurationError as exc:
        _fail(str(exc), as_json)
    report: dict[str, Any] = {}
    for name in names:
        try:
            cls = manager.exchange_class(name, "config show")
            config, sources = manager.load_exchange_config(name, with_sources=True)
        except ConfigurationError as exc:
            report[name] = {"error": exc.message}
            continue
        fields = manager.credential_fields(cls)
        report[name] = {
            "values": {
                key: {
                    "value": mask(value) if is_secret_field(key, fields) else value,
                    "source": sources.get(key, ""),
                }
                for key, value in sorted(config.items())
            },
            "problems": manager.config_problems(name),
        }
    failed = {name: entry["error"] for name, entry in report.items() if "error" in entry}
    for name, message in failed.items():
        typer.echo(f"error: {name}: {message}", err=True)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        _exit_if(failed)
        return
    typer.echo(f"credentials folder: {manager.config_dir}")
    if not report:
        typer.echo("no exchange is configured")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for name, entry in report.items():
        if "error" in entry:
            continue
        table = Table("key", "value", "source", title=name, title_justify="left")
        for key, item in entry["values"].items():
            table.add_row(key, str(item["value"]), item["source"])
        console.print(table)
        for problem in entry["problems"]:
            console.print(f"  [yellow]{problem}[/yellow]", highlight=False)
    _exit_if(failed)


def _exit_if(failed: dict[str, str]) -> None:
    """Exit 1 when an exchange's configuration could not be read (wrong passphrase...)."""
    if failed:
        raise typer.Exit(1)


@config_app.command("validate")
@regionless
def validate_command(
    exchanges: _Exchanges = None,
    config_dir: str | None = _CONFIG_DIR,
    as_json: bool = _JSON,
) -> None:
    """Check that each exchange has every credential its plugin needs; exit 1 if not."""
    from powertrader_core.errors import ConfigurationError

    manager = _manager(config_dir)
    results: dict[str, list[str]] = {}
    try:
        names = [name.lower() for name in exchanges] if exchanges else _names_to_show(manager)
        for name in names:
            results[name] = manager.config_problems(name)
    except ConfigurationError as exc:
        _fail(str(exc), as_json)
    if as_json:
        typer.echo(json.dumps({n: {"valid": not p, "problems": p} for n, p in results.items()}))
    else:
        if not results:
            typer.echo("no exchange is configured")
        for name, problems in results.items():
            typer.echo(f"{name}: " + ("ok" if not problems else "; ".join(problems)))
    if any(results.values()):
        raise typer.Exit(1)


@config_app.command("delete")
@regionless
def delete_command(
    exchange: str = typer.Argument(..., help="Exchange whose stored files are removed."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    config_dir: str | None = _CONFIG_DIR,
    as_json: bool = _JSON,
) -> None:
    """Remove an exchange's stored credentials (plain and encrypted files)."""
    from powertrader_core.errors import ConfigurationError

    manager = _manager(config_dir)
    if not yes and not as_json:
        typer.confirm(f"Delete the stored credentials of {exchange}?", abort=True)
    try:
        removed = manager.delete_exchange_config(exchange)
    except ConfigurationError as exc:
        _fail(str(exc), as_json)
    if as_json:
        typer.echo(json.dumps({"exchange": exchange, "removed": [str(p) for p in removed]}))
        return
    if not removed:
        typer.echo(f"nothing stored for {exchange}")
    for path in removed:
        typer.echo(f"removed {path}")


@config_app.command("encrypt")
@regionless
def encrypt_command(
    exchanges: _Exchanges = None,
    config_dir: str | None = _CONFIG_DIR,
    as_json: bool = _JSON,
) -> None:
    """Encrypt plain credential files with a passphrase; the plain files are removed."""
    from powertrader_core.errors import ConfigurationError

    manager = _manager(config_dir, confirm=True)
    written: dict[str, str] = {}
    try:
        names = [name.lower() for name in exchanges] if exchanges else manager.stored_exchanges()
        for name in names:
            written[name] = str(manager.encrypt_exchange_config(name))
    except ConfigurationError as exc:
        _fail(str(exc), as_json)
    others = _other_passphrases(manager, written)
    for message in others:
        typer.echo(f"warning: {message}", err=True)
    if as_json:
        typer.echo(json.dumps({"encrypted": written, "warnings": others}))
        return
    if not written:
        typer.echo("no credential files to encrypt")
    for name, path in written.items():
        typer.echo(f"{name}: {path}")


def _other_passphrases(manager: ExchangeConfigManager, written: dict[str, str]) -> list[str]:
    """Encrypted files that the passphrase just used does not open: one passphrase can then
    not unlock every exchange, which a person finds out only when a command fails."""
    from powertrader_core.errors import ConfigurationError

    if not written:
        return []
    found = []
    for name in manager.stored_exchanges():
        if name in written or not manager.encrypted_path(name).exists():
            continue
        try:
            manager.load_exchange_config(name)
        except ConfigurationError as exc:
            if "passphrase" in exc.message:
                found.append(
                    f"{manager.encrypted_path(name)} was encrypted with another passphrase: "
                    "one passphrase will not open both (re-encrypt it with this one)"
                )
    return found
