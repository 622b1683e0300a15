"""The Starlette app: the page, its static files, the event stream and the paper order form.

Routes:

- ``GET /``: the page (``static/index.html`` with this server's CSRF token filled in);
- ``GET /static/...``: its CSS and JavaScript (package data; nothing comes from elsewhere, so
  the page works with no network);
- ``GET /api/events``: Server-Sent Events, the snapshot then live updates (:mod:`.board`);
- ``GET /api/state``: the same snapshot as one JSON document, plus each tab's queue;
- ``POST /api/paper-orders``: a paper order (JSON body), validated, journaled, paper only.

Every request passes :class:`~powertrader_core.web.security.Guard` first.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from powertrader_core.present import to_jsonable
from powertrader_core.web.security import Guard, Policy

if TYPE_CHECKING:
    from powertrader_core.web.board import LiveBoard

__all__ = ["create_app"]

_NO_STORE = {"cache-control": "no-store"}
_MAX_BODY = 4096


def _page(policy: Policy) -> str:
    template = (resources.files("powertrader_core.web") / "static" / "index.html").read_text(
        encoding="utf-8"
    )
    return template.replace("{{csrf_token}}", html.escape(policy.csrf_token, quote=True))


def create_app(board: LiveBoard, policy: Policy) -> Guard:
    """The dashboard's ASGI app over ``board``, guarded by ``policy``."""
    page = _page(policy)

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers=_NO_STORE)

    async def state(request: Request) -> Response:
        snapshot = board.snapshot()
        snapshot["tabs"] = board.tab_status()
        return JSONResponse(snapshot, headers=_NO_STORE)

    async def events(request: Request) -> Response:
        return StreamingResponse(
            board.events(),
            media_type="text/event-stream",
            headers={**_NO_STORE, "x-accel-buffering": "no"},
        )

    async def paper_order(request: Request) -> Response:
        from pydantic import ValidationError

        from powertrader_core.errors import ExchangeError
        from powertrader_core.present import one_line

        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": "send the order as application/json"}, 415)
        body = await request.body()
        if len(body) > _MAX_BODY:
            return JSONResponse({"error": "request too large"}, 413)
        try:
            fields: Any = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, 400)
        if not isinstance(fields, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, 400)
        try:
            result = await board.place_paper_order(fields)
        except ExchangeError as exc:  # refused (a real exchange) or failed at the exchange
            return JSONResponse({"error": one_line(exc)}, 409)
        except (ValidationError, ValueError, TypeError) as exc:  # bad input: nothing was sent
            return JSONResponse({"error": one_line(exc)}, 400)
        return JSONResponse({"order": to_jsonable(result)}, headers=_NO_STORE)

    static = StaticFiles(packages=[("powertrader_core.web", "static")])
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/state", state),
            Route("/api/events", events),
            Route("/api/paper-orders", paper_order, methods=["POST"]),
            Mount("/static", static, name="static"),
        ]
    )
    return Guard(app, policy)
