"""What every benchmark shares: a figure, its baseline from the same run, and timing helpers."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Figure:
    """One measured figure beside its baseline; ``goal`` states the target ratio, if any."""

    name: str
    value: float
    baseline: float
    unit: str
    baseline_name: str
    goal: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    def line(self) -> str:
        goal = f"  goal {self.goal}" if self.goal else ""
        return (
            f"{self.name}: {self.value:.4g} {self.unit} | baseline ({self.baseline_name}): "
            f"{self.baseline:.4g} {self.unit} | ratio {self.ratio:.3f}{goal}"
        )


def wall_time_of(argv: Sequence[str], repeat: int = 7) -> float:
    """Median wall time in seconds of running ``argv`` as a fresh process."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def python_import_time(module: str, repeat: int = 7) -> float:
    return wall_time_of([sys.executable, "-c", f"import {module}"], repeat)
