"""Peak memory of llmtui with 50 providers / 10,000 models and Models open, vs bare Textual.

Each figure is the peak RSS (VmHWM) of its own fresh process (bench/_memory_child.py, headless),
so imports, the store and the screen are all counted, as an operator's `top` would.
Baselines from the same run: a bare Textual app, and a stock DataTable of 10,000 rows.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import Result
from bench._seed import master_key, seed

RUNS = 3
MODELS = 10_000
CHILD = Path(__file__).with_name("_memory_child.py")
ROOT = Path(__file__).resolve().parent.parent


def peak_mib(*args: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, str(CHILD), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return int(out.split()[-1]) / 1024


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = seed(Path(tmp) / "home", models=MODELS)
        env = dict(os.environ, LLMTUI_MASTER_KEY=master_key(), PYTHONPATH=str(ROOT))
        env.setdefault("LLMTUI_PROXY_URL", "http://127.0.0.1:9")
        app = statistics.median(
            peak_mib("app", str(home), str(MODELS), env=env) for _ in range(RUNS)
        )
    bare = statistics.median(peak_mib("bare", env=env) for _ in range(RUNS))
    table = statistics.median(peak_mib("table", env=env) for _ in range(RUNS))
    return [
        Result(
            f"peak RSS: llmtui, Models open, {MODELS:,} models",
            app,
            "peak RSS: bare Textual app",
            bare,
            note=f"VmHWM of a fresh process, median of {RUNS}",
            unit="MiB",
        ),
        Result(
            f"peak RSS: llmtui, Models open, {MODELS:,} models",
            app,
            "peak RSS: stock DataTable, 10k rows",
            table,
            unit="MiB",
        ),
    ]
