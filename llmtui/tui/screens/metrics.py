"""Metrics: fallbacks per group over 24h / 7d / 30d, with charts, kept fresh while open.

Each refresh ingests the recorder's new lines and recomputes, in a worker. Refreshes
never overlap: a request during one is remembered and run right after it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Label, Static

from llmtui.errors import LlmtuiError, NotFound
from llmtui.tui import metrics_format as fmt
from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.widgets.charts import BarChart, LineChart
from llmtui.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from llmtui.services.metrics import GroupMetrics
    from llmtui.services.metrics_view import MetricsView

ALL = "*"
ROOMY_HEIGHT = 32  # terminal rows from which the bar charts show more bars


class MetricsScreen(SectionScreen):
    SECTION = "metrics"
    SECTION_TITLE = "Metrics"
    AUTO_FOCUS = "#metrics-table"
    REFRESH_SECONDS = 10.0
    BINDINGS = [
        Binding("r", "range", "Range", id="metrics.range", tooltip="Cycle 24h / 7d / 30d"),
        Binding("f", "group", "Group", id="metrics.group", tooltip="All groups or one"),
        Binding("s", "source", "Source", id="metrics.source", tooltip="proxy+tests/proxy/tests"),
        Binding("e", "export", "Export CSV", id="metrics.export", tooltip="Write a CSV file"),
        Binding("R", "refresh", "Refresh", id="metrics.refresh", tooltip="Ingest and reload now"),
        Binding(
            "escape",
            "all_groups",
            "All groups",
            show=False,
            id="metrics.all_groups",
            tooltip="Drop the group filter",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.since = "24h"
        self.group: str | None = None
        self.source = "all"
        self.view: MetricsView | None = None
        self.refreshed_at: float | None = None
        self._busy = False
        self._again = False
        self._loud = False  # the running refresh was asked for: report its failure
        self._export_when_loaded = False
        self._last_problem: str | None = None
        self.refresh_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="metrics-bar"):
            yield Label(fmt.filters_text(self.since, self.group, self.source), id="metrics-filters")
            yield Label("loading…", id="metrics-state")
        yield Static("", id="metrics-summary")
        table: VirtualTable[GroupMetrics] = VirtualTable(
            fmt.COLUMNS, empty_text="loading fallback metrics…", id="metrics-table"
        )
        yield table
        with Vertical(id="metrics-charts"):
            with Horizontal(id="metrics-bars"):
                yield BarChart("Fallbacks by trigger", id="chart-triggers")
                yield BarChart("Which fallback served", id="chart-served")
            yield LineChart("Success after fallback", id="chart-success")
        yield Static("", id="metrics-empty")

    def on_mount(self) -> None:
        # SectionScreen.on_mount runs too and starts the first load.
        self.refresh_timer = self.set_interval(self.REFRESH_SECONDS, self._refresh_tick)
        self._fit_charts()

    def on_resize(self) -> None:
        self._fit_charts()

    def on_screen_resume(self) -> None:
        stale = self.refreshed_at is None or time.monotonic() - self.refreshed_at > 2
        if stale and not self._busy and self.app_ctx is not None:
            self.reload()

    def _fit_charts(self) -> None:
        roomy = self.app.size.height >= ROOMY_HEIGHT
        for chart in self.query(BarChart):
            chart.set_rows(6 if roomy else 4)

    @property
    def table(self) -> VirtualTable[GroupMetrics]:
        return self.query_one("#metrics-table", VirtualTable)

    def now(self) -> float:
        app: Any = self.app
        return float(app.clock())

    # -- refresh ------------------------------------------------------------------

    def _refresh_tick(self) -> None:
        if self.is_current and self.app_ctx is not None and not self._busy:
            self.reload()

    def reload(self, loud: bool = False) -> None:
        """Ingest and recompute in a worker; during a refresh, queue exactly one more."""
        from llmtui.services.metrics_view import load

        if self._busy:
            self._again = True
            self._loud = self._loud or loud
            return
        self._busy, self._again, self._loud = True, False, loud
        since, group, source, now = self.since, self.group, self.source, self.now()
        started = self.run_service(
            "loading fallback metrics",
            lambda ctx: load(ctx, since, group, source, now=now),
            self._loaded,
            on_error=self._failed,
            group="metrics-load",
        )
        if started is None:
            self._busy = False

    def _finish(self) -> None:
        self._busy = False
        self.refreshed_at = time.monotonic()
        if self._again:
            self.reload(self._loud)

    def _loaded(self, view: MetricsView) -> None:
        self.view = view
        report = view.report
        self.query_one("#metrics-summary", Static).update(fmt.summary_text(report))
        scope = f" for {report.group}" if report.group else ""
        self.table.empty_text = f"no fallbacks in the last {fmt.RANGE_WORDS[report.range]}{scope}"
        self.table.set_rows(report.groups, key=lambda g: g.group, cells=self._cells)
        empty = not report.groups
        self.table.display = not empty
        self.query_one("#metrics-charts").display = not empty
        panel = self.query_one("#metrics-empty", Static)
        panel.display = empty
        if empty:
            panel.update(fmt.empty_text(view))
        else:
            self._draw_charts(view)
        self._show_state(view)
        if self.focused is None:
            self.table.focus()
        self._finish()
        if self._export_when_loaded:
            self._export_when_loaded = False
            self.action_export()

    def _cells(self, g: GroupMetrics) -> list[Any]:
        until = self.view.report.until if self.view else self.now()
        return fmt.group_cells(g, until)

    def _draw_charts(self, view: MetricsView) -> None:
        report = view.report
        self.query_one("#chart-triggers", BarChart).show(
            list(report.by_trigger.items()), report.triggers
        )
        served = list(report.served_by.items())
        self.query_one("#chart-served", BarChart).show(served, empty="none served")
        start, end = fmt.axis_labels(report)
        self.query_one(LineChart).show(
            [b.success_rate for b in report.over_time],
            start,
            end,
            f"{fmt.BUCKET_WORD[report.range]} · gaps: no fallbacks",
        )

    def _show_state(self, view: MetricsView) -> None:
        state = self.query_one("#metrics-state", Label)
        problem = view.ingest_problem
        if problem:
            state.update(Content.assemble(("⚠ recorder events unreadable", "$text-warning")))
            if problem != self._last_problem:
                self.notify(problem, title="Ingest", severity="warning", timeout=10)
        else:
            added = view.ingested.inserted if view.ingested else 0
            note = f"+{added:,} new · " if added else ""
            state.update(
                Content.assemble(
                    (note, "$text-success"),
                    ("refreshed ", "$text-muted"),
                    (fmt.clock_text(self.now()), "$text-muted"),
                )
            )
        self._last_problem = problem

    def _failed(self, error: LlmtuiError) -> bool:
        loud = self._loud
        self._finish()
        if isinstance(error, NotFound) and self.group is not None:
            self.notify(f"{error}; showing all groups", severity="warning")
            self.group = None
            self._filters_changed()
            return True
        self.query_one("#metrics-state", Label).update(
            Content.assemble(("⚠ refresh failed", "$text-error"))
        )
        return not loud  # a failing auto-refresh says so in the bar, not every 10 s

    # -- actions ------------------------------------------------------------------

    def _filters_changed(self) -> None:
        self.query_one("#metrics-filters", Label).update(
            fmt.filters_text(self.since, self.group, self.source)
        )
        self.query_one("#metrics-state", Label).update(
            Content.assemble(("refreshing…", "$text-muted"))
        )
        self.reload(loud=True)

    def action_range(self) -> None:
        self.since = fmt.next_in(fmt.RANGE_ORDER, self.since)
        self._filters_changed()

    def action_source(self) -> None:
        self.source = fmt.next_in(fmt.SOURCE_ORDER, self.source)
        self._filters_changed()

    def action_refresh(self) -> None:
        self._filters_changed()

    def action_all_groups(self) -> None:
        if self.group is not None:
            self.show_group(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "all_groups" and self.group is None:
            return None
        return True

    def action_group(self) -> None:
        from llmtui.tui.screens.dialogs import ChoiceDialog

        counts = {g.group: g.triggers for g in self.view.report.groups} if self.view else {}
        names = sorted(set(self.view.groups if self.view else []) | set(counts))
        options = [(ALL, "all groups")] + [
            (name, f"{name}  ({counts[name]:,} in {self.since})" if name in counts else name)
            for name in names
        ]
        dialog = ChoiceDialog("Show the fallbacks of", options, current=self.group or ALL)
        self.app.push_screen(dialog, self._group_chosen)

    def _group_chosen(self, choice: str | None) -> None:
        if choice is not None:
            self.show_group(None if choice == ALL else choice)

    def show_group(self, group: str | None) -> None:
        """Also the Fallbacks screen's way in: this group's metrics."""
        if group != self.group:
            self.group = group
            self._filters_changed()

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        key = str(event.key)
        self.show_group(None if self.group == key else key)

    def action_export(self) -> None:
        self.export_csv()

    def export_csv(self) -> None:
        """`e` and the palette: the report on screen as CSV, and where it went."""
        from llmtui.services.metrics_view import export

        view = self.view
        if view is None or (self._busy and self._loud):
            self._export_when_loaded = True
            self.notify("exporting once the metrics are loaded…", timeout=3)
            return
        report = view.report
        if not report.groups:
            words = fmt.RANGE_WORDS[report.range]
            self.notify(f"no fallbacks in the last {words}: nothing to export", severity="warning")
            return
        self.run_service(
            "exporting fallback metrics",
            lambda ctx: export(ctx, report),
            lambda path: self.notify(
                f"{len(report.groups)} groups, last {report.range} → {path}",
                title="CSV exported",
                timeout=20,
            ),
        )
