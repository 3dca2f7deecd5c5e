"""Fallback metrics over 24h / 7d / 30d, and each group's current serving status.

Everything is computed in SQL (llmtui.services.metrics_sql) inside one read transaction,
so the figures agree with each other. Percentiles are nearest-rank: p50 of n served
requests is the ceil(0.5·n)-th smallest latency to the serving answer.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llmtui.errors import InvalidInput, LlmtuiError, NotFound
from llmtui.ops.files import atomic_write_text, describe_os_error
from llmtui.services import metrics_sql as q
from llmtui.services.context import AppContext

RANGES: dict[str, tuple[int, int]] = {  # name -> (seconds, time bucket width)
    "24h": (86400, 3600),
    "7d": (7 * 86400, 6 * 3600),
    "30d": (30 * 86400, 86400),
}
SOURCES = ("proxy", "simulated", "live")
REAL_TRAFFIC = ("proxy", "live")
CSV_COLUMNS = (
    "group",
    "triggers",
    "fallbacks",
    "success_rate",
    "top_trigger",
    "last_triggered",
    "p50_ms",
    "p95_ms",
)
STATUS_FRESH_SECONDS = 900.0


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class GroupMetrics:
    group: str
    triggers: int
    fallbacks: int
    served: int
    top_trigger: str | None
    last_triggered: float | None
    p50_ms: float | None = None
    p95_ms: float | None = None

    @property
    def success_rate(self) -> float | None:
        return _rate(self.served, self.triggers)

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "triggers": self.triggers,
            "fallbacks": self.fallbacks,
            "success_rate": self.success_rate,
            "top_trigger": self.top_trigger,
            "last_triggered": iso(self.last_triggered),
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
        }


@dataclass
class TimeBucket:
    start: float
    triggers: int = 0
    served: int = 0

    @property
    def success_rate(self) -> float | None:
        return _rate(self.served, self.triggers)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "triggers": self.triggers,
            "served": self.served,
            "success_rate": self.success_rate,
        }


@dataclass
class MetricsReport:
    range: str
    since: float
    until: float
    sources: tuple[str, ...]
    group: str | None
    groups: list[GroupMetrics] = field(default_factory=list)
    by_trigger: dict[str, int] = field(default_factory=dict)
    served_by: dict[str, int] = field(default_factory=dict)
    over_time: list[TimeBucket] = field(default_factory=list)

    @property
    def triggers(self) -> int:
        return sum(g.triggers for g in self.groups)

    @property
    def fallbacks(self) -> int:
        return sum(g.fallbacks for g in self.groups)

    @property
    def success_rate(self) -> float | None:
        return _rate(sum(g.served for g in self.groups), self.triggers)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": iso(self.since),
            "groups": [g.to_json() for g in self.groups],
            "by_trigger": dict(self.by_trigger),
            "served_by": dict(self.served_by),
            "over_time": [b.to_json() for b in self.over_time],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for g in self.groups:
            row = g.to_json()
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        return out.getvalue()


def check_sources(sources: Iterable[str] | None) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(sources or SOURCES))
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise InvalidInput(f"unknown source {unknown[0]!r}; choose from {', '.join(SOURCES)}")
    return chosen


def bucket_starts(since: float, until: float, width: int) -> list[float]:
    """The first bucket starts at `since`, the rest on UTC multiples of `width`."""
    starts = [since]
    edge = (int(since) // width + 1) * width
    while edge <= until:
        starts.append(float(edge))
        edge += width
    return starts


async def compute(
    ctx: AppContext,
    since: str = "24h",
    group: str | None = None,
    sources: Sequence[str] | None = None,
    now: float | None = None,
) -> MetricsReport:
    """Fallback metrics for one range, optionally one group and some sources."""
    if since not in RANGES:
        raise InvalidInput(f"unknown range {since!r}; choose from {', '.join(RANGES)}")
    chosen = check_sources(sources)
    until = time.time() if now is None else now
    seconds, width = RANGES[since]
    window = q.Window.starting(until - seconds)
    starts = bucket_starts(window.since, until, width)
    params: dict[str, Any] = {**window.params(), "sources": list(chosen), "group": group}
    report = MetricsReport(since, window.since, until, chosen, group)
    async with ctx.store.read() as session:
        if group is not None and (await session.execute(q.group_known(), params)).first() is None:
            raise NotFound(f"no model group or recorded events named {group!r}")
        latency_counts: dict[str, int] = {}
        for name, count, attempts, served, last, latency_n in await session.execute(
            q.per_group(), params
        ):
            report.groups.append(GroupMetrics(name, count, attempts or 0, served or 0, None, last))
            latency_counts[name] = latency_n or 0
        by_name = {g.group: g for g in report.groups}
        for name, trigger, count, rank in await session.execute(q.triggers(), params):
            report.by_trigger[trigger] = report.by_trigger.get(trigger, 0) + count
            if rank == 1:
                by_name[name].top_trigger = trigger
        report.by_trigger = dict(sorted(report.by_trigger.items(), key=lambda i: (-i[1], i[0])))
        for served_by, count in await session.execute(q.served_by(), params):
            report.served_by[served_by] = count
        counts = {
            start: (n, served)
            for start, n, served in await session.execute(
                q.over_time(width), {**params, "last_bucket": starts[-1]}
            )
        }
        report.over_time = [TimeBucket(s, *counts.get(s, (0, 0))) for s in starts]
        stored = dict((await session.execute(q.stored_latencies())).all())
        for g in report.groups:
            n = latency_counts[g.group]
            everything = stored.get(g.group) == n  # the window holds all of them
            g.p50_ms, g.p95_ms = [
                await _percentile(session, params, g.group, n, pct, not everything)
                for pct in (50, 95)
            ]
    return report


async def _percentile(
    session: Any, params: dict[str, Any], group: str, n: int, pct: int, filtered: bool
) -> float | None:
    if n == 0:
        return None
    rank = (pct * n + 99) // 100  # nearest rank, in integers: no float rounding surprises
    descending = rank > n - rank + 1  # walk from the nearer end of the index
    offset = n - rank if descending else rank - 1
    value = (
        await session.execute(
            q.nth_latency(descending, filtered),
            {**params, "group": group, "offset": offset},
        )
    ).scalar()
    return None if value is None else round(float(value), 1)


def export_csv(ctx: AppContext, report: MetricsReport) -> Path:
    """Write the report's CSV to <home>/exports/ (0600, atomic) and say where (TUI `e`)."""
    directory = ctx.home / "exports"
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LlmtuiError(describe_os_error(exc, directory)) from exc
    stamp = datetime.fromtimestamp(report.until, UTC).strftime("%Y-%m-%dT%H-%M-%S")
    scope = f"-{re.sub(r'[^A-Za-z0-9._-]+', '_', report.group)}" if report.group else ""
    path = directory / f"fallback-metrics-{report.range}{scope}-{stamp}.csv"
    atomic_write_text(path, report.to_csv())
    return path


@dataclass(frozen=True)
class GroupStatus:
    """What serves a group now, judged from its latest fallback event."""

    group: str
    state: str  # primary (no recent fallback), fallback (served by position N), failing
    position: int | None
    served_by: str | None
    trigger: str
    at: float
    source: str

    @property
    def label(self) -> str:
        if self.state == "failing":
            return "all failing"
        if self.state == "fallback":
            return f"fallback {self.position or '?'} serving ({self.served_by})"
        return "primary serving"

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "state": self.state,
            "label": self.label,
            "position": self.position,
            "served_by": self.served_by,
            "trigger": self.trigger,
            "at": iso(self.at),
            "source": self.source,
        }


async def group_status(
    ctx: AppContext,
    sources: Sequence[str] = REAL_TRAFFIC,
    fresh_seconds: float = STATUS_FRESH_SECONDS,
    now: float | None = None,
) -> dict[str, GroupStatus]:
    """Per group with events: fallback N serving / all failing if the latest event is
    fresh, else primary serving (the fallback was a while ago)."""
    chosen = list(check_sources(sources))
    current = time.time() if now is None else now
    async with ctx.store.read() as session:
        rows = await session.execute(
            q.latest_per_group(), {"sources": chosen, "groups_sources": chosen}
        )
        result: dict[str, GroupStatus] = {}
        for name, at, outcome, served_by, position, trigger, source in rows:
            if current - at > fresh_seconds:
                state = "primary"
            else:
                state = "fallback" if outcome == "served" else "failing"
            result[name] = GroupStatus(name, state, position, served_by, trigger, at, source)
    return result
