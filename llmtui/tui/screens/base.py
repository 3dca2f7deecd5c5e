"""What every top-level screen shares: status line, key warning, footer, reload rules."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen

from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.footer import ShellFooter
from llmtui.tui.widgets.status_line import KeyWarning, StatusLine


class SectionScreen(ServiceRunner, Screen[None]):
    """A section's screen reloads when the store opens, and when shown after a change."""

    SECTION = ""
    SECTION_TITLE = ""

    def __init__(self) -> None:
        super().__init__(id=f"{self.SECTION}-screen")
        self.stale = True

    def compose(self) -> ComposeResult:
        yield StatusLine(self.SECTION)
        yield KeyWarning(id="key-warning")
        yield from self.compose_body()
        yield ShellFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        app: Any = self.app
        app.store_ready.subscribe(self, self._store_ready)
        app.data_changed.subscribe(self, self._data_changed)
        if self.app_ctx is not None:  # start loading now, not after the first frame
            self._reload()

    def _store_ready(self, _: None) -> None:
        self.stale = True
        if self.is_current:
            self._reload()

    def _data_changed(self, what: str) -> None:
        if not self.is_current:
            self.stale = True

    def on_screen_resume(self) -> None:
        if self.stale and self.app_ctx is not None:
            self._reload()

    def _reload(self) -> None:
        self.stale = False
        self.reload()

    def reload(self) -> None:
        """Fetch this screen's data in a worker."""
        raise NotImplementedError

    @property
    def app_ctx(self) -> Any:
        return getattr(self.app, "ctx", None)

    def changed(self, what: str) -> None:
        """This screen changed the store: tell the shell, refresh ourselves."""
        app: Any = self.app
        app.changed(what)
        self._reload()
