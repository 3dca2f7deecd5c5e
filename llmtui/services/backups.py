"""Config backups: list them, and restore one the way apply writes a config.

A restore is an apply whose new bytes come from a backup: the current file is backed up
in turn, then write → restart → health, rolled back if the proxy does not come back.
Backups taken together by one apply (config and env file) are restored together.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from llmtui.errors import NotFound
from llmtui.ops.backups import read_backup
from llmtui.ops.files import read_bytes_if_exists
from llmtui.services.apply_plan import (
    ApplyPlan,
    FileChange,
    check_targets,
    describe_config_diff,
    env_changes,
    load_apply_settings,
    load_yaml,
    parse_back_errors,
    parse_env_file,
    restart_notes,
    secret_values,
)
from llmtui.services.config import env_path_for
from llmtui.services.context import AppContext
from llmtui.store.schema import Apply, Backup


@dataclass(frozen=True)
class BackupView:
    id: int
    created_at: float
    file: str  # the file it is a copy of
    backup_path: str
    sha256: str
    size: int
    apply_id: int | None
    apply_outcome: str | None
    exists: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def list_backups(ctx: AppContext) -> list[BackupView]:
    """Backups still kept (rotated-out ones are gone), newest first."""
    async with ctx.store.read() as session:
        rows = (
            await session.execute(
                select(Backup, Apply.outcome)
                .outerjoin(Apply, Apply.id == Backup.apply_id)
                .where(Backup.deleted_at.is_(None))
                .order_by(Backup.id.desc())
            )
        ).all()
    return [
        BackupView(
            id=b.id,
            created_at=b.created_at,
            file=b.config_path,
            backup_path=b.backup_path,
            sha256=b.sha256,
            size=b.size,
            apply_id=b.apply_id,
            apply_outcome=outcome,
            exists=Path(b.backup_path).is_file(),
        )
        for b, outcome in rows
    ]


async def _backup_set(ctx: AppContext, backup_id: int) -> list[Backup]:
    """The backup and any taken with it by the same apply (the env file beside a config)."""
    async with ctx.store.read() as session:
        row = await session.get(Backup, backup_id)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no backup #{backup_id}; see `llmtui backups list`")
        rows = [row]
        if row.apply_id is not None:
            rows += (
                await session.scalars(
                    select(Backup).where(
                        Backup.apply_id == row.apply_id,
                        Backup.id != row.id,
                        Backup.deleted_at.is_(None),
                    )
                )
            ).all()
    return rows


async def plan_restore(ctx: AppContext, backup_id: int) -> ApplyPlan:
    """A plan that writes backup `backup_id` (and its companions) back in place."""
    settings = await load_apply_settings(ctx)
    rows = await _backup_set(ctx, backup_id)
    env_path = env_path_for(settings.config_path)
    files: list[FileChange] = []
    for row in rows:
        target = Path(row.config_path)
        role = "env" if target == env_path else "config"
        data = read_backup(Path(row.backup_path), row.sha256)
        files.append(FileChange(role, target, data, read_bytes_if_exists(target)))
    files.sort(key=lambda f: f.role != "env")  # env file first, like apply
    if not any(f.role == "config" for f in files):
        raise NotFound(
            f"backup #{backup_id} is of {rows[0].config_path}, not of the config "
            f"{settings.config_path}; restore the config's backup from the same apply instead"
        )
    config = next(f for f in files if f.role == "config")
    plan = ApplyPlan(
        kind="restore",
        config_path=config.path,
        files=files,
        settings=settings,
        restore_backup_id=backup_id,
    )
    text = config.new.decode("utf-8", "replace")
    plan.errors += parse_back_errors(text, None)
    env_values: dict[str, str] = {}
    for change in files:
        if change.role == "env":
            env_values.update(parse_env_file(change.new))
    plan.secrets = secret_values(None if plan.errors else load_yaml(text), env_values)
    if config.path != settings.config_path:
        plan.warnings.append(
            f"backup #{backup_id} is of {config.path}, but the config path is now "
            f"{settings.config_path}; the restart will not necessarily load it"
        )
    describe_config_diff(plan)
    for change in files:
        if change.role == "env" and change.changed:
            plan.env_changes = env_changes(change.old, change.new)
    plan.warnings.append(
        "a restored backup no longer matches the store: the next apply writes the store's "
        "config again (`llmtui config import` takes the restored file into the store)"
    )
    check_targets(plan)
    restart_notes(plan)
    return plan
