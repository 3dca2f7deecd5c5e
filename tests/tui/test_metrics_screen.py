"""Metrics screen: figures from stored events, range/group/source filters, CSV export,
empty states, and the auto-refresh that ingests the recorder's new lines."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from llmtui.services.context import AppContext
from llmtui.services.recorder import set_enabled
from llmtui.tui.screens.metrics import MetricsScreen
from tests.support.events import add_events, append_lines, event, recorder_line
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle

NOW = 1_795_000_000.0
MIN, HOUR, DAY = 60, 3600, 86400


async def seed(home: Path, rows: list[dict]) -> None:
    ctx = AppContext.open(home)
    try:
        await add_events(ctx, rows)
    finally:
        await ctx.close()


STOCK = [
    event(NOW - 10 * MIN, "gpt-4o", "rate_limit", "claude", 1, 1, 100.0),
    event(NOW - 2 * HOUR, "gpt-4o", "rate_limit", "claude", 1, 1, 300.0),
    event(NOW - 5 * HOUR, "gpt-4o", "server_error", None, None, 2),
    event(NOW - 3 * DAY, "gpt-4o", "timeout", "mini", 2, 2, 1000.0),
    event(NOW - 30 * MIN, "local", "connection", "gpt-4o", 1, 1, 200.0, "live"),
    event(NOW - 2 * DAY, "local", "connection", "gpt-4o", 1, 1, 400.0, "simulated"),
]


def rows(app) -> dict[str, tuple]:
    return {
        g.group: (g.triggers, g.fallbacks, g.success_rate, g.top_trigger)
        for g in app.screen.table.rows
    }


def notes(app) -> str:
    """Toasts raised so far (run_test does not draw them)."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


async def open_metrics(pilot, idle: bool = True) -> str:
    await wait_for(pilot, lambda: pilot.app.ctx is not None)
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MetricsScreen))
    await wait_for(pilot, lambda: pilot.app.screen.view is not None, what="metrics loaded")
    if idle:
        await wait_idle(pilot)
    return screen_text(pilot.app)


async def test_figures_and_filters(make_app, home: Path) -> None:
    await seed(home, STOCK)
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await open_metrics(pilot)
        assert "range 24h  group all  source proxy+tests" in text
        assert "Triggers 4  Fallbacks 5  Success after fallback 75.0%" in text
        assert rows(app) == {
            "gpt-4o": (3, 4, 0.6667, "rate_limit"),
            "local": (1, 1, 1.0, "connection"),
        }
        line = next(row for row in text.splitlines() if "gpt-4o " in row and "%" in row)
        assert "66.7%" in line and "10 min ago" in line and "100 ms" in line
        assert "Fallbacks by trigger" in text and "rate_limit" in text and "2 50%" in text
        assert "Which fallback served" in text and "claude" in text

        await pilot.press("r")  # 7d: the 3-day-old timeout and the 2-day-old test count
        await wait_for(pilot, lambda: app.screen.view.report.range == "7d")
        assert rows(app) == {
            "gpt-4o": (4, 6, 0.75, "rate_limit"),
            "local": (2, 2, 1.0, "connection"),
        }
        assert "Triggers 6  Fallbacks 8" in screen_text(app)

        await pilot.press("f")
        await wait_for_text(pilot, "Show the fallbacks of")
        assert "local  (2 in 7d)" in screen_text(app)
        await pilot.press("end", "enter")  # the last group: local
        await wait_for(pilot, lambda: app.screen.view.report.group == "local")
        assert rows(app) == {"local": (2, 2, 1.0, "connection")}
        assert "group local" in screen_text(app)

        await pilot.press("s")  # proxy only: local had a live and a simulated event
        await wait_for(pilot, lambda: app.screen.view.source == "proxy")
        text = screen_text(app)
        assert rows(app) == {} and "Nothing in the last 7 days for this filter" in text
        assert "f all groups" in text and "s all sources" in text

        await pilot.press("escape")  # drop the group: gpt-4o's proxy events
        await wait_for(pilot, lambda: app.screen.view.report.group is None)
        assert rows(app) == {"gpt-4o": (4, 6, 0.75, "rate_limit")}
        await pilot.press("s")  # tests: live + simulated
        await wait_for(pilot, lambda: app.screen.view.source == "tests")
        assert rows(app) == {"local": (2, 2, 1.0, "connection")}
        await pilot.press("r", "r")  # 30d, then back to 24h
        await wait_for(pilot, lambda: app.screen.view.report.range == "24h")
        assert rows(app) == {"local": (1, 1, 1.0, "connection")}


async def test_export_writes_the_csv_and_says_where(make_app, home: Path) -> None:
    await seed(home, STOCK)
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_metrics(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: "CSV exported" in notes(app), what="the export")
        (path,) = (home / "exports").glob("*.csv")
        assert path.name == "fallback-metrics-24h-2026-11-18T11-06-40.csv"
        assert f"2 groups, last 24h → {path}" in notes(app)
        with path.open() as handle:
            data = {row["group"]: row for row in csv.DictReader(handle)}
        assert data["gpt-4o"]["triggers"] == "3" and data["gpt-4o"]["success_rate"] == "0.6667"
        assert data["gpt-4o"]["p95_ms"] == "300.0" and data["local"]["top_trigger"] == "connection"
        assert path.stat().st_mode & 0o777 == 0o600


async def test_empty_states_explain_the_recorder(make_app, home: Path) -> None:
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        text = await open_metrics(pilot)
        assert "No fallbacks recorded yet" in text
        assert "llmtui recorder enable" in text
        assert f"-v {home / 'events'}:/llmtui-events" in text
        assert "Fallback tests" in text and "counted here too" in text
        assert "Fallbacks by trigger" not in text  # no empty charts
        await pilot.press("e")
        await wait_for(pilot, lambda: "nothing to export" in notes(app))
        assert not (home / "exports").exists()

        await set_enabled(app.ctx, True)
        await pilot.press("R")
        text = await wait_for_text(pilot, "not in the proxy's config yet")
        assert "press A or run llmtui apply" in text


async def test_auto_refresh_ingests_new_recorder_lines_one_refresh_at_a_time(
    make_app, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MetricsScreen, "REFRESH_SECONDS", 0.02)  # ticks faster than a refresh
    app = make_app()  # the real clock: the recorder's lines carry real times
    async with app.run_test(size=(80, 24)) as pilot:
        text = await open_metrics(pilot, idle=False)  # refreshes never stop at this pace
        assert "No fallbacks recorded yet" in text
        now = time.time()
        append_lines(
            home / "events",
            recorder_line("req-1", "gpt-4o", now - 5),
            recorder_line("req-2", "gpt-4o", now - 3, error="Timeout", status=None),
            recorder_line("req-3", "local", now - 1, outcome="failed", served_by=None),
        )
        most = 0
        deadline = time.monotonic() + 10
        while "local" not in rows(app) and time.monotonic() < deadline:
            running = [w for w in app.workers if w.group == "metrics-load" and w.is_running]
            most = max(most, len(running))
            await pilot.pause(0.01)
        assert rows(app) == {
            "gpt-4o": (2, 2, 1.0, "rate_limit"),
            "local": (1, 1, 0.0, "rate_limit"),
        }
        assert most == 1  # ticks came every 20 ms; refreshes never overlapped
        app.screen.refresh_timer.stop()
        await wait_idle(pilot)


async def test_help_and_the_palette_export(make_app, home: Path) -> None:
    await seed(home, STOCK)
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(pilot)  # on Providers: the Metrics screen has never loaded
        await pilot.press("ctrl+p", *"export fallback", "enter")
        await wait_for(pilot, lambda: "CSV exported" in notes(app), what="the export")
        assert isinstance(app.screen, MetricsScreen)
        assert len(list((home / "exports").glob("fallback-metrics-24h-*.csv"))) == 1
        await pilot.press("question_mark")
        text = await wait_for_text(pilot, "Keys · Metrics")
        for words in ("Cycle 24h / 7d / 30d", "All groups or one", "Write a CSV file"):
            assert words in text


async def test_unreadable_recorder_events_warn_once_and_keep_the_figures(
    make_app, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(home, STOCK)
    blocker = home / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("LLMTUI_EVENTS_DIR", str(blocker))
    app = make_app(clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await open_metrics(pilot)
        assert "⚠ recorder events unreadable" in text
        assert "Triggers 4" in text  # what is stored still shows
        await pilot.press("R")
        await wait_for(pilot, lambda: not app.screen._busy)
        await wait_idle(pilot)
        warnings = [n for n in app._notifications if n.title == "Ingest"]
        assert len(warnings) == 1 and "cannot read the recorder's events" in warnings[0].message
