"""The form each exchange's API secret must have, checked before anything is signed.

A secret of the wrong form fails only when a request is signed (a Kraken secret that is not
base64 raises inside ccxt's ``sign``); ``powertrader config validate`` says so beforehand.
Which form each exchange wants is the profile row's ``secret_format`` (with its source there).
Problems name the field, never its value.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

__all__ = ["SecretFormat", "secret_problems"]

#: ``text``: any non-empty text (an HMAC key used as is);
#: ``base64``: base64 of the raw HMAC key (Kraken);
#: ``pem_or_ed25519``: a PEM private key, or base64 of an Ed25519 key (Coinbase CDP keys).
SecretFormat = Literal["text", "base64", "pem_or_ed25519"]


def _is_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _pem_loads(text: str) -> bool:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(text.replace("\\n", "\n").encode("utf-8"), password=None)
    except (ValueError, TypeError):
        return False
    return True


def secret_problems(field: str, value: str, form: SecretFormat) -> list[str]:
    """What is wrong with secret ``value`` for an exchange wanting ``form`` (empty: fine)."""
    if form == "base64":
        decoded = _is_base64(value)
        if not decoded:
            return [f"{field} is not base64 (this exchange's secrets are base64 text)"]
    elif form == "pem_or_ed25519":
        if "-----BEGIN" in value:
            if not _pem_loads(value):
                return [f"{field} is a PEM block that does not load as a private key"]
        else:
            decoded = _is_base64(value)
            if decoded is None or len(decoded) not in (32, 64):
                return [f"{field} is neither a PEM private key nor base64 of an Ed25519 key"]
    return []
