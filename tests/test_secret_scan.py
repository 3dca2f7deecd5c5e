"""The session-end secrets scan (tests/support/secret_scan.py) finds what it must.

A real apply in inline mode and env mode with a second apply (so backups exist), then
the scan: clean. Then a key planted in a log, a config made world-readable and a
key-bearing file llmtui did not write: each is reported.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.apply_stack import KEY, build_stack
from tests.support.fake_upstream import FakeUpstream
from tests.support.secret_scan import SecretRegistry


@pytest.fixture
def watched() -> SecretRegistry:
    registry = SecretRegistry()
    with registry.watch():
        yield registry


def test_clean_flows_pass_and_every_planted_leak_is_found(
    watched: SecretRegistry,
    run_cli,
    home: Path,
    tmp_path: Path,
    upstream: FakeUpstream,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = build_stack(run_cli, home, tmp_path, upstream, monkeypatch)
    run_cli.ok("settings", "set", "proxy_key", "sk-PROXYKEY-0123456789abcd")
    stack.run_cli.ok("apply", "--yes")
    run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("apply", "--yes")
    assert KEY in watched.keys and "sk-PROXYKEY-0123456789abcd" in watched.keys
    assert home.resolve() in watched.homes and stack.config.resolve() in watched.written
    backups = list(stack.config.parent.glob("litellm-config.yaml.backup.*"))
    assert backups and KEY.encode() in stack.config.read_bytes()
    assert watched.scan() == []

    (home / "debug.log").write_text(f"calling with {KEY}\n")
    os.chmod(home / "debug.log", 0o600)
    os.chmod(backups[0], 0o644)
    stray = stack.config.with_name("copy.yaml")  # in the config dir, but not llmtui's
    stray.write_bytes(stack.config.read_bytes())
    problems = watched.scan()
    assert any("debug.log" in p and "plaintext key" in p for p in problems), problems
    assert any(backups[0].name in p and "readable by others" in p for p in problems), problems
    assert len(problems) == 2  # the stray copy is outside every scanned place
    # Undo the plants: the suite's own scan at session end must stay clean.
    (home / "debug.log").unlink()
    os.chmod(backups[0], 0o600)
    assert watched.scan() == []


def test_a_home_llmtui_creates_is_0700_and_its_files_0600(
    watched: SecretRegistry, tmp_path: Path, memory_keyring
) -> None:
    from click.testing import CliRunner

    from llmtui.cli import cli

    fresh = tmp_path / "new-home"
    result = CliRunner().invoke(cli, ["--home", str(fresh), "provider", "list"])
    assert result.exit_code == 0, result.output
    assert fresh.resolve() in watched.created_homes
    assert watched.scan() == []
    os.chmod(fresh / "llmtui.db", 0o644)
    os.chmod(fresh, 0o755)
    problems = watched.scan()
    assert any("llmtui.db is 0o644" in p for p in problems), problems
    assert any("is 0o755" in p for p in problems), problems
    os.chmod(fresh / "llmtui.db", 0o600)
    os.chmod(fresh, 0o700)
