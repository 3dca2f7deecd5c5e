"""`llmtui backups list | restore`: rotation, restore like an apply, refusing bad backups."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.support.apply_stack import KEY, Stack


def _backups(stack: Stack) -> list[dict]:
    return json.loads(stack.run_cli.ok("backups", "list", "--json").output)


def _files(stack: Stack) -> list[Path]:
    return sorted(stack.config.parent.glob("litellm-config.yaml.backup.*"))


def test_only_the_last_n_backups_are_kept(stack: Stack) -> None:
    stack.monkeypatch.setenv("LLMTUI_BACKUP_KEEP", "2")
    stack.run_cli.ok("apply", "--yes")
    versions = []
    for n in range(4):
        versions.append(stack.config.read_bytes())
        stack.run_cli.ok("model", "add", "up", f"model-{n}", "--group", f"g{n}")
        stack.run_cli.ok("apply", "--yes")
    kept = _backups(stack)
    assert len(kept) == 2 and all(b["exists"] for b in kept)
    assert [Path(b["backup_path"]).read_bytes() for b in kept] == [versions[3], versions[2]]
    assert sorted(Path(b["backup_path"]) for b in kept) == _files(stack)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in _files(stack))
    assert stack.rows("SELECT count(*), count(deleted_at) FROM backups") == [(4, 2)]
    table = stack.run_cli.ok("backups", "list").output
    assert "litellm-config.yaml" in table and "success" in table


def test_restore_writes_the_backup_back_and_backs_up_the_current_file(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    first = stack.config.read_bytes()
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("apply", "--yes")
    second = stack.config.read_bytes()
    (backup,) = _backups(stack)
    no_tty = stack.run_cli("backups", "restore", str(backup["id"]))
    assert no_tty.exit_code == 2 and "pass --yes" in no_tty.stderr
    assert stack.config.read_bytes() == second
    result = stack.run_cli.ok("backups", "restore", str(backup["id"]), "--yes")
    assert "-- model_name: mini" in result.output and KEY not in result.output
    assert "no longer matches the store" in result.stderr
    assert stack.config.read_bytes() == first
    newest = _backups(stack)[0]
    assert Path(newest["backup_path"]).read_bytes() == second
    assert len(stack.restarts()) == 3
    entry = json.loads(stack.run_cli.ok("audit", "--json").output)[0]
    assert entry["action"] == "restore" and entry["after"]["restored_backup_id"] == backup["id"]
    assert entry["after"]["outcome"] == "success"


def test_a_restore_the_proxy_rejects_is_rolled_back(stack: Stack) -> None:
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "broken")
    stack.run_cli.ok("apply", "--yes", "--no-restart")  # a bad file reaches the disk ...
    stack.run_cli.ok("model", "disable", "broken")
    stack.run_cli.ok("apply", "--yes")  # ... and is backed up when replaced
    good = stack.config.read_bytes()
    (backup,) = _backups(stack)
    result = stack.run_cli("backups", "restore", str(backup["id"]), "--yes")
    assert result.exit_code == 1
    assert "rolled_back:" in result.stderr and "HTTP 503" in result.stderr
    assert stack.config.read_bytes() == good


def test_a_tampered_or_unknown_backup_is_refused(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    stack.run_cli.ok("apply", "--yes")
    current = stack.config.read_bytes()
    (backup,) = _backups(stack)
    Path(backup["backup_path"]).write_bytes(b"model_list: []\n")
    result = stack.run_cli("backups", "restore", str(backup["id"]), "--yes")
    assert result.exit_code == 1 and "checksum mismatch" in result.stderr
    assert stack.config.read_bytes() == current
    missing = stack.run_cli("backups", "restore", "99", "--yes")
    assert missing.exit_code == 1 and "no backup #99" in missing.stderr
