"""Benchmarks: every figure is a ratio against a baseline measured in the same run.

Each module here defines `run() -> list[Result]`; `python -m bench` runs them all
(or the ones named on the command line) and prints one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    name: str
    seconds: float
    baseline_name: str
    baseline_seconds: float
    note: str = ""
    unit: str = "s"  # "s" (shown in ms) or "MiB": `seconds` then holds the size

    def show(self, value: float) -> str:
        return f"{value * 1000:>8.1f}ms" if self.unit == "s" else f"{value:>7.1f}{self.unit}"

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else float("inf")
