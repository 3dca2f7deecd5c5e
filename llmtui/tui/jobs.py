"""Service calls off the UI path: workers call services and post messages; handlers
own state (the Harlequin pattern). A failed call never reaches Textual as a crash."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import Worker

from llmtui.errors import LlmtuiError

if TYPE_CHECKING:
    from llmtui.services.context import AppContext

log = logging.getLogger("llmtui.tui")

ServiceCall = Callable[["AppContext"], Awaitable[Any]]
APPLY_GROUP = "apply-run"  # the workers of a running apply or restore (quit asks first)


class ServiceDone(Message):
    def __init__(self, what: str, result: Any, on_done: Callable[[Any], None]) -> None:
        super().__init__()
        self.what = what
        self.result = result
        self.on_done = on_done


class ServiceFailed(Message):
    def __init__(
        self,
        what: str,
        error: LlmtuiError,
        on_error: Callable[[LlmtuiError], bool] | None,
        on_reload: Callable[[], None] | None,
    ) -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.on_error = on_error
        self.on_reload = on_reload


class ServiceRunner:
    """Mixin for screens and dialogs: `run_service` and the two handlers that finish it."""

    def run_service(
        self,
        what: str,
        call: ServiceCall,
        on_done: Callable[[Any], None],
        *,
        on_error: Callable[[LlmtuiError], bool] | None = None,
        on_reload: Callable[[], None] | None = None,
        group: str | None = None,
        exclusive: bool = False,
    ) -> Worker[None] | None:
        """Run `call(ctx)` in a worker; `on_done(result)` runs later in the handler.

        `on_error` may handle an error itself (return True); otherwise the app shows it,
        with `on_reload` behind the "changed elsewhere" dialog.
        """
        node: Any = self
        ctx = node.app.ctx
        if ctx is None:
            node.notify("still opening the store, one moment…", severity="warning")
            return None

        async def job() -> None:
            try:
                result = await call(ctx)
            except LlmtuiError as exc:
                node.post_message(ServiceFailed(what, exc, on_error, on_reload))
                return
            except Exception as exc:  # a bug: show one line, keep the app alive
                log.exception("%s failed", what)
                error = LlmtuiError(f"{what} failed unexpectedly: {type(exc).__name__}: {exc}")
                node.post_message(ServiceFailed(what, error, on_error, on_reload))
                return
            node.post_message(ServiceDone(what, result, on_done))

        return node.run_worker(
            job, name=what, group=group or what, exclusive=exclusive, exit_on_error=False
        )

    def on_service_done(self, message: ServiceDone) -> None:
        message.stop()
        message.on_done(message.result)

    def on_service_failed(self, message: ServiceFailed) -> None:
        message.stop()
        if message.on_error is not None and message.on_error(message.error):
            return
        node: Any = self
        node.app.show_error(message.error, on_reload=message.on_reload)
