"""Request signing for the Robinhood Crypto Trading API.

Every request carries ``x-api-key``, ``x-timestamp`` (Unix seconds, valid for 30 seconds) and
``x-signature``: the base64 Ed25519 signature over the UTF-8 text
``api_key + timestamp + path + METHOD + body``, where ``path`` includes the query string exactly
as sent and ``body`` is the exact text sent (nothing when there is none).

"Exactly as sent" is the whole difficulty: a signature over a re-serialised body or a
re-encoded query fails. So the HTTP layer builds the request first and hands this module the
path and body bytes it is about to put on the wire (see ``_http.py``).

The signer holds the private key; its repr names nothing but its type, and the headers it
returns are dropped from cassettes and never logged.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from powertrader_robinhood.keys import load_private_key

__all__ = ["RobinhoodSigner"]


class RobinhoodSigner:
    """Signs Robinhood requests with one API key and its Ed25519 private key."""

    __slots__ = ("_api_key", "_key")

    def __init__(self, api_key: str, private_key: str | Ed25519PrivateKey) -> None:
        self._api_key = api_key
        self._key = (
            private_key
            if isinstance(private_key, Ed25519PrivateKey)
            else load_private_key(private_key)
        )

    def __repr__(self) -> str:
        return "<RobinhoodSigner>"

    def message(
        self, timestamp: int | str, path: str, method: str, body: str | bytes = ""
    ) -> bytes:
        """The bytes that are signed: ``api_key + timestamp + path + METHOD + body``."""
        text_body = body.decode("utf-8") if isinstance(body, bytes) else body
        return f"{self._api_key}{timestamp}{path}{method.upper()}{text_body}".encode()

    def sign(self, timestamp: int | str, path: str, method: str, body: str | bytes = "") -> str:
        """The base64 signature for one request."""
        return base64.b64encode(self._key.sign(self.message(timestamp, path, method, body))).decode(
            "ascii"
        )

    def headers(
        self, timestamp: int, path: str, method: str, body: str | bytes = ""
    ) -> dict[str, str]:
        """The three authentication headers for one request."""
        return {
            "x-api-key": self._api_key,
            "x-timestamp": str(timestamp),
            "x-signature": self.sign(timestamp, path, method, body),
        }
