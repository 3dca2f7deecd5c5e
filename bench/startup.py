"""Time to first paint of `llmtui` (50 providers, 10,000 models) against a bare Textual app.

Both run as real processes in an 80×24 pseudo-terminal and exit at their first frame
(`LLMTUI_EXIT_AFTER_FIRST_PAINT=1` makes llmtui do so); the medians are compared.
"""

from __future__ import annotations

import fcntl
import os
import pty
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench import Result
from bench._seed import master_key, seed

RUNS = 7
ROOT = Path(__file__).resolve().parent.parent


def time_in_pty(argv: list[str], env: dict[str, str], timeout: float = 30.0) -> tuple[float, float]:
    """Wall and CPU time from spawn to exit, with a terminal attached and output drained.

    CPU time (user + system of the child) is the steadier figure on a busy machine.
    """
    cpu_before = _children_cpu()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    deadline = started + timeout
    try:
        while proc.poll() is None:
            if time.perf_counter() > deadline:
                proc.kill()
                raise RuntimeError(f"{argv[0]} did not exit at its first paint")
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        proc.wait()
        elapsed = time.perf_counter() - started
    finally:
        os.close(master)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited with {proc.returncode}")
    return elapsed, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run() -> list[Result]:
    python = sys.executable
    llmtui = str(Path(python).with_name("llmtui"))
    with tempfile.TemporaryDirectory() as tmp:
        home = seed(Path(tmp) / "home")
        env = dict(os.environ, TERM="xterm-256color", LLMTUI_MASTER_KEY=master_key())
        env["LLMTUI_EXIT_AFTER_FIRST_PAINT"] = "1"
        bare_argv = [python, str(ROOT / "bench" / "_bare_app.py")]
        app_argv = [llmtui, "--home", str(home)]
        time_in_pty(bare_argv, env)  # warm the OS file cache for both
        time_in_pty(app_argv, env)
        bare, app = [], []
        for _ in range(RUNS):
            bare.append(time_in_pty(bare_argv, env))
            app.append(time_in_pty(app_argv, env))
    return [
        Result(
            "first paint: llmtui, 50 providers/10k models",
            statistics.median(t for t, _ in app),
            "first paint: bare Textual app",
            statistics.median(t for t, _ in bare),
            note=f"wall, median of {RUNS}; aim ≤ 1.5x",
        ),
        Result(
            "first paint CPU: llmtui",
            statistics.median(c for _, c in app),
            "first paint CPU: bare Textual app",
            statistics.median(c for _, c in bare),
            note="user+sys of the process",
        ),
    ]
