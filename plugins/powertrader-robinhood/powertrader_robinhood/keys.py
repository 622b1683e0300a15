"""Ed25519 keys for the Robinhood Crypto Trading API: make a pair, read a stored private key.

Robinhood never sees the private key. The user makes a pair, pastes the base64 of the raw
32-byte public key into Robinhood's web app and receives an API key in return; every request
is then signed with the private key (see :mod:`powertrader_robinhood.signing`).

The private key is stored as the base64 of its 32-byte seed. Some generators (NaCl, libsodium,
Robinhood's own sample) give 64 bytes instead: the seed followed by the public key. Both are
accepted; for 64 bytes the second half must be the public key of the first, since a key that
fails this check would sign every request wrongly and fail far from the cause.

Nothing here ever puts a key's value in a message: errors say what is wrong with it, never
what it is.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from powertrader_core import ConfigurationError

__all__ = [
    "KeyPair",
    "generate_keypair",
    "key_problems",
    "load_private_key",
    "public_key_b64",
]

SEED_BYTES = 32


@dataclass(frozen=True)
class KeyPair:
    """A fresh key pair, both halves base64. ``private_key`` is kept out of the repr."""

    public_key: str
    private_key: str = field(repr=False)


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def generate_keypair() -> KeyPair:
    """A new Ed25519 pair: the public key to paste into Robinhood, the private key to keep."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        encoding=serialization.Encoding.Raw,
        format=serialization.PrivateFormat.Raw,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return KeyPair(
        public_key=base64.b64encode(_raw_public(key)).decode("ascii"),
        private_key=base64.b64encode(seed).decode("ascii"),
    )


def _decode(private_key_b64: str) -> tuple[Ed25519PrivateKey | None, str | None]:
    """The key, or the reason it cannot be one (a text that never contains the value)."""
    if not isinstance(private_key_b64, str) or not private_key_b64.strip():
        return None, "private_key is empty"
    text = "".join(private_key_b64.split())
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None, "private_key is not valid base64"
    if len(raw) not in (SEED_BYTES, 2 * SEED_BYTES):
        return None, (
            f"private_key decodes to {len(raw)} bytes; expected 32 (an Ed25519 seed) "
            "or 64 (seed followed by public key)"
        )
    try:
        key = Ed25519PrivateKey.from_private_bytes(raw[:SEED_BYTES])
    except ValueError:
        return None, "private_key is not an Ed25519 private key"
    if len(raw) == 2 * SEED_BYTES and raw[SEED_BYTES:] != _raw_public(key):
        return None, (
            "private_key has 64 bytes but its last 32 are not the public key of its first 32; "
            "store the base64 of the 32-byte seed instead"
        )
    return key, None


def key_problems(private_key_b64: str) -> list[str]:
    """What keeps ``private_key_b64`` from being a usable key; empty when it is one."""
    _, problem = _decode(private_key_b64)
    return [problem] if problem else []


def load_private_key(private_key_b64: str, *, exchange: str = "robinhood") -> Ed25519PrivateKey:
    """Read a stored private key (base64 of 32 or 64 bytes), or raise ``ConfigurationError``."""
    key, problem = _decode(private_key_b64)
    if key is None:
        raise ConfigurationError(problem or "private_key is unusable", exchange=exchange,
                                 operation="load private key")
    return key


def public_key_b64(private_key_b64: str) -> str:
    """The public key (base64, as Robinhood wants it) of a stored private key."""
    return base64.b64encode(_raw_public(load_private_key(private_key_b64))).decode("ascii")
