"""``ExchangeConfigManager``: exchange credentials from the environment, encrypted or plain files.

Loading order, decided per exchange, first found wins (the seed's order)::

    1. environment variables   KRAKEN_API_KEY, KRAKEN_API_SECRET, ... (CI, servers)
       (a ``.env`` file fills in variables the process does not set)
    2. encrypted file          <config_dir>/kraken_config.enc        (desktop use)
    3. plain JSON file         <config_dir>/kraken_config.json       (development)

The credential fields (those the exchange's class declares) are taken together from the first
source that has any of them: a key from one place and a secret from another would be a
mismatched pair that fails far from its cause. Other keys (``sandbox``, plugin options) are
merged from every source, the higher one winning per key; an endpoint (``base_url``,
``ws_url``, a proxy) from another source than the credentials is refused
(:mod:`~powertrader_core.credentials.origin`): a key goes only to a host set beside it. When the
environment supplies the credentials and no passphrase is at hand, an encrypted file is skipped
rather than demanded.

Files are written atomically with mode 0600 in a 0700 folder; saving encrypted removes the
plain copy (and saving plain removes the encrypted one), so what was saved is what loads.
Nothing here logs, prints or raises a secret: the config returned is an
:class:`~powertrader_core.credentials.secret.ExchangeConfig` whose repr masks secret fields.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, overload

from powertrader_core.credentials.checks import check_with, plain_values
from powertrader_core.credentials.origin import check_endpoint_sources
from powertrader_core.credentials.secret import (
    ExchangeConfig,
    Secret,
    is_secret_field,
    mask,
    reveal,
)
from powertrader_core.credentials.sources import (
    Found,
    check_private_mode,
    env_names,
    from_environment,
    open_if_exists,
    parse_plain,
    read_dotenv,
)
from powertrader_core.errors import ConfigurationError
from powertrader_core.exchange import AbstractExchange
from powertrader_core.kit.names import exchange_key

__all__ = [
    "CREDENTIALS_DIR_ENV",
    "PASSPHRASE_ENV",
    "ExchangeConfig",
    "ExchangeConfigManager",
    "Secret",
    "check_with",
    "mask",
]

log = logging.getLogger(__name__)

#: Environment variable holding the passphrase of encrypted credential files.
PASSPHRASE_ENV = "POWERTRADER_PASSPHRASE"
#: Environment variable naming the credentials folder when none is passed.
CREDENTIALS_DIR_ENV = "POWERTRADER_CREDENTIALS_DIR"

_PLAIN_SUFFIX = "_config.json"
_ENCRYPTED_SUFFIX = "_config.enc"
#: Non-credential keys also read from the environment (``KRAKEN_BASE_URL``).
_ENV_EXTRAS = ("base_url", "sandbox")
#: Credential fields assumed for a class that declares none (the seed's custom exchange).
_GENERIC_CREDENTIALS = ("api_key", "api_secret", "passphrase")

PassphraseSource = str | Secret | Callable[[], str | Secret | None] | None


class ExchangeConfigManager:
    """Manages exchange configurations and credentials (the seed's interface, and more).

    ``config_dir``: the folder of credential files; default ``$POWERTRADER_CREDENTIALS_DIR``,
    else ``credentials`` relative to the working directory, as in the seed.
    ``passphrase``: for encrypted files; a string, a :class:`Secret`, or a callable asked on
    first need (the command line prompts that way). Default: ``$POWERTRADER_PASSPHRASE``.
    ``environ``: replaces ``os.environ`` (tests). ``env_file``: the ``.env`` file to read
    (default ``.env`` in the working directory; ``None`` for none).
    """

    def __init__(
        self,
        config_dir: str | os.PathLike[str] | None = None,
        *,
        passphrase: PassphraseSource = None,
        environ: Mapping[str, str] | None = None,
        env_file: str | os.PathLike[str] | None = ".env",
    ) -> None:
        if config_dir is None:
            config_dir = os.environ.get(CREDENTIALS_DIR_ENV) or "credentials"
        self.config_dir = Path(config_dir).expanduser()
        self.env_file = Path(env_file).expanduser() if env_file is not None else None
        self._environ = environ
        self._passphrase_source = passphrase
        self._passphrase: Secret | None = None
        #: Per exchange, credential fields a lower source has but the winning one lacks
        #: (field -> where it is): keys never mix across sources, so those are not used.
        self._unused: dict[str, dict[str, str]] = {}

    def __repr__(self) -> str:
        return f"<ExchangeConfigManager config_dir={str(self.config_dir)!r}>"

    # ---- paths and names ------------------------------------------------------------------

    @staticmethod
    def _stem(exchange_name: str) -> str:
        name = exchange_key(exchange_name)
        if not name:
            raise ConfigurationError("an exchange name is required", operation="credentials")
        return re.sub(r"[^a-z0-9_.-]+", "_", name).strip(".") or "_"

    def plain_path(self, exchange_name: str) -> Path:
        """``<config_dir>/<exchange>_config.json``."""
        return self.config_dir / f"{self._stem(exchange_name)}{_PLAIN_SUFFIX}"

    def encrypted_path(self, exchange_name: str) -> Path:
        """``<config_dir>/<exchange>_config.enc``."""
        return self.config_dir / f"{self._stem(exchange_name)}{_ENCRYPTED_SUFFIX}"

    @staticmethod
    def exchange_class(
        exchange_name: str, operation: str = "credentials"
    ) -> type[AbstractExchange]:
        """The exchange's class, or ``ConfigurationError`` listing the known exchanges."""
        from powertrader_core.factory import ExchangeFactory

        try:
            return ExchangeFactory.get_exchange_class(exchange_name)
        except ConfigurationError as exc:
            raise ConfigurationError(exc.message, operation=operation) from None

    @staticmethod
    def credential_fields(cls: type[AbstractExchange]) -> tuple[str, ...]:
        """The fields treated as credentials for ``cls`` (declared, else the generic three)."""
        declared = tuple(dict.fromkeys([*cls.required_credentials, *cls.optional_credentials]))
        return declared or _GENERIC_CREDENTIALS

    def env_variables(self, exchange_name: str) -> dict[str, tuple[str, ...]]:
        """Field -> the environment variables read for it (documented name first)."""
        cls = self.exchange_class(exchange_name)
        fields = [*self.credential_fields(cls), *_ENV_EXTRAS]
        return {name: env_names(exchange_name, name) for name in dict.fromkeys(fields)}

    # ---- environment and passphrase ---------------------------------------------------------

    def _environment(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _dotenv(self) -> dict[str, str]:
        return read_dotenv(self.env_file) if self.env_file is not None else {}

    def _get_passphrase(
        self, dotenv: Mapping[str, str] | None = None, *, ask: bool = True
    ) -> Secret | None:
        """The passphrase, or None. ``ask=False``: do not call a prompting callable."""
        if self._passphrase is not None:
            return self._passphrase
        source = self._passphrase_source
        if callable(source) and not ask:
            return None
        if source is None:
            # Read every time: the environment may change between calls (tests, long runs).
            environ = self._environment()
            found = environ.get(PASSPHRASE_ENV) or (dotenv or self._dotenv()).get(PASSPHRASE_ENV)
            return Secret(found) if found else None
        value = source() if callable(source) else source
        if value is None or not reveal(value):
            return None
        self._passphrase = Secret(value)  # asked once: a prompt must not repeat per exchange
        return self._passphrase

    # ---- loading ----------------------------------------------------------------------------

    def _read_encrypted(self, exchange_name: str, passphrase: Secret | None) -> Found | None:
        from powertrader_core.credentials.encrypted import decrypt_config

        path = self.encrypted_path(exchange_name)
        handle = open_if_exists(path, what="credentials file")
        if handle is None:
            return None
        with handle:
            check_private_mode(path, handle)
            data = handle.read()
        if passphrase is None:
            raise ConfigurationError(
                f"{path} is encrypted: set {PASSPHRASE_ENV} (or enter the passphrase when asked)",
                exchange=exchange_name,
                operation="load_exchange_config",
            )
        values = decrypt_config(data, reveal(passphrase), exchange=exchange_name, where=str(path))
        return Found("encrypted", values, {key: f"encrypted file {path}" for key in values})

    def _read_plain(self, exchange_name: str) -> Found | None:
        path = self.plain_path(exchange_name)
        handle = open_if_exists(path, what="credentials file")
        if handle is None:
            return None
        with handle:
            check_private_mode(path, handle)
            data = handle.read()
        values = parse_plain(data, path, exchange_name)
        return Found("file", values, {key: f"file {path}" for key in values})

    def _resolve(self, exchange_name: str, operation: str) -> tuple[ExchangeConfig, dict[str, str]]:
        name = exchange_key(exchange_name)
        cls = self.exchange_class(name, operation)
        credential_fields = self.credential_fields(cls)
        dotenv = self._dotenv()
        env = from_environment(
            name,
            dict.fromkeys([*credential_fields, *_ENV_EXTRAS]),
            self._environment(),
            dotenv,
            self.env_file,
        )
        env_has_credentials = any(key in env.values for key in credential_fields)
        sources: list[Found] = [env]
        if self.encrypted_path(name).exists():
            # With credentials in the environment, the file only adds its other keys: worth
            # decrypting with a passphrase at hand, not worth a prompt.
            passphrase = self._get_passphrase(dotenv, ask=not env_has_credentials)
            if env_has_credentials and passphrase is None:
                log.info(
                    "%s: credentials come from the environment; the encrypted file is not "
                    "read (no passphrase)",
                    name,
                )
            else:
                encrypted = self._read_encrypted(name, passphrase)
                if encrypted is not None:
                    sources.append(encrypted)
        plain = self._read_plain(name)
        if plain is not None:
            sources.append(plain)

        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        winner = next(
            (s for s in sources if any(key in s.values for key in credential_fields)), None
        )
        # Lowest priority first, so higher sources overwrite the other keys they share.
        for source in reversed(sources):
            for key, value in source.values.items():
                if key in credential_fields and source is not winner:
                    continue
                values[key] = value
                labels[key] = source.labels[key]
        self._unused[name] = {
            key: source.labels[key]
            for source in sources
            if winner is not None and source is not winner
            for key in credential_fields
            if key in source.values and key not in winner.values
        }
        check_endpoint_sources(name, labels, credential_fields)
        log.debug(
            "%s: configuration from %s",
            name,
            ", ".join(f"{key} <- {label}" for key, label in sorted(labels.items())) or "nowhere",
        )
        secret_fields = [key for key in values if is_secret_field(key, credential_fields)]
        return ExchangeConfig(values, secret_fields=secret_fields), labels

    @overload
    def load_exchange_config(
        self, exchange_name: str, *, with_sources: Literal[False] = False
    ) -> ExchangeConfig: ...

    @overload
    def load_exchange_config(
        self, exchange_name: str, *, with_sources: Literal[True]
    ) -> tuple[ExchangeConfig, dict[str, str]]: ...

    def load_exchange_config(
        self, exchange_name: str, *, with_sources: bool = False
    ) -> ExchangeConfig | tuple[ExchangeConfig, dict[str, str]]:
        """The exchange's configuration (empty when none is stored anywhere).

        With ``with_sources=True``: ``(config, sources)`` where ``sources`` maps each key to
        where it came from (``$KRAKEN_API_KEY``, ``encrypted file ...``, ``file ...``).
        Raises ``ConfigurationError`` for an unknown exchange (listing the known ones), a
        corrupt file (naming file and line), a wrong passphrase or a tampered file.
        """
        config, labels = self._resolve(exchange_name, "load_exchange_config")
        return (config, labels) if with_sources else config

    def describe_sources(self, exchange_name: str) -> dict[str, str]:
        """Key -> where its value comes from; never the values themselves."""
        return self._resolve(exchange_name, "describe_sources")[1]

    # ---- validation -------------------------------------------------------------------------

    def config_problems(self, exchange_name: str) -> list[str]:
        """What keeps the exchange's configuration from serving private calls (empty: fine).

        A configuration that cannot be loaded (wrong passphrase, corrupt file) is one problem.
        An unknown exchange raises ``ConfigurationError`` listing the known ones.
        """
        cls = self.exchange_class(exchange_name, "validate_config")
        try:
            config, labels = self.load_exchange_config(exchange_name, with_sources=True)
        except ConfigurationError as exc:
            return [exc.message]
        problems = check_with(cls, config)
        unused = self._unused.get(exchange_key(exchange_name), {})
        if problems and unused:
            used = sorted({labels[k] for k in labels if k in self.credential_fields(cls)})
            problems.append(
                f"{', '.join(sorted(unused))} from {', '.join(sorted(set(unused.values())))} "
                f"not used: the keys come from {', '.join(used)} only, and keys never mix "
                "across sources (give the rest there too, or remove those keys there)"
            )
        return problems

    def validate_config(self, exchange_name: str) -> bool:
        """True when the exchange has every credential its plugin declares, all well formed."""
        problems = self.config_problems(exchange_name)
        for problem in problems:
            log.info("%s: %s", exchange_name, problem)
        return not problems

    def stored_exchanges(self) -> list[str]:
        """Names with a credentials file in ``config_dir`` (known to a plugin or not)."""
        try:
            entries = list(self.config_dir.iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read credentials folder {self.config_dir}: "
                f"{exc.strerror or type(exc).__name__}",
                operation="get_configured_exchanges",
            ) from None
        names = set()
        for entry in entries:
            for suffix in (_PLAIN_SUFFIX, _ENCRYPTED_SUFFIX):
                if entry.name.endswith(suffix) and not entry.name.startswith("."):
                    names.add(entry.name[: -len(suffix)])
        return sorted(names)

    def get_configured_exchanges(self) -> list[str]:
        """Exchanges with a configuration somewhere (environment or file) that validates.

        One exchange's failure (a wrong passphrase, a corrupt file) is logged and leaves it out;
        it never hides the others.
        """
        from powertrader_core.factory import ExchangeFactory

        known = ExchangeFactory.get_available_exchanges()
        stored = set(self.stored_exchanges())
        environ, dotenv = self._environment(), self._dotenv()
        configured: list[str] = []
        for name in known:
            cls = ExchangeFactory.get_exchange_class(name)
            variables = [v for f in self.credential_fields(cls) for v in env_names(name, f)]
            in_env = any(environ.get(v) or dotenv.get(v) for v in variables)
            if name not in stored and not in_env:
                continue
            problems = self.config_problems(name)
            if problems:
                log.warning("%s is not usable: %s", name, "; ".join(problems))
                continue
            configured.append(name)
        for name in sorted(stored - set(known)):
            log.info("%s: credentials stored but no installed plugin provides it", name)
        return configured

    # ---- saving -----------------------------------------------------------------------------

    def save_exchange_config(
        self,
        exchange_name: str,
        config: Mapping[str, Any],
        *,
        encrypt: bool | None = None,
    ) -> Path:
        """Store the exchange's whole configuration; returns the file written.

        ``encrypt``: True encrypts (a passphrase is required), False writes plain JSON, None
        (default) encrypts when a passphrase is available or the exchange's file is already
        encrypted. The other form of the file is removed, so the saved one is what loads.
        """
        name = exchange_key(exchange_name)
        self.exchange_class(name, "save_exchange_config")
        if not isinstance(config, Mapping):
            raise ConfigurationError(
                f"config must be a mapping, not {type(config).__name__}",
                exchange=name,
                operation="save_exchange_config",
            )
        values = plain_values(name, config)
        encrypted_path, plain_path = self.encrypted_path(name), self.plain_path(name)
        already_encrypted = encrypted_path.exists()
        if encrypt is None:
            # Auto: encrypt when a passphrase is at hand, without prompting for one just to
            # find out; an encrypted file stays encrypted.
            passphrase = self._get_passphrase(ask=already_encrypted)
            encrypt = passphrase is not None or already_encrypted
        else:
            passphrase = self._get_passphrase() if encrypt else None
        if encrypt:
            if passphrase is None:
                raise ConfigurationError(
                    f"encrypting needs a passphrase: set {PASSPHRASE_ENV}"
                    + (f" ({encrypted_path} is encrypted)" if already_encrypted else ""),
                    exchange=name,
                    operation="save_exchange_config",
                )
            from powertrader_core.credentials.encrypted import encrypt_config

            payload = encrypt_config(name, values, reveal(passphrase))
            target, stale = encrypted_path, plain_path
        else:
            payload = (json.dumps(values, indent=2, sort_keys=True) + "\n").encode("utf-8")
            target, stale = plain_path, encrypted_path
        self._write(target, payload, name)
        self._remove(stale, name)
        log.info(
            "%s: configuration saved to %s (%s; keys: %s)",
            name,
            target,
            "encrypted" if encrypt else "plain JSON",
            ", ".join(sorted(values)),
        )
        return target

    def stored_config(self, exchange_name: str) -> ExchangeConfig:
        """What the exchange's own file holds (encrypted, else plain), environment ignored.

        The command line's ``config set`` starts from it, so that changing one field keeps
        the others.
        """
        name = exchange_key(exchange_name)
        cls = self.exchange_class(name, "load_exchange_config")
        found: Found | None = None
        if self.encrypted_path(name).exists():
            found = self._read_encrypted(name, self._get_passphrase())
        if found is None:
            found = self._read_plain(name)
        values = found.values if found is not None else {}
        fields = self.credential_fields(cls)
        return ExchangeConfig(
            values, secret_fields=[key for key in values if is_secret_field(key, fields)]
        )

    def encrypt_exchange_config(self, exchange_name: str) -> Path:
        """Turn the exchange's plain JSON file into an encrypted one (the plain file is removed)."""
        name = exchange_key(exchange_name)
        plain = self._read_plain(name)
        if plain is None:
            encrypted = self.encrypted_path(name)
            if encrypted.exists():
                return encrypted
            raise ConfigurationError(
                f"nothing to encrypt: {self.plain_path(name)} does not exist",
                exchange=name,
                operation="encrypt",
            )
        return self.save_exchange_config(name, plain.values, encrypt=True)

    def delete_exchange_config(self, exchange_name: str) -> list[Path]:
        """Remove the exchange's stored files (plain and encrypted); returns those removed.

        Environment variables are not touched; if they still configure the exchange, that is
        logged.
        """
        name = exchange_key(exchange_name)
        removed = [
            path
            for path in (self.plain_path(name), self.encrypted_path(name))
            if self._remove(path, name)
        ]
        environ = self._environment()
        if any(
            environ.get(variable)
            for variable in env_names(name, "api_key") + env_names(name, "private_key")
        ):
            log.info("%s: files removed, but environment variables still configure it", name)
        return removed

    # ---- files ------------------------------------------------------------------------------

    def _write(self, path: Path, payload: bytes, exchange: str) -> None:
        from powertrader_core.kit.files import atomic_write_bytes

        try:
            atomic_write_bytes(path, payload, mode=0o600, dir_mode=0o700)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot write {path}: {exc.strerror or type(exc).__name__}",
                exchange=exchange,
                operation="save_exchange_config",
            ) from None

    def _remove(self, path: Path, exchange: str) -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConfigurationError(
                f"cannot remove {path}: {exc.strerror or type(exc).__name__}",
                exchange=exchange,
                operation="save_exchange_config",
            ) from None
        return True

