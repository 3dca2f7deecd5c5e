"""The top line: section tabs on the left; proxy health and unapplied changes on the right."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from llmtui.tui.sections import SECTIONS
from llmtui.tui.shell_state import KeyNotice, ProxyIndicator


class StatusLine(Widget):
    COMPONENT_CLASSES = {
        "status-line--brand",
        "status-line--tab",
        "status-line--tab-active",
        "status-line--ok",
        "status-line--warn",
        "status-line--error",
        "status-line--muted",
    }

    def __init__(self, current: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current = current

    def on_mount(self) -> None:
        for name in ("pending", "proxy"):
            self.watch(self.app, name, lambda *_: self.refresh(), init=False)

    def _style(self, name: str) -> Any:
        return self.get_component_rich_style(f"status-line--{name}", partial=True)

    def _tabs(self, compact: bool) -> Text:
        text = Text(" llmtui ", style=self._style("brand"))
        for s in SECTIONS:
            active = s.mode == self.current
            if s.footer and not active:
                continue  # its key is in every footer already: room for the others
            label = f" {s.key} {s.title} " if active or not compact else f" {s.key} "
            text.append(label, self._style("tab-active" if active else "tab"))
        return text

    def _status(self, compact: bool) -> Text:
        app: Any = self.app
        proxy: ProxyIndicator = app.proxy
        text = Text()
        text.append("" if compact else "proxy ", self._style("muted"))
        text.append(f"{proxy.glyph} {proxy.state}", self._style(proxy.tone))
        pending: int | None = app.pending
        if pending is not None:
            text.append("  ")
            if pending:
                noun = "change" if pending == 1 else "changes"
                words = f"{pending} not applied" if compact else f"{pending} {noun} not applied"
                text.append(words, self._style("warn"))
            else:
                text.append("applied" if compact else "all applied", self._style("muted"))
        text.append(" ")
        return text

    def render(self) -> Text:
        width = self.size.width
        for compact_tabs, compact_status in ((False, False), (True, False), (True, True)):
            left, right = self._tabs(compact_tabs), self._status(compact_status)
            if cell_len(left.plain) + cell_len(right.plain) + 1 <= width:
                break
        gap = max(width - cell_len(left.plain) - cell_len(right.plain), 1)
        line = left + Text(" " * gap) + right
        line.truncate(width, overflow="ellipsis")
        return line


class KeyWarning(Static):
    """Shown only when the master key is not in the OS keyring (or cannot be found)."""

    def on_mount(self) -> None:
        self.watch(self.app, "key_notice", self._show)

    def _show(self, notice: KeyNotice) -> None:
        self.update(f"⚠ {notice.text}" if notice.text else "")
        self.display = bool(notice.text)
        self.set_class(notice.severity == "error", "-error")
