"""Incremental ingest of the events file: partial lines, rotation, duplicates, garbage."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from llmtui.services.context import AppContext
from llmtui.services.ingest import STATE_KEY, ingest, load_stats
from llmtui.services.recorder import EVENTS_FILE
from llmtui.store.schema import FallbackEvent, Meta


def line(request: str, group: str = "gpt-4o", **fields) -> bytes:
    data = {
        "v": 1,
        "kind": "request",
        "request": request,
        "at": time.time(),
        "started": time.time() - 0.5,
        "group": group,
        "error": "RateLimitError",
        "status": 429,
        "outcome": "served",
        "served_by": "claude",
        "position": 1,
        "attempts": 1,
        "latency_ms": 500.0,
        "tried": [group, "claude"],
        "dropped": 0,
    }
    data.update(fields)
    return json.dumps(data).encode() + b"\n"


@pytest.fixture
def events_dir(home: Path) -> Path:
    path = home / "events"
    path.mkdir()
    return path


def append(events_dir: Path, *chunks: bytes, name: str = EVENTS_FILE) -> None:
    with (events_dir / name).open("ab") as handle:
        for chunk in chunks:
            handle.write(chunk)


async def stored(ctx: AppContext) -> list[tuple[str, str, str | None, str]]:
    async with ctx.store.read() as session:
        rows = await session.execute(
            select(
                FallbackEvent.dedupe_key,
                FallbackEvent.trigger,
                FallbackEvent.served_by,
                FallbackEvent.source,
            ).order_by(FallbackEvent.id)
        )
        return [tuple(r) for r in rows]


async def test_lines_become_proxy_events(ctx, events_dir) -> None:
    append(
        events_dir,
        line("r1"),
        line("r2", "local", error="APIConnectionError", status=None, outcome="failed"),
    )
    report = await ingest(ctx)
    assert (report.lines, report.inserted, report.garbage) == (2, 2, 0)
    assert await stored(ctx) == [
        ("proxy:r1", "rate_limit", "claude", "proxy"),
        ("proxy:r2", "connection", None, "proxy"),  # a failed request keeps no server
    ]
    async with ctx.store.read() as session:
        failed = await session.scalar(
            select(FallbackEvent).where(FallbackEvent.group_name == "local")
        )
    assert (
        failed.outcome == "failed" and failed.latency_ms is None and failed.served_position is None
    )


async def test_partial_last_line_waits_for_the_next_run(ctx, events_dir) -> None:
    whole = line("r3")
    append(events_dir, line("r1"), line("r2"), whole[:40])
    assert (await ingest(ctx)).inserted == 2
    assert (await ingest(ctx)).lines == 0  # still partial: nothing read, nothing counted
    append(events_dir, whole[40:])
    report = await ingest(ctx)
    assert (report.lines, report.inserted, report.garbage) == (1, 1, 0)
    assert [r[0] for r in await stored(ctx)] == ["proxy:r1", "proxy:r2", "proxy:r3"]


async def test_rotation_reads_the_rest_of_the_rotated_file_first(ctx, events_dir) -> None:
    append(events_dir, line("r1"), line("r2"))
    assert (await ingest(ctx)).inserted == 2
    append(events_dir, line("r3"))
    os.replace(events_dir / EVENTS_FILE, events_dir / f"{EVENTS_FILE}.1")
    append(events_dir, line("r4"))
    report = await ingest(ctx)
    assert report.rotated and not report.missed
    assert (report.lines, report.inserted) == (2, 2)
    assert [r[0] for r in await stored(ctx)] == [f"proxy:r{i}" for i in range(1, 5)]
    append(events_dir, line("r5"))
    report = await ingest(ctx)
    assert not report.rotated and (report.lines, report.inserted) == (1, 1)


async def test_rotated_twice_between_runs_is_reported(ctx, events_dir) -> None:
    append(events_dir, line("r1"))
    await ingest(ctx)
    append(events_dir, line("lost"))
    os.replace(events_dir / EVENTS_FILE, events_dir / f"{EVENTS_FILE}.1")
    append(events_dir, line("r2"))
    os.replace(events_dir / EVENTS_FILE, events_dir / f"{EVENTS_FILE}.1")
    append(events_dir, line("r3"))
    report = await ingest(ctx)
    assert report.missed and report.inserted == 2
    assert "proxy:lost" not in [r[0] for r in await stored(ctx)]
    assert (await load_stats(ctx))["missed_rotations"] == 1


async def test_duplicate_ingest_stores_each_request_once(ctx, events_dir) -> None:
    append(events_dir, line("r1"), line("r2"), line("r1"))  # the same request written twice
    first = await ingest(ctx)
    assert (first.inserted, first.duplicates) == (2, 1)
    async with ctx.store.write() as session:  # forget the position: read everything again
        await session.delete(await session.get(Meta, STATE_KEY))
    again = await ingest(ctx)
    assert (again.lines, again.inserted, again.duplicates) == (3, 0, 3)
    assert len(await stored(ctx)) == 2


async def test_garbage_lines_are_skipped_and_counted(ctx, events_dir) -> None:
    append(
        events_dir,
        b"not json at all\n",
        b"[1, 2, 3]\n",
        line("old-version", v=99),
        line("no-group", group=""),
        line("bad-outcome", outcome="maybe"),
        b'{"v": 1, "kind": "request"}\n',
        b"\n",
        line("good"),
        b'{"v": 1, "kind": "heartbeat"}\n',
    )
    report = await ingest(ctx)
    assert (report.lines, report.garbage, report.skipped, report.inserted) == (8, 6, 1, 1)
    assert [r[0] for r in await stored(ctx)] == ["proxy:good"]
    stats = await load_stats(ctx)
    assert (stats["garbage"], stats["inserted"]) == (6, 1)


async def test_position_is_remembered_across_runs(home, events_dir) -> None:
    append(events_dir, line("r1"), line("r2"))
    first = AppContext.open(home)
    try:
        await ingest(first)
    finally:
        await first.close()
    append(events_dir, line("r3"))
    second = AppContext.open(home)
    try:
        report = await ingest(second)
        assert (report.lines, report.inserted, report.duplicates) == (1, 1, 0)
        assert (await load_stats(second))["lines"] == 3
    finally:
        await second.close()


async def test_a_file_truncated_in_place_is_read_from_the_start(ctx, events_dir) -> None:
    append(events_dir, line("r1"), line("r2"))
    await ingest(ctx)
    with (events_dir / EVENTS_FILE).open("r+b") as handle:
        handle.truncate(0)
    # Same inode, shorter than the position: start over. (The head hash no longer matches
    # either, so this is also seen as a new file.)
    append(events_dir, line("r3"))
    report = await ingest(ctx)
    assert report.inserted == 1 and [r[0] for r in await stored(ctx)][-1] == "proxy:r3"


async def test_attempt_lines_become_the_requests_timeline(ctx, events_dir) -> None:
    attempt = {"v": 1, "kind": "attempt", "request": "r1", "at": time.time(), "group": "gpt-4o"}
    append(
        events_dir,
        json.dumps(
            {
                **attempt,
                "position": 1,
                "target": "mini",
                "outcome": "failed",
                "error": "InternalServerError",
                "status": 500,
            }
        ).encode()
        + b"\n",
        json.dumps(
            {
                **attempt,
                "position": 2,
                "target": "claude",
                "outcome": "served",
                "error": None,
                "status": None,
            }
        ).encode()
        + b"\n",
        line("r1", served_by="claude", position=2, attempts=2),
    )
    report = await ingest(ctx)
    assert (report.attempt_lines, report.inserted) == (2, 1)
    async with ctx.store.read() as session:
        row = await session.scalar(select(FallbackEvent))
        count = await session.scalar(select(func.count()).select_from(FallbackEvent))
    assert count == 1 and row.served_position == 2 and row.attempts == 2
    assert [(t["target"], t["outcome"]) for t in row.detail["timeline"]] == [
        ("mini", "failed"),
        ("claude", "served"),
    ]


async def test_drills_are_counted_not_stored(ctx, events_dir) -> None:
    append(events_dir, line("r1", drill="test-7"), line("r2"))
    report = await ingest(ctx)
    assert (report.drills, report.inserted) == (1, 1)  # the live test stores its own event
    assert [r[0] for r in await stored(ctx)] == ["proxy:r2"]


async def test_no_events_directory_is_not_an_error(ctx) -> None:
    report = await ingest(ctx)
    assert (report.lines, report.inserted, report.files) == (0, 0, [])
