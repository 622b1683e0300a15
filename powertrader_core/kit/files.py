"""Atomic file writes with explicit permissions (settings, credentials).

A crash or a full disk mid-write must never leave a half-written credentials or settings file,
so every write goes to a temporary file in the same directory (same filesystem), is flushed to
disk, gets its mode, and then replaces the target with ``os.replace`` (atomic on POSIX and
Windows). The temporary file is created with the final mode from the start, so a secret is
never readable by others, not even for an instant.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "ensure_dir", "private_file"]


def ensure_dir(folder: Path, mode: int | None = None) -> None:
    """Create ``folder`` (and parents); with ``mode``, also tighten an existing one to it."""
    folder.mkdir(parents=True, exist_ok=True, mode=mode if mode is not None else 0o777)
    if mode is not None and os.name == "posix":
        current = folder.stat().st_mode & 0o777
        if current != mode:
            os.chmod(folder, mode)


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int = 0o600, dir_mode: int | None = None
) -> None:
    """Replace ``path`` with ``data`` in one step; the file ends with exactly ``mode``."""
    path = Path(path)
    ensure_dir(path.parent, dir_mode)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if os.name == "posix":
        # os.replace keeps the temporary file's mode, but say it explicitly for odd umasks.
        os.chmod(path, mode)


def atomic_write_text(
    path: Path, text: str, *, mode: int = 0o600, dir_mode: int | None = None
) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode, dir_mode=dir_mode)


def private_file(path: Path) -> None:
    """Make ``path`` a file only its owner can read or write (0600) in a 0700 folder.

    For files written in place rather than replaced (SQLite databases: the order journal, the
    paper account), which hold orders, balances or keys. A new file is created with 0600 from
    the start; an existing one is tightened. SQLite gives its ``-wal`` and ``-shm`` files the
    database file's mode, so they follow.
    """
    path = Path(path)
    ensure_dir(path.parent, 0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    if os.name == "posix" and os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
