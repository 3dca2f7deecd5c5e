"""At start: offer to finish or roll back an apply that a crash interrupted.

`offer_recovery(app)` runs once the store is open. The service
(`llmtui.services.recovery`) finds the apply and carries out the choice; this module
only asks, shows the steps as they run, and reports the outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from llmtui.errors import ConflictError, LlmtuiError, MasterKeyError
from llmtui.tui.jobs import ServiceRunner

if TYPE_CHECKING:
    from llmtui.services.apply_steps import ApplyResult, StepEvent
    from llmtui.services.recovery import InterruptedApply

WORDS = {"finish": "Finishing", "rollback": "Rolling back"}


def offer_recovery(app: App[Any]) -> None:
    """Look for an interrupted apply in the background; ask only if there is one."""
    ctx = getattr(app, "ctx", None)
    if ctx is None:
        return

    async def job() -> None:
        from llmtui.services.recovery import latest_interrupted

        try:
            item = await latest_interrupted(ctx)
        except LlmtuiError as exc:
            app.notify(f"cannot check for an interrupted apply: {exc}", severity="warning")
            return
        if item is not None:
            app.call_later(app.push_screen, InterruptedApplyDialog(item))

    app.run_worker(job, group="recovery", exclusive=True, exit_on_error=False)


class InterruptedApplyDialog(ServiceRunner, ModalScreen[str | None]):
    """Finish / Roll back / Later; stays open while the choice runs, then shows the result."""

    BINDINGS = [
        Binding("f", "choose('finish')", "Finish", id="recovery.finish"),
        Binding("r", "choose('rollback')", "Roll back", id="recovery.rollback"),
        Binding("escape", "later", "Later", id="recovery.later"),
    ]

    def __init__(self, item: InterruptedApply) -> None:
        super().__init__(classes="dialog-screen")
        self.item = item
        self.running: str | None = None
        self.done = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Interrupted apply", classes="dialog-title")
            yield Static(f"{self.item.headline}.", classes="dialog-body")
            yield Static(self._choices(), id="recovery-status", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Finish (f)", id="finish", variant="primary", compact=True)
                yield Button("Roll back (r)", id="rollback", compact=True)
                yield Button("Later (esc)", id="later", compact=True)

    def _choices(self) -> str:
        item = self.item
        if item.backup_id is not None:
            back = f"put backup #{item.backup_id} back"
            if item.proxy_touched or item.on_disk != "previous":
                back += " and restart the proxy"
        else:
            back = "nothing to put back (no backup was taken)"
        return (
            "Finish: apply the store's config now (write, restart, health check).\n"
            f"Roll back: {back}.\n"
            "Later: decide later (`llmtui recover` in a shell)."
        )

    def on_mount(self) -> None:
        self.query_one("#later").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "later":
            self.action_later()
        elif event.button.id in WORDS:
            self.action_choose(event.button.id)

    def _status(self, text: str) -> None:
        self.query_one("#recovery-status", Static).update(text)

    def action_choose(self, choice: str) -> None:
        from llmtui.services.recovery import resolve

        if self.running or self.done:
            return
        self.running = choice
        for button in self.query(Button):
            button.disabled = button.id != "later"
        self._status(f"{WORDS[choice]} apply #{self.item.apply_id}…")

        def on_step(event: StepEvent) -> None:
            self._status(f"{WORDS[choice]}… {event.step}: {event.status} {event.detail}".rstrip())

        self.run_service(
            f"{choice} apply #{self.item.apply_id}",
            lambda ctx: resolve(ctx, choice, self.item.apply_id, on_step=on_step),
            self._finished,
            on_error=self._failed,
        )

    def _finished(self, result: ApplyResult | None) -> None:
        from llmtui.services.recovery import RESOLUTIONS

        assert self.running is not None
        self.done = True
        if result is None:
            text = f"apply #{self.item.apply_id} closed: {RESOLUTIONS[self.running]}"
        else:
            text = f"{result.outcome.replace('_', ' ').capitalize()}: {result.message}"
        self._status(text)
        later = self.query_one("#later", Button)
        later.label = "Close (esc)"
        later.focus()
        app: Any = self.app
        if hasattr(app, "refresh_pending"):
            app.refresh_pending()

    def _failed(self, error: LlmtuiError) -> bool:
        self.running = None
        for button in self.query(Button):
            button.disabled = False
        if isinstance(error, MasterKeyError):
            return False  # the app opens the unlock or key dialog
        if isinstance(error, ConflictError):
            self.done = True
        self._status(f"{error}")
        return True

    def action_later(self) -> None:
        if self.running and not self.done:
            self.notify("still running; wait for the result", severity="warning")
            return
        self.dismiss(self.running)
