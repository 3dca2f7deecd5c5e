"""Column layout for narrow terminals: the least important columns give way first.

Pure functions so the 80-column behaviour can be tested without a screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len, set_cell_size

ELLIPSIS = "…"
SEPARATOR = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """Preferred width in cells."""
    min_width: int = 4
    priority: int = 5
    """Higher is more important: lower priorities shrink, then hide, first."""
    align: Literal["left", "right"] = "left"
    flex: bool = False
    """Takes the spare width when the terminal is wider than needed."""
    hideable: bool = True
    optional: bool = False
    """Given up whole (shrunk, then hidden) before any other column shrinks."""


def fit_widths(columns: Sequence[Column], available: int) -> list[int]:
    """Width per column (0 = hidden) so that the row fits in `available` cells."""
    widths = [max(c.width, c.min_width, 1) for c in columns]
    if not columns:
        return widths
    total = sum(widths) + SEPARATOR * (len(columns) - 1)
    by_importance = sorted(range(len(columns)), key=lambda i: columns[i].priority)
    for i in by_importance:
        if total <= available or not columns[i].optional:
            continue
        give = min(total - available, widths[i] - columns[i].min_width)
        widths[i] -= give
        total -= give
        if total > available:
            total -= widths[i] + SEPARATOR
            widths[i] = 0
    for i in by_importance:
        if total <= available:
            break
        give = min(total - available, widths[i] - columns[i].min_width)
        if give > 0:
            widths[i] -= give
            total -= give
    for i in by_importance:
        if total <= available:
            break
        if columns[i].hideable:
            total -= widths[i] + SEPARATOR
            widths[i] = 0
    if total > available:  # still too wide: squeeze the last visible columns to the edge
        for i in reversed(range(len(columns))):
            if total <= available:
                break
            give = min(total - available, widths[i] - 1)
            if widths[i] and give > 0:
                widths[i] -= give
                total -= give
    spare = available - total
    flex = [i for i, c in enumerate(columns) if c.flex and widths[i]]
    for n, i in enumerate(flex):
        share = spare // len(flex) + (1 if n < spare % len(flex) else 0)
        widths[i] += share
    return widths


def fit_text(text: str, width: int, align: str = "left") -> str:
    """Exactly `width` cells: padded, or cut with an ellipsis."""
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        if width <= 1:
            return ELLIPSIS[:width]
        text = set_cell_size(text, width - 1).rstrip(" ") + ELLIPSIS
        length = cell_len(text)
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad
