"""``PowerTraderHub``: the seed's hub object, headless.

The original hub was a Tk window whose ``settings`` the seed's examples read. Here it opens no
window and imports no GUI toolkit: it gathers what a front end (or a script) needs, settings
first, with the credential manager and the multi-exchange manager built on first use so that
``PowerTraderHub().settings`` costs a file read and nothing more.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from powertrader_core.settings import Settings

if TYPE_CHECKING:
    from powertrader_core.credentials.manager import ExchangeConfigManager
    from powertrader_core.manager.facade import MultiExchangeManager

__all__ = ["PowerTraderHub"]


class PowerTraderHub:
    """Settings, credentials and the exchange manager in one place, with no window.

    ``settings_path``: a settings file (JSON or TOML); default as :meth:`Settings.load`.
    ``config_dir``: the credentials folder; default as :class:`ExchangeConfigManager`.
    """

    def __init__(
        self,
        settings_path: str | os.PathLike[str] | None = None,
        *,
        config_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.settings: Settings = Settings.load(settings_path)
        self._config_dir = config_dir
        self._config_manager: ExchangeConfigManager | None = None
        self._manager: MultiExchangeManager | None = None

    def __repr__(self) -> str:
        source = self.settings.source
        return f"<PowerTraderHub settings={str(source) if source else 'defaults'!r}>"

    @property
    def config_manager(self) -> ExchangeConfigManager:
        """The credentials manager (built on first use)."""
        if self._config_manager is None:
            from powertrader_core.credentials.manager import ExchangeConfigManager

            self._config_manager = ExchangeConfigManager(self._config_dir)
        return self._config_manager

    @property
    def manager(self) -> MultiExchangeManager:
        """The ``MultiExchangeManager`` over these settings and credentials (built on first use)."""
        if self._manager is None:
            from powertrader_core.manager.facade import MultiExchangeManager

            self._manager = MultiExchangeManager(self.config_manager, self.settings)
        return self._manager

    def reload_settings(self) -> Settings:
        """Read the settings again (after the file or the environment changed)."""
        self.settings = Settings.load(self.settings.source)
        return self.settings

    def save_settings(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the settings back to their file (or ``path``)."""
        return self.settings.save(path)
