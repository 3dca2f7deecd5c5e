"""Import an existing litellm-config.yaml: a dry run first, then the import on confirm.

Every error (no such file, not YAML, not a LiteLLM config) stays in the dialog and
nothing is written. The import service needs LiteLLM to tell providers apart; it is
loaded in a thread first, so the first import costs seconds but never freezes the UI.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static

from llmtui.errors import InvalidInput, LlmtuiError, NotFound
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.import_text import report_text
from llmtui.tui.widgets.provider_detail import SPINNER
from llmtui.tui.widgets.steady_input import SteadyInput

if TYPE_CHECKING:
    from llmtui.services.import_report import ImportReport


class ImportDialog(ServiceRunner, ModalScreen[bool]):
    """Dismisses with True when the store changed."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="import.close"),
        Binding("ctrl+s", "import", "Import", id="import.run", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self.checked: tuple[str, bool] | None = None  # (path, resolve_env) of the dry run
        self.busy: str | None = None
        self.started = 0.0
        self.frame = 0
        self.changed = False
        self.ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="import", classes="dialog"):
            yield Label("Import a LiteLLM config", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield SteadyInput(
                    placeholder="/path/to/litellm-config.yaml", id="import-path", compact=True
                )
            with Horizontal(classes="form-row", id="import-options"):
                yield Label("", classes="form-label")
                yield Checkbox(
                    "resolve os.environ/ keys and store them encrypted",
                    id="import-resolve",
                    compact=True,
                )
            yield Label("", id="import-error", classes="field-error")
            with VerticalScroll(id="import-report"):
                yield Static(
                    "enter checks the file first (a dry run: nothing is written)",
                    id="import-report-text",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check (enter)", id="check", compact=True)
                yield Button("Import (ctrl+s)", id="run", variant="primary", compact=True)
                yield Button("Close (esc)", id="close", compact=True)

    def on_mount(self) -> None:
        from llmtui.services.config import config_path

        self.ticker = self.set_interval(0.2, self._tick, pause=True)
        self.path_input.focus()
        self._buttons()
        self.run_service("finding the config", config_path, self._default_path)

    def _default_path(self, path: Path) -> None:
        """The configured config file, when it exists and the user has not typed yet."""
        if path.is_file() and not self.path_input.value:
            self.path_input.value = str(path)
            self.path_input.cursor_position = len(self.path_input.value)

    @property
    def path_input(self) -> Input:
        return self.query_one("#import-path", Input)

    def _wanted(self) -> tuple[str, bool]:
        return (self.path_input.value.strip(), self.query_one(Checkbox).value)

    # -- dry run and import -------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.check()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._buttons()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._buttons()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"check": self.check, "run": self.action_import, "close": self.action_close}[
            str(event.button.id)
        ]()

    def check(self) -> None:
        self._start(dry_run=True)

    def action_import(self) -> None:
        if self.checked != self._wanted():
            self.check()  # the dry run comes first; ctrl+s again imports
            return
        self._start(dry_run=False)

    def _start(self, dry_run: bool) -> None:
        from llmtui.services.config_import import import_config_file

        if self.busy:
            return
        path_text, resolve_env = self._wanted()
        if not path_text:
            self._error("type the path of a litellm-config.yaml")
            return
        path = Path(path_text).expanduser()

        async def run(ctx: Any) -> ImportReport:
            import asyncio

            from llmtui.litellm import runtime
            from llmtui.litellm.config_file import read_config_file

            await asyncio.to_thread(read_config_file, path.absolute())  # fail fast on bad files
            if not runtime.is_loaded():
                await asyncio.to_thread(runtime.load)  # seconds, off the event loop
            return await import_config_file(ctx, path, resolve_env=resolve_env, dry_run=dry_run)

        self._error("")
        self.busy = "checking" if dry_run else "importing"
        self.started, self.frame = time.monotonic(), 0
        self._tick()
        assert self.ticker is not None
        self.ticker.resume()
        self._buttons()
        self.run_service(
            f"{self.busy} {path}",
            run,
            lambda report: self._done(report, (path_text, resolve_env)),
            on_error=self._failed,
        )

    def _done(self, report: ImportReport, wanted: tuple[str, bool]) -> None:
        self._idle()
        self.checked = wanted if report.dry_run and report.changed else None
        if not report.dry_run and report.changed:
            self.changed = True
            app: Any = self.app
            app.changed("import")  # now: the screen below is stale and reloads when shown
        self.query_one("#import-report-text", Static).update(report_text(report))
        self.query_one("#import-report").scroll_home(animate=False)
        self._buttons()
        if report.dry_run and report.changed:
            self.query_one("#run", Button).focus()
        elif not report.dry_run:
            self.query_one("#close", Button).focus()

    def _failed(self, error: LlmtuiError) -> bool:
        self._idle()
        self.checked = None
        self.query_one("#import-report-text", Static).update(
            Content.styled("nothing was written", "$text-muted")
        )
        self._buttons()
        if isinstance(error, InvalidInput | NotFound):
            self._error(str(error))
            self.path_input.focus()
            return True
        return False

    # -- the rest -------------------------------------------------------------------

    def _idle(self) -> None:
        self.busy = None
        if self.ticker is not None:
            self.ticker.pause()

    def _tick(self) -> None:
        if not self.busy:
            return
        self.frame += 1
        elapsed = time.monotonic() - self.started
        spin = SPINNER[self.frame % len(SPINNER)]
        note = "" if self._litellm_loaded() else " (the first one loads LiteLLM: a few seconds)"
        self.query_one("#import-report-text", Static).update(
            Content.styled(f"{spin} {self.busy} … {elapsed:.1f} s{note}", "bold")
        )

    @staticmethod
    def _litellm_loaded() -> bool:
        import sys

        return "litellm" in sys.modules

    def _buttons(self) -> None:
        ready = self.checked is not None and self.checked == self._wanted()
        self.query_one("#check", Button).disabled = bool(self.busy)
        self.query_one("#run", Button).disabled = bool(self.busy) or not ready

    def _error(self, message: str) -> None:
        label = self.query_one("#import-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def action_close(self) -> None:
        self.dismiss(self.changed)
