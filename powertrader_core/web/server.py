"""Running the app on uvicorn inside our own event loop, and stopping it cleanly.

We bind the socket ourselves (so ``--port 0`` picks a free port whose URL we can print, and a
port in use is an ordinary ``OSError`` naming the address) and hand it to uvicorn. uvicorn's
own signal handling is off: the caller decides when to stop (``powertrader serve`` on Ctrl-C
or SIGTERM, a test when it is done), so the manager and its exchanges are closed by the code
that opened them. Event streams never end by themselves, and uvicorn waits for open
connections before it stops, so :class:`_Server` ends the board's streams first.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from powertrader_core.web.board import LiveBoard
    from powertrader_core.web.security import ASGIApp

__all__ = ["bind", "running", "url_of"]


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, board: LiveBoard) -> None:
        super().__init__(config)
        self._board = board

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the caller handles signals

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._board.end_streams()
        await super().shutdown(sockets)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: any free port)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """``http://host:port/`` of a bound socket, as a browser would type it."""
    port = sock.getsockname()[1]
    shown = host if ":" not in host else f"[{host}]"
    return f"http://{shown}:{port}/"


@contextlib.asynccontextmanager
async def running(
    app: ASGIApp, board: LiveBoard, host: str, port: int, **options: Any
) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` while the block runs; yields the URL."""
    import asyncio

    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level=options.pop("log_level", "warning"),
        access_log=False,
        timeout_graceful_shutdown=options.pop("timeout_graceful_shutdown", 3),
        **options,
    )
    server = _Server(config, board)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="dashboard server")
    try:
        while not server.started:
            if task.done():
                task.result()  # raise what stopped it
                raise RuntimeError("the dashboard server stopped while starting")
            await asyncio.sleep(0.01)
        yield url_of(sock, host)
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()
