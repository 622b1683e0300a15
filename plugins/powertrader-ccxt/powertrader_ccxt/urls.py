"""Pointing a ccxt exchange somewhere else: ``base_url`` and ``ws_url`` replace URL origins.

ccxt keeps an exchange's endpoints in ``urls['api']``: a string, or dicts of strings nested to
any depth, some with a ``{hostname}`` placeholder (Bybit, OKX). ``base_url`` (for example
``http://127.0.0.1:9100``) replaces the scheme, host and port of each REST URL and keeps its
path, so a testnet, a proxy or a simulator sees exactly the paths the real exchange would.
``ws_url`` (``ws[s]://host[:port]``, used by ``streaming.py`` for ccxt.pro) does the same for
the websocket URLs. Each option touches only its own kind of URL, so the two can be set side by
side: one rule, :func:`rewrite_origins`, serves both, told which kind by a :class:`UrlKind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "REST",
    "WEBSOCKET",
    "UrlKind",
    "parse_base_url",
    "parse_origin",
    "parse_ws_url",
    "rewrite_api_urls",
    "rewrite_origins",
    "rewrite_ws_urls",
]


@dataclass(frozen=True)
class UrlKind:
    """Which URLs an origin option replaces: the option's name (for messages) and the plain
    and secure schemes its own value, and the URLs it rewrites, use."""

    option: str
    plain: str
    secure: str

    @property
    def schemes(self) -> tuple[str, str]:
        return self.plain, self.secure


REST = UrlKind("base_url", "http", "https")
WEBSOCKET = UrlKind("ws_url", "ws", "wss")


def parse_origin(url: str, kind: UrlKind) -> tuple[str, str]:
    """``(scheme, netloc)`` of an origin of ``kind``, or ValueError naming what is wrong.

    Only an origin is accepted: a path would be ambiguous (prepended or replacing?), so it is
    refused rather than guessed.
    """
    option = kind.option
    parts = urlsplit(url.strip())
    if parts.scheme not in kind.schemes or not parts.hostname:
        raise ValueError(
            f"{option} must look like {kind.plain}://host:port or {kind.secure}://host"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{option} must be scheme://host[:port] without a path")
    if parts.username or parts.password:
        raise ValueError(f"{option} must not carry a user name or password")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"{option} has an invalid port") from None
    return parts.scheme, parts.netloc


def rewrite_origins(api: Any, url: str, kind: UrlKind) -> Any:
    """A copy of ccxt's ``urls['api']`` with the origin of every URL of ``kind`` replaced by
    ``url``'s; paths, queries and URLs of other kinds are kept."""
    scheme, netloc = parse_origin(url, kind)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            parts = urlsplit(node)
            if parts.scheme not in kind.schemes:
                return node
            return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(api)


def parse_base_url(base_url: str) -> tuple[str, str]:
    """``(scheme, netloc)`` of a REST ``base_url``, or ValueError naming what is wrong."""
    return parse_origin(base_url, REST)


def rewrite_api_urls(api: Any, base_url: str) -> Any:
    """A copy of ccxt's ``urls['api']`` with every REST URL's origin replaced by ``base_url``."""
    return rewrite_origins(api, base_url, REST)


def parse_ws_url(ws_url: str) -> tuple[str, str]:
    """``(scheme, netloc)`` of a websocket ``ws_url``, or ValueError naming what is wrong."""
    return parse_origin(ws_url, WEBSOCKET)


def rewrite_ws_urls(api: Any, ws_url: str) -> Any:
    """A copy of ccxt's ``urls['api']`` with every websocket URL's origin replaced."""
    return rewrite_origins(api, ws_url, WEBSOCKET)
