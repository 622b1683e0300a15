"""Who may talk to the dashboard: the bind rule, the ``Host`` check, the token, CSRF.

A dashboard on 127.0.0.1 is still reachable from every web page the user opens: a page can
send requests to ``http://127.0.0.1:8000`` (cross-site posts), and a hostile DNS name can be
re-pointed at 127.0.0.1 after the page loaded so that the browser treats our server as the
attacker's origin (DNS rebinding). The rules, in the order :class:`Guard` applies them:

1. **Host**: the ``Host`` header must name the address we serve (for a loopback bind:
   ``127.0.0.1``, ``localhost`` or ``::1``), or a name given with ``--allow-host``. A
   rebinding attacker's requests carry *their* name, so they are refused (421) before
   anything else runs. On a wildcard bind (``0.0.0.0``, ``::``) any name is accepted: the
   machine's names are not known, and the token (required there) is what keeps others out.
2. **Token** (required when listening beyond loopback, optional otherwise): every request
   carries it, as ``Authorization: Bearer ...``, as the cookie set when the user first opens
   the printed ``/?token=...`` URL (which then redirects to a URL without it), and nowhere
   else. Compared in constant time. Missing or wrong: 401.
3. **CSRF** on every request that is not a read (``POST``): the ``X-CSRF-Token`` header must
   equal the per-server token written into the page (a cross-site page cannot read it, and a
   plain HTML form cannot set a header), and an ``Origin`` or ``Sec-Fetch-Site`` header, where
   the browser sends one, must say the request comes from our own page. Otherwise 403.

Every answer also carries headers that keep the page from being framed or sniffed and keep
its scripts to our own files (a content security policy with no inline script).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = [
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "TOKEN_ENV",
    "Guard",
    "Policy",
    "check_bind",
    "host_name",
    "is_loopback",
    "is_wildcard",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The environment variable that may hold the access token instead of ``--token``.
TOKEN_ENV = "POWERTRADER_SERVE_TOKEN"
TOKEN_COOKIE = "powertrader_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

#: Sent with every answer: no framing, no MIME sniffing, no referrer, our own scripts only.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def host_name(value: str) -> str:
    """The host of a ``Host`` header or a bind address, lower case, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def is_wildcard(host: str) -> bool:
    """True for ``0.0.0.0`` and ``::``: every address of the machine."""
    try:
        return ipaddress.ip_address(host_name(host)).is_unspecified
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse (``ValueError``) to listen beyond loopback without a token, or on a weak one."""
    if token is not None and len(token) < 16:
        raise ValueError("the access token must be at least 16 characters long")
    if not is_loopback(host) and not token:
        raise ValueError(
            f"listening on {host} lets other machines reach the dashboard: give an access "
            f"token with --token or ${TOKEN_ENV} (every request must then carry it), or "
            "listen on 127.0.0.1"
        )


def _allowed_hosts(bind: str) -> frozenset[str] | None:
    """Names a ``Host`` header may carry; None: any (a wildcard bind, where the token guards)."""
    if is_wildcard(bind):
        return None
    name = host_name(bind)
    return _LOOPBACK_NAMES | {name} if is_loopback(name) else frozenset({name})


@dataclass(frozen=True)
class Policy:
    """What :class:`Guard` enforces for one server: its bind address, token and CSRF token."""

    bind: str
    token: str | None = None
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        check_bind(self.bind, self.token)
        object.__setattr__(self, "extra_hosts", frozenset(map(host_name, self.extra_hosts)))

    def __repr__(self) -> str:  # never the tokens
        return f"Policy(bind={self.bind!r}, token={'set' if self.token else 'none'})"

    def host_allowed(self, header: str | None) -> bool:
        if not header:
            return False
        allowed = _allowed_hosts(self.bind)
        name = host_name(header)
        return allowed is None or name in allowed or name in self.extra_hosts

    def token_ok(self, presented: str | None) -> bool:
        if self.token is None:
            return True
        return presented is not None and hmac.compare_digest(
            presented.encode(), self.token.encode()
        )

    def csrf_ok(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(
            presented.encode(), self.csrf_token.encode()
        )


def _headers(scope: Scope) -> dict[str, str]:
    """Request headers, lower-case names; a repeated header keeps its first value."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        found.setdefault(raw_name.decode("latin-1").lower(), raw_value.decode("latin-1"))
    return found


def _cookie(headers: dict[str, str], name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed cookie header is simply no cookie
        return None
    morsel = jar.get(name)
    return None if morsel is None else morsel.value


def _bearer(headers: dict[str, str]) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _same_origin(headers: dict[str, str]) -> bool:
    """False when the browser says the request comes from another site's page."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser, or an old one: the CSRF token still has to match
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == headers.get("host", "")


class Guard:
    """ASGI middleware applying a :class:`Policy` to every HTTP request (see the module)."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        policy = self.policy
        if not policy.host_allowed(headers.get("host")):
            await _refuse(send, 421, "this server answers only to the address it listens on")
            return
        if policy.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if scope["method"] == "GET" and "token" in query:
                await self._login(scope, send, query)
                return
            if not (
                policy.token_ok(_bearer(headers)) or policy.token_ok(_cookie(headers, TOKEN_COOKIE))
            ):
                await _refuse(send, 401, "an access token is required: open the URL printed by "
                              "`powertrader serve`, or send Authorization: Bearer <token>")
                return
        if scope["method"] not in _SAFE_METHODS and not (
            _same_origin(headers) and policy.csrf_ok(headers.get(CSRF_HEADER))
        ):
            await _refuse(send, 403, "cross-site request refused (CSRF token missing or wrong)")
            return
        await self.app(scope, receive, _with_headers(send, SECURITY_HEADERS))

    async def _login(self, scope: Scope, send: Send, query: dict[str, str]) -> None:
        """``/?token=...``: check it, keep it in a cookie, and send the browser to a URL
        without it (so it stays out of the history, the address bar and any referrer)."""
        token = query.pop("token")
        if not self.policy.token_ok(token):
            await _refuse(send, 401, "wrong access token")
            return
        # Our own path only: "//host" or "/\\host" would send the browser to another site.
        path = "/" + str(scope.get("path", "/")).lstrip("/\\")
        location = path + (f"?{urlencode(query)}" if query else "")
        cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        await send({
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1")),
                (b"set-cookie", cookie.encode("latin-1")),
                (b"cache-control", b"no-store"),
                *SECURITY_HEADERS,
            ],
        })
        await send({"type": "http.response.body", "body": b""})


def _with_headers(send: Send, extra: Iterable[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", ())}
            message["headers"] = [
                *message.get("headers", ()),
                *(item for item in extra if item[0] not in present),
            ]
        await send(message)

    return sending


async def _refuse(send: Send, status: int, reason: str) -> None:
    body = json.dumps({"error": reason}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *SECURITY_HEADERS,
        ],
    })
    await send({"type": "http.response.body", "body": body})
