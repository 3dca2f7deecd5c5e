"""Pick a model group to add to a chain: type to filter, ↑/↓ to choose, enter to add.

Groups already in the chain, and the group itself, are listed but cannot be picked; any
other problem (a cycle, a group without enabled deployments) is the service's to explain
once the entry is in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from llmtui.services.chain_rules import KIND_LABELS
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.steady_input import SteadyInput
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.services.fallbacks import GroupView

COLUMNS = (
    Column("group", "Group", 18, min_width=10, priority=9, flex=True, hideable=False),
    Column("providers", "Provider", 20, min_width=8, priority=5, flex=True),
    Column("note", "", 16, min_width=8, priority=7),
)


@dataclass(frozen=True)
class Candidate:
    name: str
    providers: str
    blocked: str  # why it cannot be picked ("" if it can)
    note: Cell


def candidates(group: str, groups: list[GroupView], in_chain: list[str]) -> list[Candidate]:
    found = []
    for view in groups:
        providers = ", ".join(view.providers) or "—"
        if view.name == group:
            found.append(Candidate(view.name, providers, "this group", ("this group", "muted")))
        elif view.name in in_chain:
            found.append(Candidate(view.name, providers, "in the chain", ("in the chain", "muted")))
        elif view.enabled_deployments == 0:
            found.append(Candidate(view.name, providers, "", ("no enabled model", "warn")))
        else:
            found.append(Candidate(view.name, providers, "", ""))
    return found


def _cells(c: Candidate) -> list[Cell]:
    return [(c.name, "muted") if c.blocked else c.name, (c.providers, "muted"), c.note]


class GroupPicker(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
        Binding("pagedown", "page(1)", "Page down", show=False, priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True),
        Binding("enter", "pick", "Add", id="picker.pick", priority=True),
    ]

    def __init__(self, group: str, kind: str, groups: list[GroupView], in_chain: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.group = group
        self.kind = kind
        self.all = candidates(group, groups, in_chain)
        self.shown: list[Candidate] = list(self.all)

    def compose(self) -> ComposeResult:
        with Vertical(id="group-picker", classes="dialog"):
            yield Label(
                f"Add a {KIND_LABELS[self.kind]} fallback to {self.group}", classes="dialog-title"
            )
            yield SteadyInput(placeholder="type to filter", id="picker-filter", compact=True)
            yield VirtualTable(COLUMNS, empty_text="no group matches", id="picker-table")
            yield Label("", id="picker-error", classes="field-error")
            yield Label(
                "type to filter · ↑/↓ choose · enter add · esc cancel", classes="dialog-hint"
            )

    @property
    def table(self) -> VirtualTable[Candidate]:
        return self.query_one("#picker-table", VirtualTable)

    def on_mount(self) -> None:
        self._filter("")
        first = next((c for c in self.shown if not c.blocked), None)
        if first is not None:
            self.table.move_to(first.name)
        self.query_one("#picker-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, query: str) -> None:
        words = query.lower().split()
        self.shown = [c for c in self.all if all(w in c.name.lower() for w in words)]
        # Exact and prefix matches first, so "gpt" puts gpt-… above other …gpt… groups.
        if words:
            head = words[0]
            self.shown.sort(key=lambda c: (c.name.lower() != head, not c.name.startswith(head)))
        self.table.set_rows(self.shown, key=lambda c: c.name, cells=_cells, lost_cursor="top")
        self.table.border_subtitle = f"{len(self.shown)} of {len(self.all)}"
        self._error("")

    def _error(self, message: str) -> None:
        label = self.query_one("#picker-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def action_move(self, step: int) -> None:
        self.table.action_cursor(step)

    def action_page(self, step: int) -> None:
        self.table.action_page(step)

    def action_pick(self) -> None:
        choice = self.table.cursor_row
        if choice is None:
            self._error("no group matches the filter")
        elif choice.blocked:
            self._error(f"{choice.name} is {choice.blocked}; choose another group")
        else:
            self.dismiss(choice.name)

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_pick()

    def action_cancel(self) -> None:
        self.dismiss(None)
