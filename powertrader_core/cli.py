"""The ``powertrader`` command (a first cut: help and the installed plugins).

The full command line is its own piece of work; this keeps ``powertrader`` honest meanwhile.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

USAGE = """usage: powertrader [--help] COMMAND

Trade crypto on many exchanges through one API.

commands:
  plugins [--json]   list installed exchange plugins, their exchanges and load errors
"""


def _plugins(as_json: bool) -> int:
    from powertrader_core.plugins import get_registry

    registry = get_registry()
    infos = sorted(registry.plugins.values(), key=lambda info: info.name)
    if as_json:
        print(json.dumps([vars(info) for info in infos], indent=2))
        return 0
    for info in infos:
        state = f"error: {info.error}" if info.error else ", ".join(info.exchanges)
        print(f"{info.name} {info.version or ''}: {state}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        if args:
            return 0
        return _plugins(as_json=False)
    if args[0] == "plugins":
        return _plugins(as_json="--json" in args)
    print(f"powertrader: unknown command {args[0]!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
