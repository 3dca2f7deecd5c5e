"""Apply: the validated plan and its masked diff; enter runs it with live steps.

States: planning → ready (the user reads the verdict and the diff) → running (steps with
elapsed times, reported by `run_apply` through messages) → done (the outcome, with the
restart output and health error when it rolled back). A running apply goes on when the
user leaves the screen; coming back shows it. Backups are restored the same way.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

from llmtui.errors import LlmtuiError, MasterKeyError
from llmtui.tui.jobs import APPLY_GROUP
from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.widgets import apply_text
from llmtui.tui.widgets.diff_view import DiffView

if TYPE_CHECKING:
    from llmtui.services.apply_plan import ApplyPlan
    from llmtui.services.apply_steps import ApplyResult, StepEvent
    from llmtui.services.backups import BackupView

TICK = 0.2  # spinner and elapsed time: five repaints a second is plenty over SSH


class StepReported(Message):
    def __init__(self, event: StepEvent) -> None:
        super().__init__()
        self.event = event


class PlanningSlow(Message):
    """The accepted-keys extraction is about to run: say why this takes a while."""


class Panel(VerticalScroll):
    """A scrolling text panel that answers to the vim keys too."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]


class ApplyScreen(SectionScreen):
    SECTION = "apply"
    SECTION_TITLE = "Apply"
    AUTO_FOCUS = "#apply-diff"
    BINDINGS = [
        Binding(
            "enter",
            "confirm",
            "Apply",
            id="apply.confirm",
            tooltip="Back up, write, restart the proxy, check health (rolls back on failure)",
        ),
        Binding(
            "w",
            "write_only",
            "Write only",
            id="apply.write",
            tooltip="Back up and write the config, but do not restart the proxy",
        ),
        Binding("r", "refresh", "Refresh", id="apply.refresh", tooltip="Render and validate again"),
        Binding("b", "backups", "Backups", id="apply.backups", tooltip="Kept backups; restore one"),
        Binding(
            "i",
            "app.import_config",
            "Import",
            id="apply.import",
            tooltip="Read an existing litellm-config.yaml into the store",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="apply.back",
            tooltip="Back to the previous screen (a running apply goes on)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state = "planning"  # planning / ready / running / done / error
        self.plan: ApplyPlan | None = None
        self.restore: BackupView | None = None  # the backup this plan writes back
        self.run_after_plan = False  # a confirmed restore goes straight on
        self.events: dict[str, StepEvent] = {}
        self.result: ApplyResult | None = None
        self.result_unseen = False
        self.slow = False
        self.started = 0.0  # when planning or the running step began (monotonic)
        self.frame = 0
        self.monotonic = time.monotonic
        self.ticker: Timer | None = None
        self.under_dialog = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="apply-head")
        with Panel(id="apply-messages"):
            yield Static(id="apply-messages-text")
        yield Static(id="apply-steps")
        with Panel(id="apply-result"):
            yield Static(id="apply-result-text")
        yield DiffView(empty_text="no differences", id="apply-diff")

    def on_mount(self) -> None:
        self.query_one("#apply-steps").border_title = "Progress"
        self.query_one("#apply-result").border_title = "Result"
        self.ticker = self.set_interval(TICK, self._tick, pause=True)
        # SectionScreen.on_mount runs after this one (Textual calls each class's handler).

    # -- planning ---------------------------------------------------------------

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """A fresh plan, unless busy, back from a dialog, or a result is still unseen."""
        if self.app_ctx is None:
            return
        busy = self.state in ("running", "planning")
        back_from_dialog, self.under_dialog = self.under_dialog, False
        if busy or back_from_dialog or (self.state == "done" and self.result_unseen):
            self.result_unseen = False
        else:
            self._reload()
        self.stale = False  # SectionScreen's handler runs next: nothing left for it to do

    def on_screen_suspend(self) -> None:
        """A dialog on top (help, backups) keeps what is shown; leaving the screen does not."""
        self.under_dialog = isinstance(self.app.screen, ModalScreen)

    def reload(self) -> None:
        self.restore = None
        self.make_plan()

    def make_plan(self, restore: BackupView | None = None, run_after: bool = False) -> None:
        from llmtui.services.apply import plan_apply
        from llmtui.services.backups import plan_restore

        if self.state == "running":
            self.notify("an apply is running; wait for it to finish", severity="warning")
            return
        self.restore, self.run_after_plan = restore, run_after
        backup_id = restore.id if restore else None

        async def plan(ctx: Any) -> ApplyPlan:
            import asyncio

            from llmtui.litellm import accepted_keys

            if backup_id is None and await asyncio.to_thread(accepted_keys.needs_build):
                self.post_message(PlanningSlow())
            if backup_id is not None:
                return await plan_restore(ctx, backup_id)
            return await plan_apply(ctx)

        self._set_state("planning")
        self.diff.set_diff("", empty_text="")
        self.slow = False
        self.started = self.monotonic()
        self._show_planning()
        self.run_service(
            "planning the apply",
            plan,
            self._planned,
            on_error=self._plan_failed,
            group="apply-plan",
            exclusive=True,
        )

    def on_planning_slow(self, message: PlanningSlow) -> None:
        self.slow = True
        self._show_planning()

    def _planned(self, plan: ApplyPlan) -> None:
        self.plan = plan
        self.events, self.result = {}, None
        self._set_state("ready")
        self._show_head()
        self.head.border_title = f"Restore {self._restore_name()}" if self.restore else "Apply"
        messages = apply_text.messages_text(plan)
        self.query_one("#apply-messages-text", Static).update(messages)
        self.query_one("#apply-messages").set_class(not messages.plain, "-empty")
        same = "the file on disk already matches" + (" this backup" if self.restore else "")
        self.diff.set_diff(plan.diff if plan.changed else "", empty_text=same)
        self.refresh_bindings()
        if self.run_after_plan:
            self.run_after_plan = False
            if (reason := apply_text.refusal(plan)) is not None:
                self.notify(reason, title="Not restored", severity="error", timeout=10)
            else:
                self._run(plan, restart=True)

    def _show_head(self) -> None:
        if self.plan is None:
            return
        title = f"Restore backup #{self.restore.id}" if self.restore else ""
        width = self.head.content_region.width or self.app.size.width - 4
        self.head.update(apply_text.head_text(self.plan, self._clock(), title, width))

    def on_resize(self) -> None:
        if self.state not in ("planning", "error"):
            self._show_head()

    def _plan_failed(self, error: LlmtuiError) -> bool:
        self._set_state("error")
        self.head.border_title = "Apply"
        self.head.update(
            Content.assemble(
                ("✖ cannot prepare the apply: ", apply_text.BOLD_ERR),
                (str(error), apply_text.ERR),
                ("\nr to try again", apply_text.DIM),
            )
        )
        self.diff.set_diff("", empty_text="nothing to show")
        self.query_one("#apply-messages").set_class(True, "-empty")
        return not isinstance(error, MasterKeyError)  # key problems open their dialogs

    def _show_planning(self) -> None:
        what = "reading the backup" if self.restore else "rendering and validating the config"
        elapsed = self.monotonic() - self.started
        self.head.update(apply_text.planning_text(elapsed, self.frame, self.slow, what))

    # -- running ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "write_only"):
            return {"ready": True, "planning": None, "running": None}.get(self.state, False)
        if action in ("refresh", "backups"):
            return None if self.state in ("running", "planning") else True
        return True

    def action_confirm(self) -> None:
        self._confirmed(restart=True)

    def action_write_only(self) -> None:
        self._confirmed(restart=False)

    def _confirmed(self, restart: bool) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        plan = self.plan
        if self.state != "ready" or plan is None:
            return
        if (reason := apply_text.refusal(plan)) is not None:
            self.notify(reason, title="Not applied", severity="error", timeout=10)
            return
        if self.restore is None:  # this screen, read, was the confirmation
            self._run(plan, restart)
            return
        dialog = ConfirmDialog(*self._restore_question(plan, restart), "Restore")
        self.app.push_screen(dialog, lambda ok: self._run(plan, restart) if ok else None)

    def _restore_question(self, plan: ApplyPlan, restart: bool) -> tuple[str, str]:
        then = (
            f"then the proxy restarts (`{plan.restart_command}`) and must come back healthy, "
            "or the current file is put back."
            if restart
            else "the proxy is not restarted."
        )
        return (
            f"Restore {self._restore_name()}?",
            f"It is written back as {plan.config_path} (the current file is backed up first); "
            + then,
        )

    def _restore_name(self) -> str:
        from pathlib import Path

        return Path(self.restore.backup_path).name if self.restore else ""

    def _run(self, plan: ApplyPlan, restart: bool) -> None:
        from llmtui.services.apply import run_apply

        if self.plan is not plan or self.state != "ready":
            return  # replanned meanwhile: the user confirmed another plan
        self.events, self.result = {}, None
        self._set_state("running")
        self.started = self.monotonic()
        self._show_steps()
        self.diff.focus()

        def report(event: StepEvent) -> None:
            self.post_message(StepReported(event))

        self.run_service(
            "applying the config",
            lambda ctx: run_apply(ctx, plan, restart=restart, on_step=report),
            self._finished,
            on_error=self._run_failed,
            group=APPLY_GROUP,
        )

    def on_step_reported(self, message: StepReported) -> None:
        from dataclasses import replace

        event = message.event
        if event.status == "running":
            self.started = self.monotonic()
        elif not event.detail and (before := self.events.get(event.step)) is not None:
            event = replace(event, detail=before.detail)  # keep "what": the file, the command
        self.events[event.step] = event
        self._show_steps()

    def _finished(self, result: ApplyResult) -> None:
        self.result = result
        self._set_state("done")
        self._show_steps()
        kind = "restore" if self.restore else "apply"
        self.query_one("#apply-result-text", Static).update(
            apply_text.result_text(result, self.restore is not None)
        )
        self.query_one("#apply-result").scroll_home(animate=False)
        self.query_one("#apply-result").focus()
        if not self.is_current:
            self.result_unseen = True
            severity = "information" if result.ok else "error"
            self.notify(result.message, title=f"{kind}: {result.outcome}", severity=severity)
        app: Any = self.app
        app.changed(kind)  # the audit log grew; the status line recounts what is pending

    def _run_failed(self, error: LlmtuiError) -> bool:
        from llmtui.services.apply_steps import ApplyResult, Outcome

        self._finished(ApplyResult(Outcome.FAILED, str(error), "validate"))
        return not isinstance(error, MasterKeyError)

    def _show_steps(self) -> None:
        running_for = self.monotonic() - self.started
        finished = self.state == "done"
        text = apply_text.steps_text(self.events, running_for, self.frame, finished)
        self.query_one("#apply-steps", Static).update(text)

    # -- the rest -----------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        self.state = state
        for name in ("planning", "ready", "running", "done", "error"):
            self.set_class(name == state, f"-{name}")
        if self.ticker is not None:
            self.ticker.resume() if state in ("planning", "running") else self.ticker.pause()
        self.refresh_bindings()

    def _tick(self) -> None:
        self.frame += 1
        if self.state == "planning":
            self._show_planning()
        elif self.state == "running":
            self._show_steps()

    def _clock(self) -> float:
        app: Any = self.app
        return float(app.clock())

    @property
    def head(self) -> Static:
        return self.query_one("#apply-head", Static)

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    def action_refresh(self) -> None:
        self._reload()

    def action_back(self) -> None:
        if self.state == "running":
            self.notify("the apply goes on; A shows it again", title="Still applying")
        app: Any = self.app
        app.action_back()

    def action_backups(self) -> None:
        self.show_backups()

    def show_backups(self) -> None:
        from llmtui.tui.screens.backups import BackupsDialog

        if self.state == "running":
            self.notify("an apply is running; wait for it to finish", severity="warning")
            return
        self.app.push_screen(BackupsDialog(), self._backup_chosen)

    def _backup_chosen(self, choice: tuple[str, BackupView] | None) -> None:
        if choice is not None:
            what, backup = choice
            self.make_plan(restore=backup, run_after=what == "restore")
