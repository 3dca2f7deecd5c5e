"""Fallback events for the Metrics and Models snapshots: fixed times around NOW.

Inserted with plain SQL into a copy of the demo store; the store's own triggers keep the
rollup tables, exactly as when llmtui inserts them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

EVENTS_DIR = "/srv/llmtui/events"  # never created: no machine's path shows in an image
MIN, HOUR, DAY = 60, 3600, 86400


def demo_events(now: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(
        ago: float,
        group: str,
        trigger: str,
        served_by: str | None,
        position: int | None = None,
        attempts: int = 1,
        latency: float | None = None,
        source: str = "proxy",
    ) -> None:
        rows.append(
            {
                "occurred_at": now - ago,
                "group_name": group,
                "trigger": trigger,
                "served_by": served_by,
                "served_position": position if served_by else None,
                "outcome": "served" if served_by else "failed",
                "attempts": attempts,
                "latency_ms": latency if served_by else None,
                "source": source,
                "dedupe_key": f"snapshot:{len(rows)}",
            }
        )

    for i in range(38):
        add(
            3 * MIN + i * 35 * MIN,
            "gpt-4o",
            "rate_limit",
            "claude-sonnet",
            1,
            1,
            900 + i * 137 % 1400,
        )
    for i in range(7):
        add(83 * MIN + i * 150 * MIN, "gpt-4o", "server_error", "gpt-4o-mini", 2, 2, 2100 + i * 90)
    for ago in (8.3 * HOUR, 17 * HOUR):
        add(ago, "gpt-4o", "timeout", None, attempts=2)
    for i in range(14):
        add(15 * MIN + i * 92 * MIN, "local-chat", "connection", "gpt-4o-mini", 1, 1, 300 + i * 23)
    for ago in (8 * MIN, 11 * HOUR, 19.5 * HOUR):
        add(ago, "local-chat", "connection", None)
    for i in range(4):
        add(2 * DAY + i * HOUR, "claude-sonnet", "rate_limit", "gpt-4o", 1, 1, 1200 + i * 40)
    for i in range(3):
        add((i + 1) * HOUR, "gpt-4o", "rate_limit", "claude-sonnet", 1, 2, 40.0, "simulated")
    return rows


def seed_events(db: Path, now: float) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.executemany(
            "INSERT INTO fallback_events (occurred_at, group_name, trigger, status_code,"
            " served_by, served_position, outcome, attempts, latency_ms, source, detail,"
            " dedupe_key) VALUES (:occurred_at, :group_name, :trigger, NULL, :served_by,"
            " :served_position, :outcome, :attempts, :latency_ms, :source, NULL, :dedupe_key)",
            demo_events(now),
        )
        conn.commit()
    finally:
        conn.close()


def pin_events_dir(db: Path, now: float) -> None:
    """A fixed events directory, so the empty state's volume line is the same everywhere."""
    conn = sqlite3.connect(db)
    try:
        conn.execute(
            "INSERT INTO settings (key, value, updated_at, version) VALUES (?, ?, ?, 1)",
            ("events_dir", json.dumps(EVENTS_DIR), now),
        )
        conn.commit()
    finally:
        conn.close()
