"""The host-side parts of apply: backups, the restart runner, the health wait."""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path

import pytest

from llmtui.errors import LlmtuiError
from llmtui.ops.backups import create_backup, read_backup
from llmtui.ops.files import directory_write_problem
from llmtui.ops.health import is_alive, wait_healthy
from llmtui.ops.restart import RestartStatus, run_restart
from tests.support.fake_docker import process_gone
from tests.support.fake_upstream import FakeUpstream, closed_port
from tests.support.read_only import read_only_dir

# -- backups ---------------------------------------------------------------


def test_backup_is_a_private_exact_copy_named_by_utc_time(tmp_path: Path) -> None:
    config = tmp_path / "litellm-config.yaml"
    data = b"model_list: []\n\x00odd bytes \xff kept\n"
    at = 1795428131.7  # 2026-11-23 10:02:11.7 UTC: the name shows UTC seconds
    backup = create_backup(config, data, at)
    assert backup.path.name == "litellm-config.yaml.backup.2026-11-23T10-02-11"
    assert backup.path.read_bytes() == data
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert read_backup(backup.path, backup.sha256) == data


def test_backups_within_one_second_never_share_a_name(tmp_path: Path) -> None:
    config = tmp_path / "litellm-config.yaml"
    paths = [create_backup(config, f"v{i}".encode(), 1795428131.0).path for i in range(3)]
    assert len(set(paths)) == 3
    assert [p.read_bytes() for p in paths] == [b"v0", b"v1", b"v2"]
    assert paths[1].name.endswith("T10-02-11-2") and paths[2].name.endswith("T10-02-11-3")


def test_a_changed_or_missing_backup_is_refused(tmp_path: Path) -> None:
    backup = create_backup(tmp_path / "c.yaml", b"original", time.time())
    backup.path.write_bytes(b"tampered")
    with pytest.raises(LlmtuiError, match="checksum mismatch"):
        read_backup(backup.path, backup.sha256)
    backup.path.unlink()
    with pytest.raises(LlmtuiError, match="no longer exists"):
        read_backup(backup.path, backup.sha256)


def test_backup_into_a_read_only_directory_is_a_clear_error(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    with read_only_dir(directory), pytest.raises(LlmtuiError, match="permission denied"):
        create_backup(directory / "c.yaml", b"x", time.time())
    assert list(directory.iterdir()) == []


def test_write_problems_are_found_by_trying(tmp_path: Path) -> None:
    assert directory_write_problem(tmp_path / "c.yaml") is None
    missing = directory_write_problem(tmp_path / "nope" / "c.yaml")
    assert missing and "does not exist" in missing
    directory = tmp_path / "ro"
    directory.mkdir()
    with read_only_dir(directory):
        problem = directory_write_problem(directory / "c.yaml")
    assert problem and "read-only" in problem
    assert list(directory.iterdir()) == []


# -- restart ---------------------------------------------------------------


async def test_restart_not_on_path_is_an_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    outcome = await run_restart(["docker", "restart", "litellm"], 5)
    assert outcome.status is RestartStatus.NOT_FOUND and outcome.skipped
    assert "'docker' is not on PATH" in outcome.describe()


async def test_restart_not_executable(tmp_path: Path) -> None:
    script = tmp_path / "restart.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    outcome = await run_restart([str(script)], 5)
    assert outcome.status is RestartStatus.NOT_EXECUTABLE and outcome.skipped


async def test_restart_success_and_failure_keep_the_output() -> None:
    ok = await run_restart([sys.executable, "-c", "print('restarted litellm')"], 10)
    assert ok.ok and ok.output.strip() == "restarted litellm"
    code = "import sys; print('out'); print('no such container', file=sys.stderr); sys.exit(3)"
    failed = await run_restart([sys.executable, "-c", code], 10)
    assert failed.status is RestartStatus.FAILED and failed.returncode == 3
    assert "out" in failed.output and "no such container" in failed.output
    assert "failed with exit code 3" in failed.describe()


async def test_no_shell_is_involved(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    outcome = await run_restart([sys.executable, "-c", "print(1)", f"; touch {marker}"], 10)
    assert outcome.ok and not marker.exists()


async def test_a_hanging_restart_is_killed_with_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time;"
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"open({str(pidfile)!r}, 'w').write(str(c.pid)); print('waiting', flush=True);"
        "time.sleep(60)"
    )
    started = time.monotonic()
    outcome = await run_restart([sys.executable, "-c", code], 1.5)
    assert outcome.status is RestartStatus.TIMED_OUT
    assert time.monotonic() - started < 8
    assert "timed out after 1.5 s (killed)" in outcome.describe()
    assert "waiting" in outcome.output
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not process_gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(child)


async def test_a_detached_grandchild_holding_the_pipe_does_not_hang_us() -> None:
    # Like `docker compose up -d`: the command exits, something it started lives on.
    code = (
        "import subprocess, sys;"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(20)'],"
        " start_new_session=True); print('started')"
    )
    started = time.monotonic()
    outcome = await run_restart([sys.executable, "-c", code], 30)
    assert outcome.ok and "started" in outcome.output
    assert time.monotonic() - started < 5


# -- health ----------------------------------------------------------------


async def test_unreachable_proxy_reports_the_last_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    result = await wait_healthy(url, 1.0, first_delay=0.1)
    assert not result.ok and result.stage == "liveliness" and result.attempts >= 2
    assert result.error == "connection refused or host unreachable"
    assert 0.9 < time.monotonic() - started < 4
    assert "not healthy within 1 s (/health/liveliness)" in result.describe()


async def test_health_waits_for_liveliness_then_readiness(upstream: FakeUpstream) -> None:
    seen: list[str] = []
    ready_after = time.monotonic() + 0.8

    def health(stage: str) -> int:
        seen.append(stage)
        if stage == "readiness" and time.monotonic() < ready_after:
            return 503
        return 200

    upstream.health = health
    result = await wait_healthy(upstream.url, 10, first_delay=0.1)
    assert result.ok and result.stage == "readiness"
    assert seen[0] == "liveliness" and seen.count("readiness") >= 2
    assert {r.path for r in upstream.requests} == {"/health/liveliness", "/health/readiness"}
    assert all("authorization" not in r.headers for r in upstream.requests)


async def test_readiness_that_never_comes_is_reported(upstream: FakeUpstream) -> None:
    upstream.health = lambda stage: 200 if stage == "liveliness" else 503
    result = await wait_healthy(upstream.url, 1.0, first_delay=0.1)
    assert not result.ok and result.stage == "readiness"
    assert result.error and result.error.startswith("HTTP 503")


def test_read_only_helper_really_blocks_writes(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    with read_only_dir(directory), pytest.raises(OSError):
        (directory / "x").write_text("x")
    (directory / "x").write_text("x")  # writable again afterwards
    assert (directory / "x").read_text() == "x"


async def test_is_alive_is_one_quick_probe(upstream: FakeUpstream) -> None:
    assert await is_alive(upstream.url)
    upstream.health = lambda stage: 503
    assert not await is_alive(upstream.url)
    assert not await is_alive(f"http://127.0.0.1:{closed_port()}", timeout=0.5)
