"""Whether a file we read back can be trusted: owned by us, writable by nobody else.

Credentials and the markets cache are read back and acted on (a key is sent where a file says,
an order trades the market a cache says). Whoever else can write such a file, or the folder
holding it (and so replace the file), chooses what we do; such a file is refused, not warned
about. Being readable by others is a different risk (a leak, not a takeover) and is the
caller's to report.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["untrusted_reason"]


def _reason(st: os.stat_result, what: str) -> str | None:
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{what} is owned by another user (uid {st.st_uid})"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        return f"{what} is writable by other users (mode {mode:03o})"
    return None


def untrusted_reason(path: Path, st: os.stat_result | None = None) -> str | None:
    """Why ``path`` (or its folder) must not be trusted, or None when it can be.

    ``st``: the file's status from the open handle (``os.fstat``), so the file checked is the
    file read. The folder is checked too: who can write it can swap the file. On systems
    without POSIX ownership (Windows), nothing is refused here.
    """
    if os.name != "posix":
        return None
    folder = Path(path).parent
    try:
        folder_status = os.stat(folder)
    except OSError:
        return None  # no folder: nothing to read, and a write creates it
    try:
        file_status = st if st is not None else os.stat(path)
    except OSError:
        file_status = None  # absent: the caller's read reports it
    if file_status is not None:
        reason = _reason(file_status, str(path))
        if reason is not None:
            return reason
    return _reason(folder_status, f"its folder {folder}")
