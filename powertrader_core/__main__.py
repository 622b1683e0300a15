"""``python -m powertrader_core``: the ``powertrader`` command, where the script is not on PATH."""

from powertrader_core.cli import main

main()
