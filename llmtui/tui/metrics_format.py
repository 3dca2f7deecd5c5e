"""How the Metrics screen words its figures: summary, table cells, empty states.

Pure functions of the service's MetricsView, so each wording is testable on its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.formatting import ago
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import Cell

if TYPE_CHECKING:
    from llmtui.services.metrics import GroupMetrics, MetricsReport
    from llmtui.services.metrics_view import MetricsView

RANGE_ORDER = ("24h", "7d", "30d")
SOURCE_ORDER = ("all", "proxy", "tests")
BUCKET_WORD = {"24h": "per hour", "7d": "per 6 hours", "30d": "per day"}
RANGE_WORDS = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}
KEY, DIM, NUM = "bold $accent", "$text-muted", "bold"

COLUMNS = (
    Column("group", "Group", 14, min_width=8, priority=10, flex=True),
    Column("triggers", "Triggers", 8, min_width=8, priority=9, align="right"),
    Column("fallbacks", "Fallbacks", 9, min_width=9, priority=5, align="right"),
    Column("success", "Success", 7, min_width=7, priority=8, align="right"),
    Column("top", "Top trigger", 12, min_width=10, priority=6),
    Column("last", "Last", 10, min_width=8, priority=7),
    Column("p50", "p50", 6, min_width=6, priority=4, align="right"),
    Column("p95", "p95", 6, min_width=6, priority=3, align="right"),
)


def latency(ms: float | None) -> str:
    """At most 6 cells: 355 ms, 1.61 s, 12.3 s, 754 s."""
    if ms is None:
        return "—"
    if ms < 999.5:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    return (
        f"{seconds:.2f} s"
        if seconds < 9.995
        else f"{seconds:.1f} s"
        if seconds < 99.95
        else (f"{seconds:.0f} s")
    )


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def rate_tone(rate: float | None) -> str:
    if rate is None:
        return "muted"
    return "ok" if rate >= 0.95 else "warn" if rate >= 0.8 else "error"


def next_in(order: tuple[str, ...], current: str) -> str:
    return order[(order.index(current) + 1) % len(order)] if current in order else order[0]


def group_cells(g: GroupMetrics, now: float) -> list[Cell]:
    return [
        g.group,
        f"{g.triggers:,}",
        f"{g.fallbacks:,}",
        (percent(g.success_rate), rate_tone(g.success_rate)),
        (g.top_trigger or "—", "accent"),
        (ago(g.last_triggered, now), "muted"),
        latency(g.p50_ms),
        (latency(g.p95_ms), "muted"),
    ]


def filters_text(since: str, group: str | None, source: str) -> Content:
    from llmtui.services.metrics_view import SOURCE_LABELS

    return Content.assemble(
        ("range ", DIM),
        (since, NUM),
        ("  group ", DIM),
        (group or "all", NUM),
        ("  source ", DIM),
        (SOURCE_LABELS.get(source, source), NUM),
    )


def typical_latency(report: MetricsReport) -> str:
    """Exact for one group; across groups the spread of their p50s (not a merged p50)."""
    p50s = sorted(g.p50_ms for g in report.groups if g.p50_ms is not None)
    if not p50s:
        return "—"
    if len(p50s) == 1 or p50s[0] == p50s[-1]:
        return latency(p50s[0])
    return f"{latency(p50s[0])}–{latency(p50s[-1])}"


def summary_text(report: MetricsReport) -> Content:
    if not report.groups:
        scope = f" for {report.group}" if report.group else ""
        words = f"No fallbacks in the last {RANGE_WORDS[report.range]}{scope}"
        return Content.assemble((words, DIM))
    return Content.assemble(
        ("Triggers ", DIM),
        (f"{report.triggers:,}", NUM),
        ("  Fallbacks ", DIM),
        (f"{report.fallbacks:,}", NUM),
        ("  Success after fallback ", DIM),
        (percent(report.success_rate), f"bold {_tone_style(rate_tone(report.success_rate))}"),
        ("  p50 ", DIM),
        (typical_latency(report), NUM),
    )


def _tone_style(tone: str) -> str:
    return {
        "ok": "$text-success",
        "warn": "$text-warning",
        "error": "$text-error",
        "muted": "$text-muted",
    }[tone]


def axis_labels(report: MetricsReport) -> tuple[str, str]:
    fmt = "%H:%M" if report.range == "24h" else "%m-%d"
    start = datetime.fromtimestamp(report.since, UTC).strftime(fmt)
    return start, "now"


def clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M:%S UTC")


def empty_text(view: MetricsView) -> Content:
    """Why there is nothing to chart, and what to do about it."""
    report, recorder = view.report, view.recorder
    config = recorder.config
    parts: list[str | tuple[str, str]] = []
    if view.stored_events:
        parts.append((f"Nothing in the last {RANGE_WORDS[report.range]} for this filter.", "bold"))
        hints = [
            (report.range != "30d", "r", "widen the range"),
            (report.group is not None, "f", "all groups"),
            (view.source != "all", "s", "all sources"),
        ]
        for wanted, key, words in hints:
            if wanted:
                parts += [(f"  {key}", KEY), f" {words}"]
        parts.append("\n\n")
    else:
        parts.append(("No fallbacks recorded yet.\n\n", "bold"))
    if not config.enabled:
        parts += [
            "Record the proxy's real fallbacks (the recorder is off):\n",
            (" 1 ", KEY),
            "run ",
            ("llmtui recorder enable", NUM),
            "\n",
            (" 2 ", KEY),
            "mount the events directory into the proxy's container:\n    ",
            (view.volume_line, NUM),
            "\n",
            (" 3 ", KEY),
            "apply: press ",
            ("A", KEY),
            " or run ",
            ("llmtui apply", NUM),
            " to install it\n",
        ]
    elif recorder.apply_needed:
        parts += [
            "The recorder is on but not in the proxy's config yet: press ",
            ("A", KEY),
            " or run ",
            ("llmtui apply", NUM),
            ".\nThe proxy's container needs the events mount: ",
            (view.volume_line, NUM),
            "\n",
        ]
    else:
        read = recorder.ingest.get("lines", 0)
        parts += [
            "The recorder is on and applied; events come from ",
            (str(config.events_file), NUM),
            f" ({read:,} lines read so far).\nA fallback shows up here within seconds.\n",
        ]
    parts.append(
        (
            "\nFallback tests (t on the Fallbacks screen, or llmtui test-fallback) are counted "
            "here too, as source tests.",
            DIM,
        )
    )
    return Content.assemble(*parts)
