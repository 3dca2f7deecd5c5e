"""Fallback metrics over 1,000,000 stored events spread over 30 days (target: < 0.3 s).

The events are bulk-loaded with SQL (deterministic pseudo-random values from the row
number), the rollups are built once with the migration's backfill, then the real
`metrics.compute` runs per range against `count(*)` of the same rows on the same session.
A second pair times what the rollup triggers cost an insert (ingest's bulk insert).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from types import ModuleType

from sqlalchemy import text

from bench import Result
from llmtui.home import db_path
from llmtui.services.context import AppContext
from llmtui.services.metrics import RANGES, compute
from llmtui.store.migrate import migrations_dir, prepare_database

EVENTS = 1_000_000
INSERT_SAMPLE = 50_000
NOW = 1_800_000_000.0
RUNS = 5

# h(n, k): a deterministic 32-bit hash of the row number, one per column.
_H = "((n * {k} + 40503) % 4294967296)"
_EVENTS_SQL = f"""
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < :count)
INSERT INTO fallback_events (occurred_at, group_name, trigger, status_code, served_by,
    served_position, outcome, attempts, latency_ms, source, detail, dedupe_key)
SELECT :now - ({_H.format(k=2654435761)} % 2592000) - ({_H.format(k=97)} % 1000) / 1000.0,
       'group-' || ({_H.format(k=40503)} % 12),
       CASE {_H.format(k=69069)} % 10 WHEN 0 THEN 'timeout' WHEN 1 THEN 'server_error'
            WHEN 2 THEN 'connection' WHEN 3 THEN 'service_unavailable'
            WHEN 4 THEN 'context_window' ELSE 'rate_limit' END,
       NULL,
       CASE WHEN {_H.format(k=1103515245)} % 100 < 92
            THEN 'fallback-' || (1 + {_H.format(k=214013)} % 3) END,
       CASE WHEN {_H.format(k=1103515245)} % 100 < 92 THEN 1 + {_H.format(k=214013)} % 3 END,
       CASE WHEN {_H.format(k=1103515245)} % 100 < 92 THEN 'served' ELSE 'failed' END,
       1 + {_H.format(k=22695477)} % 3,
       CASE WHEN {_H.format(k=1103515245)} % 100 < 92
            THEN 40 + ({_H.format(k=134775813)} % 4000) * ({_H.format(k=16807)} % 5 + 1) / 2.0
       END,
       CASE WHEN {_H.format(k=48271)} % 100 < 85 THEN 'proxy'
            WHEN {_H.format(k=48271)} % 100 < 95 THEN 'simulated' ELSE 'live' END,
       NULL,
       'bench:' || :prefix || n
FROM c
"""


def _migration() -> ModuleType:
    path = migrations_dir() / "versions" / "0002_fallback_rollups.py"
    spec = importlib.util.spec_from_file_location("rollups_0002", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bulk_load(db: Path, count: int) -> float:
    """Triggers off, rows in, rollups built once, triggers back on; returns seconds."""
    migration = _migration()
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    try:
        for name in migration.TRIGGER_SQL:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(_EVENTS_SQL, {"count": count, "now": NOW, "prefix": "load-"})
        conn.execute("DELETE FROM fallback_rollup_outcome")
        conn.execute("DELETE FROM fallback_rollup_trigger")
        for sql in migration.BACKFILL_SQL:
            conn.execute(sql)
        for sql in migration.TRIGGER_SQL.values():
            conn.execute(sql)
        conn.commit()
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    return time.perf_counter() - started


def _insert_cost(db: Path) -> tuple[float, float]:
    """Seconds to insert INSERT_SAMPLE more events with and without the rollup triggers."""
    migration = _migration()
    conn = sqlite3.connect(db)
    try:
        started = time.perf_counter()
        conn.execute(_EVENTS_SQL, {"count": INSERT_SAMPLE, "now": NOW, "prefix": "with-"})
        conn.rollback()
        with_triggers = time.perf_counter() - started
        for name in migration.TRIGGER_SQL:
            conn.execute(f"DROP TRIGGER {name}")
        started = time.perf_counter()
        conn.execute(_EVENTS_SQL, {"count": INSERT_SAMPLE, "now": NOW, "prefix": "without-"})
        without = time.perf_counter() - started
        conn.rollback()
    finally:
        conn.close()
    return with_triggers, without


async def _time_ranges(home: Path) -> list[Result]:
    ctx = AppContext.open(home)
    results = []
    try:
        for name, (seconds, _) in RANGES.items():
            await compute(ctx, name, now=NOW)  # warm the page cache like a second refresh
            timings, baselines = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                report = await compute(ctx, name, now=NOW)
                timings.append(time.perf_counter() - started)
                started = time.perf_counter()
                async with ctx.store.read() as session:
                    counted = await session.scalar(
                        text("SELECT count(*) FROM fallback_events WHERE occurred_at >= :s"),
                        {"s": NOW - seconds},
                    )
                baselines.append(time.perf_counter() - started)
            assert report.triggers == counted, (report.triggers, counted)
            results.append(
                Result(
                    f"metrics --since {name} ({EVENTS:,} events)",
                    statistics.median(timings),
                    f"count(*) of the {counted:,} in range",
                    statistics.median(baselines),
                    "target < 300 ms" if name == "30d" else "",
                )
            )
    finally:
        await ctx.close()
    return results


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="llmtui-bench-") as tmp:
        home = Path(tmp)
        db = db_path(home)
        prepare_database(db)
        load = _bulk_load(db, EVENTS)
        results = asyncio.run(_time_ranges(home))
        with_triggers, without = _insert_cost(db)
    results.append(
        Result(
            f"insert {INSERT_SAMPLE:,} events, rollup triggers on",
            with_triggers,
            "the same insert, triggers off",
            without,
            f"bulk load of {EVENTS:,} took {load:.0f} s",
        )
    )
    return results
