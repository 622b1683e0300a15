"""``python -m powertrader_core``: the ``powertrader`` command, for environments without the script."""

from powertrader_core.cli import main

main()
