"""The audit trail: one entry per mutation, written in the mutation's own transaction."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.services.context import AppContext, now
from llmtui.store.schema import Apply, AuditEntry


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def record(
    session: AsyncSession,
    action: str,
    entity_type: str,
    entity_name: str | None,
    before: Any = None,
    after: Any = None,
    affects_config: bool = True,
) -> None:
    """Callers pass before/after already masked (views never carry secrets)."""
    session.add(
        AuditEntry(
            at=now(),
            os_user=os_user(),
            action=action,
            entity_type=entity_type,
            entity_name=entity_name,
            before=before,
            after=after,
            affects_config=affects_config,
        )
    )


@dataclass(frozen=True)
class AuditView:
    id: int
    at: float
    os_user: str
    action: str
    entity_type: str
    entity_name: str | None
    before: Any
    after: Any
    affects_config: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def list_entries(
    ctx: AppContext,
    limit: int = 100,
    entity_type: str | None = None,
    entity_name: str | None = None,
) -> list[AuditView]:
    """Newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_name:
        query = query.where(AuditEntry.entity_name == entity_name)
    async with ctx.store.read() as session:
        rows = (await session.scalars(query)).all()
    return [
        AuditView(
            id=r.id,
            at=r.at,
            os_user=r.os_user,
            action=r.action,
            entity_type=r.entity_type,
            entity_name=r.entity_name,
            before=r.before,
            after=r.after,
            affects_config=r.affects_config,
        )
        for r in rows
    ]


async def pending_changes(ctx: AppContext) -> int:
    """Config-affecting changes recorded since the last successful apply."""
    async with ctx.store.read() as session:
        high_water = await session.scalar(
            select(func.max(Apply.audit_high_water)).where(Apply.outcome == "success")
        )
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.affects_config)
        if high_water is not None:
            query = query.where(AuditEntry.id > high_water)
        return int(await session.scalar(query) or 0)
