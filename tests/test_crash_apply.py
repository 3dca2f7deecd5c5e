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
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from llmtui.services.apply import plan_apply
from llmtui.services.context import AppContext
from tests.support.apply_stack import Stack
from tests.support.crash import build_crash_stack, crash_apply, store_is_intact
from tests.support.fake_upstream import FakeUpstream

pytestmark = pytest.mark.slow


@pytest.fixture
def crash_stack(
    run_cli, home: Path, tmp_path: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> Stack:
    return build_crash_stack(run_cli, home, tmp_path, upstream, monkeypatch)


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

    pid = crash_apply(stack, point)

    step, expected = POINTS[point]
    on_disk = stack.config.read_bytes()
    assert on_disk == (old if expected == "old" else new)  # whole, byte for byte
    assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
    store_is_intact(stack)
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
    store_is_intact(stack)
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
    pid = crash_apply(stack, "after_write")
    result = stack.run_cli.ok("apply", "--yes")
    assert f"(pid {pid}" in result.stderr and "This apply finishes it" in result.stderr
    assert "llmtui recover --rollback" in result.stderr
    outcomes = [r[0] for r in stack.applies()]
    assert outcomes[-2:] == ["interrupted", "success"]
    assert stack.run_cli.ok("recover").output.startswith("nothing to recover")


def test_dismiss_only_closes_the_record(crash_stack: Stack) -> None:
    stack = crash_stack
    crash_apply(stack, "write:litellm-config.yaml")
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
