"""What the Metrics screen shows on each refresh: new recorder lines ingested, then the
report, plus what the screen needs to explain an empty one (is the recorder on, applied,
has anything ever been recorded)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from llmtui.errors import InvalidInput, LlmtuiError
from llmtui.services.context import AppContext
from llmtui.services.ingest import IngestReport, ingest
from llmtui.services.metrics import GroupStatus, MetricsReport, compute, export_csv, group_status
from llmtui.services.recorder import RecorderStatus, recorder_status, volume_line

# The screen's source filter: a name the operator reads -> the sources it covers.
SOURCE_FILTERS: dict[str, tuple[str, ...]] = {
    "all": ("proxy", "simulated", "live"),
    "proxy": ("proxy",),
    "tests": ("simulated", "live"),
}
SOURCE_LABELS = {"all": "proxy+tests", "proxy": "proxy", "tests": "tests"}

_GROUPS = text(
    """SELECT group_name FROM models
    UNION SELECT group_name FROM fallback_rollup_outcome WHERE grain = 86400
    ORDER BY 1"""
)
_STORED = text("SELECT COALESCE(SUM(events), 0) FROM fallback_rollup_outcome WHERE grain = 86400")


@dataclass(frozen=True)
class MetricsView:
    report: MetricsReport
    source: str
    groups: list[str]
    """Every group the filter can offer: model groups and groups with recorded events."""
    stored_events: int
    """Events ever stored, any source: tells "nothing yet" from "nothing in this range"."""
    recorder: RecorderStatus
    volume_line: str
    ingested: IngestReport | None
    ingest_problem: str | None


def sources_for(source: str) -> tuple[str, ...]:
    try:
        return SOURCE_FILTERS[source]
    except KeyError:
        raise InvalidInput(
            f"unknown source filter {source!r}; choose from {', '.join(SOURCE_FILTERS)}"
        ) from None


async def load(
    ctx: AppContext,
    since: str = "24h",
    group: str | None = None,
    source: str = "all",
    now: float | None = None,
    ingest_first: bool = True,
) -> MetricsView:
    """Ingest what the recorder wrote since last time (a failure is reported, not fatal:
    stored metrics are still worth showing), then compute the report."""
    sources = sources_for(source)
    ingested, problem = None, None
    if ingest_first:
        try:
            ingested = await ingest(ctx)
        except LlmtuiError as exc:
            problem = str(exc)
    report = await compute(ctx, since, group, sources, now=now)
    async with ctx.store.read() as session:
        groups = [name for (name,) in await session.execute(_GROUPS)]
        stored = int((await session.execute(_STORED)).scalar() or 0)
    return MetricsView(
        report,
        source,
        groups,
        stored,
        await recorder_status(ctx),
        await volume_line(ctx),
        ingested,
        problem,
    )


async def export(ctx: AppContext, report: MetricsReport) -> Path:
    """The report's CSV under <home>/exports/, written off the event loop."""
    return await asyncio.to_thread(export_csv, ctx, report)


async def current_status(ctx: AppContext, now: float | None = None) -> dict[str, GroupStatus]:
    """Each group's serving status after ingesting what the recorder wrote since last time
    (an unreadable events file leaves the stored events to judge by)."""
    with contextlib.suppress(LlmtuiError):
        await ingest(ctx)
    return await group_status(ctx, now=now)
