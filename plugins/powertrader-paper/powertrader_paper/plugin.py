"""The pluggy entry point of powertrader-paper: the exchange classes it provides.

This is all a plugin needs to be found. The distribution's ``pyproject.toml`` names this module
in the ``powertrader`` entry point group::

    [project.entry-points.powertrader]
    paper = "powertrader_paper.plugin"

and the core calls the hook below when it builds its registry. The built-in exchanges go
through exactly the same hook as third-party ones.
"""

from __future__ import annotations

from powertrader_core import AbstractExchange, hookimpl
from powertrader_paper.exchange import PaperExchange

#: The version of the core's hookspecs this plugin was written for.
POWERTRADER_HOOKSPEC_VERSION = 1


@hookimpl
def powertrader_exchanges() -> list[type[AbstractExchange]]:
    """The paper exchange, registered under its ``name`` (``"paper"``)."""
    return [PaperExchange]
