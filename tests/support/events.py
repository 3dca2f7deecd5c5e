"""Hand-built fallback_events rows for metrics and status tests."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
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


def recorder_line(request: str, group: str, at: float, **fields: Any) -> bytes:
    """One `request` line as the proxy-side recorder appends it (schema v1)."""
    data: dict[str, Any] = {
        "v": 1,
        "kind": "request",
        "request": request,
        "at": at,
        "started": at - 0.5,
        "group": group,
        "error": "RateLimitError",
        "status": 429,
        "outcome": "served",
        "served_by": "claude-sonnet",
        "position": 1,
        "attempts": 1,
        "latency_ms": 500.0,
        "tried": [group, "claude-sonnet"],
        "dropped": 0,
    }
    data.update(fields)
    return json.dumps(data).encode() + b"\n"


def append_lines(events_dir: Path, *lines: bytes) -> None:
    """Append to the live events file, creating the directory like the recorder would."""
    from llmtui.services.recorder import EVENTS_FILE

    events_dir.mkdir(parents=True, exist_ok=True)
    with (events_dir / EVENTS_FILE).open("ab") as handle:
        for chunk in lines:
            handle.write(chunk)
