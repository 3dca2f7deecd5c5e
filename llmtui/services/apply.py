"""Apply a plan: validate → back up → write → restart → health, rolling back on failure.

The steps are reported live (`on_step`) so front ends can show progress with elapsed
times. Whatever happens, the config on disk ends as the old file or the new one, whole:
a failed restart or health check puts the previous bytes back, restarts again, and
waits for health again. Every run is recorded in `applies` and audited.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from llmtui.errors import LlmtuiError
from llmtui.ops.backups import create_backup
from llmtui.ops.faults import crash_point
from llmtui.ops.files import atomic_write_bytes, read_bytes_if_exists, remove_file, sha256_file
from llmtui.ops.health import HealthResult, wait_healthy
from llmtui.ops.restart import RestartOutcome, run_restart
from llmtui.secrets.masking import scrub
from llmtui.services import apply_log
from llmtui.services.apply_plan import ApplyPlan, FileChange, plan_apply
from llmtui.services.apply_steps import ApplyResult, Outcome, StepCallback, StepEvent, StepTimer
from llmtui.services.context import AppContext, now

__all__ = ["ApplyPlan", "ApplyResult", "Outcome", "StepEvent", "plan_apply", "run_apply"]


class _Run:
    def __init__(
        self, ctx: AppContext, plan: ApplyPlan, steps: StepTimer, apply_id: int, restart: bool
    ) -> None:
        self.ctx, self.plan, self.steps, self.apply_id = ctx, plan, steps, apply_id
        self.want_restart = restart
        self.settings = plan.settings
        self.changes = [f for f in plan.files if f.changed]
        self.backups: dict[Path, Path] = {}
        self.written: list[FileChange] = []
        self.restart: RestartOutcome | None = None
        self.health: HealthResult | None = None
        self.rollback_restart: RestartOutcome | None = None
        self.rollback_health: HealthResult | None = None
        self.warnings: list[str] = []
        self.decided: str | None = None  # set once the outcome is known: no undo after that

    # -- the steps ---------------------------------------------------------

    async def execute(self) -> ApplyResult:
        plan, steps = self.plan, self.steps
        steps.start("validate")
        refusal = self._refusal()
        if refusal:
            steps.end("failed", refusal)
            return await self.close(Outcome.FAILED, "validate", f"refused: {refusal}")
        steps.end("ok", f"{len(plan.warnings)} warning(s)" if plan.warnings else "valid")

        if (failed := await self._backup()) is not None:
            return failed
        if (failed := await self._write()) is not None:
            return failed
        if not self.want_restart:
            steps.skip("restart", "--no-restart")
            return await self.close(
                Outcome.WRITTEN_NOT_RESTARTED,
                "write",
                f"wrote {plan.config_path}; the proxy was not restarted (--no-restart) and runs "
                "the previous config until it is",
            )
        await apply_log.set_step(self.ctx, self.apply_id, "restart")
        steps.start("restart", plan.restart_command)
        self.restart = await self._run_restart()
        if self.restart.skipped:
            steps.end("skipped", self.restart.describe())
            return await self.close(
                Outcome.WRITTEN_NOT_RESTARTED,
                "restart",
                f"{self._what_was_written()}, but the restart was skipped: "
                f"{self.restart.describe()}; restart the proxy yourself to load it",
            )
        if not self.restart.ok:
            steps.end("failed", self.restart.describe())
            return await self._rollback("restart", self.restart.describe())
        steps.end("ok")
        await apply_log.set_step(self.ctx, self.apply_id, "health")
        steps.start("health", self.settings.proxy_url)
        self.health = await wait_healthy(self.settings.proxy_url, self.settings.health_timeout)
        if not self.health.ok:
            steps.end("failed", self._scrub(self.health.describe()))
            return await self._rollback("health", self.health.describe())
        steps.end("ok")
        return await self.close(
            Outcome.SUCCESS,
            "health",
            f"{self._what_was_written()}; the proxy restarted and is healthy",
        )

    def _what_was_written(self) -> str:
        if self.written:
            return f"wrote {self.plan.config_path}"
        return f"{self.plan.config_path} was already up to date"

    def _refusal(self) -> str | None:
        plan = self.plan
        if plan.errors:
            n = len(plan.errors)
            return f"{n} validation error{'s' if n != 1 else ''}: {plan.errors[0]}"
        if plan.problems:
            return plan.problems[0]
        for change in plan.files:
            if read_bytes_if_exists(change.path) != change.old:
                return (
                    f"{change.path} changed on disk since the plan was made; "
                    "review the new diff and apply again"
                )
        return None

    async def _backup(self) -> ApplyResult | None:
        existing = [c for c in self.changes if c.old is not None]
        if not existing:
            reason = "no previous file" if self.changes else "the file on disk is up to date"
            self.steps.skip("backup", reason)
            return None
        await apply_log.set_step(self.ctx, self.apply_id, "backup")
        self.steps.start("backup")
        try:
            for change in existing:
                assert change.old is not None
                backup = create_backup(change.path, change.old, now())
                self.backups[change.path] = backup.path
                await apply_log.record_backup(self.ctx, self.apply_id, change.path, backup)
        except LlmtuiError as exc:
            self.steps.end("failed", str(exc))
            return await self.close(Outcome.FAILED, "backup", f"{exc}; nothing was changed")
        self.steps.end("ok", ", ".join(str(p) for p in self.backups.values()))
        crash_point("after_backup")
        return None

    async def _write(self) -> ApplyResult | None:
        if not self.changes:
            self.steps.skip("write", "the file on disk is up to date")
            return None
        config_backup = self.backups.get(self.plan.config_path)
        await apply_log.set_step(
            self.ctx,
            self.apply_id,
            "write",
            backup_path=str(config_backup) if config_backup else None,
        )
        self.steps.start("write", str(self.plan.config_path))
        try:
            for change in self.changes:  # env file first: the config is the commit point
                atomic_write_bytes(change.path, change.new)
                self.written.append(change)
        except LlmtuiError as exc:
            self.steps.end("failed", str(exc))
            undo = self._undo_quietly()
            return await self.close(Outcome.FAILED, "write", f"{exc}; {undo}")
        self.steps.end("ok")
        crash_point("after_write")
        return None

    async def _run_restart(self) -> RestartOutcome:
        return await run_restart(self.settings.restart_argv, self.settings.restart_timeout)

    # -- rollback ----------------------------------------------------------

    def _restore_files(self) -> None:
        for change in reversed(self.written):
            if change.old is None:
                remove_file(change.path)
            else:
                atomic_write_bytes(change.path, change.old)
                if sha256_file(change.path) != change.old_sha256:
                    raise LlmtuiError(f"{change.path} does not read back as the previous file")
        self.written = []

    def _undo_quietly(self) -> str:
        if not self.written:
            return "nothing was changed"
        try:
            self._restore_files()
        except LlmtuiError as exc:
            return f"putting the previous files back failed too: {exc}"
        return "the previous files were put back"

    async def _rollback(self, failed_step: str, reason: str) -> ApplyResult:
        steps = self.steps
        if not self.written:
            return await self.close(
                Outcome.FAILED, failed_step, f"{reason} (the config file was not changed)"
            )
        await apply_log.set_step(self.ctx, self.apply_id, "rollback")
        steps.start("rollback", "restoring the previous file")
        try:
            self._restore_files()
        except LlmtuiError as exc:
            steps.end("failed", str(exc))
            kept = ", ".join(str(p) for p in self.backups.values()) or "none"
            return await self.close(
                Outcome.FAILED,
                "rollback",
                f"{reason}; putting the previous config back FAILED: {exc} (backups: {kept})",
            )
        steps.end("ok")
        await apply_log.set_step(self.ctx, self.apply_id, "rollback_restart")
        steps.start("rollback_restart", self.plan.restart_command)
        self.rollback_restart = await self._run_restart()
        if not self.rollback_restart.ok:
            steps.end("failed", self.rollback_restart.describe())
            return await self.close(
                Outcome.ROLLED_BACK,
                "rollback_restart",
                f"{reason}; the previous config is back, but restarting the proxy with it "
                f"failed too: {self.rollback_restart.describe()}",
            )
        steps.end("ok")
        await apply_log.set_step(self.ctx, self.apply_id, "rollback_health")
        steps.start("rollback_health", self.settings.proxy_url)
        self.rollback_health = await wait_healthy(
            self.settings.proxy_url, self.settings.health_timeout
        )
        if not self.rollback_health.ok:
            steps.end("failed", self._scrub(self.rollback_health.describe()))
            return await self.close(
                Outcome.ROLLED_BACK,
                "rollback_health",
                f"{reason}; the previous config is back, but the proxy is still not healthy "
                f"({self.rollback_health.error})",
            )
        steps.end("ok")
        return await self.close(
            Outcome.ROLLED_BACK,
            "rollback_health",
            f"{reason}; the previous config is back and the proxy is healthy again",
        )

    async def abandon(self, exc: BaseException) -> None:
        """Cancelled or crashed in our own code: put the old files back, close the row."""
        interrupted = not isinstance(exc, Exception)
        outcome = Outcome.INTERRUPTED if interrupted else Outcome.FAILED
        why = "interrupted" if interrupted else f"unexpected error ({type(exc).__name__}: {exc})"
        step = self.steps.current or "validate"
        if self.decided is not None:  # the files are final; only the record failed
            message = f"{why} while recording the outcome: {self.decided}"
        else:
            message = f"{why} at step {step!r}; {self._undo_quietly()}"
            if step in ("restart", "health", "rollback_restart", "rollback_health"):
                message += "; the proxy may still run the new config: restart it"
        with contextlib.suppress(Exception):  # the original exception is what matters
            await self.close(outcome, step, message)

    # -- closing -----------------------------------------------------------

    def _scrub(self, text: str | None) -> str:
        return scrub(text or "", self.plan.secrets)

    def _restart_output(self) -> str:
        parts = []
        if self.restart is not None and self.restart.output:
            parts.append(self.restart.output.rstrip())
        if self.rollback_restart is not None and self.rollback_restart.output:
            parts.append("--- restart with the previous config ---")
            parts.append(self.rollback_restart.output.rstrip())
        return self._scrub("\n".join(parts))

    async def close(self, outcome: Outcome, step: str, message: str) -> ApplyResult:
        message = self._scrub(message)
        if self.decided is None:
            self.decided = f"{outcome.value}: {message}"
        self.written = []
        health_error = self.health.error if self.health and not self.health.ok else None
        config_backup = self.backups.get(self.plan.config_path)
        await apply_log.finish(
            self.ctx,
            self.apply_id,
            apply_log.Finish(
                outcome=outcome.value,
                step=step,
                message=message,
                restart_output=self._restart_output() or None,
                health_error=self._scrub(health_error) or None,
                backup_path=str(config_backup) if config_backup else None,
            ),
            "restore" if self.plan.kind == "restore" else "apply",
            {
                "sha256": self.plan.config.new_sha256 if outcome is Outcome.SUCCESS else None,
                "backup": str(config_backup) if config_backup else None,
                "restored_backup_id": self.plan.restore_backup_id,
                "message": message,
            },
        )
        for original in self.backups:
            _, problems = await apply_log.rotate_backups(
                self.ctx, original, self.settings.backup_keep
            )
            self.warnings.extend(problems)
        return ApplyResult(
            outcome=outcome,
            message=message,
            step=step,
            apply_id=self.apply_id,
            events=list(self.steps.events),
            backups=list(self.backups.values()),
            restart=self.restart,
            health=self.health,
            rollback_restart=self.rollback_restart,
            rollback_health=self.rollback_health,
            restart_output=self._restart_output(),
            health_error=self._scrub(health_error) or None,
            warnings=self.warnings,
            elapsed=time.monotonic() - self.steps.t0,
        )


async def run_apply(
    ctx: AppContext,
    plan: ApplyPlan,
    *,
    restart: bool = True,
    on_step: StepCallback | None = None,
) -> ApplyResult:
    """Carry out a confirmed plan; see the module docstring for the steps."""
    steps = StepTimer(on_step, lambda text: scrub(text, plan.secrets))
    if not plan.changed and not restart:
        return ApplyResult(
            Outcome.UNCHANGED,
            f"{plan.config_path} is already up to date; nothing was written or restarted",
            "validate",
        )
    config = plan.config
    max_seconds = 2 * (plan.settings.restart_timeout + plan.settings.health_timeout)
    apply_id, interrupted = await apply_log.begin(
        ctx,
        config_path=plan.config_path,
        old_sha256=config.old_sha256,
        new_sha256=config.new_sha256,
        restart_argv=[scrub(arg, plan.secrets) for arg in plan.settings.restart_argv],
        audit_high_water=plan.audit_high_water,
        max_seconds=max_seconds,
    )
    run = _Run(ctx, plan, steps, apply_id, restart)
    run.warnings.extend(interrupted)
    try:
        return await run.execute()
    except BaseException as exc:
        await run.abandon(exc)
        raise
