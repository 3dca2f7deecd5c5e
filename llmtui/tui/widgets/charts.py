"""Text charts for the Metrics screen: horizontal bars and a braille line.

The drawing is pure functions (testable without a screen); the widgets only fit them
to their size and colour them with theme-driven component classes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from llmtui.tui.widgets.columns import fit_text

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
BRAILLE_BASE = 0x2800
# Dot bit for (column 0/1, row 0..3) inside one braille cell.
BRAILLE_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def bar(fraction: float, width: int) -> str:
    """A bar `fraction` of `width` cells long, in eighths of a cell; never empty for > 0."""
    if width <= 0:
        return ""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1
    full, rest = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[rest] if rest else "")


def bar_lines(
    items: Sequence[tuple[str, int]], width: int, rows: int, total: int | None = None
) -> list[tuple[str, str, str]]:
    """(label, bar, value) per row, fitted to `width`; extra items fold into "others"."""
    if not items or rows <= 0 or width <= 0:
        return []
    shown = list(items)
    if len(shown) > rows:
        keep = shown[: rows - 1]
        shown = [*keep, (f"{len(items) - len(keep)} others", sum(n for _, n in items[len(keep) :]))]
    whole = total if total else sum(n for _, n in items)
    values = [f"{n:,} {n * 100 / whole:.0f}%" if whole else f"{n:,}" for _, n in shown]
    value_width = max(cell_len(v) for v in values)
    label_width = min(max(cell_len(label) for label, _ in shown), max(width // 3, 6))
    bar_width = max(width - label_width - value_width - 2, 1)
    biggest = max((n for _, n in shown), default=0) or 1
    return [
        (
            fit_text(label, label_width),
            fit_text(bar(n / biggest, bar_width), bar_width),
            fit_text(value, value_width, "right"),
        )
        for (label, n), value in zip(shown, values, strict=True)
    ]


def scale_floor(values: Sequence[float | None]) -> float:
    """The bottom of the y axis: a multiple of 10% under the lowest rate (at most 90%),
    so dips in a success rate that is usually ~99% stay visible."""
    present = [v for v in values if v is not None]
    if not present:
        return 0.0
    return min(math.floor(min(present) * 10) / 10, 0.9)


def braille_line(
    values: Sequence[float | None], width: int, height: int, floor: float = 0.0
) -> list[str]:
    """`values` in [floor, 1] as a line `width` cells wide and `height` cells tall.

    Consecutive points are joined; a None (no data in that bucket) breaks the line.
    """
    if width <= 0 or height <= 0:
        return []
    cells = [[0] * width for _ in range(height)]
    dots_x, dots_y = width * 2, height * 4
    n = len(values)

    def y_of(value: float) -> int:
        span = max(1.0 - floor, 1e-9)
        level = (min(max(value, floor), 1.0) - floor) / span
        return round((1.0 - level) * (dots_y - 1))

    def x_of(index: int) -> int:
        return 0 if n == 1 else round(index * (dots_x - 1) / (n - 1))

    def dot(x: int, y: int) -> None:
        cells[y // 4][x // 2] |= BRAILLE_BITS[x % 2][y % 4]

    for i, value in enumerate(values):
        if value is None:
            continue
        x0, y0 = x_of(i), y_of(value)
        dot(x0, y0)
        following = values[i + 1] if i + 1 < n else None
        if following is None:
            continue
        x1, y1 = x_of(i + 1), y_of(following)
        for x in range(x0, x1 + 1):
            step = (x - x0) / max(x1 - x0, 1)
            y_here = round(y0 + (y1 - y0) * step)
            y_next = round(y0 + (y1 - y0) * min(step + 1 / max(x1 - x0, 1), 1.0))
            for y in range(min(y_here, y_next), max(y_here, y_next) + 1):
                dot(x, y)
    return ["".join(chr(BRAILLE_BASE + bits) for bits in row) for row in cells]


class BarChart(Widget):
    """A title line, then one bar per item (the rest folded into "N others")."""

    COMPONENT_CLASSES = {"bar-chart--title", "bar-chart--bar", "bar-chart--value"}
    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.items: list[tuple[str, int]] = []
        self.total: int | None = None
        self.max_rows = 4
        self.empty = "—"

    def show(
        self, items: Sequence[tuple[str, int]], total: int | None = None, empty: str = "—"
    ) -> None:
        self.items, self.total, self.empty = list(items), total, empty
        self.refresh(layout=True)

    def set_rows(self, rows: int) -> None:
        if rows != self.max_rows:
            self.max_rows = rows
            self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 1 + max(1, min(len(self.items), self.max_rows))

    def render(self) -> Text:
        style = self.get_component_rich_style
        text = Text(no_wrap=True)  # a style given here would be the base of every line
        text.append(self.title, style("bar-chart--title", partial=True))
        lines = bar_lines(self.items, self.size.width, self.max_rows, self.total)
        if not lines:
            text.append("\n" + self.empty)
        for label, drawn, value in lines:
            text.append("\n" + label + " ")
            text.append(drawn, style("bar-chart--bar", partial=True))
            text.append(" ")
            text.append(value, style("bar-chart--value", partial=True))
        return text


class LineChart(Widget):
    """A title line, a braille line with its y range on the left, and the time axis."""

    COMPONENT_CLASSES = {"line-chart--title", "line-chart--line", "line-chart--axis"}
    DEFAULT_CSS = "LineChart { height: auto; }"
    AXIS = 5  # "100% "

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.note = ""
        self.values: list[float | None] = []
        self.start_label = ""
        self.end_label = ""

    def show(
        self, values: Sequence[float | None], start_label: str, end_label: str, note: str = ""
    ) -> None:
        self.values = list(values)
        self.start_label, self.end_label, self.note = start_label, end_label, note
        self.refresh()

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 4  # the line takes whatever height the stylesheet gives it, less two rows

    def render(self) -> Text:
        style = self.get_component_rich_style
        axis = style("line-chart--axis", partial=True)
        text = Text(no_wrap=True)
        text.append(self.title, style("line-chart--title", partial=True))
        if self.note:
            text.append(f"  {self.note}", axis)
        width = max(self.size.width - self.AXIS, 1)
        rows = max(self.size.height - 2, 2)
        floor = scale_floor(self.values)
        lines = braille_line(self.values, width, rows, floor) if self.values else []
        for row in range(rows):
            label = "100%" if row == 0 else f"{floor * 100:.0f}%" if row == rows - 1 else ""
            text.append("\n" + label.rjust(self.AXIS - 1) + " ", axis)
            text.append(
                lines[row] if lines else " " * width, style("line-chart--line", partial=True)
            )
        gap = max(width - cell_len(self.start_label) - cell_len(self.end_label), 1)
        text.append("\n" + " " * self.AXIS + self.start_label + " " * gap + self.end_label, axis)
        return text
