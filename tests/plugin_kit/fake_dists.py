"""Install plugins without pip: a module and a ``.dist-info`` with its entry point, on a path.

``importlib.metadata`` finds a distribution by its ``.dist-info`` folder on ``sys.path``; that
is all an installed plugin is to the plugin loader. The broken plugins below are the cases the
loader must survive: each is reported by name with its error while the others load.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

#: Raises while being imported.
RAISES_ON_IMPORT = "raise RuntimeError('the acme-broken plugin fails on purpose')\n"

#: Its hook returns something that is not an exchange class.
RETURNS_NOT_AN_EXCHANGE = '''
from powertrader_core import hookimpl


@hookimpl
def powertrader_exchanges():
    return ["kraken"]
'''

#: Its hook raises.
HOOK_RAISES = '''
from powertrader_core import hookimpl


@hookimpl
def powertrader_exchanges():
    raise LookupError("no exchanges today")
'''

#: Written for a hookspec version this core does not speak.
OTHER_HOOKSPEC_VERSION = '''
from powertrader_core import hookimpl

POWERTRADER_HOOKSPEC_VERSION = 2


@hookimpl
def powertrader_exchanges():
    return []
'''

#: The broken plugins, as (distribution, entry point name, module, source).
BROKEN: tuple[tuple[str, str, str, str], ...] = (
    ("pt-kit-raises", "kit_raises", "pt_kit_raises", RAISES_ON_IMPORT),
    ("pt-kit-not-exchange", "kit_not_exchange", "pt_kit_not_exchange", RETURNS_NOT_AN_EXCHANGE),
    ("pt-kit-hook-raises", "kit_hook_raises", "pt_kit_hook_raises", HOOK_RAISES),
    ("pt-kit-future", "kit_future", "pt_kit_future", OTHER_HOOKSPEC_VERSION),
)

#: What each broken plugin's error must say.
EXPECTED_ERRORS = {
    "kit_raises": "import failed: RuntimeError: the acme-broken plugin fails on purpose",
    "kit_not_exchange": "returned 'kraken', which is not an AbstractExchange subclass",
    "kit_hook_raises": "powertrader_exchanges raised LookupError: no exchanges today",
    "kit_future": "written for hookspec version 2; this powertrader-core speaks version 1",
}


def install_dist(
    site: Path, dist: str, entry: str, module: str, source: str | None = None
) -> None:
    """Write ``module`` (unless it is importable already) and a dist-info naming it."""
    if source is not None:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[powertrader]\n{entry} = {module}\n")
    (info / "RECORD").write_text("")


def install_broken(site: Path) -> None:
    for dist, entry, module, source in BROKEN:
        install_dist(site, dist, entry, module, source)
