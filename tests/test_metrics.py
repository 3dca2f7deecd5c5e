"""Fallback metrics from hand-built events: exact figures for each range and filter."""

from __future__ import annotations

import csv
import io

import pytest

from llmtui.errors import InvalidInput, NotFound
from llmtui.services.metrics import compute, export_csv, group_status
from tests.support.events import add_events, event

# 08:30:00.5 UTC: half past an hour, so every range starts mid-hour and mid-day.
NOW = 1_800_000_000 + 1800.5
MIN, HOUR, DAY = 60, 3600, 86400


@pytest.fixture
async def stocked(ctx):
    await add_events(
        ctx,
        [
            event(NOW - 10 * MIN, "gpt-4o", "rate_limit", "claude", 1, 1, 100.0),
            event(NOW - 2 * HOUR, "gpt-4o", "rate_limit", "claude", 1, 1, 300.0),
            event(NOW - 5 * HOUR, "gpt-4o", "server_error", None, None, 2),
            event(NOW - 3 * DAY, "gpt-4o", "timeout", "mini", 2, 2, 1000.0),
            event(NOW - 20 * DAY, "gpt-4o", "rate_limit", "claude", 1, 1, 50.0, "simulated"),
            event(NOW - 40 * DAY, "gpt-4o", "rate_limit", "claude", 1, 1, 5.0),
            event(NOW - 30 * MIN, "local", "connection", "gpt-4o", 1, 1, 200.0, "live"),
            # 36 s inside the 24h window (before its first whole hour), and 1 s outside it.
            event(NOW - DAY + 36, "local", "connection", None, None, 1),
            event(NOW - DAY - 1, "local", "connection", "gpt-4o", 1, 1, 10.0),
        ],
    )
    return ctx


def _groups(report) -> dict[str, dict]:
    return {g["group"]: g for g in report.to_json()["groups"]}


async def test_24h(stocked) -> None:
    report = await compute(stocked, "24h", now=NOW)
    data = report.to_json()
    assert set(data) == {"since", "groups", "by_trigger", "served_by", "over_time"}
    assert data["since"] == "2027-01-14T08:30:00Z"
    assert _groups(report) == {
        "gpt-4o": {
            "group": "gpt-4o",
            "triggers": 3,
            "fallbacks": 4,
            "success_rate": 0.6667,
            "top_trigger": "rate_limit",
            "last_triggered": "2027-01-15T08:20:00Z",
            "p50_ms": 100.0,
            "p95_ms": 300.0,
        },
        "local": {
            "group": "local",
            "triggers": 2,
            "fallbacks": 2,
            "success_rate": 0.5,
            "top_trigger": "connection",
            "last_triggered": "2027-01-15T08:00:00Z",
            "p50_ms": 200.0,
            "p95_ms": 200.0,
        },
    }
    assert list(data["by_trigger"].items()) == [
        ("connection", 2),
        ("rate_limit", 2),
        ("server_error", 1),
    ]
    assert data["served_by"] == {"claude": 2, "gpt-4o": 1}
    buckets = data["over_time"]
    assert len(buckets) == 25  # a partial first hour, 23 whole hours, the current hour
    assert buckets[0] == {
        "start": "2027-01-14T08:30:00Z",
        "triggers": 1,
        "served": 0,
        "success_rate": 0.0,
    }
    assert [b["start"] for b in buckets[1:3]] == ["2027-01-14T09:00:00Z", "2027-01-14T10:00:00Z"]
    by_start = {b["start"]: (b["triggers"], b["served"]) for b in buckets}
    assert by_start["2027-01-15T03:00:00Z"] == (1, 0)  # 5 h ago: failed
    assert by_start["2027-01-15T06:00:00Z"] == (1, 1)  # 2 h ago
    assert by_start["2027-01-15T08:00:00Z"] == (2, 2)  # 30 and 10 min ago
    assert sum(b["triggers"] for b in buckets) == 5
    assert buckets[5]["success_rate"] is None  # no events: no rate, not 0 %


async def test_7d_and_30d(stocked) -> None:
    week = _groups(await compute(stocked, "7d", now=NOW))
    assert (week["gpt-4o"]["triggers"], week["gpt-4o"]["fallbacks"]) == (4, 6)
    assert week["gpt-4o"]["success_rate"] == 0.75
    assert (week["gpt-4o"]["p50_ms"], week["gpt-4o"]["p95_ms"]) == (300.0, 1000.0)
    assert (week["local"]["triggers"], week["local"]["p50_ms"], week["local"]["p95_ms"]) == (
        3,
        10.0,
        200.0,
    )
    month = await compute(stocked, "30d", now=NOW)
    groups = _groups(month)
    assert groups["gpt-4o"]["triggers"] == 5  # the 40-day-old event is out
    assert groups["gpt-4o"]["p50_ms"] == 100.0  # [50, 100, 300, 1000]: 2nd smallest
    assert groups["gpt-4o"]["p95_ms"] == 1000.0
    assert month.served_by == {"claude": 3, "gpt-4o": 2, "mini": 1}
    week_buckets = (await compute(stocked, "7d", now=NOW)).over_time
    assert len(week_buckets) == 29 and week_buckets[1].start % (6 * HOUR) == 0
    days = month.over_time
    assert len(days) == 31 and all(d.start % DAY == 0 for d in days[1:])
    assert sum(d.triggers for d in days) == 8


async def test_source_and_group_filters(stocked) -> None:
    proxy = _groups(await compute(stocked, "30d", sources=["proxy"], now=NOW))
    assert proxy["gpt-4o"]["triggers"] == 4  # without the simulated one
    assert proxy["local"]["triggers"] == 2  # without the live one
    assert proxy["local"]["success_rate"] == 0.5 and proxy["local"]["p50_ms"] == 10.0
    tests_only = await compute(stocked, "30d", sources=["simulated", "live"], now=NOW)
    assert {g.group: g.triggers for g in tests_only.groups} == {"gpt-4o": 1, "local": 1}
    one = await compute(stocked, "24h", group="local", now=NOW)
    assert [g.group for g in one.groups] == ["local"]
    assert one.by_trigger == {"connection": 2} and one.served_by == {"gpt-4o": 1}
    assert sum(b.triggers for b in one.over_time) == 2


async def test_bad_filters_are_refused(stocked) -> None:
    with pytest.raises(NotFound, match="'nosuch'"):
        await compute(stocked, "24h", group="nosuch", now=NOW)
    with pytest.raises(InvalidInput, match="unknown source"):
        await compute(stocked, "24h", sources=["prod"], now=NOW)
    with pytest.raises(InvalidInput, match="unknown range"):
        await compute(stocked, "1y", now=NOW)


async def test_empty_store(ctx) -> None:
    report = await compute(ctx, "7d", now=NOW)
    assert report.groups == [] and report.by_trigger == {} and report.served_by == {}
    assert report.success_rate is None
    assert all(b.triggers == 0 for b in report.over_time)


async def test_csv_has_one_row_per_group_with_the_json_columns(stocked) -> None:
    report = await compute(stocked, "24h", now=NOW)
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [r["group"] for r in rows] == ["gpt-4o", "local"]
    assert list(rows[0]) == list(report.to_json()["groups"][0])
    assert rows[0]["success_rate"] == "0.6667" and rows[1]["p95_ms"] == "200.0"


async def test_export_writes_a_private_csv_under_the_home(stocked) -> None:
    report = await compute(stocked, "7d", group="gpt-4o", now=NOW)
    path = export_csv(stocked, report)
    assert path.parent == stocked.home / "exports"
    assert path.name == "fallback-metrics-7d-gpt-4o-2027-01-15T08-30-00.csv"
    assert path.read_text() == report.to_csv() and path.stat().st_mode & 0o777 == 0o600


async def test_group_status(ctx) -> None:
    await add_events(
        ctx,
        [
            event(NOW - 2 * MIN, "gpt-4o", served_by="claude", position=1),
            event(NOW - 1 * MIN, "gpt-4o", served_by="mini", position=2),
            event(NOW - 3 * MIN, "local", "connection"),
            event(NOW - 3 * HOUR, "old", served_by="x", position=1),
            event(NOW - 1 * MIN, "drill", served_by="x", position=1, source="simulated"),
        ],
    )
    status = await group_status(ctx, now=NOW)
    assert set(status) == {"gpt-4o", "local", "old"}  # simulated tests are not traffic
    assert (status["gpt-4o"].state, status["gpt-4o"].position) == ("fallback", 2)
    assert status["gpt-4o"].label == "fallback 2 serving (mini)"
    assert status["local"].label == "all failing"
    assert status["old"].state == "primary" and status["old"].at == NOW - 3 * HOUR
