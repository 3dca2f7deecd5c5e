"""The config backups apply keeps: pick one to restore (after a confirm) or to review.

The dialog only chooses; the Apply screen plans the restore and runs it with the same
live steps as an apply, so a restore is backed up, written, restarted and health checked
(and rolled back) exactly like one.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from llmtui.formatting import ago
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.provider_detail import plural
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.services.apply_plan import ApplySettings
    from llmtui.services.backups import BackupView

COLUMNS = (
    Column("when", "When (UTC)", 14, min_width=14, priority=9),
    Column("age", "Age", 10, min_width=8, priority=3, optional=True),
    Column("of", "Of", 19, min_width=10, priority=6),
    Column("size", "Size", 8, min_width=7, priority=5, align="right"),
    Column("apply", "Taken by", 22, min_width=10, priority=7),
    Column("file", "Backup file", 30, min_width=12, priority=1, flex=True),
)
OUTCOME_WORDS = {
    "success": ("success", "ok"),
    "rolled_back": ("rolled back", "error"),
    "failed": ("failed", "error"),
    "written_not_restarted": ("not restarted", "warn"),
    "interrupted": ("interrupted", "error"),
    "in_progress": ("running", "accent"),
}


def size_text(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def taken_by(view: BackupView) -> Cell:
    if view.apply_id is None:
        return ("—", "muted")
    word, tone = OUTCOME_WORDS.get(view.apply_outcome or "", (view.apply_outcome or "?", "muted"))
    return (f"#{view.apply_id} {word}", tone)


class BackupsDialog(ServiceRunner, ModalScreen["tuple[str, BackupView] | None"]):
    """Returns ("restore", backup) after the confirm, ("review", backup), or None."""

    BINDINGS = [
        Binding("r", "restore", "Restore", id="backups.restore", tooltip="Restore (asks first)"),
        Binding("v", "review", "Review diff", id="backups.review", tooltip="See what it changes"),
        Binding("escape,q", "close", "Close", id="backups.close"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self.settings: ApplySettings | None = None
        self.backups: list[BackupView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="backups", classes="dialog"):
            yield Label("Backups of the config", id="backups-title", classes="dialog-title")
            yield VirtualTable(COLUMNS, empty_text="loading…", id="backups-table")
            yield Label("", id="backups-path", classes="dialog-hint")
            yield Label(
                "enter/r restore · v review the diff · j/k move · esc close", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        from llmtui.services.apply_plan import load_apply_settings
        from llmtui.services.backups import list_backups

        async def load(ctx: Any) -> tuple[list[BackupView], ApplySettings]:
            return await list_backups(ctx), await load_apply_settings(ctx)

        self.table.focus()
        self.run_service("listing backups", load, self._loaded)

    def _loaded(self, loaded: tuple[list[BackupView], ApplySettings]) -> None:
        self.backups, self.settings = loaded
        self.table.empty_text = "no backups yet: each apply that replaces a file keeps one"
        self.table.set_rows(self.backups, key=lambda b: b.id, cells=self._cells)
        kept = plural(len(self.backups), "backup")
        self.query_one("#backups-title", Label).update(
            f"Backups of the config · {kept} · keeping the last {self.settings.backup_keep}"
        )
        self._show_path()

    def _cells(self, view: BackupView) -> list[Cell]:
        app: Any = self.app
        when = datetime.fromtimestamp(view.created_at, UTC).strftime("%m-%d %H:%M:%S")
        name = Path(view.backup_path).name
        return [
            (when, "muted"),
            (ago(view.created_at, app.clock()), "muted"),
            Path(view.file).name,
            size_text(view.size),
            taken_by(view),
            name if view.exists else (f"{name} (missing)", "error"),
        ]

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        self._show_path()
        self.refresh_bindings()

    def _show_path(self) -> None:
        view = self.table.cursor_row
        self.query_one("#backups-path", Label).update(view.backup_path if view else "")

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_restore()

    @property
    def table(self) -> VirtualTable[BackupView]:
        return self.query_one("#backups-table", VirtualTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("restore", "review") and self.table.cursor_row is None:
            return None
        return True

    def _usable(self) -> BackupView | None:
        view = self.table.cursor_row
        if view is not None and not view.exists:
            self.notify(f"{view.backup_path} no longer exists", severity="error")
            return None
        return view

    def action_restore(self) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        view = self._usable()
        if view is None or self.settings is None:
            return
        command = shlex.join(self.settings.restart_argv)
        dialog = ConfirmDialog(
            f"Restore {Path(view.backup_path).name}?",
            f"It is written back as {view.file} (the current file is backed up first). "
            f"The proxy then restarts (`{command}`) and must come back healthy, or the "
            "current file is put back.",
            "Restore",
            danger=True,
        )

        def confirmed(ok: bool | None) -> None:
            if ok:  # no `return`: an awaitable returned from a callback would be awaited
                self.dismiss(("restore", view))

        self.app.push_screen(dialog, confirmed)

    def action_review(self) -> None:
        if (view := self._usable()) is not None:
            self.dismiss(("review", view))

    def action_close(self) -> None:
        self.dismiss(None)
