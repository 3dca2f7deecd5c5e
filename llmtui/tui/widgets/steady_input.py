"""An Input whose cursor does not blink: an idle screen sends nothing over a slow SSH link
(and snapshots do not depend on the blink phase)."""

from __future__ import annotations

from textual.command import CommandInput, CommandPalette
from textual.reactive import reactive
from textual.widgets import Input


class SteadyInput(Input):
    cursor_blink = reactive(False, init=False)


class SteadyCommandPalette(CommandPalette):
    """Textual's palette with a steady cursor in its search field."""

    def on_mount(self) -> None:
        self.query_one(CommandInput).cursor_blink = False
