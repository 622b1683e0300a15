"""Watch an exchange's transport: how many requests it sent and which sessions it left open.

The conformance checks must tell "refused before any request" from "refused by the exchange"
and "closed" from "closed but a session still open", for any plugin, without knowing how it
talks to the network. Almost every async exchange library sends through aiohttp or httpx, so
:class:`TransportSpy` wraps the few methods every request and every session of those two go
through. A plugin with another transport overrides ``requests_sent`` and ``open_sessions`` in
its conformance class instead.

The wrappers are installed on the classes (not on instances), for the life of the ``with``
block only, and only for libraries that are installed; nothing here imports at
``import powertrader_core`` time.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from types import TracebackType
from typing import Any

__all__ = ["TransportSpy"]

# (module, class, request method, "async" or "sync") for each transport we know how to watch.
_REQUEST_METHODS: tuple[tuple[str, str, str, bool], ...] = (
    ("aiohttp", "ClientSession", "_request", True),
    ("httpx", "AsyncClient", "send", True),
    ("httpx", "Client", "send", False),
)
# (module, class) whose instances are sessions that ``close()`` must close.
_SESSION_CLASSES: tuple[tuple[str, str], ...] = (
    ("aiohttp", "ClientSession"),
    ("httpx", "AsyncClient"),
    ("httpx", "Client"),
)


def _is_closed(session: Any) -> bool:
    """aiohttp says ``closed``; httpx says ``is_closed`` (and an unused client is not closed)."""
    if hasattr(session, "is_closed"):
        return bool(session.is_closed)
    return bool(getattr(session, "closed", True))


class TransportSpy:
    """Counts requests sent and sessions opened through aiohttp and httpx while active.

    ``requests`` counts every request attempted, whether a server, a simulator or a vcrpy
    cassette answered it. Enter it *inside* a cassette's context so that it wraps vcrpy's own
    patch (vcrpy replaces the same aiohttp method and restores it on exit).
    """

    def __init__(self) -> None:
        self.requests = 0
        self.sessions: list[Any] = []
        self._restore: list[Callable[[], None]] = []

    # ---- what the checks ask -----------------------------------------------------------

    def open_sessions(self) -> list[str]:
        """A description of each session opened while watching that is still open."""
        return [
            f"{type(s).__module__}.{type(s).__qualname__} at {id(s):#x}"
            for s in self.sessions
            if not _is_closed(s)
        ]

    # ---- installing and removing the wrappers -------------------------------------------

    def __enter__(self) -> TransportSpy:
        for module_name, class_name, method, is_async in _REQUEST_METHODS:
            cls = _load_class(module_name, class_name)
            if cls is not None and method in vars(cls):
                self._wrap_request(cls, method, is_async)
        for module_name, class_name in _SESSION_CLASSES:
            cls = _load_class(module_name, class_name)
            if cls is not None:
                self._wrap_init(cls)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        while self._restore:
            self._restore.pop()()

    def forget_sessions(self) -> None:
        """Drop references to sessions seen so far (so that garbage collection can run)."""
        self.sessions.clear()

    def _wrap_request(self, cls: type, method: str, is_async: bool) -> None:
        original = vars(cls)[method]
        spy = self

        if is_async:

            async def wrapper(session: Any, *args: Any, **kwargs: Any) -> Any:
                spy.requests += 1
                return await original(session, *args, **kwargs)

        else:

            def wrapper(session: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                spy.requests += 1
                return original(session, *args, **kwargs)

        self._patch(cls, method, original, wrapper)

    def _wrap_init(self, cls: type) -> None:
        original = vars(cls).get("__init__")
        if original is None:
            return
        spy = self

        def __init__(session: Any, *args: Any, **kwargs: Any) -> None:
            original(session, *args, **kwargs)
            if isinstance(session, cls):  # subclasses call up through here too; count once
                if not any(seen is session for seen in spy.sessions):
                    spy.sessions.append(session)

        self._patch(cls, "__init__", original, __init__)

    def _patch(self, cls: type, name: str, original: Any, replacement: Any) -> None:
        setattr(cls, name, replacement)

        def restore() -> None:
            setattr(cls, name, original)

        self._restore.append(restore)


def _load_class(module_name: str, class_name: str) -> type | None:
    """The class when its library is installed; never an error when it is not."""
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    return cls if isinstance(cls, type) else None
