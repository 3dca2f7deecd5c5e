"""The trigger-kept rollups stay equal to the raw events, and metrics equal a naive reference."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text, update

from llmtui.services.metrics import RANGES, compute
from llmtui.store import migrate
from llmtui.store.schema import FallbackEvent
from tests.support.events import add_events, event

NOW = 1_800_000_000 + 7777.25
DAY = 86400

_RAW_OUTCOME = """
SELECT g.grain, CAST(occurred_at / g.grain AS INTEGER) * g.grain, source, group_name, outcome,
       COALESCE(served_by, ''), count(*), sum(attempts), sum(latency_ms IS NOT NULL),
       max(occurred_at)
FROM fallback_events, (SELECT 3600 AS grain UNION ALL SELECT 86400) AS g
GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"""
_RAW_TRIGGER = """
SELECT g.grain, CAST(occurred_at / g.grain AS INTEGER) * g.grain, source, group_name, trigger,
       count(*), max(occurred_at)
FROM fallback_events, (SELECT 3600 AS grain UNION ALL SELECT 86400) AS g
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""


async def _assert_rollups_match(ctx) -> None:
    async with ctx.store.read() as session:
        for raw, table in (
            (_RAW_OUTCOME, "fallback_rollup_outcome"),
            (_RAW_TRIGGER, "fallback_rollup_trigger"),
        ):
            expected = (await session.execute(text(raw))).all()
            kept = (
                await session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5, 6"))
            ).all()
            assert kept == expected, table


async def test_rollups_follow_inserts_updates_and_deletes(ctx) -> None:
    await add_events(
        ctx,
        [
            event(NOW - 10, "a", served_by="b", position=1, latency_ms=5.0),
            event(NOW - 20, "a", served_by="b", position=1, latency_ms=7.0),
            event(NOW - 30, "a", "timeout", attempts=3),
            event(NOW - 3 * DAY, "c", "connection", served_by="a", position=1, source="live"),
        ],
    )
    await _assert_rollups_match(ctx)
    async with ctx.store.write() as session:
        await session.execute(
            update(FallbackEvent)
            .where(FallbackEvent.trigger == "timeout")
            .values(outcome="served", served_by="z", latency_ms=9.0, occurred_at=NOW - 2 * DAY)
        )
    await _assert_rollups_match(ctx)
    async with ctx.store.write() as session:
        await session.execute(delete(FallbackEvent).where(FallbackEvent.occurred_at == NOW - 10))
    await _assert_rollups_match(ctx)  # last_at falls back to the remaining event
    async with ctx.store.write() as session:
        await session.execute(delete(FallbackEvent))
    await _assert_rollups_match(ctx)


def test_upgrade_counts_the_events_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    migrate.ensure_db_file(path)
    migrate.upgrade(path, "0001")
    conn = sqlite3.connect(path)
    rows = [
        event(NOW - 10, "a", served_by="b", position=1, latency_ms=5.0),
        event(NOW - 5 * DAY, "a", "timeout", attempts=2, source="live"),
    ]
    conn.executemany(
        "INSERT INTO fallback_events (occurred_at, group_name, trigger, status_code, served_by, "
        "served_position, outcome, attempts, latency_ms, source, detail, dedupe_key) VALUES "
        "(:occurred_at, :group_name, :trigger, :status_code, :served_by, :served_position, "
        ":outcome, :attempts, :latency_ms, :source, :detail, :dedupe_key)",
        rows,
    )
    conn.commit()
    migrate.upgrade(path)
    try:
        kept = conn.execute("SELECT * FROM fallback_rollup_outcome ORDER BY 1, 2, 3, 4, 5, 6")
        assert kept.fetchall() == conn.execute(_RAW_OUTCOME).fetchall()
        assert len(conn.execute(_RAW_TRIGGER).fetchall()) == 4  # 2 events x 2 grains
        kept = conn.execute("SELECT * FROM fallback_rollup_trigger ORDER BY 1, 2, 3, 4, 5")
        assert kept.fetchall() == conn.execute(_RAW_TRIGGER).fetchall()
    finally:
        conn.close()


def _reference(events: list[dict], range_name: str, sources: list[str]) -> dict:
    """Metrics computed the obvious way, in Python, for comparison."""
    seconds, width = RANGES[range_name]
    since = NOW - seconds
    rows = [e for e in events if e["occurred_at"] >= since and e["source"] in sources]
    groups = {}
    for name in sorted({e["group_name"] for e in rows}):
        mine = [e for e in rows if e["group_name"] == name]
        served = [e for e in mine if e["outcome"] == "served"]
        counts: dict[str, int] = {}
        for e in mine:
            counts[e["trigger"]] = counts.get(e["trigger"], 0) + 1
        latencies = sorted(e["latency_ms"] for e in served if e["latency_ms"] is not None)

        def pct(p: int, values: list[float] = latencies) -> float | None:
            return round(values[math.ceil(p * len(values) / 100) - 1], 1) if values else None

        groups[name] = (
            len(mine),
            sum(e["attempts"] for e in mine),
            len(served),
            min(counts, key=lambda t: (-counts[t], t)),
            max(e["occurred_at"] for e in mine),
            pct(50),
            pct(95),
        )
    buckets: dict[float, int] = {}
    for e in rows:
        start = max(since, (e["occurred_at"] // width) * width)
        buckets[start] = buckets.get(start, 0) + 1
    return {"groups": groups, "buckets": buckets}


_event = st.builds(
    lambda age, group, trig, served, lat, src, att: event(
        NOW - age,
        group,
        trig,
        served,
        1 if served else None,
        att,
        lat if served else None,
        src,
    ),
    st.floats(0, 35 * DAY),
    st.sampled_from(["g1", "g2"]),
    st.sampled_from(["rate_limit", "timeout", "server_error"]),
    st.sampled_from([None, "fb1", "fb2"]),
    st.one_of(st.none(), st.floats(0, 60_000).map(lambda v: round(v, 3)), st.just(100.0)),
    st.sampled_from(["proxy", "simulated", "live"]),
    st.integers(0, 3),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=st.lists(_event, max_size=60),
    range_name=st.sampled_from(list(RANGES)),
    sources=st.sampled_from([["proxy", "simulated", "live"], ["proxy"], ["simulated", "live"]]),
)
async def test_metrics_equal_a_naive_reference(ctx, events, range_name, sources) -> None:
    async with ctx.store.write() as session:
        await session.execute(delete(FallbackEvent))
    await add_events(ctx, events)
    report = await compute(ctx, range_name, sources=sources, now=NOW)
    expected = _reference(events, range_name, sources)
    got = {
        g.group: (
            g.triggers,
            g.fallbacks,
            g.served,
            g.top_trigger,
            g.last_triggered,
            g.p50_ms,
            g.p95_ms,
        )
        for g in report.groups
    }
    assert got == expected["groups"]
    assert {b.start: b.triggers for b in report.over_time if b.triggers} == expected["buckets"]
    await _assert_rollups_match(ctx)
