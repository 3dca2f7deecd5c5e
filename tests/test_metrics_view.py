"""What the Metrics screen loads: ingest first, then the report and the empty-state facts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmtui.errors import InvalidInput
from llmtui.services.metrics_view import current_status, export, load, sources_for
from tests.support.events import add_events, append_lines, event, recorder_line


async def test_load_ingests_new_lines_then_computes(ctx, home: Path) -> None:
    now = time.time()
    await add_events(ctx, [event(now - 60, "local", "connection", source="simulated")])
    append_lines(home / "events", recorder_line("r1", "gpt-4o", now - 30))
    view = await load(ctx, "24h", now=now)
    assert view.ingested is not None and view.ingested.inserted == 1
    assert view.ingest_problem is None
    assert {g.group: g.triggers for g in view.report.groups} == {"gpt-4o": 1, "local": 1}
    assert view.stored_events == 2 and view.groups == ["gpt-4o", "local"]
    assert not view.recorder.config.enabled
    assert view.volume_line == f"-v {home / 'events'}:/llmtui-events"

    proxy_only = await load(ctx, "24h", source="proxy", now=now)
    assert [g.group for g in proxy_only.report.groups] == ["gpt-4o"]
    assert proxy_only.ingested is not None and proxy_only.ingested.inserted == 0
    tests_only = await load(ctx, "24h", source="tests", now=now)
    assert [g.group for g in tests_only.report.groups] == ["local"]


async def test_an_unreadable_events_file_still_shows_stored_metrics(
    ctx, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    await add_events(ctx, [event(now - 60, "gpt-4o")])
    not_a_dir = home / "events-file"
    not_a_dir.write_text("x")
    monkeypatch.setenv("LLMTUI_EVENTS_DIR", str(not_a_dir))
    view = await load(ctx, "24h", now=now)
    assert view.ingest_problem and "cannot read the recorder's events" in view.ingest_problem
    assert view.report.triggers == 1


async def test_current_status_reads_the_recorder_first(ctx, home: Path) -> None:
    now = time.time()
    append_lines(
        home / "events",
        recorder_line("a", "gpt-4o", now - 100),
        recorder_line("b", "local", now - 50, outcome="failed", served_by=None),
    )
    status = await current_status(ctx, now=now)
    assert status["gpt-4o"].label == "fallback 1 serving (claude-sonnet)"
    assert status["local"].state == "failing"


async def test_export_and_source_names(ctx) -> None:
    now = time.time()
    await add_events(ctx, [event(now - 60, "gpt-4o", served_by="mini", position=1)])
    path = await export(ctx, (await load(ctx, "7d", now=now)).report)
    assert path.parent == ctx.home / "exports" and path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().splitlines()[1].startswith("gpt-4o,1,1,1.0,rate_limit,")
    assert sources_for("tests") == ("simulated", "live")
    with pytest.raises(InvalidInput):
        sources_for("everything")
