"""Encrypted credential files: scrypt-derived key, AES-256-GCM, a small versioned JSON envelope.

The envelope keeps everything needed to decrypt it except the passphrase::

    {
      "format": "powertrader-credentials",
      "version": 1,
      "exchange": "kraken",
      "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<base64, 16 bytes>"},
      "cipher": {"name": "AES-256-GCM", "nonce": "<base64, 12 bytes>"},
      "ciphertext": "<base64: the JSON config, encrypted, with GCM's 16-byte tag>"
    }

Why these choices:

- scrypt makes each passphrase guess cost memory and time. N = 2**15, r = 8 (32 MiB, about a
  tenth of a second here) is the interactive setting: it is paid once per exchange at start-up.
  The parameters travel in the file, so a later version can raise them without breaking old
  files. Since the parameters come from the file, a tampered header chooses what a decryption
  costs (n·r = 2**25 is 4 GiB and over a minute per attempt): ``n·r·p`` is bounded by
  :data:`MAX_SCRYPT_WORK`, 4 times what the project writes (at most 128 MiB of memory, about
  1.6 s here, measured), and anything more is refused before deriving.
- AES-GCM authenticates as it decrypts: a wrong passphrase or one flipped bit gives an
  authentication failure, never garbage credentials. The header (format, version, exchange,
  kdf and cipher parameters) is the associated data, so editing the parameters, or renaming
  another exchange's file into place, fails the same way.
- A fresh random salt and nonce on every save: the same config saved twice never produces the
  same file, and a nonce is never reused under one key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from typing import Any

from powertrader_core.errors import ConfigurationError

__all__ = [
    "FORMAT",
    "MAX_SCRYPT_N",
    "MAX_SCRYPT_WORK",
    "SCRYPT_N",
    "VERSION",
    "decrypt_config",
    "encrypt_config",
]

FORMAT = "powertrader-credentials"
VERSION = 1
#: scrypt cost for new files (tests lower it to stay fast; old files keep their own).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MAX_SCRYPT_N = 2**20
#: Bound on n·r·p: scrypt's memory is 128·n·r bytes and its time grows with n·r·p. 2**20 is
#: 4x the files we write (2**15 · 8 · 1): 128 MiB (under the promised 256 MiB) and about
#: 1.6 s on the 2-core test machine (2**18 measured 0.44 s there, 2**21 3.3 s).
MAX_SCRYPT_WORK = 2**20
_SALT_BYTES = 16
_NONCE_BYTES = 12
_KEY_BYTES = 32
_CIPHER = "AES-256-GCM"


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=_KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _associated_data(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def encrypt_config(exchange: str, config: Mapping[str, Any], passphrase: str) -> bytes:
    """The encrypted file's bytes for ``config`` (a JSON-serialisable mapping)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not passphrase:
        raise ConfigurationError(
            "an empty passphrase cannot protect credentials", exchange=exchange, operation="encrypt"
        )
    salt = os.urandom(_SALT_BYTES)
    nonce = os.urandom(_NONCE_BYTES)
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exchange": exchange,
        "kdf": {
            "name": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
        },
        "cipher": {"name": _CIPHER, "nonce": base64.b64encode(nonce).decode("ascii")},
    }
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    plaintext = json.dumps(dict(config), sort_keys=True).encode("utf-8")
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated_data(header))
    envelope = {**header, "ciphertext": base64.b64encode(ciphertext).decode("ascii")}
    return (json.dumps(envelope, indent=2) + "\n").encode("utf-8")


def _fail(where: str, exchange: str, reason: str) -> ConfigurationError:
    return ConfigurationError(f"{where}: {reason}", exchange=exchange, operation="decrypt")


def _b64(value: Any, field: str, where: str, exchange: str) -> bytes:
    if not isinstance(value, str):
        raise _fail(where, exchange, f"the file is damaged ({field} missing)")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(where, exchange, f"the file is damaged ({field} is not base64)") from None


def decrypt_config(data: bytes, passphrase: str, *, exchange: str, where: str) -> dict[str, Any]:
    """The config inside an encrypted file, or ``ConfigurationError`` saying what went wrong.

    ``where`` (the file's path) is used in messages only.
    """
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(where, exchange, "not an encrypted credentials file (not JSON)") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise _fail(where, exchange, "not an encrypted credentials file")
    if envelope.get("version") != VERSION:
        raise _fail(
            where,
            exchange,
            f"written in format version {envelope.get('version')!r}; this version of "
            f"powertrader reads version {VERSION}",
        )
    kdf, cipher = envelope.get("kdf"), envelope.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise _fail(where, exchange, "the file is damaged (kdf or cipher missing)")
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if (
        kdf.get("name") != "scrypt"
        or cipher.get("name") != _CIPHER
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in (n, r, p))
    ):
        raise _fail(where, exchange, "the file is damaged or uses an unknown cipher")
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise _fail(where, exchange, "the file is damaged (key derivation parameters refused)")
    if n * r * p > MAX_SCRYPT_WORK:
        raise _fail(
            where,
            exchange,
            f"key derivation cost n*r*p = {n * r * p} is above the {MAX_SCRYPT_WORK} this "
            "version writes or accepts (the file was tampered with, or is not ours)",
        )
    salt = _b64(kdf.get("salt"), "salt", where, exchange)
    nonce = _b64(cipher.get("nonce"), "nonce", where, exchange)
    ciphertext = _b64(envelope.get("ciphertext"), "ciphertext", where, exchange)
    if len(nonce) != _NONCE_BYTES:
        raise _fail(where, exchange, "the file is damaged (bad nonce)")
    if not passphrase:
        raise _fail(where, exchange, "a passphrase is needed (set POWERTRADER_PASSPHRASE)")

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = {key: value for key, value in envelope.items() if key != "ciphertext"}
    key = _derive(passphrase, salt, n, r, p)
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(header))
    except InvalidTag:
        raise _fail(
            where,
            exchange,
            "cannot decrypt: wrong passphrase, or the file was modified or damaged",
        ) from None
    try:
        config = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(where, exchange, "decrypted content is not a configuration") from None
    if not isinstance(config, dict):
        raise _fail(where, exchange, "decrypted content is not a configuration")
    if envelope.get("exchange") not in (None, exchange):
        raise _fail(
            where, exchange, f"the file holds credentials for {envelope.get('exchange')!r}"
        )
    return config
