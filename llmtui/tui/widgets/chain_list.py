"""The chain on the right of the Fallbacks screen: primary → fb1 → fb2 …, one row each.

A plain VirtualTable, except that while an entry is grabbed its cursor keys belong to the
screen (they move the entry, not the cursor) and the grabbed row carries a » in the gutter.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

COLUMNS = (
    Column("n", "#", 2, min_width=2, priority=10, hideable=False, align="right"),
    Column("group", "Group", 14, min_width=8, priority=9, flex=True, hideable=False),
    Column("providers", "Provider", 18, min_width=8, priority=4, flex=True),
    Column("on", "On", 2, min_width=2, priority=6),
    Column("note", "Note", 15, min_width=9, priority=8),
)
# While grabbed, these keys move the entry instead of the cursor (the screen binds them).
CURSOR_ACTIONS = ("cursor", "top", "bottom", "page", "activate")


@dataclass(frozen=True)
class ChainRow:
    index: int  # 0 is the primary (the group itself), then fallback 1, 2 …
    name: str
    providers: str
    enabled: bool | None  # None: the group does not exist
    note: str = ""
    tone: str | None = None
    grabbed: bool = False


def chain_cells(row: ChainRow) -> list[Cell]:
    if row.enabled is None:
        on: Cell = ("?", "error")
    else:
        on = ("●", "ok") if row.enabled else ("○", "warn")
    note: Cell = (row.note, row.tone) if row.tone else row.note
    if row.grabbed:  # the entry's problem stays in the panel below
        note = ("GRAB ↑↓", "accent")
    return [
        (str(row.index), "muted"),
        (row.name, "accent") if row.grabbed else row.name,
        (row.providers, "muted"),
        on,
        note,
    ]


class ChainList(VirtualTable[ChainRow]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, empty_text="choose a model group on the left", id=id)
        self.grabbing = False

    def show(self, rows: list[ChainRow], cursor: int | None = None) -> None:
        self.set_rows(rows, key=lambda r: r.index, cells=chain_cells)
        if cursor is not None:
            self.move_to(cursor)

    def row_marker(self, index: int, key: Hashable) -> str | None:
        row = self.rows[index] if 0 <= index < len(self.rows) else None
        return "»" if row is not None and row.grabbed else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While grabbed, the screen's grab keys take the cursor keys.
        return not (self.grabbing and action in CURSOR_ACTIONS)
