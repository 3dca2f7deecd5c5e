"""After a crash mid-apply: find the apply that never finished, then finish or undo it.

An apply writes its `applies` row `in_progress` (with its pid) before touching a file
and records each step. A row still `in_progress` whose process is gone is an interrupted
apply. Every file is replaced by rename, so the config on disk is then the previous file
or the new one, whole; what is open is which one, and whether the proxy was already
restarted with it. The operator chooses:

- finish: apply the store's config now (write it if needed, restart, health check);
- roll back: put back the backup that apply took (the env file with it), restarting the
  proxy when anything changed or the interrupted apply had reached the restart;
- dismiss: leave files and proxy as they are and close the record.

The dead process's temp files (`.<name>.tmp-<pid>`) are removed in every case.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from llmtui.errors import ConflictError, InvalidInput, LlmtuiError, NotFound
from llmtui.formatting import ago
from llmtui.ops.files import sha256_file
from llmtui.services import apply_log, audit
from llmtui.services import settings as settings_service
from llmtui.services.apply import run_apply
from llmtui.services.apply_plan import ApplyPlan, plan_apply
from llmtui.services.apply_steps import ApplyResult, StepCallback
from llmtui.services.backups import plan_restore
from llmtui.services.context import AppContext, now
from llmtui.store.schema import Apply, Backup

CHOICES = ("finish", "rollback", "dismiss")
# Steps after which the proxy may already run the new config.
PROXY_STEPS = frozenset({"restart", "health", "rollback", "rollback_restart", "rollback_health"})


@dataclass(frozen=True)
class InterruptedApply:
    apply_id: int
    pid: int | None
    started_at: float
    step: str | None
    config_path: str
    on_disk: str  # new | previous | neither
    backup_id: int | None  # the config's backup taken by that apply
    backup_path: str | None
    leftovers: list[str]  # temp files the dead process left beside the config
    proxy_touched: bool
    description: str  # the full sentence (pid, when, backup path)
    headline: str  # the short one: which apply, which step, which file is on disk

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def advice(self) -> str:
        """What each choice would do, in one paragraph."""
        back = (
            f"roll back puts backup #{self.backup_id} ({self.backup_path}) back"
            if self.backup_id is not None
            else "roll back has no backup to put back"
        )
        changed = self.proxy_touched or self.on_disk != "previous"
        restart = " and restarts the proxy" if changed else ""
        return (
            "finish applies the store's config now (write, restart, health check); "
            f"{back}{restart}; dismiss leaves the files and the proxy as they are"
        )


@dataclass
class Recovery:
    """A confirmed choice, ready to carry out: the plan (if any) and whether to restart."""

    item: InterruptedApply
    choice: str
    plan: ApplyPlan | None
    restart: bool
    notes: list[str] = field(default_factory=list)


def _on_disk(row: Apply) -> str:
    current = sha256_file(Path(row.config_path))
    if current is not None and current == row.new_sha256:
        return "new"
    return "previous" if current == row.old_sha256 else "neither"


async def _max_seconds(ctx: AppContext) -> float:
    """How long a live apply may take (no master key needed: the TUI asks at start)."""
    restart = float(await settings_service.get_plain(ctx, "restart_timeout"))
    health = float(await settings_service.get_plain(ctx, "health_timeout"))
    return 2 * (restart + health)


async def find_interrupted(ctx: AppContext) -> list[InterruptedApply]:
    """Applies whose process died mid-way, newest first. Reads only."""
    max_seconds = await _max_seconds(ctx)
    async with ctx.store.read() as session:
        rows = (
            await session.scalars(
                select(Apply)
                .where(Apply.outcome == apply_log.IN_PROGRESS)
                .order_by(Apply.id.desc())
            )
        ).all()
        found = []
        for row in rows:
            if apply_log.still_running(row, max_seconds):
                continue
            backup = await session.scalar(
                select(Backup)
                .where(
                    Backup.apply_id == row.id,
                    Backup.config_path == row.config_path,
                    Backup.deleted_at.is_(None),
                )
                .order_by(Backup.id)
                .limit(1)
            )
            found.append(
                InterruptedApply(
                    apply_id=row.id,
                    pid=row.pid,
                    started_at=row.started_at,
                    step=row.step,
                    config_path=row.config_path,
                    on_disk=_on_disk(row),
                    backup_id=backup.id if backup else None,
                    backup_path=backup.backup_path if backup else None,
                    leftovers=[str(p) for p in apply_log.leftover_files(row)],
                    proxy_touched=row.step in PROXY_STEPS,
                    description=apply_log.describe_interrupted(row),
                    headline=f"apply #{row.id} ({ago(row.started_at)}) stopped at step "
                    f"{row.step!r}; {apply_log.on_disk_state(row)}",
                )
            )
    return found


async def latest_interrupted(ctx: AppContext) -> InterruptedApply | None:
    found = await find_interrupted(ctx)
    return found[0] if found else None


async def prepare(ctx: AppContext, choice: str, apply_id: int | None = None) -> Recovery:
    """Work out what `choice` would do; touches nothing."""
    if choice not in CHOICES:
        raise InvalidInput(f"unknown recovery {choice!r}; choose {', '.join(CHOICES)}")
    found = await find_interrupted(ctx)
    item = next((i for i in found if apply_id in (None, i.apply_id)), None)
    if item is None:
        which = f"apply #{apply_id} is not" if apply_id is not None else "no apply is"
        raise NotFound(f"{which} waiting for recovery; nothing to do")
    if choice == "dismiss":
        return Recovery(item, choice, None, restart=False)
    if choice == "finish":
        plan = await plan_apply(ctx)
        recovery = Recovery(item, choice, plan, restart=True)
        async with ctx.store.read() as session:
            row = await session.get(Apply, item.apply_id)
        if row is not None and plan.config.new_sha256 != row.new_sha256:
            recovery.notes.append(
                f"the store changed since apply #{item.apply_id} started: finishing writes "
                "the store's config as it is now"
            )
        return recovery
    return await _prepare_rollback(ctx, item)


async def _prepare_rollback(ctx: AppContext, item: InterruptedApply) -> Recovery:
    if item.backup_id is None:
        if item.on_disk == "previous" and not item.proxy_touched:
            note = "the previous config is already on disk and the proxy never loaded the new one"
            return Recovery(item, "rollback", None, restart=False, notes=[note])
        raise LlmtuiError(
            f"apply #{item.apply_id} kept no backup (there was no previous config), so there "
            "is nothing to roll back to; finish it instead (`llmtui recover --finish`)"
        )
    plan = await plan_restore(ctx, item.backup_id)
    restart = item.proxy_touched or plan.changed
    notes = []
    if not plan.changed:
        notes.append("the previous config is already on disk")
    return Recovery(item, "rollback", plan, restart=restart, notes=notes)


async def close_interrupted(ctx: AppContext, item: InterruptedApply, resolution: str) -> None:
    """Close the record (and any older dead one) and remove the dead process's temp files."""
    async with ctx.store.write() as session:
        row = await session.get(Apply, item.apply_id)
        if row is None or row.outcome != apply_log.IN_PROGRESS:
            raise ConflictError(
                f"apply #{item.apply_id} was already dealt with elsewhere; reload and check again"
            )
        row.outcome = apply_log.INTERRUPTED
        row.finished_at = now()
        row.message = f"{item.description}; {resolution}"
        audit.record(
            session,
            "apply.recover",
            "config",
            row.config_path,
            {"apply_id": row.id, "step": row.step, "on_disk": item.on_disk},
            {"resolution": resolution},
            affects_config=False,
        )
    apply_log.remove_leftovers([Path(p) for p in item.leftovers])


RESOLUTIONS = {
    "finish": "finished by applying the store's config again",
    "rollback": "rolled back to the backup it took",
    "dismiss": "dismissed: files and proxy left as they were",
}


async def carry_out(
    ctx: AppContext, recovery: Recovery, on_step: StepCallback | None = None
) -> ApplyResult | None:
    """Close the record, then run the plan (None when there was nothing to run)."""
    plan = recovery.plan
    if plan is not None and not plan.ok:
        reasons = plan.errors + plan.problems
        raise LlmtuiError(f"cannot {recovery.choice} apply #{recovery.item.apply_id}: {reasons[0]}")
    await close_interrupted(ctx, recovery.item, RESOLUTIONS[recovery.choice])
    if plan is None or (not plan.changed and not recovery.restart):
        return None
    return await run_apply(ctx, plan, restart=recovery.restart, on_step=on_step)


async def resolve(
    ctx: AppContext, choice: str, apply_id: int | None = None, on_step: StepCallback | None = None
) -> ApplyResult | None:
    """prepare + carry_out in one call (the TUI's dialog is the confirmation)."""
    return await carry_out(ctx, await prepare(ctx, choice, apply_id), on_step)
