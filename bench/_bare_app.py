"""The baseline: a bare Textual app (header, a table, a footer) that exits at first paint.

Run as a script by bench/startup.py, in a pseudo-terminal like `llmtui` itself.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_ready(self) -> None:
        self.exit()


if __name__ == "__main__":
    BareApp().run()
