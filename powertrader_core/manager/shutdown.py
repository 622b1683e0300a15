"""Close a manager's resources when the event loop that used them shuts down.

The seed's examples end with ``asyncio.run(main())`` and never close their manager. Without
help, what the manager opened (ccxt's aiohttp sessions, websockets, the journal's database)
outlives the loop, and the interpreter's exit prints ccxt's "requires to release all
resources", aiohttp's "Unclosed client session" and "Unclosed connector".

The mechanism is the one asyncio gives every async generator: a loop tracks each async
generator first iterated on it, and ``loop.shutdown_asyncgens()`` (which ``asyncio.run`` calls
after the main coroutine returns, before closing the loop) closes every one still suspended,
running its ``finally`` on the still-running loop. :class:`LoopShutdownCloser` parks one tiny
async generator at its ``yield`` when the manager first opens something; if the manager is
closed in time the generator is closed quietly, otherwise the loop's shutdown resumes it and its
``finally`` awaits the manager's ``close()``. No thread, no ``atexit``, no monkey-patching of
asyncio: it works with ``asyncio.run``, ``asyncio.Runner`` and any loop whose owner calls
``shutdown_asyncgens()`` (uvloop too); a loop closed without it is the caller's leak.

A close made this way is a warning sign in a long-lived program, so it is reported as a
``ResourceWarning`` (ignored by default, shown with ``python -X dev`` or ``-W default``), as
Python reports an unclosed file. The suite switches the mechanism off (``enabled = False``, in
``tests/conftest.py``) so that a test that forgets to close still fails on its unclosed session.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncGenerator, Awaitable, Callable

__all__ = ["LoopShutdownCloser", "enabled"]

log = logging.getLogger("powertrader_core.manager")

#: False: nothing is closed at loop shutdown (the suite, so that leaks still fail tests).
enabled = True

# The parked generators. A loop tracks its async generators weakly: this keeps each one (and
# through it what it will close) alive until its loop shuts down or its owner closes it.
_parked: set[AsyncGenerator[None, None]] = set()


class LoopShutdownCloser:
    """Runs ``close()`` when the running loop shuts down, unless :meth:`disarm`-ed first.

    ``arm()`` (from a coroutine on the loop) is cheap after the first call on a given loop;
    ``what`` names the owner in the ResourceWarning.
    """

    def __init__(self, close: Callable[[], Awaitable[None]], what: str) -> None:
        self._close = close
        self._what = what
        self._parked: AsyncGenerator[None, None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._disarming = False

    @property
    def armed(self) -> bool:
        return self._parked is not None

    async def arm(self) -> None:
        """Close at the shutdown of the running loop (re-armed on a new loop)."""
        if not enabled:
            return
        loop = asyncio.get_running_loop()
        if self._parked is not None and self._loop is loop:
            return
        await self.disarm()
        parked = self._park()
        # The first step runs to the ``yield``: the loop's first-iteration hook now tracks it.
        await parked.asend(None)
        self._parked, self._loop = parked, loop
        _parked.add(parked)

    async def disarm(self) -> None:
        """The owner closed itself: nothing to do at shutdown."""
        parked, self._parked, self._loop = self._parked, None, None
        if parked is None:
            return
        _parked.discard(parked)
        self._disarming = True
        try:
            await parked.aclose()
        finally:
            self._disarming = False

    async def _park(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if not self._disarming:
                await self._closed_by_shutdown()

    async def _closed_by_shutdown(self) -> None:
        parked, self._parked, self._loop = self._parked, None, None
        if parked is not None:
            _parked.discard(parked)
        try:
            await self._close()
        except Exception as exc:  # noqa: BLE001 - shutting down: report, never raise
            log.warning("closing %s at event-loop shutdown failed: %s", self._what, exc)
            return
        warnings.warn(
            f"{self._what} was not closed; closed it at event-loop shutdown "
            "(use `async with` or `await ....close()`)",
            ResourceWarning,
            stacklevel=1,
        )
