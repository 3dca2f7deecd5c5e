"""Background provider health for the app: rounds in a worker, never two at once.

The next round is scheduled only when the previous one has finished, so a slow upstream
delays the next round instead of piling rounds up. The interval is re-read before each
round: `llmtui settings set health_interval 300` reaches a running app within a minute.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from llmtui.errors import LlmtuiError

if TYPE_CHECKING:
    from textual.app import App

    from llmtui.services.providers import TestOutcome

log = logging.getLogger("llmtui.tui")
FIRST_ROUND_AFTER = 3.0  # seconds after the store opens: let the first screen load first
RECHECK_WHEN_OFF = 60.0


class ProviderChecked(Message):
    """One background test finished; screens showing the provider refresh it."""

    def __init__(self, outcome: TestOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class BackgroundHealth:
    """Owned by the app; `start()` once the store is open."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.running = False
        self.rounds = 0
        self.interval = 0.0
        """The interval last read from the settings (0: off)."""
        self._warmed = False
        self._stopped = False
        self._timer: Timer | None = None

    def start(self) -> None:
        self._stopped = False
        self._tick()

    def stop(self) -> None:
        """No more rounds; one already running finishes (its results are still shown)."""
        self._stopped = True
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _schedule(self, delay: float) -> None:
        self._cancel_timer()
        if self._stopped:
            return
        # A zero-delay Timer divides by its interval when late: keep it positive.
        self._timer = self.app.set_timer(max(delay, 0.01), self._tick, name="provider-health")

    def _tick(self) -> None:
        if self.running or self._stopped:  # never a second round at once
            return
        self.running = True
        self.app.run_worker(self._round, group="provider-health", exit_on_error=False)

    async def _round(self) -> None:
        from llmtui.services import provider_health

        ctx: Any = getattr(self.app, "ctx", None)
        next_in = RECHECK_WHEN_OFF
        try:
            seconds = self.interval = await provider_health.interval(ctx)
            if seconds > 0 and not self._warmed:
                next_in = min(seconds, FIRST_ROUND_AFTER)  # the first round soon after start
                self._warmed = True
            elif seconds > 0:
                await provider_health.run_round(ctx, self._tested)
                self.rounds += 1
                next_in = seconds
        except asyncio.CancelledError:  # the app is closing
            self.running = False
            raise
        except LlmtuiError as exc:  # store busy, setting unreadable: try again later
            log.warning("background health: %s", exc)
        except Exception:  # a bug must not end the app or the schedule
            log.exception("background health failed")
        self.running = False
        self._schedule(next_in)

    def _tested(self, outcome: TestOutcome) -> None:
        self.app.post_message(ProviderChecked(outcome))
