"""Audit: every change, newest first, filtered by entity type, each entry opened in full."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label

from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.services.audit import AuditView

ALL = "*"
PAGE = 500
COLUMNS = (
    Column("when", "When (UTC)", 14, min_width=14, priority=8),
    Column("user", "User", 10, min_width=6, priority=1, optional=True),
    Column("action", "Action", 16, min_width=12, priority=9),
    Column("entity", "Entity", 24, min_width=12, priority=7),
    Column("change", "Change", 30, min_width=12, priority=3, flex=True),
)


def short_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%m-%d %H:%M:%S")


def summary(entry: AuditView) -> str:
    """What changed, in one line: changed keys as old → new, or the new values."""
    before, after = entry.before, entry.after
    if isinstance(before, dict) and isinstance(after, dict):
        changed = [k for k in after if before.get(k) != after.get(k)]
        return ", ".join(f"{k}: {_short(before.get(k))} → {_short(after[k])}" for k in changed)
    if isinstance(after, dict):
        name = entry.entity_name or ""
        shown = [
            f"{k}={_short(v)}"
            for k, v in after.items()
            if v not in (None, "", [], {}) and not (isinstance(v, str) and v in name)
        ]
        return " ".join(shown)
    if after is None:
        return ""
    return _short(after)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 24 else text[:23] + "…"


def audit_cells(entry: AuditView) -> list[Cell]:
    tone = "error" if entry.action.endswith(("remove", "reveal")) else None
    action: Cell = (entry.action, tone) if tone else entry.action
    entity = entry.entity_name or entry.entity_type
    return [
        (short_time(entry.at), "muted"),
        (entry.os_user, "muted"),
        action,
        entity,
        summary(entry),
    ]


class AuditScreen(SectionScreen):
    SECTION = "audit"
    SECTION_TITLE = "Audit"
    AUTO_FOCUS = "#audit-table"
    BINDINGS = [
        Binding("enter", "open", "Details", id="audit.open", tooltip="Before and after"),
        Binding("f", "entity", "Entity filter", id="audit.entity", tooltip="One entity type"),
        Binding("m", "more", "More", id="audit.more", tooltip=f"Load {PAGE} older entries"),
        Binding("R", "refresh", "Refresh", id="audit.refresh", tooltip="Reload from the store"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entity: str | None = None
        self.limit = PAGE
        self.entries: list[AuditView] = []
        self.entity_types: set[str] = set()

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="audit-bar"):
            yield Label("entity: all", id="audit-entity")
            yield Label("", id="audit-count")
        yield VirtualTable(COLUMNS, empty_text="no changes recorded yet", id="audit-table")

    @property
    def table(self) -> VirtualTable[AuditView]:
        return self.query_one("#audit-table", VirtualTable)

    def reload(self) -> None:
        from llmtui.services.audit import list_entries

        entity, limit = self.entity, self.limit
        self.run_service(
            "loading the audit log",
            lambda ctx: list_entries(ctx, limit=limit, entity_type=entity),
            self._loaded,
            group="audit-load",
            exclusive=True,
        )

    def _loaded(self, entries: list[AuditView]) -> None:
        self.entries = entries
        self.entity_types.update(e.entity_type for e in entries)
        self.table.set_rows(entries, key=lambda e: e.id, cells=audit_cells)
        more = " · m for older" if len(entries) >= self.limit else ""
        self.query_one("#audit-count", Label).update(f"{len(entries):,} newest first{more}")
        self.query_one("#audit-entity", Label).update(f"entity: {self.entity or 'all'}")
        if self.focused is None:
            self.table.focus()

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open" and self.table.cursor_row is None:
            return None
        return True

    def action_open(self) -> None:
        from llmtui.tui.screens.audit_detail import AuditDetail

        entry = self.table.cursor_row
        if entry is not None:
            self.app.push_screen(AuditDetail(entry))

    def action_entity(self) -> None:
        from llmtui.tui.screens.dialogs import ChoiceDialog

        options = [(ALL, "all entities")] + [(t, t) for t in sorted(self.entity_types)]
        dialog = ChoiceDialog("Show changes of", options, current=self.entity or ALL)
        self.app.push_screen(dialog, self._entity_chosen)

    def _entity_chosen(self, choice: str | None) -> None:
        if choice is not None:
            self.entity = None if choice == ALL else choice
            self.limit = PAGE
            self._reload()

    def action_more(self) -> None:
        self.limit += PAGE
        self._reload()

    def action_refresh(self) -> None:
        self._reload()
