"""Run every benchmark in bench/ and print one line per figure with its same-run baseline.

Usage: ``python bench/run.py [name ...]`` where a name picks ``bench_<name>.py`` files.
Benchmarks are scripts, never timed tests: the suite stays deterministic on a busy machine.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    wanted = set(argv)
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        short = path.stem.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        try:
            module = importlib.import_module(path.stem)
            for figure in module.run():
                print(figure.line(), flush=True)
        except Exception:  # noqa: BLE001 - report and go on to the next benchmark
            failures += 1
            print(f"{short}: FAILED", flush=True)
            traceback.print_exc()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
