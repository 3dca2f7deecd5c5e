"""A table that renders only the rows on screen, so 10,000 rows cost what 20 do.

The stock DataTable builds every row up front; this Line-API widget keeps the rows as
plain objects and asks `cells(row)` only for the lines being painted.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from llmtui.tui.widgets.columns import SEPARATOR, Column, fit_text, fit_widths

T = TypeVar("T")
Cell = str | tuple[str, str]
"""Plain text, or (text, tone) where tone is ok / warn / error / muted / accent."""

TONES = ("ok", "warn", "error", "muted", "accent")
GUTTER = 1


class VirtualTable(ScrollView, Generic[T], can_focus=True, inherit_bindings=False):
    """Rows with a cursor, optional marks, and vim keys; the header never scrolls."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("g,home", "top", "Top", show=False, id="list.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("enter", "activate", "Open", show=False, id="list.open"),
    ]
    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blur",
        "virtual-table--marked",
        "virtual-table--empty",
        *(f"virtual-table--{tone}" for tone in TONES),
    }

    class CursorMoved(Message):
        """The highlighted row changed (key None: the table is empty)."""

        def __init__(self, table: VirtualTable[Any], key: Hashable | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class RowActivated(Message):
        def __init__(self, table: VirtualTable[Any], key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "nothing to show",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self.empty_text = empty_text
        self.rows: Sequence[T] = ()
        self.marked: set[Hashable] = set()
        self.cursor = 0
        self._key: Callable[[T], Hashable] = id_of
        self._cells: Callable[[T], Sequence[Cell]] = lambda row: ()
        self._widths: tuple[int, list[int]] = (-1, [])

    # -- data ---------------------------------------------------------------

    def set_rows(
        self,
        rows: Sequence[T],
        key: Callable[[T], Hashable],
        cells: Callable[[T], Sequence[Cell]],
        lost_cursor: str = "stay",
    ) -> None:
        """Replace the rows; the cursor stays on the same key when it is still there.

        When that row is gone the cursor stays at the same place ("stay", after a delete)
        or goes to the first row ("top", after a new filter).
        """
        current = self.cursor_key
        self.rows, self._key, self._cells = rows, key, cells
        index = self.index_of(current) if current is not None else None
        if index is None:
            index = 0 if lost_cursor == "top" else self.cursor
        self.cursor = min(index, max(len(rows) - 1, 0))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_key))

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self._widths = (-1, [])
        self.refresh()

    @property
    def cursor_row(self) -> T | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def cursor_key(self) -> Hashable | None:
        row = self.cursor_row
        return None if row is None else self._key(row)

    def index_of(self, key: Hashable) -> int | None:
        for i, row in enumerate(self.rows):
            if self._key(row) == key:
                return i
        return None

    def move_to(self, key: Hashable) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    def visible_keys(self) -> list[Hashable]:
        return [self._key(row) for row in self.rows]

    def refresh_rows(self) -> None:
        """Cells changed but the rows did not (a toggle, a mark)."""
        self.refresh()

    # -- actions ------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_top(self) -> None:
        self._set_cursor(0)

    def action_bottom(self) -> None:
        self._set_cursor(len(self.rows) - 1)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(self._page_rows() - 1, 1))

    def action_activate(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowActivated(self, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self.rows):
            self._set_cursor(index)
            if event.chain == 2:
                self.action_activate()

    def _set_cursor(self, index: int) -> None:
        index = max(0, min(index, len(self.rows) - 1))
        if index == self.cursor or not self.rows:
            return
        self.cursor = index
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_key))

    def _page_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_offset.y)
        rows = self._page_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._widths = (-1, [])

    # -- rendering ----------------------------------------------------------

    def _column_widths(self, width: int) -> list[int]:
        if self._widths[0] != width:
            self._widths = (width, fit_widths(self.columns, width - GUTTER))
        return self._widths[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._column_widths(width)
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            texts: Sequence[Cell] = [c.label for c in self.columns]
            return self._strip(" ", texts, widths, width, base + header)
        index = int(self.scroll_offset.y) + y - 1
        if not self.rows:
            if y == 1:
                empty = self.get_component_rich_style("virtual-table--empty")
                return Strip([Segment(fit_text(" " + self.empty_text, width), base + empty)])
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        key = self._key(row)
        style = base
        marker = " "
        if key in self.marked:
            style += self.get_component_rich_style("virtual-table--marked")
            marker = "•"
        if index == self.cursor:
            name = "virtual-table--cursor" if self.has_focus else "virtual-table--cursor-blur"
            style += self.get_component_rich_style(name)
            marker = "▶"
        marker = self.row_marker(index, key) or marker
        return self._strip(marker, self._cells(row), widths, width, style)

    def row_marker(self, index: int, key: Hashable) -> str | None:
        """A subclass may put its own glyph in the gutter (a grabbed row's »)."""
        return None

    def _strip(
        self, marker: str, cells: Sequence[Cell], widths: list[int], width: int, style: Style
    ) -> Strip:
        segments = [Segment(marker, style)]
        used = GUTTER
        first = True
        for column, cell_width, cell in zip(self.columns, widths, cells, strict=False):
            if not cell_width:
                continue
            if not first:
                segments.append(Segment(" " * SEPARATOR, style))
                used += SEPARATOR
            first = False
            text, tone = (cell, None) if isinstance(cell, str) else cell
            cell_style = style
            if tone:
                cell_style = style + self.get_component_rich_style(
                    f"virtual-table--{tone}", partial=True
                )
            segments.append(Segment(fit_text(text, cell_width, column.align), cell_style))
            used += cell_width
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width).crop(0, width)


def id_of(row: Any) -> Hashable:
    return row.id
