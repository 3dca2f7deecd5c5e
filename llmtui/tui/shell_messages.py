"""Messages from the shell's workers to the app: the store opened or failed, a status poll."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from llmtui.errors import LlmtuiError
    from llmtui.secrets.keysource import KeySource
    from llmtui.services.context import AppContext
    from llmtui.tui.shell_state import ProxyIndicator


class StoreOpened(Message):
    def __init__(self, ctx: AppContext, source: KeySource, keyring_problem: str | None) -> None:
        super().__init__()
        self.ctx = ctx
        self.source = source
        self.keyring_problem = keyring_problem


class StoreFailed(Message):
    def __init__(self, error: LlmtuiError) -> None:
        super().__init__()
        self.error = error


class StatusPolled(Message):
    def __init__(self, proxy: ProxyIndicator | None, pending: int | None) -> None:
        super().__init__()
        self.proxy = proxy
        self.pending = pending
