"""Environment faults through the real CLI: one clear line, nothing half-written.

Read-only home, a full disk (a real 2 MiB tmpfs filled to the brim; skipped where it
cannot be mounted), no usable keyring, a locked store, an unreachable proxy and a
hanging restart command. After each: the store passes integrity_check and holds exactly
what it held before, the config on disk is byte-identical, and no temp file is left.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import pytest
from cryptography.fernet import Fernet
from keyring.backends import fail

from tests.support.apply_stack import Stack
from tests.support.read_only import read_only_dir

pytestmark = pytest.mark.slow


def store_rows(home: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(home / "llmtui.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if not r[0].startswith("sqlite_")
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def one_clear_line(result) -> str:
    message = result.stderr.strip()
    assert result.exit_code != 0
    assert message and "\n" not in message and "Traceback" not in message, message
    return message


def temp_files(*directories: Path) -> list[Path]:
    return [p for d in directories for p in d.iterdir() if ".tmp-" in p.name]


@contextmanager
def read_only_view(source: Path, view: Path) -> Iterator[Path]:
    """`source` again at `view`, on a read-only bind mount (EROFS for every write)."""
    view.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=True)


@contextmanager
def tiny_tmpfs(mountpoint: Path, size: str = "2m") -> Iterator[Path]:
    mountpoint.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)


def fill(directory: Path) -> None:
    """Fill the file system to the last block."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_read_only_home_refuses_edits_and_keeps_the_store(tmp_path: Path, memory_keyring) -> None:
    from tests.conftest import Cli

    with tiny_tmpfs(tmp_path / "disk") as disk:
        home = disk / "home"
        run = Cli(home)
        run.ok("provider", "add", "local", "--type", "ollama")
        before = store_rows(home)
        with read_only_view(disk, tmp_path / "ro") as view:
            ro = Cli(view / "home")
            for args in (
                ["model", "add", "local", "llama3", "--group", "chat"],
                ["settings", "set", "health_timeout", "30"],
            ):
                message = one_clear_line(ro(*args))
                assert "read-only" in message or "permission denied" in message, message
            # Reading may work (SQLite can read WAL read-only) or fail, but never half-way.
            listing = ro("provider", "list")
            if listing.exit_code == 0:
                assert "local" in listing.output
            else:
                assert "read-only" in one_clear_line(listing)
        assert store_rows(home) == before


def test_a_home_that_cannot_be_created_is_one_clear_error(tmp_path: Path, memory_keyring) -> None:
    from tests.conftest import Cli

    parent = tmp_path / "locked-parent"
    parent.mkdir()
    with read_only_dir(parent):
        result = Cli(parent / "home")("provider", "list")
        message = one_clear_line(result)
    assert str(parent / "home") in message
    assert not (parent / "home").exists()


def test_full_disk_under_the_store_saves_nothing(
    tmp_path: Path, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import Cli

    monkeypatch.setenv("LLMTUI_MASTER_KEY", Fernet.generate_key().decode())

    def llmtui(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "llmtui", "--home", str(home), *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    with tiny_tmpfs(tmp_path / "disk") as disk:
        home = disk / "home"
        assert llmtui("provider", "add", "local", "--type", "ollama").returncode == 0
        before = store_rows(home)
        fill(disk)
        full = f"Error: the disk holding {home / 'llmtui.db'} is full; nothing was changed"
        for args in (
            ["model", "add", "local", "llama3", "--group", "chat"],
            ["provider", "add", "more", "--type", "ollama"],
        ):
            # A fresh process meets the full disk when SQLite opens the WAL index ...
            done = llmtui(*args)
            assert done.returncode == 1 and done.stderr.strip() == full, done.stderr
            # ... one with the store already open, at the write: the same sentence.
            assert one_clear_line(Cli(home)(*args)) == full
        (disk / "filler").unlink()
        assert store_rows(home) == before
        Cli(home).ok("model", "add", "local", "llama3", "--group", "chat")  # and it recovers


def test_full_disk_under_the_config_leaves_it_whole(stack: Stack, tmp_path: Path) -> None:
    stack.run_cli.ok("apply", "--yes")
    with tiny_tmpfs(tmp_path / "disk") as disk:
        config = disk / "litellm-config.yaml"
        config.write_bytes(stack.config.read_bytes())
        stack.monkeypatch.setenv("LLMTUI_CONFIG_PATH", str(config))
        stack.monkeypatch.setenv("RECORD_FILE", str(config))
        stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
        old = config.read_bytes()
        fill(disk)
        message = one_clear_line(stack.run_cli("apply", "--yes"))
        assert "full" in message, message
        assert config.read_bytes() == old
        assert temp_files(disk) == []
        assert len(stack.restarts()) == 1  # the proxy was not restarted for a failed write
        assert stack.applies()[-1][0] != "success"
        (disk / "filler").unlink()
        stack.run_cli.ok("apply", "--yes")
        assert b"gpt-4o-mini" in config.read_bytes()


def test_no_usable_keyring_is_one_clear_error_and_no_key_is_stored(home: Path, run_cli) -> None:
    keyring.set_keyring(fail.Keyring())  # the memory keyring fixture restores the previous one
    result = run_cli("provider", "add", "oa", "--type", "openai", "--key-stdin", input="sk-x" * 8)
    message = one_clear_line(result)
    assert "keyring" in message.lower(), message
    if (home / "llmtui.db").exists():
        assert store_rows(home)["providers"] == []


def test_locked_store_from_another_process_is_one_clear_error(stack: Stack) -> None:
    before = store_rows(stack.home)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "db.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.read()",
            str(stack.home / "llmtui.db"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = stack.run_cli("model", "add", "up", "gpt-4o-mini", "--group", "mini")
        assert "locked" in one_clear_line(result)
    finally:
        holder.communicate("", timeout=10)
    assert store_rows(stack.home) == before


def test_unreachable_proxy_rolls_back_with_one_clear_line(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    old = stack.config.read_bytes()
    stack.monkeypatch.setenv("LLMTUI_PROXY_URL", "http://127.0.0.1:9")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code != 0
    assert "127.0.0.1:9" in result.output + result.stderr
    assert stack.config.read_bytes() == old
    assert temp_files(stack.config.parent) == []
    assert stack.applies()[-1][0] == "rolled_back"


def test_hanging_docker_is_killed_and_the_old_config_restored(stack: Stack) -> None:
    stack.run_cli.ok("apply", "--yes")
    old = stack.config.read_bytes()
    stack.restart_with("--sleep", "60", "--on", "2")  # hangs on the new config only
    stack.monkeypatch.setenv("LLMTUI_RESTART_TIMEOUT", "1")
    stack.run_cli.ok("model", "add", "up", "gpt-4o-mini", "--group", "mini")
    result = stack.run_cli("apply", "--yes")
    assert result.exit_code == 1
    assert "timed out after 1 s (killed)" in result.stderr
    assert stack.config.read_bytes() == old
    assert temp_files(stack.config.parent) == []
    assert stack.applies()[-1][0] == "rolled_back"
