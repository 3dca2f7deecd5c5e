"""The durable record of applies and backups, and the one-apply-at-a-time guard.

A row is written `in_progress` (with our pid) before any file is touched and updated at
each step, so a crash mid-apply is visible afterwards: a live pid means another apply is
running; a dead one is reported as interrupted, with what is on disk now.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from llmtui.errors import ConflictError, LlmtuiError
from llmtui.formatting import ago
from llmtui.ops.backups import BackupFile, remove_backup
from llmtui.ops.files import remove_file, sha256_file
from llmtui.services import audit
from llmtui.services.context import AppContext, now
from llmtui.store.schema import Apply, Backup

IN_PROGRESS = "in_progress"
INTERRUPTED = "interrupted"
# Beyond this an in_progress row cannot belong to a live apply, whatever its pid says
# (pids are reused): two restarts, two health waits and slack.
SLACK_SECONDS = 600.0


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def still_running(row: Apply, max_seconds: float) -> bool:
    """A live pid within the time an apply can take: another apply is really running."""
    return pid_alive(row.pid) and now() - row.started_at < max_seconds + SLACK_SECONDS


def on_disk_state(row: Apply) -> str:
    current = sha256_file(Path(row.config_path))
    if current is not None and current == row.new_sha256:
        return "the config on disk is the NEW file"
    if current == row.old_sha256:
        return "the config on disk is the previous file" if current else "there is no config file"
    return "the config on disk matches neither the new nor the previous file"


def leftover_files(row: Apply) -> list[Path]:
    """Temp files a dead apply left beside the config (`.<name>.tmp-<pid>`)."""
    if not row.pid:
        return []
    try:
        return sorted(p for p in Path(row.config_path).parent.glob(f".*.tmp-{row.pid}"))
    except OSError:
        return []


def remove_leftovers(paths: list[Path]) -> list[str]:
    """Remove them; what could not be removed is reported, never raised."""
    problems = []
    for path in paths:
        try:
            remove_file(path)
        except LlmtuiError as exc:
            problems.append(str(exc))
    return problems


def describe_interrupted(row: Apply) -> str:
    return (
        f"apply #{row.id} (pid {row.pid}, started {ago(row.started_at)}) was interrupted at "
        f"step {row.step!r}; {on_disk_state(row)}"
        + (f"; its backup is {row.backup_path}" if row.backup_path else "")
    )


async def begin(
    ctx: AppContext,
    *,
    config_path: Path,
    old_sha256: str | None,
    new_sha256: str | None,
    restart_argv: list[str],
    audit_high_water: int | None,
    max_seconds: float,
) -> tuple[int, list[str]]:
    """Claim the apply slot: our row, in_progress. Returns (apply id, interrupted reports)."""
    reports: list[str] = []
    leftovers: list[Path] = []
    async with ctx.store.write() as session:
        running = (await session.scalars(select(Apply).where(Apply.outcome == IN_PROGRESS))).all()
        for row in running:
            if still_running(row, max_seconds):
                raise ConflictError(
                    f"another apply (#{row.id}, pid {row.pid}, started {ago(row.started_at)}) "
                    f"is in progress at step {row.step!r}; wait for it to finish"
                )
            report = describe_interrupted(row)
            reports.append(report)
            leftovers += leftover_files(row)
            row.outcome = INTERRUPTED
            row.finished_at = now()
            row.message = report
        row = Apply(
            started_at=now(),
            config_path=str(config_path),
            old_sha256=old_sha256,
            new_sha256=new_sha256,
            outcome=IN_PROGRESS,
            step="validate",
            restart_argv=restart_argv,
            audit_high_water=audit_high_water,
            pid=os.getpid(),
        )
        session.add(row)
        await session.flush()
        apply_id = row.id
    reports += remove_leftovers(leftovers)
    return apply_id, reports


async def set_step(ctx: AppContext, apply_id: int, step: str, **values: Any) -> None:
    async with ctx.store.write() as session:
        row = await session.get(Apply, apply_id)
        assert row is not None
        row.step = step
        for key, value in values.items():
            setattr(row, key, value)


async def record_backup(
    ctx: AppContext, apply_id: int | None, original: Path, backup: BackupFile
) -> int:
    async with ctx.store.write() as session:
        row = Backup(
            created_at=now(),
            config_path=str(original),
            backup_path=str(backup.path),
            sha256=backup.sha256,
            size=backup.size,
            apply_id=apply_id,
        )
        session.add(row)
        await session.flush()
        return row.id


@dataclass(frozen=True)
class Finish:
    outcome: str
    step: str
    message: str
    restart_output: str | None = None
    health_error: str | None = None
    backup_path: str | None = None


async def finish(
    ctx: AppContext, apply_id: int, result: Finish, audit_action: str, audit_after: dict[str, Any]
) -> None:
    """Close the row and audit it in one transaction (the audit is not a pending change)."""
    async with ctx.store.write() as session:
        row = await session.get(Apply, apply_id)
        assert row is not None
        row.outcome = result.outcome
        row.step = result.step
        row.message = result.message
        row.restart_output = result.restart_output
        row.health_error = result.health_error
        row.backup_path = result.backup_path or row.backup_path
        row.finished_at = now()
        audit.record(
            session,
            audit_action,
            "config",
            row.config_path,
            {"sha256": row.old_sha256},
            {"apply_id": apply_id, "outcome": result.outcome, "step": result.step, **audit_after},
            affects_config=False,
        )


async def rotate_backups(
    ctx: AppContext, original: Path, keep: int
) -> tuple[list[Path], list[str]]:
    """Keep the newest `keep` backups of `original`; delete the rest (rows first, then files)."""
    doomed: list[Path] = []
    async with ctx.store.write() as session:
        rows = (
            await session.scalars(
                select(Backup)
                .where(Backup.config_path == str(original), Backup.deleted_at.is_(None))
                .order_by(Backup.id.desc())
            )
        ).all()
        for row in rows[keep:]:
            row.deleted_at = time.time()
            doomed.append(Path(row.backup_path))
    removed: list[Path] = []
    problems: list[str] = []
    for path in doomed:
        try:
            remove_backup(path)
            removed.append(path)
        except LlmtuiError as exc:
            problems.append(str(exc))
    return removed, problems
