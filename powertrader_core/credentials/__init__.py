"""Exchange credentials: environment, then encrypted file, then plain JSON.

Reading order:

1. ``manager``: :class:`ExchangeConfigManager`, which source wins and saving.
2. ``sources``: reading each source (environment and ``.env``, files and their permissions).
3. ``encrypted``: the encrypted file format (scrypt-derived key, AES-GCM).
4. ``secret``: :class:`Secret` and masking, so a key never shows in a repr or a message.
5. ``origin``: a key goes only to an endpoint set in the same source as the key.
6. ``checks``: an exchange class's own validation of its configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from powertrader_core._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from powertrader_core.credentials.checks import check_with
    from powertrader_core.credentials.manager import ExchangeConfigManager

_LAZY: dict[str, tuple[str, str]] = {
    "ExchangeConfigManager": ("powertrader_core.credentials.manager", "ExchangeConfigManager"),
    "check_with": ("powertrader_core.credentials.checks", "check_with"),
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = [
    "ExchangeConfigManager",
    "check_with",
]
