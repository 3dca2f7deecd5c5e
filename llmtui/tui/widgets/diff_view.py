"""A unified diff that paints only the lines on screen: a 10,000-model config diffs fast.

Lines are coloured by kind (added, removed, hunk, file header) through component
classes, so the theme decides the colours. Long lines scroll sideways.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

KINDS = ("added", "removed", "hunk", "header", "context", "empty")


def line_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "header"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    if line.startswith("@@"):
        return "hunk"
    return "context"


class DiffView(ScrollView, can_focus=True):
    """Read-only; j/k/g/G and the page keys scroll, h/l scroll sideways."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("ctrl+d", "page_down", "Page down", show=False),
        Binding("ctrl+u", "page_up", "Page up", show=False),
        Binding("h", "scroll_left", "Left", show=False),
        Binding("l", "scroll_right", "Right", show=False),
    ]
    COMPONENT_CLASSES = {f"diff-view--{kind}" for kind in KINDS}

    def __init__(self, *, empty_text: str = "no differences", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines: list[str] = []
        self.kinds: list[str] = []
        self.empty_text = empty_text
        self._widest = 0

    def set_diff(self, diff: str, empty_text: str | None = None) -> None:
        self.lines = [line.expandtabs(4) for line in diff.splitlines()]
        self.kinds = [line_kind(line) for line in self.lines]
        self._widest = max((cell_len(line) for line in self.lines), default=0)
        if empty_text is not None:
            self.empty_text = empty_text
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(max(self._widest, self.size.width), max(len(self.lines), 1))

    def on_resize(self) -> None:
        self._resize_virtual()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        base = self.rich_style
        if not self.lines:
            if y != 0:
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style("diff-view--empty")
            text = f" {self.empty_text}"[:width]
            return Strip([Segment(text.ljust(width), style)], width)
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        style = base + self.get_component_rich_style(f"diff-view--{self.kinds[index]}")
        strip = Strip([Segment(line, style)], cell_len(line))
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)
