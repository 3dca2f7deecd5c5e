"""Hand-built fallback_events rows for metrics and status tests."""

from __future__ import annotations

import itertools
from typing import Any

from llmtui.services.context import AppContext
from llmtui.store.schema import FallbackEvent

_ids = itertools.count(1)


def event(
    at: float,
    group: str,
    trigger: str = "rate_limit",
    served_by: str | None = None,
    position: int | None = None,
    attempts: int = 1,
    latency_ms: float | None = None,
    source: str = "proxy",
) -> dict[str, Any]:
    return {
        "occurred_at": at,
        "group_name": group,
        "trigger": trigger,
        "status_code": None,
        "served_by": served_by,
        "served_position": position if served_by else None,
        "outcome": "served" if served_by else "failed",
        "attempts": attempts,
        "latency_ms": latency_ms,
        "source": source,
        "detail": None,
        "dedupe_key": f"test:{next(_ids)}",
    }


async def add_events(ctx: AppContext, rows: list[dict[str, Any]]) -> None:
    async with ctx.store.write() as session:
        session.add_all(FallbackEvent(**row) for row in rows)
