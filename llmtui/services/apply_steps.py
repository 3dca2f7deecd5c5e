"""What an apply reports: its outcome, and each step live with its elapsed time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from llmtui.ops.health import HealthResult
from llmtui.ops.restart import RestartOutcome


class Outcome(StrEnum):
    SUCCESS = "success"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"
    WRITTEN_NOT_RESTARTED = "written_not_restarted"
    UNCHANGED = "unchanged"  # nothing to write and no restart asked for: no row
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class StepEvent:
    step: str  # validate backup write restart health rollback rollback_restart rollback_health
    status: str  # running ok failed skipped
    detail: str = ""
    elapsed: float = 0.0  # this step's duration (0 while running)
    since_start: float = 0.0


@dataclass
class ApplyResult:
    outcome: Outcome
    message: str
    step: str
    apply_id: int | None = None
    events: list[StepEvent] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    restart: RestartOutcome | None = None
    health: HealthResult | None = None
    rollback_restart: RestartOutcome | None = None
    rollback_health: HealthResult | None = None
    restart_output: str = ""  # scrubbed of every secret the files carry
    health_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome in (
            Outcome.SUCCESS,
            Outcome.WRITTEN_NOT_RESTARTED,
            Outcome.UNCHANGED,
        )


StepCallback = Callable[[StepEvent], None]


class StepTimer:
    """Times steps and tells the front end; a failing callback never breaks an apply."""

    def __init__(
        self, on_step: StepCallback | None, scrub: Callable[[str], str] = lambda text: text
    ) -> None:
        self.on_step = on_step
        self.scrub = scrub
        self.t0 = time.monotonic()
        self.events: list[StepEvent] = []
        self.current = ""
        self.started = self.t0

    def _emit(self, event: StepEvent) -> None:
        event = replace(event, detail=self.scrub(event.detail))
        if event.status != "running":
            self.events.append(event)
        if self.on_step is not None:
            # Display trouble must not strand a half-done apply.
            with contextlib.suppress(Exception):
                self.on_step(event)

    def start(self, step: str, detail: str = "") -> None:
        self.current, self.started = step, time.monotonic()
        self._emit(StepEvent(step, "running", detail, 0.0, self.started - self.t0))

    def end(self, status: str, detail: str = "") -> None:
        t = time.monotonic()
        self._emit(StepEvent(self.current, status, detail, t - self.started, t - self.t0))

    def skip(self, step: str, detail: str) -> None:
        self.current = step
        self._emit(StepEvent(step, "skipped", detail, 0.0, time.monotonic() - self.t0))
