"""Pointing a ccxt exchange somewhere else: ``base_url`` replaces every REST URL's origin.

ccxt keeps an exchange's endpoints in ``urls['api']``: a string, or dicts of strings nested to
any depth, some with a ``{hostname}`` placeholder (Bybit, OKX). ``base_url`` (for example
``http://127.0.0.1:9100``) replaces the scheme, host and port of each REST URL and keeps its
path, so a testnet, a proxy or a simulator sees exactly the paths the real exchange would.
Websocket URLs (``ws://``, ``wss://``) are left alone: they are not REST.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["parse_base_url", "rewrite_api_urls"]


def parse_base_url(base_url: str) -> tuple[str, str]:
    """``(scheme, netloc)`` of a base URL, or ValueError naming what is wrong.

    Only an origin is accepted: a path would be ambiguous (prepended or replacing?), so it is
    refused rather than guessed.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base_url must look like http://host:port or https://host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("base_url must be scheme://host[:port] without a path")
    if parts.username or parts.password:
        raise ValueError("base_url must not carry a user name or password")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError("base_url has an invalid port") from None
    return parts.scheme, parts.netloc


def _rewrite(url: str, scheme: str, netloc: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def rewrite_api_urls(api: Any, base_url: str) -> Any:
    """A copy of ccxt's ``urls['api']`` with every REST URL's origin replaced by ``base_url``."""
    scheme, netloc = parse_base_url(base_url)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _rewrite(node, scheme, netloc)
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(api)
