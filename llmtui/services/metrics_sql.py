"""The SQL behind fallback metrics: rollup segments that add up to exactly [since, ∞).

The rollup tables (migration 0002) count fallback_events per UTC hour and per UTC day.
A range starting at an arbitrary `since` is covered without overlap by
  raw events   since ≤ t < H0   (H0: the first whole hour; read through ix_fallback_events_time)
  hourly rows  H0 ≤ t < D0      (D0: the first whole day after H0)
  daily rows   D0 ≤ t
so every figure is exact while reading thousands of rows, not millions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import TextClause, bindparam, text

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class Window:
    since: float
    hour0: int
    day0: int

    @classmethod
    def starting(cls, since: float) -> Window:
        hour0 = math.ceil(since / HOUR) * HOUR
        return cls(since, hour0, -(-hour0 // DAY) * DAY)

    def params(self) -> dict[str, float | int]:
        return {"since": self.since, "hour0": self.hour0, "day0": self.day0}


_FILTER = "source IN :sources AND (:group IS NULL OR group_name = :group)"

# (rollup columns, the same columns computed from one raw fallback_events row)
_OUTCOME_COLUMNS = (
    "bucket AS t, group_name, outcome, served_by, events, attempts, latency_n, last_at",
    "occurred_at AS t, group_name, outcome, COALESCE(served_by, '') AS served_by, 1 AS events, "
    "attempts, (latency_ms IS NOT NULL) AS latency_n, occurred_at AS last_at",
)
_TRIGGER_COLUMNS = (
    "bucket AS t, group_name, trigger, events, last_at",
    "occurred_at AS t, group_name, trigger, 1 AS events, occurred_at AS last_at",
)


def _segments(table: str, columns: tuple[str, str], fine: bool) -> str:
    """UNION ALL of rollup rows and raw edge rows covering [since, ∞) exactly once.

    `fine` keeps hourly rows to the end (for hourly or 6-hourly time buckets).
    """
    rollup, raw = columns
    parts = [
        f"SELECT {raw} FROM fallback_events WHERE occurred_at >= :since "
        f"AND occurred_at < :hour0 AND {_FILTER}"
    ]
    hourly = f"SELECT {rollup} FROM {table} WHERE grain = {HOUR} AND bucket >= :hour0"
    if fine:
        parts.append(f"{hourly} AND {_FILTER}")
    else:
        parts.append(f"{hourly} AND bucket < :day0 AND {_FILTER}")
        parts.append(
            f"SELECT {rollup} FROM {table} WHERE grain = {DAY} AND bucket >= :day0 AND {_FILTER}"
        )
    return "\nUNION ALL\n".join(parts)


def _query(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("sources", expanding=True))


def per_group() -> TextClause:
    return _query(
        f"""WITH o AS ({_segments("fallback_rollup_outcome", _OUTCOME_COLUMNS, fine=False)})
        SELECT group_name, SUM(events), SUM(attempts),
               SUM(CASE WHEN outcome = 'served' THEN events ELSE 0 END),
               MAX(last_at),
               SUM(CASE WHEN outcome = 'served' THEN latency_n ELSE 0 END)
        FROM o GROUP BY group_name ORDER BY SUM(events) DESC, group_name"""
    )


def triggers() -> TextClause:
    """Per group and trigger, with each group's most common trigger ranked 1."""
    return _query(
        f"""WITH t AS ({_segments("fallback_rollup_trigger", _TRIGGER_COLUMNS, fine=False)}),
        counted AS (SELECT group_name, trigger, SUM(events) AS n FROM t GROUP BY 1, 2)
        SELECT group_name, trigger, n,
               ROW_NUMBER() OVER (PARTITION BY group_name ORDER BY n DESC, trigger) AS rank
        FROM counted ORDER BY n DESC, trigger"""
    )


def served_by() -> TextClause:
    return _query(
        f"""WITH o AS ({_segments("fallback_rollup_outcome", _OUTCOME_COLUMNS, fine=False)})
        SELECT served_by, SUM(events) FROM o WHERE outcome = 'served'
        GROUP BY served_by ORDER BY SUM(events) DESC, served_by"""
    )


def over_time(width: int) -> TextClause:
    """Requests and served requests per time bucket; the first bucket starts at `since`."""
    fine = width < DAY
    return _query(
        f"""WITH o AS ({_segments("fallback_rollup_outcome", _OUTCOME_COLUMNS, fine=fine)})
        SELECT MIN(MAX(:since, CAST(t / {width} AS INTEGER) * {width}), :last_bucket) AS b,
               SUM(events), SUM(CASE WHEN outcome = 'served' THEN events ELSE 0 END)
        FROM o GROUP BY b ORDER BY b"""
    )


def nth_latency(descending: bool, filtered: bool) -> TextClause:
    """The (offset+1)-th smallest (or largest) served latency of one group in the window.

    Walks ix_fallback_events_latency in latency order from the nearer end. When the
    window holds every stored latency of the group (`filtered` False), the time and source
    checks are dropped: the walk is then about 2.5x faster.
    """
    order = "DESC" if descending else "ASC"
    window = "AND occurred_at >= :since AND source IN :sources" if filtered else ""
    sql = f"""SELECT latency_ms FROM fallback_events INDEXED BY ix_fallback_events_latency
        WHERE group_name = :group AND outcome = 'served' AND latency_ms IS NOT NULL {window}
        ORDER BY latency_ms {order} LIMIT 1 OFFSET :offset"""
    return _query(sql) if filtered else text(sql)


def stored_latencies() -> TextClause:
    """Served latencies stored per group, all time and all sources (from daily rollups)."""
    return text(
        f"""SELECT group_name, SUM(latency_n) FROM fallback_rollup_outcome
        WHERE grain = {DAY} AND outcome = 'served' GROUP BY group_name"""
    )


def group_known() -> TextClause:
    return text(
        f"""SELECT 1 FROM models WHERE group_name = :group
        UNION ALL SELECT 1 FROM fallback_rollup_outcome WHERE grain = {DAY} AND group_name = :group
        LIMIT 1"""
    )


def latest_per_group() -> TextClause:
    """Each group's newest event from the given sources (one index probe per group)."""
    return text(
        f"""WITH g AS (SELECT DISTINCT group_name FROM fallback_rollup_outcome
                       WHERE grain = {DAY} AND source IN :groups_sources)
        SELECT e.group_name, e.occurred_at, e.outcome, e.served_by, e.served_position,
               e.trigger, e.source
        FROM g JOIN fallback_events AS e ON e.id = (
            SELECT id FROM fallback_events WHERE group_name = g.group_name
              AND source IN :sources ORDER BY occurred_at DESC, id DESC LIMIT 1)
        ORDER BY e.group_name"""
    ).bindparams(bindparam("sources", expanding=True), bindparam("groups_sources", expanding=True))
