"""A checkbox whose state reads without colour: ✓ when on, blank when off."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:
        return "✓" if self.value else " "
