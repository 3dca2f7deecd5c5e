"""python -m bench [NAME ...]: run the benchmarks and print one table."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench
from bench import Result


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    return [n for n in names if not selected or n in selected]


def main(argv: list[str]) -> int:
    results: list[Result] = []
    for name in _modules(argv):
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.extend(module.run())
    header = f"{'benchmark':<44} {'value':>10} {'baseline':<34} {'base value':>10} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<44} {r.show(r.seconds):>10} {r.baseline_name:<34} "
            f"{r.show(r.baseline_seconds):>10} {r.ratio:>6.2f}x" + (f"  {r.note}" if r.note else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
