"""Create and upgrade the store before any event loop starts.

The common case (store already at head) is answered with one sqlite3 query so that
start-up does not pay for importing Alembic.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from llmtui.errors import StoreError
from llmtui.store.unwritable import explain_unwritable

# Kept equal to Alembic's head by tests/test_migrations.py.
HEAD_REVISION = "0002"
SQLITE_MAGIC = b"SQLite format 3\x00"


def migrations_dir() -> Path:
    """Migrations ship inside the wheel as llmtui/_migrations; a checkout has them at the top."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError("this llmtui installation has no migrations directory; reinstall llmtui")


def ensure_db_file(db_path: Path) -> None:
    """Create the DB file 0600 (SQLite gives its -wal/-shm files the same mode)."""
    if not db_path.exists():
        fd = os.open(db_path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        return
    if not db_path.is_file():
        raise StoreError(f"{db_path} is not a file")
    with db_path.open("rb") as handle:
        header = handle.read(16)
    if header and header != SQLITE_MAGIC:
        raise StoreError(
            f"{db_path} is not a SQLite database; move it away or choose another --home"
        )
    if os.stat(db_path).st_mode & 0o077:
        os.chmod(db_path, 0o600)


def current_revision(db_path: Path) -> str | None:
    try:
        conn = sqlite3.connect(db_path, timeout=5)
    except sqlite3.Error as exc:  # pragma: no cover - depends on the OS
        raise StoreError(f"cannot open {db_path}: {exc}") from exc
    try:
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if row is None:
            return None
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return found[0] if found else None
    except sqlite3.DatabaseError as exc:
        raise StoreError(_explain_sqlite_error(db_path, exc)) from exc
    finally:
        conn.close()


def upgrade(db_path: Path, revision: str = "head") -> None:
    """Run Alembic (imported here, not at start-up) up to `revision`."""
    _alembic("upgrade", db_path, revision)


def downgrade(db_path: Path, revision: str) -> None:
    _alembic("downgrade", db_path, revision)


def prepare_database(db_path: Path) -> str:
    """Make the store exist and be at head; return the schema revision."""
    try:
        ensure_db_file(db_path)
    except OSError as exc:
        from llmtui.ops.files import describe_os_error

        raise StoreError(describe_os_error(exc, db_path)) from exc
    revision = current_revision(db_path)
    if revision == HEAD_REVISION:
        return revision
    upgrade(db_path)
    return current_revision(db_path) or HEAD_REVISION


def _alembic(verb: str, db_path: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{db_path}")
    try:
        getattr(command, verb)(cfg, revision)
    except Exception as exc:
        import sqlalchemy.exc

        if isinstance(exc, sqlalchemy.exc.DBAPIError) and isinstance(exc.orig, sqlite3.Error):
            raise StoreError(_explain_sqlite_error(db_path, exc.orig)) from exc
        raise


def _explain_sqlite_error(db_path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{db_path} is not a usable SQLite database ({text})"
    if "locked" in text or "busy" in text:
        return f"the store {db_path} is locked by another process; try again"
    if any(w in text for w in ("readonly", "read-only", "unable to open", "disk", "full")):
        explained = explain_unwritable(db_path, text)
        if explained is not None:
            return explained
    return f"store error in {db_path}: {text}"
