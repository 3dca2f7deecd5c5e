"""Kill `llmtui apply --yes` (a real OS process) at a chosen step, for the crash tests.

Points between two local file operations use the fault-injection hook (LLMTUI_CRASH_AT,
llmtui/ops/faults.py); `restart` and `health` use a slow restart command and a proxy that
is not healthy, and the process is killed from outside with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from llmtui.secrets.cipher import generate_key
from tests.support.apply_stack import Stack, build_stack
from tests.support.fake_upstream import FakeUpstream

LLMTUI = str(Path(sys.executable).with_name("llmtui"))
HOOK_POINTS = ("backup", "after_backup", "write:litellm-config.yaml", "after_write")


def build_crash_stack(
    run_cli, home: Path, tmp_path: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> Stack:
    """The apply stack, applied once and then changed, with the master key in the
    environment so a child process can open the same store."""
    monkeypatch.setenv("LLMTUI_MASTER_KEY", generate_key())
    stack = build_stack(run_cli, home, tmp_path, upstream, monkeypatch)
    stack.run_cli.ok("apply", "--yes")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    return stack


def spawn_apply(stack: Stack, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [LLMTUI, "--home", str(stack.home), "apply", "--yes"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(what: str, predicate: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def in_progress_step(stack: Stack) -> str | None:
    rows = stack.rows("SELECT step FROM applies WHERE outcome = 'in_progress'")
    return rows[0][0] if rows else None


def crash_apply(stack: Stack, point: str) -> int:
    """Run the apply until it dies at `point`; return its pid."""
    if point in HOOK_POINTS:
        proc = spawn_apply(stack, LLMTUI_CRASH_AT=point)
        proc.wait(timeout=120)
    elif point == "restart":
        run = len(stack.restarts()) + 1
        stack.restart_with("--sleep", "60", "--on", str(run))
        proc = spawn_apply(stack)
        wait_until("the restart to start", lambda: len(stack.restarts()) == run)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        os.kill(stack.restarts()[-1]["pid"], signal.SIGKILL)  # it outlives us, like docker
        stack.restart_with()
    else:  # health: the proxy never becomes healthy while we wait
        stack.proxy.health = lambda stage: 503
        proc = spawn_apply(stack, LLMTUI_HEALTH_TIMEOUT="120")
        wait_until("the health wait", lambda: in_progress_step(stack) == "health")
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stack.proxy.health = lambda stage: 200
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, stderr
    return proc.pid


def store_is_intact(stack: Stack) -> None:
    db = sqlite3.connect(stack.home / "llmtui.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
