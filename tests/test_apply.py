"""`llmtui apply`: validate, back up, write, restart, health, roll back — without a proxy.

The restart command is a real executable (tests/support/restart_recorder.py) and the
"proxy" a real HTTP server on loopback whose health answers follow the config on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from llmtui.secrets.cipher import generate_key
from tests.support.apply_stack import KEY, RECORDER, Stack, build_stack
from tests.support.read_only import read_only_dir


def test_apply_writes_restarts_checks_health_and_records(stack: Stack) -> None:
    result = stack.run_cli.ok("apply", "--yes")
    out = result.output
    assert "✔ valid" in out and "+++" in out and "api_key: sk-…XYZ" in out
    assert KEY not in out
    for step in ("validate", "write", "restart", "health"):
        assert f"✔ {step}" in out
    assert "success in" in out
    assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
    assert f"api_key: {KEY}" in stack.config.read_text()
    (restart,) = stack.restarts()
    assert restart["sha256"] is not None  # it ran after the new file was in place
    assert stack.applies() == [("success", "health", None, None)]
    assert json.loads(stack.run_cli.ok("audit", "--json").output)[0]["action"] == "apply"
    # Everything audited before the apply is included; the apply's own entry is not.
    ((high_water, pid),) = stack.rows("SELECT audit_high_water, pid FROM applies")
    ((last_id, action),) = stack.rows("SELECT id, action FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (high_water, action) == (last_id - 1, "apply") and pid > 0
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    second = stack.run_cli.ok("apply", "--yes").output
    assert "+- model_name: mini" in second and "✔ backup" in second
    assert len(list(stack.config.parent.glob("litellm-config.yaml.backup.*"))) == 1


async def test_pending_changes_count_from_the_last_successful_apply(stack: Stack, ctx) -> None:
    from llmtui.services.audit import pending_changes

    pending = await pending_changes(ctx)
    assert pending >= 2  # the provider and the model at least
    stack.run_cli.ok("apply", "--yes", "--no-restart")
    assert await pending_changes(ctx) == pending  # written, not live: still pending
    stack.run_cli.ok("apply", "--yes")
    assert await pending_changes(ctx) == 0
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    assert await pending_changes(ctx) == 1


def test_unhealthy_proxy_rolls_back_byte_for_byte(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    stack.config.write_bytes(stack.config.read_bytes() + b"# a hand edit kept verbatim\n")
    before = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "broken")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert stack.config.read_bytes() == before
    assert stat.S_IMODE(stack.config.stat().st_mode) == 0o600
    assert "rolled_back:" in result.stderr and "healthy again" in result.stderr
    assert "health error: HTTP 503" in result.stderr
    assert "✖ health" in result.output and "✔ rollback_health" in result.output
    # Restarted on the new file, then again on the restored one.
    _, on_new, on_restored = stack.restarts()
    assert on_restored["sha256"] == hashlib.sha256(before).hexdigest() != on_new["sha256"]
    outcome, step, backup, health_error = stack.applies()[-1]
    assert (outcome, step) == ("rolled_back", "rollback_health")
    assert health_error.startswith("HTTP 503")
    assert Path(backup).read_bytes() == before


def test_failed_restart_rolls_back_and_shows_its_output_scrubbed(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    before = stack.config.read_bytes()
    stack.restart_with("--exit", "3", "--on", "2", "--say", f"container refused key {KEY}")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert stack.config.read_bytes() == before
    assert "failed with exit code 3" in result.stderr
    assert "restart output:" in result.stderr and "container refused key sk-…XYZ" in result.stderr
    assert KEY not in result.stderr + result.output
    assert stack.applies()[-1][:2] == ("rolled_back", "rollback_health")
    stored = stack.rows("SELECT restart_output, restart_argv FROM applies ORDER BY id DESC")[0]
    assert KEY not in stored[0] and "sk-…XYZ" in stored[0]
    assert json.loads(stored[1])[1] == str(RECORDER)


def test_hanging_restart_is_killed_and_rolled_back(stack: Stack) -> None:
    stack.restart_with("--sleep", "60", "--on", "1")
    stack.monkeypatch.setenv("LLMTUI_RESTART_TIMEOUT", "1")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert "timed out after 1 s (killed)" in result.stderr
    assert not stack.config.exists()  # there was no file before: none now
    assert stack.applies()[-1][0] == "rolled_back"


def test_without_docker_on_path_the_file_is_written_and_restart_skipped(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.delenv("LLMTUI_RESTART_CMD")  # the default: docker restart litellm
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    result = stack.run_cli.ok("apply", "--yes")
    assert "'docker' is not on PATH: apply will write the file but skip the restart" in (
        result.stderr
    )
    assert "restart was skipped" in result.output and "restart the proxy yourself" in result.output
    assert stack.config.exists()
    assert stack.applies() == [("written_not_restarted", "restart", None, None)]


def test_no_restart_writes_only(stack: Stack) -> None:
    result = stack.run_cli.ok("apply", "--yes", "--no-restart")
    assert "– restart" in result.output and "--no-restart" in result.output
    assert stack.config.exists() and stack.restarts() == []
    assert stack.applies()[0][0] == "written_not_restarted"
    again = stack.run_cli.ok("apply", "--yes", "--no-restart")
    assert "nothing to do" in again.output and len(stack.applies()) == 1


def test_unchanged_config_apply_only_restarts(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    result = stack.run_cli.ok("apply", "--yes")
    assert "already up to date" in result.output
    assert "– backup" in result.output and "– write" in result.output
    assert len(stack.restarts()) == 2
    assert list(stack.config.parent.glob("*.backup.*")) == []


def test_missing_config_directory_is_refused_before_anything(stack: Stack, tmp_path) -> None:
    target = tmp_path / "nowhere" / "litellm-config.yaml"
    stack.monkeypatch.setenv("LLMTUI_CONFIG_PATH", str(target))
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert f"directory {target.parent} does not exist" in result.stderr
    assert not target.parent.exists() and stack.restarts() == [] and stack.applies() == []


def test_read_only_config_directory_is_refused_and_nothing_is_written(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    before = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    with read_only_dir(stack.config.parent):
        result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert "permission denied or read-only" in result.stderr
    assert stack.config.read_bytes() == before
    assert sorted(p.name for p in stack.config.parent.iterdir()) == ["litellm-config.yaml"]
    assert len(stack.restarts()) == 1


def test_no_terminal_and_no_yes_is_refused(stack: Stack) -> None:
    result = stack.run_cli("apply")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert not stack.config.exists() and stack.applies() == []


def test_validation_errors_refuse_the_apply(stack: Stack) -> None:
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("fallback", "set", "chat", "mini")
    stack.run_cli.ok("model", "disable", "mini")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert "✖ invalid (1 error)" in result.output and "no enabled deployment" in result.stderr
    assert not stack.config.exists() and stack.restarts() == []


def _run_in_terminal(args: list[str], answer: str, timeout: float = 60) -> tuple[int, str]:
    """Run the real llmtui with a pseudo-terminal for stdin/stdout; answer its prompt."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("llmtui")), *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    output, answered = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not answered and b"[y/N]" in output:
            os.write(main, answer.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(main)
    return process.wait(timeout=10), output.decode("utf-8", "replace")


def test_interactive_apply_asks_and_colours(
    run_cli, home: Path, tmp_path: Path, upstream, monkeypatch
) -> None:
    monkeypatch.setenv("LLMTUI_MASTER_KEY", generate_key())  # shared with the child process
    stack = build_stack(run_cli, home, tmp_path, upstream, monkeypatch)
    code, output = _run_in_terminal(["--home", str(home), "apply"], "n")
    assert code == 1 and "cancelled; nothing was changed" in output
    assert not stack.config.exists()
    code, output = _run_in_terminal(["--home", str(home), "apply"], "y")
    assert code == 0, output
    assert "\x1b[32m+" in output  # added lines in green on a terminal
    assert "Write this config and restart the proxy? [y/N]" in output
    assert stack.config.exists() and len(stack.restarts()) == 1
    assert KEY not in output


def test_no_plaintext_key_in_the_store_after_applies(stack: Stack) -> None:
    holder = sqlite3.connect(stack.home / "llmtui.db")  # keeps the WAL file around
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        stack.run_cli.ok("apply", "--yes")
        stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "broken")
        stack.restart_with("--say", f"echoing {KEY}")
        outputs = [stack.run_cli("apply", "--yes")]
        outputs.append(stack.run_cli.ok("backups", "list", "--json"))
        outputs.append(stack.run_cli.ok("audit", "--json", "--limit", "1000"))
        for path in stack.home.iterdir():
            assert KEY.encode() not in path.read_bytes(), path.name
    finally:
        holder.close()
    for result in outputs:
        assert KEY not in result.output + result.stderr
    # Inline mode: the key is in the config and its backups only, all private.
    private = [stack.config, *stack.config.parent.glob("*.backup.*")]
    assert len(private) == 2
    for path in private:
        assert KEY.encode() in path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unreachable_proxy_url_rolls_back_with_a_clear_error(stack: Stack) -> None:
    from tests.support.fake_upstream import closed_port

    stack.run_cli.ok("apply", "--yes")
    before = stack.config.read_bytes()
    url = f"http://127.0.0.1:{closed_port()}"
    stack.monkeypatch.setenv("LLMTUI_PROXY_URL", url)
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert f"the proxy at {url} was not healthy within 1 s" in result.stderr
    assert "connection refused" in result.stderr and "still not healthy" in result.stderr
    assert stack.config.read_bytes() == before
    assert stack.applies()[-1][0] == "rolled_back"
