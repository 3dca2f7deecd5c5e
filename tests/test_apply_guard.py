"""One apply at a time, interrupted applies reported, cancellation puts files back; env mode."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from llmtui.services.apply import StepEvent, plan_apply, run_apply
from tests.support.apply_stack import KEY, Stack


def _insert_in_progress(stack: Stack, pid: int, step: str = "write") -> None:
    with sqlite3.connect(stack.home / "llmtui.db") as db:
        db.execute(
            "INSERT INTO applies (started_at, config_path, outcome, step, pid) "
            "VALUES (?, ?, 'in_progress', ?, ?)",
            (time.time() - 5, str(stack.config), step, pid),
        )


def test_a_running_apply_blocks_another(stack: Stack) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _insert_in_progress(stack, other.pid)
        result = stack.run_cli("apply", "--yes")
    finally:
        other.kill()
        other.wait()
    assert result.exit_code == 1
    assert f"another apply (#1, pid {other.pid}" in result.stderr
    assert "in progress at step 'write'" in result.stderr
    assert not stack.config.exists() and stack.restarts() == []


def test_an_interrupted_apply_is_reported_and_superseded(stack: Stack) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _insert_in_progress(stack, gone.pid, step="restart")
    result = stack.run_cli.ok("apply", "--yes")
    assert f"apply #1 (pid {gone.pid}" in result.stderr
    assert "was interrupted at step 'restart'; there is no config file" in result.stderr
    assert stack.applies()[0][0] == "interrupted" and stack.applies()[1][0] == "success"


async def test_cancelling_mid_restart_puts_the_previous_file_back(stack: Stack, ctx) -> None:
    stack.run_cli.ok("apply", "--yes")
    before = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.restart_with("--sleep", "60")
    plan = await plan_apply(ctx)
    restarting = asyncio.Event()

    def on_step(event: StepEvent) -> None:
        if event.step == "restart" and event.status == "running":
            restarting.set()

    task = asyncio.create_task(run_apply(ctx, plan, on_step=on_step))
    await asyncio.wait_for(restarting.wait(), 10)
    await asyncio.sleep(0.3)
    assert stack.config.read_bytes() != before  # the new file was in place
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stack.config.read_bytes() == before
    outcome, step, *_ = stack.applies()[-1]
    assert (outcome, step) == ("interrupted", "restart")
    (message,) = stack.rows("SELECT message FROM applies ORDER BY id DESC LIMIT 1")[0]
    assert "previous files were put back" in message


def test_env_mode_writes_references_and_a_private_env_file(stack: Stack) -> None:
    stack.monkeypatch.setenv("LLMTUI_SECRETS_MODE", "env")
    stack.monkeypatch.delenv("LLMTUI_RESTART_CMD")
    settings = stack.run_cli.ok("settings", "list", "--json").output
    assert "up -d --force-recreate litellm" in settings
    assert f"--project-directory {stack.config.parent}" in settings
    stack.restart_with()  # keep the recording command for the rest
    result = stack.run_cli.ok("apply", "--yes")
    env_file = stack.config.with_suffix(".env")
    assert "env file" in result.output and "+LLMTUI_API_KEY_UP" in result.output
    assert KEY not in result.output + result.stderr
    assert "secrets_mode=env but restart_cmd only restarts" not in result.stderr
    assert KEY not in stack.config.read_text()
    assert "os.environ/LLMTUI_API_KEY_UP" in stack.config.read_text()
    assert f"LLMTUI_API_KEY_UP={KEY}" in env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_env_mode_rollback_restores_the_env_file_too(stack: Stack) -> None:
    stack.monkeypatch.setenv("LLMTUI_SECRETS_MODE", "env")
    stack.run_cli.ok("apply", "--yes")
    env_file = stack.config.with_suffix(".env")
    env_before, config_before = env_file.read_bytes(), stack.config.read_bytes()
    base = f"{stack.proxy.url}/v1"
    add = ["provider", "add", "up2", "--type", "openai_compatible", "--api-base", base]
    stack.run_cli.ok(*add, "--key-stdin", input="sk-second-key-0123456789")
    stack.run_cli.ok("model", "add", "up2", "gpt-4o", "--group", "broken")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert env_file.read_bytes() == env_before and stack.config.read_bytes() == config_before


def test_env_mode_warns_when_restart_would_not_reread_the_env_file(stack: Stack) -> None:
    stack.monkeypatch.setenv("LLMTUI_SECRETS_MODE", "env")
    stack.monkeypatch.setenv("LLMTUI_RESTART_CMD", "docker restart litellm")
    result = stack.run_cli.ok("apply", "--yes", "--no-restart")
    assert "changed keys will not reach the proxy" in result.stderr
