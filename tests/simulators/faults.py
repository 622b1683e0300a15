"""Fault knobs any aiohttp simulator can share: what to do instead of (or after) answering.

A :class:`FaultPlan` holds queued faults, each for one path (``"AddOrder"``, matched against
the end of the request path) or for every path (``None``), used ``times`` times (``None``:
until cleared). The simulator asks :meth:`FaultPlan.take` for each request and applies the
fault with :func:`apply_before` (faults that replace the answer) or :func:`apply_after`
(faults that happen after the request was processed: the order exists, but the client never
learns it).

Fault kinds (``Fault.kind``):

=====================  ===================================================================
``hang``               never answer (until the simulator stops): the client times out
``status``             answer HTTP ``status`` (500, 502, 503, ...) with a plain/HTML body
``rate_limit``         HTTP 429 with ``Retry-After: retry_after`` (seconds)
``html``               HTTP 200 with an HTML page instead of JSON
``truncated``          HTTP 200, Content-Length of the whole JSON, half of it sent, closed
``truncated_json``     HTTP 200, a complete response whose JSON text is cut in half
``empty``              HTTP 200 with an empty body
``error``              HTTP 200 with the exchange's own error body (``message``)
``drop``               close the connection before processing: nothing happened
``hold``               hold the request ``delay`` seconds, then process and answer it as
                       usual, whether or not the client still waits (a request stuck in the
                       network or the exchange's queue, landing late)
``accept_then_drop``   process the request (an order is stored), then close without answer
``accept_then_502``    process the request (an order is stored), then answer 502
``accept_then_hang``   process the request (an order is stored), then never answer: the
                       client times out (``HOLD_KINDS``: the simulator holds the answer)
=====================  ===================================================================
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "AFTER_KINDS", "BEFORE_KINDS", "DELAY_KINDS", "HOLD_KINDS", "Fault", "FaultPlan",
    "apply_after", "apply_before",
]

BEFORE_KINDS = frozenset(
    {"hang", "status", "rate_limit", "html", "truncated", "truncated_json", "empty", "error",
     "drop"}
)
AFTER_KINDS = frozenset({"accept_then_drop", "accept_then_502", "accept_then_hang"})
#: Faults that delay processing and then let it happen as usual.
DELAY_KINDS = frozenset({"hold"})
#: After-processing faults that hold the answer until the simulator stops.
HOLD_KINDS = frozenset({"accept_then_hang"})

_HTML = (
    "<!DOCTYPE html><html><head><title>{status} - Service Unavailable</title></head>"
    "<body><h1>We'll be back soon</h1><p>The exchange is under maintenance.</p></body></html>"
)


@dataclass
class Fault:
    kind: str
    path: str | None = None
    times: int | None = 1
    status: int = 503
    retry_after: float | None = 1.0
    message: str = "EGeneral:Internal error"
    delay: float = 0.0  # seconds a ``hold`` keeps the request before processing it

    def matches(self, path: str) -> bool:
        return self.path is None or path.endswith(self.path)


@dataclass
class FaultPlan:
    """Queued faults; the first matching one is used (and counted down)."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in BEFORE_KINDS | AFTER_KINDS | DELAY_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None


def _close(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()


async def apply_before(
    fault: Fault,
    request: web.Request,
    stopping: asyncio.Event,
    error_body: Callable[[str], dict[str, Any]],
    sample_body: dict[str, Any],
) -> web.StreamResponse:
    """The answer for a fault that replaces processing."""
    kind = fault.kind
    if kind == "hang":
        await stopping.wait()
        return web.Response(status=503, text="simulator stopped")
    if kind == "status":
        text = _HTML.format(status=fault.status) if fault.status >= 500 else "Bad Request"
        return web.Response(status=fault.status, text=text, content_type="text/html")
    if kind == "rate_limit":
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        return web.Response(
            status=429, text="Too Many Requests", content_type="text/plain", headers=headers
        )
    if kind == "html":
        return web.Response(status=200, text=_HTML.format(status=200), content_type="text/html")
    if kind == "empty":
        return web.Response(status=200, body=b"", content_type="application/json")
    if kind == "error":
        return web.json_response(error_body(fault.message))
    if kind == "truncated_json":
        text = json.dumps(sample_body)
        half = text[: len(text) // 2]
        return web.Response(status=200, text=half, content_type="application/json")
    if kind == "truncated":
        body = json.dumps(sample_body).encode()
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        _close(request)
        return response
    if kind == "drop":
        _close(request)
        return web.Response(status=500, text="dropped")
    raise ValueError(f"{kind} is not a before-processing fault")


def apply_after(
    fault: Fault, request: web.Request, answer: web.StreamResponse
) -> web.StreamResponse:
    """The answer for a fault that strikes after the request was processed."""
    if fault.kind == "accept_then_drop":
        _close(request)
        return web.Response(status=500, text="dropped")
    if fault.kind == "accept_then_502":
        return web.Response(
            status=502, text=_HTML.format(status=502), content_type="text/html"
        )
    return answer
