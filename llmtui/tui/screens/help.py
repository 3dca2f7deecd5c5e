"""`?`: every key the screen underneath answers to, with what it does."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

COLUMNS = (
    Column("keys", "Keys", 14, min_width=8, priority=9),
    Column("action", "Action", 16, min_width=10, priority=8),
    Column("about", "What it does", 30, min_width=10, priority=1, flex=True),
    Column("scope", "Where", 6, min_width=6, priority=0, optional=True),
)


@dataclass(frozen=True)
class HelpRow:
    id: int
    keys: str
    action: str
    about: str
    scope: str
    builtin: bool


def binding_rows(screen: Screen) -> list[HelpRow]:
    """Group the screen's active bindings by what they do, keys joined with '/'."""
    app = screen.app
    grouped: dict[tuple[int, str], list[str]] = {}
    info: dict[tuple[int, str], tuple[Binding, str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        ident = (id(active.node), binding.action)
        grouped.setdefault(ident, []).append(app.get_key_display(binding))
        node = active.node
        scope = "app" if node is app else ("screen" if node is screen else "list")
        info[ident] = (binding, scope)
    rows = []
    for n, (ident, keys) in enumerate(grouped.items()):
        binding, scope = info[ident]
        about = binding.tooltip or binding.description
        keys_text = "/".join(dict.fromkeys(keys))
        rows.append(HelpRow(n, keys_text, binding.description, about, scope, binding.id is None))
    order = {"screen": 0, "list": 1, "app": 2}
    return sorted(rows, key=lambda r: (r.builtin, order[r.scope], r.id))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.rows = binding_rows(target)
        self.target_title = getattr(target, "SECTION_TITLE", type(target).__name__)

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(f"Keys · {self.target_title}", id="help-title")
            yield VirtualTable(COLUMNS, id="help-table")
            yield Label("ctrl+p command palette · j/k move · esc close", id="help-hint")

    def on_mount(self) -> None:
        table: VirtualTable[HelpRow] = self.query_one(VirtualTable)
        table.set_rows(self.rows, key=lambda r: r.id, cells=_cells)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _cells(row: HelpRow) -> list[Cell]:
    return [(row.keys, "accent"), row.action, row.about, (row.scope, "muted")]
