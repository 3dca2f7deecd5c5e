"""`llmtui apply --yes` killed with SIGKILL at each step, then recovered.

The apply runs as a real OS process. Points between two local file operations are reached
with the one fault-injection hook (LLMTUI_CRASH_AT, llmtui/ops/faults.py); the restart and
the health wait are reached with a slow restart command and a proxy that is not healthy,
and the process is killed from outside. Afterwards the config on disk is the old or the
new file, whole; the store is intact; `doctor`, `recover` and `apply` report the
interrupted apply; finishing or rolling back leaves a consistent state.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from llmtui.secrets.cipher import generate_key
from llmtui.services.apply import plan_apply
from llmtui.services.context import AppContext
from tests.support.apply_stack import Stack, build_stack
from tests.support.fake_upstream import FakeUpstream

LLMTUI = str(Path(sys.executable).with_name("llmtui"))
pytestmark = pytest.mark.slow


@pytest.fixture
def crash_stack(
    run_cli, home: Path, tmp_path: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> Stack:
    """The apply stack, with the master key in the environment so a child process can use it."""
    monkeypatch.setenv("LLMTUI_MASTER_KEY", generate_key())
    stack = build_stack(run_cli, home, tmp_path, upstream, monkeypatch)
    stack.run_cli.ok("apply", "--yes")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    return stack


def _spawn_apply(stack: Stack, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [LLMTUI, "--home", str(stack.home), "apply", "--yes"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(what: str, predicate: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _step(stack: Stack) -> str | None:
    rows = stack.rows("SELECT step FROM applies WHERE outcome = 'in_progress'")
    return rows[0][0] if rows else None


def _crash(stack: Stack, point: str) -> int:
    """Run the apply until it dies at `point`; return its pid."""
    if point in ("backup", "after_backup", "write:litellm-config.yaml", "after_write"):
        proc = _spawn_apply(stack, LLMTUI_CRASH_AT=point)
        proc.wait(timeout=120)
    elif point == "restart":
        run = len(stack.restarts()) + 1
        stack.restart_with("--sleep", "60", "--on", str(run))
        proc = _spawn_apply(stack)
        _wait("the restart to start", lambda: len(stack.restarts()) == run)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        os.kill(stack.restarts()[-1]["pid"], signal.SIGKILL)  # it outlives us, like docker
        stack.restart_with()
    else:  # health: the proxy never becomes healthy while we wait
        stack.proxy.health = lambda stage: 503
        proc = _spawn_apply(stack, LLMTUI_HEALTH_TIMEOUT="120")
        _wait("the health wait", lambda: _step(stack) == "health")
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stack.proxy.health = lambda stage: 200
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, stderr
    return proc.pid


def _store_is_intact(stack: Stack) -> None:
    db = sqlite3.connect(stack.home / "llmtui.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()


POINTS = {
    # point: (step recorded, file on disk afterwards)
    "backup": ("backup", "old"),
    "after_backup": ("backup", "old"),
    "write:litellm-config.yaml": ("write", "old"),
    "after_write": ("write", "new"),
    "restart": ("restart", "new"),
    "health": ("health", "new"),
}


@pytest.mark.parametrize(
    ("point", "choice"),
    [
        ("backup", "rollback"),
        ("after_backup", "finish"),
        ("write:litellm-config.yaml", "rollback"),
        ("after_write", "rollback"),
        ("after_write", "finish"),
        ("restart", "rollback"),
        ("health", "finish"),
        ("health", "rollback"),
    ],
)
async def test_killed_apply_leaves_whole_files_and_is_recovered(
    crash_stack: Stack, ctx: AppContext, point: str, choice: str
) -> None:
    stack = crash_stack
    old = stack.config.read_bytes()
    new = (await plan_apply(ctx)).config.new
    assert new != old
    restarts_before = len(stack.restarts())

    pid = _crash(stack, point)

    step, expected = POINTS[point]
    on_disk = stack.config.read_bytes()
    assert on_disk == (old if expected == "old" else new)  # whole, byte for byte
    assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
    _store_is_intact(stack)
    ((outcome, row_step, row_pid, apply_id),) = stack.rows(
        "SELECT outcome, step, pid, id FROM applies WHERE id = (SELECT max(id) FROM applies)"
    )
    assert (outcome, row_step, row_pid) == ("in_progress", step, pid)
    backups = stack.rows(f"SELECT backup_path FROM backups WHERE apply_id = {apply_id}")
    if point == "backup":  # never a partial file under a backup's name
        named = [p for p in stack.config.parent.glob("*.backup.*") if not p.name.startswith(".")]
        assert backups == [] and named == []
    else:
        assert Path(backups[0][0]).read_bytes() == old
    leftovers = sorted(str(p) for p in stack.config.parent.glob(f".*.tmp-{pid}"))
    assert bool(leftovers) == (point in ("backup", "write:litellm-config.yaml"))
    assert all(stat.S_IMODE(Path(p).stat().st_mode) == 0o600 for p in leftovers)

    # The next start reports it: doctor, recover, and apply itself.
    doctor = stack.run_cli.ok("doctor")
    assert f"apply #{apply_id} (pid {pid}" in doctor.stderr
    assert f"interrupted at step {step!r}" in doctor.stderr and "llmtui recover" in doctor.stderr
    (report,) = json.loads(stack.run_cli.ok("recover", "--json").output)
    assert report["apply_id"] == apply_id and report["step"] == step
    assert report["on_disk"] == ("previous" if expected == "old" else "new")
    assert report["leftovers"] == leftovers
    text = stack.run_cli.ok("recover").output
    assert "llmtui recover --finish | --rollback | --dismiss" in text

    result = stack.run_cli.ok("recover", f"--{choice}", "--yes")

    assert not any(Path(p).exists() for p in leftovers)
    assert stack.config.read_bytes() == (new if choice == "finish" else old)
    assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
    _store_is_intact(stack)
    rows = stack.rows(f"SELECT outcome, message FROM applies WHERE id >= {apply_id} ORDER BY id")
    resolution = "finished by applying" if choice == "finish" else "rolled back to the backup"
    assert rows[0][0] == "interrupted" and resolution in rows[0][1]
    restarted = stack.restarts()[restarts_before:]
    if choice == "finish" or expected == "new" or point == "restart":
        # The proxy was restarted with the file now on disk, and came back healthy.
        assert len(rows) == 2 and rows[-1][0] == "success", result.output
        assert restarted and restarted[-1]["sha256"] == _sha(stack.config.read_bytes())
    else:  # the old file never left and the proxy never saw the new one: nothing to run
        assert len(rows) == 1 and restarted == []
        assert "the previous config is already on disk" in result.output
    assert stack.run_cli.ok("recover").output.startswith("nothing to recover")
    assert "llmtui recover" not in stack.run_cli.ok("doctor").stderr


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_apply_reports_the_interrupted_apply_and_finishes_it(crash_stack: Stack) -> None:
    stack = crash_stack
    pid = _crash(stack, "after_write")
    result = stack.run_cli.ok("apply", "--yes")
    assert f"(pid {pid}" in result.stderr and "This apply finishes it" in result.stderr
    assert "llmtui recover --rollback" in result.stderr
    outcomes = [r[0] for r in stack.applies()]
    assert outcomes[-2:] == ["interrupted", "success"]
    assert stack.run_cli.ok("recover").output.startswith("nothing to recover")


def test_dismiss_only_closes_the_record(crash_stack: Stack) -> None:
    stack = crash_stack
    _crash(stack, "write:litellm-config.yaml")
    before = stack.config.read_bytes()
    restarts = len(stack.restarts())
    result = stack.run_cli.ok("recover", "--dismiss", "--yes")
    assert "closed: dismissed" in result.output
    assert stack.config.read_bytes() == before and len(stack.restarts()) == restarts
    assert not list(stack.config.parent.glob(".*.tmp-*"))
    actions = [e["action"] for e in json.loads(stack.run_cli.ok("audit", "--json").output)]
    assert actions[0] == "apply.recover"


def test_nothing_to_recover(run_cli) -> None:
    assert run_cli.ok("recover").output.startswith("nothing to recover")
    result = run_cli("recover", "--rollback", "--yes")
    assert result.exit_code == 1 and "nothing to do" in result.stderr


def test_the_crash_hook_is_inert_unless_named(tmp_path: Path) -> None:
    """Unset or naming another point, the hook does nothing (the process survives)."""
    code = (
        "from pathlib import Path; from llmtui.ops.files import atomic_write_bytes; "
        f"atomic_write_bytes(Path({str(tmp_path / 'f')!r}), b'data')"
    )
    for value in ("", "after_write", "write:other"):
        env = {**os.environ, "LLMTUI_CRASH_AT": value}
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert (tmp_path / "f").read_bytes() == b"data"
    env = {**os.environ, "LLMTUI_CRASH_AT": "write:g"}
    code = code.replace("'f')", "'g')").replace(str(tmp_path / "f"), str(tmp_path / "g"))
    died = subprocess.run([sys.executable, "-c", code], env=env)
    assert died.returncode == -signal.SIGKILL and not (tmp_path / "g").exists()
