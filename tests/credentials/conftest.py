"""Fixtures for the credential tests: tiny exchanges registered for the test, fast scrypt."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

from powertrader_core import (
    AbstractExchange,
    MarketData,
    OrderRequest,
)
from powertrader_core.credentials import encrypted as _crypto_files
from powertrader_core.credentials.manager import ExchangeConfigManager
from tests.cassette_support import TEST_SECRETS
from tests.fakes import registered

#: A valid Ed25519 seed (32 bytes of 0x11), base64: what a Robinhood-style exchange needs.
TEST_PRIVATE_KEY = base64.b64encode(bytes([0x11] * 32)).decode()
#: The passphrase tests encrypt with.
TEST_PASSPHRASE = "pt-test-file-passphrase-5c0ffee"
#: The scrypt cost new files get outside the tests (read before any test lowers it).
SHIPPED_SCRYPT_N = _crypto_files.SCRYPT_N
ALL_SECRETS = [*TEST_SECRETS.values(), TEST_PRIVATE_KEY, TEST_PASSPHRASE]


class KeySecretExchange(AbstractExchange):
    """Needs a key and a secret; an API passphrase is optional (like KuCoin or OKX)."""

    name = "testex"
    regions: ClassVar[tuple[str, ...]] = ("us", "eu", "global")
    required_credentials: ClassVar[tuple[str, ...]] = ("api_key", "api_secret")
    optional_credentials: ClassVar[tuple[str, ...]] = ("passphrase",)
    closed = 0

    async def initialize(self) -> bool:
        return True

    async def get_market_data(self, symbol: str) -> MarketData:
        return MarketData(
            symbol=symbol, price=Decimal(100), bid=Decimal(99), ask=Decimal(101),
            volume=Decimal(1), exchange=self.name,
        )

    async def place_order(self, order_request: OrderRequest) -> Any:
        raise self._unsupported("place_order")

    async def get_balance(self, asset: str | None = None) -> dict[str, Decimal]:
        return {}

    async def close(self) -> None:
        KeySecretExchange.closed += 1  # counted on the base, whatever the subclass
        await super().close()


class PrivateKeyExchange(KeySecretExchange):
    """Robinhood-style: an API key and a base64 Ed25519 private key that must decode."""

    name = "keyex"
    regions: ClassVar[tuple[str, ...]] = ("us",)
    required_credentials: ClassVar[tuple[str, ...]] = ("api_key", "private_key")
    optional_credentials: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[str]:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        problems = super().check_config(config)
        value = config.get("private_key")
        if value:
            try:
                Ed25519PrivateKey.from_private_bytes(base64.b64decode(value, validate=True))
            except (binascii.Error, ValueError):
                problems.append("private_key does not decode to an Ed25519 key")
        return problems


class BareExchange(KeySecretExchange):
    """Declares no credentials at all, like the seed's custom example."""

    name = "bareex"
    required_credentials: ClassVar[tuple[str, ...]] = ()
    optional_credentials: ClassVar[tuple[str, ...]] = ()


TEST_EXCHANGES: dict[str, type[AbstractExchange]] = {
    "testex": KeySecretExchange,
    "keyex": PrivateKeyExchange,
    "bareex": BareExchange,
}


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    with registered(**TEST_EXCHANGES):
        yield


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """New files use a cheap scrypt cost (the cost is stored in each file, so reads follow)."""
    monkeypatch.setattr("powertrader_core.credentials.encrypted.SCRYPT_N", 2**10)


@pytest.fixture
def env() -> dict[str, str]:
    """The environment a manager sees (tests fill it in instead of touching os.environ)."""
    return {}


@pytest.fixture
def creds_dir(tmp_path: Path) -> Path:
    return tmp_path / "credentials"


@pytest.fixture
def manager(creds_dir: Path, env: dict[str, str], tmp_path: Path) -> ExchangeConfigManager:
    return ExchangeConfigManager(creds_dir, environ=env, env_file=tmp_path / ".env")


def key_secret(**extra: Any) -> dict[str, Any]:
    return {"api_key": TEST_SECRETS["api_key"], "api_secret": TEST_SECRETS["api_secret"], **extra}
