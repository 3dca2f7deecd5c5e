"""An Input whose cursor does not blink: an idle screen sends nothing over a slow SSH link
(and snapshots do not depend on the blink phase)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Input


class SteadyInput(Input):
    cursor_blink = reactive(False, init=False)
