"""``powertrader serve``: a live dashboard in the browser (needs the ``web`` extra).

Reading order:

| module        | job                                                                     |
|---------------|-------------------------------------------------------------------------|
| `security.py` | who may talk to it: bind rule, Host check, access token, CSRF, headers |
| `board.py`    | what the page shows, kept live from the price monitor; a queue per tab  |
| `views.py`    | the JSON records the page receives (no I/O)                            |
| `app.py`      | the Starlette routes: page, static files, event stream, paper orders    |
| `server.py`   | uvicorn in our own event loop, on a socket we bind, stopped cleanly     |
| `static/`     | the page: HTML, CSS and JavaScript (the chart is SVG we draw), no build |

Importing this package imports starlette and uvicorn; the command line imports it only when
``serve`` runs.
"""

from __future__ import annotations

from powertrader_core.web.app import create_app
from powertrader_core.web.board import LiveBoard
from powertrader_core.web.security import TOKEN_ENV, Guard, Policy, check_bind
from powertrader_core.web.server import running

__all__ = ["TOKEN_ENV", "Guard", "LiveBoard", "Policy", "check_bind", "create_app", "running"]
