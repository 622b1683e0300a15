"""Loaded at start-up by the ``powertrader`` processes the CLI tests start (on PYTHONPATH).

The machine running the suite may well have a network; these children must behave as on a
laptop in a train: no host name resolves except loopback ones, exactly as a resolver without a
network answers (``socket.gaierror``), so "offline" is the same on every machine.
"""

from __future__ import annotations

import socket
from typing import Any

_real_getaddrinfo = socket.getaddrinfo


def _offline_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name in {"localhost", "::1"} or str(name).startswith("127."):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


socket.getaddrinfo = _offline_getaddrinfo
