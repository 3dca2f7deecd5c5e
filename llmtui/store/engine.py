"""The async engine: WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for writes.

Reads begin a deferred transaction; writes take the write lock up front so two
instances queue on the busy timeout instead of failing half-way through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from llmtui.errors import StoreError
from llmtui.store import versions
from llmtui.store.unwritable import explain_unwritable

WRITE_OPTION = "llmtui_write"


class Store:
    def __init__(self, db_path: Path, busy_timeout: float = 5.0) -> None:
        versions.install()
        self.db_path = db_path
        self.busy_timeout = busy_timeout
        self.engine = create_async_engine(
            f"sqlite+aiosqlite:///{db_path}",
            connect_args={"timeout": busy_timeout},
        )
        event.listen(self.engine.sync_engine, "connect", self._on_connect)
        event.listen(self.engine.sync_engine, "begin", _on_begin)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        writer_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._writer = async_sessionmaker(writer_engine, expire_on_commit=False)

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (see _on_begin); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            try:
                async with session.begin():
                    yield session
            except OperationalError as exc:
                raise self._translate(exc) from exc

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction under BEGIN IMMEDIATE: commits on success, rolls back on error."""
        async with self._writer() as session:
            try:
                async with session.begin():
                    yield session
            except OperationalError as exc:
                raise self._translate(exc) from exc

    def _translate(self, exc: OperationalError) -> StoreError:
        text = str(exc.orig) if isinstance(exc.orig, sqlite3.Error) else str(exc)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"the store is locked by another llmtui (waited {self.busy_timeout:g} s); try again"
            )
        if any(w in text for w in ("readonly", "read-only", "unable to open", "disk", "full")):
            explained = explain_unwritable(self.db_path, text)
            if explained is not None:
                return StoreError(explained)
        return StoreError(f"store error: {text}")

    async def close(self) -> None:
        await self.engine.dispose()


def _on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
