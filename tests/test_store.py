"""The SQLite store: created 0600 at head, our pragmas, append-only audit, clear errors."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from llmtui.cli import cli
from llmtui.errors import StoreError
from llmtui.home import db_path
from llmtui.services.context import AppContext
from llmtui.store.migrate import HEAD_REVISION, current_revision


async def test_store_is_created_private_and_at_head(ctx: AppContext, home: Path) -> None:
    path = db_path(home)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert current_revision(path) == HEAD_REVISION
    async with ctx.store.write() as session:
        await session.execute(text("CREATE TABLE IF NOT EXISTS probe (x)"))
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) & 0o077 == 0


async def test_pragmas_wal_foreign_keys_busy_timeout(ctx: AppContext) -> None:
    async with ctx.store.read() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_audit_log_refuses_update_and_delete(ctx: AppContext, run_cli) -> None:
    run_cli.ok("provider", "add", "local", "--type", "ollama")
    conn = sqlite3.connect(ctx.store.db_path)
    try:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET action = 'forged'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    finally:
        conn.close()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, run_cli) -> None:
    home = tmp_path / "other"
    home.mkdir()
    (home / "llmtui.db").write_text("these are my notes, not a database\n" * 10)
    before = (home / "llmtui.db").read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database"):
        AppContext.open(home)
    result = run_cli.runner.invoke(cli, ["--home", str(home), "provider", "list"])
    assert result.exit_code == 1
    assert "not a SQLite database" in result.stderr
    assert (home / "llmtui.db").read_bytes() == before


async def test_locked_store_gives_a_clear_error_and_writes_nothing(home: Path, run_cli) -> None:
    context = AppContext.open(home, busy_timeout=0.2)
    blocker = sqlite3.connect(context.store.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        from llmtui.services.providers import ProviderFields, add_provider

        with pytest.raises(StoreError, match="locked"):
            await add_provider(context, "local", ProviderFields(type="ollama"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await context.close()
    assert "(none)" in run_cli.ok("provider", "list").output
