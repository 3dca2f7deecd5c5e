"""The attempt timeline of one fallback test, and the result it adds up to.

A `Recorder` is filled from three places inside LiteLLM's Router: the wrapped
`make_call` (one call per attempt, so attempts the router refused before reaching a
deployment are seen too), llmtui's CustomLogger (which deployment failed, and how), and
the wrapped `_time_to_sleep_before_retry` (the wait LiteLLM chose). Nothing here imports
litellm.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_ERROR_CHARS = 240


@dataclass
class Attempt:
    index: int
    group: str
    retry: int  # 0 for the first try of this group, then 1, 2, ...
    routed_group: str | None = None  # set when the router answered from another group
    deployment: str | None = None  # the config's litellm model, e.g. openai/gpt-4o
    deployment_id: str | None = None
    ok: bool = False
    error_type: str | None = None
    error: str | None = None
    ms: float = 0.0
    waited_configured_s: float | None = None  # what LiteLLM would have slept before this
    waited_range_s: tuple[float, float] | None = None  # its bounds, jitter included
    waited_elapsed_s: float | None = None  # what this run really spent waiting
    _started: float = field(default=0.0, repr=False)

    @property
    def answered_by(self) -> str:
        """The group whose deployment really took this attempt."""
        return self.routed_group or self.group

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_started")
        data["ms"] = round(self.ms, 3)
        if self.waited_range_s is not None:
            data["waited_range_s"] = [round(v, 3) for v in self.waited_range_s]
        for key in ("waited_configured_s", "waited_elapsed_s"):
            if data[key] is not None:
                data[key] = round(data[key], 4)
        return data


# The attempt the running Router call belongs to; set around each make_call, read by the
# logger hooks (which run in the same task, or in a task that copied this context).
CURRENT_ATTEMPT: ContextVar[Attempt | None] = ContextVar("llmtui_current_attempt", default=None)


@dataclass
class PendingWait:
    configured: float
    bounds: tuple[float, float]
    recorded_at: float


class Recorder:
    """Collects attempts and waits in the order LiteLLM makes them."""

    def __init__(self, deployments: dict[str, tuple[str, str]]) -> None:
        self.deployments = deployments  # deployment id -> (group, litellm model)
        self.attempts: list[Attempt] = []
        self.waits: list[PendingWait] = []
        self._pending: PendingWait | None = None

    def begin(self, group: str) -> Attempt:
        previous = self.attempts[-1] if self.attempts else None
        retry = previous.retry + 1 if previous is not None and previous.group == group else 0
        attempt = Attempt(index=len(self.attempts) + 1, group=group, retry=retry)
        attempt._started = time.perf_counter()
        if self._pending is not None:
            attempt.waited_configured_s = self._pending.configured
            attempt.waited_range_s = self._pending.bounds
            attempt.waited_elapsed_s = attempt._started - self._pending.recorded_at
            self._pending = None
        self.attempts.append(attempt)
        return attempt

    def identify(self, attempt: Attempt, deployment_id: str | None) -> None:
        """Fill in the deployment (the logger may have named it already)."""
        if attempt.deployment_id is None and deployment_id is not None:
            attempt.deployment_id = str(deployment_id)
        known = self.deployments.get(attempt.deployment_id or "")
        if known is not None and attempt.deployment is None:
            attempt.deployment = known[1]
            # An unknown group can be routed to default_fallbacks within one call.
            attempt.routed_group = known[0] if known[0] != attempt.group else None

    def fail(self, attempt: Attempt, exc: BaseException) -> None:
        attempt.ms = (time.perf_counter() - attempt._started) * 1000
        attempt.ok = False
        attempt.error_type = type(exc).__name__
        attempt.error = short_error(exc)
        self.identify(attempt, getattr(exc, "failed_deployment_id", None))

    def succeed(self, attempt: Attempt, deployment_id: str | None) -> None:
        attempt.ms = (time.perf_counter() - attempt._started) * 1000
        attempt.ok = True
        self.identify(attempt, deployment_id)

    def wait(self, configured: float, bounds: tuple[float, float]) -> None:
        pending = PendingWait(configured, bounds, time.perf_counter())
        self.waits.append(pending)
        self._pending = pending

    @property
    def trailing_wait(self) -> PendingWait | None:
        """A wait after the last attempt: LiteLLM sleeps it before giving up."""
        return self._pending


def short_error(exc: BaseException) -> str:
    """First line of the message, without LiteLLM's debugging appendix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


@dataclass
class SimulationResult:
    group: str
    failure: str
    depth: int | None  # None: everything fails
    chain_kind: str | None  # which chain LiteLLM walks for this failure (None: no fallback)
    chain: list[str]
    attempts: list[Attempt]
    total_ms: float
    configured_wait_s: float  # what LiteLLM chose to sleep, in all
    elapsed_wait_s: float  # what this run spent between a wait and the next attempt
    waits_compressed: bool
    outcome: str = "all_failed"  # primary_served | fallback_served | all_failed
    served_by: str | None = None
    served_position: int | None = None  # 0 primary, N fallback N
    served_deployment: str | None = None
    response: str | None = None
    error: str | None = None
    error_type: str | None = None
    ignored_settings: list[str] = field(default_factory=list)
    mode: str = "simulated"

    @property
    def depth_label(self) -> str:
        return "all" if self.depth is None else str(self.depth)

    @property
    def served_label(self) -> str:
        """'served by fb1 (fallback 1)', 'served by gpt-4o (primary)' or 'all failed: …'."""
        if self.outcome == "all_failed":
            return f"all failed: {self.error_type or 'no attempt succeeded'}"
        if self.served_position == 0:
            return f"served by {self.served_by} (primary)"
        return f"served by {self.served_by} (fallback {self.served_position})"

    @property
    def fallbacks_tried(self) -> int:
        """Fallback groups tried, as the proxy recorder counts them (not tries or retries)."""
        return len({a.group for a in self.attempts} - {self.group})

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "failure": self.failure,
            "depth": "all" if self.depth is None else self.depth,
            "mode": self.mode,
            "chain_kind": self.chain_kind,
            "chain": list(self.chain),
            "outcome": self.outcome,
            "served_by": self.served_by,
            "served_position": self.served_position,
            "served_deployment": self.served_deployment,
            "attempts": [a.to_json() for a in self.attempts],
            "total_ms": round(self.total_ms, 3),
            "configured_wait_s": round(self.configured_wait_s, 3),
            "elapsed_wait_s": round(self.elapsed_wait_s, 4),
            "waits_compressed": self.waits_compressed,
            "response": self.response,
            "error": self.error,
            "error_type": self.error_type,
            "ignored_settings": list(self.ignored_settings),
        }
