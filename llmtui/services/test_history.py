"""Fallback tests as fallback events: how one is stored, and each group's last one.

Shared by the test runner (which writes) and the fallbacks overview (which shows the
last outcome per group); simulated and live tests are both tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from llmtui.services import audit
from llmtui.services.context import now
from llmtui.store.schema import FallbackEvent

TEST_SOURCES = ("simulated", "live")
# Stored like proxy traffic (served / failed), so the metrics count tests of each source
# the same way; the test's own outcome stays in `detail` and comes back in LastTest.
STORED_OUTCOME = {"primary_served": "served", "fallback_served": "served", "all_failed": "failed"}
# The HTTP status an upstream would answer for each simulated failure (None: no answer).
TRIGGER_STATUS: dict[str, int | None] = {
    "rate_limit": 429,
    "timeout": 408,
    "server_error": 500,
    "connection": None,
    "content_policy": 400,
    "context_window": 400,
}


@dataclass(frozen=True)
class LastTest:
    outcome: str  # primary_served | fallback_served | all_failed
    served_by: str | None
    served_position: int | None
    trigger: str
    at: float
    source: str

    @property
    def label(self) -> str:
        """'primary served', 'fallback 2 served' or 'all failed'."""
        if self.outcome == "all_failed":
            return "all failed"
        if self.outcome == "primary_served" or not self.served_position:
            return "primary served"
        return f"fallback {self.served_position} served"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


def record_test(
    session: AsyncSession,
    *,
    group: str,
    trigger: str,
    outcome: str,
    served_by: str | None,
    served_position: int | None,
    attempts: int,
    latency_ms: float | None,
    source: str,
    detail: dict[str, Any],
) -> FallbackEvent:
    """Add the event and its audit entry to the caller's transaction."""
    event = FallbackEvent(
        occurred_at=now(),
        group_name=group,
        trigger=trigger,
        status_code=TRIGGER_STATUS.get(trigger),
        served_by=served_by,
        served_position=served_position,
        outcome=STORED_OUTCOME.get(outcome, outcome),
        attempts=attempts,
        latency_ms=latency_ms,
        source=source,
        detail=detail,
    )
    session.add(event)
    summary = {
        "failure": trigger,
        "depth": detail.get("depth"),
        "outcome": outcome,
        "served_by": served_by,
        "source": source,
    }
    audit.record(
        session, "fallback.test", "model_group", group, None, summary, affects_config=False
    )
    return event


async def store_result(session: AsyncSession, result: Any) -> int:
    """A simulated or live test's result (a SimulationResult) as its event; returns the id."""
    event = record_test(
        session,
        group=result.group,
        trigger=result.failure,
        outcome=result.outcome,
        served_by=result.served_by,
        served_position=result.served_position,
        attempts=result.fallbacks_tried,
        latency_ms=round(result.total_ms, 3),
        source=result.mode,
        detail=result.to_json(),
    )
    await session.flush()
    return event.id


async def load_last_tests(session: AsyncSession) -> dict[str, LastTest]:
    """The newest test event of every group that has one."""
    newest = (
        select(func.max(FallbackEvent.id))
        .where(FallbackEvent.source.in_(TEST_SOURCES))
        .group_by(FallbackEvent.group_name)
    )
    rows = (await session.scalars(select(FallbackEvent).where(FallbackEvent.id.in_(newest)))).all()
    return {
        r.group_name: LastTest(
            _test_outcome(r.outcome, r.served_position),
            r.served_by,
            r.served_position,
            r.trigger,
            r.occurred_at,
            r.source,
        )
        for r in rows
    }


def _test_outcome(stored: str, position: int | None) -> str:
    """primary_served | fallback_served | all_failed from the stored served / failed."""
    if stored == "failed":
        return "all_failed"
    if stored == "served":
        return "fallback_served" if position else "primary_served"
    return stored
