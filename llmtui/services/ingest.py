"""Incremental ingest of the recorder's JSON lines into fallback_events (source `proxy`).

The position reached is kept in `meta` as the file's identity (inode + a hash of its
first bytes) and a byte offset, committed in the same transaction as the rows it covers:
a crash never loses or doubles lines. Rotation (`.jsonl` -> `.jsonl.1`) is detected by
identity; the rest of the rotated file is read first. A partial last line is left for the
next run; lines that are not valid events are skipped and counted. Each request has a
dedupe key, so reading a line twice stores it once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.dialects.sqlite import insert

from llmtui.errors import LlmtuiError
from llmtui.litellm.triggers import trigger_of
from llmtui.services.context import AppContext
from llmtui.services.recorder import EVENTS_FILE, recorder_config
from llmtui.store.schema import FallbackEvent, Meta

T = TypeVar("T")
STATE_KEY = "ingest.proxy.position"
STATS_KEY = "ingest.proxy.stats"
CHUNK_BYTES = 1 << 20
HEAD_BYTES = 256
SCHEMA_VERSION = 1
OUTCOMES = ("served", "failed")


@dataclass(frozen=True)
class Position:
    """Where ingest stopped: which file (inode + hash of its first bytes) and how far."""

    inode: int
    head: str
    head_len: int
    offset: int


@dataclass
class IngestReport:
    lines: int = 0
    inserted: int = 0
    duplicates: int = 0
    garbage: int = 0
    attempt_lines: int = 0
    skipped: int = 0  # well-formed lines of a kind this llmtui does not store
    drills: int = 0  # live fallback tests seen by the recorder: stored by the test as `live`
    rotated: bool = False
    missed: bool = False  # the file we were reading was rotated away twice: lines lost
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Segment:
    path: Path
    position: Position
    live: bool


def _identity(path: Path, offset: int = 0) -> Position | None:
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            head = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        return None
    return Position(stat.st_ino, hashlib.sha256(head).hexdigest(), len(head), offset)


def _same_file(path: Path, known: Position) -> bool:
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_ino != known.inode:
                return False
            head = handle.read(known.head_len)
    except FileNotFoundError:
        return False
    return len(head) == known.head_len and hashlib.sha256(head).hexdigest() == known.head


def _plan(live: Path, known: Position | None) -> tuple[list[_Segment], bool, bool]:
    """The (file, start) pairs to read in order, whether it rotated, whether lines were lost."""
    rotated = live.with_name(live.name + ".1")
    segments: list[_Segment] = []
    live_id = _identity(live)
    if known is None:
        old = _identity(rotated)
        if old is not None:
            segments.append(_Segment(rotated, old, live=False))
        if live_id is not None:
            segments.append(_Segment(live, live_id, live=True))
        return segments, False, False
    if live_id is not None and _same_file(live, known):
        size = live.stat().st_size
        start = known.offset if known.offset <= size else 0  # truncated in place: start over
        return [_Segment(live, _with_offset(known, start), live=True)], False, False
    missed = False
    if _same_file(rotated, known):
        segments.append(_Segment(rotated, known, live=False))
    else:  # the file we were reading is gone (rotated twice, or deleted)
        missed = True
        old = _identity(rotated)
        if old is not None:
            segments.append(_Segment(rotated, old, live=False))
    if live_id is not None:
        segments.append(_Segment(live, live_id, live=True))
    return segments, True, missed


def _with_offset(position: Position, offset: int) -> Position:
    return Position(position.inode, position.head, position.head_len, offset)


def _read(path: Path, position: Position) -> bytes | None:
    """The next chunk, or None when the path no longer names the planned file."""
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_ino != position.inode:
                return None
            handle.seek(position.offset)
            return handle.read(CHUNK_BYTES)
    except FileNotFoundError:
        return None


def _dedupe_key(request_id: str) -> str:
    key = f"proxy:{request_id}"
    return key if len(key) <= 128 else "proxy:sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _row(line: dict[str, Any], timeline: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """A fallback_events row from one `request` line, or None when the line is unusable."""
    at = _number(line.get("at"))
    started = _number(line.get("started"))
    group = line.get("group")
    outcome = line.get("outcome")
    request_id = line.get("request")
    if at is None or not isinstance(group, str) or not group or outcome not in OUTCOMES:
        return None
    if not isinstance(request_id, str) or not request_id:
        return None
    error = line.get("error") if isinstance(line.get("error"), str) else None
    status = line.get("status") if isinstance(line.get("status"), int) else None
    served_by = line.get("served_by") if isinstance(line.get("served_by"), str) else None
    position = line.get("position") if isinstance(line.get("position"), int) else None
    attempts = line.get("attempts") if isinstance(line.get("attempts"), int) else 0
    latency = _number(line.get("latency_ms")) if outcome == "served" else None
    detail: dict[str, Any] = {"request": request_id, "error": error}
    for key in ("tried", "dropped"):
        if key in line:
            detail[key] = line[key]
    if timeline:
        detail["timeline"] = timeline
    return {
        "occurred_at": started if started is not None else at,
        "group_name": group,
        "trigger": trigger_of(error, status),
        "status_code": status,
        "served_by": served_by if outcome == "served" else None,
        "served_position": position if outcome == "served" else None,
        "outcome": outcome,
        "attempts": max(0, attempts),
        "latency_ms": latency if latency is None or latency >= 0 else None,
        "source": "proxy",
        "detail": detail,
        "dedupe_key": _dedupe_key(request_id),
    }


def _parse(
    chunk: bytes, report: IngestReport, timelines: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows from complete lines; returns the rows and the recorder's latest dropped count."""
    rows: list[dict[str, Any]] = []
    dropped: int | None = None
    for raw in chunk.splitlines():
        if not raw.strip():
            continue
        report.lines += 1
        try:
            line = json.loads(raw)
        except ValueError:
            report.garbage += 1
            continue
        if not isinstance(line, dict) or line.get("v") != SCHEMA_VERSION:
            report.garbage += 1
            continue
        kind = line.get("kind")
        if kind == "attempt":
            report.attempt_lines += 1
            if isinstance(line.get("request"), str):
                timelines.setdefault(line["request"], []).append(
                    {k: line.get(k) for k in ("position", "target", "outcome", "error", "status")}
                )
            continue
        if kind != "request":
            report.skipped += 1
            continue
        request_id = line.get("request")
        timeline = timelines.pop(request_id, None) if isinstance(request_id, str) else None
        if line.get("drill") is not None:
            report.drills += 1
            continue
        row = _row(line, timeline)
        if row is None:
            report.garbage += 1
            continue
        if isinstance(line.get("dropped"), int):
            dropped = line["dropped"]
        rows.append(row)
    return rows, dropped


async def _load_position(session: Any) -> Position | None:
    row = await session.get(Meta, STATE_KEY)
    if row is None:
        return None
    try:
        return Position(**json.loads(row.value))
    except (TypeError, ValueError):
        return None  # unreadable: start over; dedupe keys make that safe


async def _save(session: Any, key: str, value: dict[str, Any]) -> None:
    row = await session.get(Meta, key)
    text = json.dumps(value, sort_keys=True)
    if row is None:
        session.add(Meta(key=key, value=text))
    else:
        row.value = text


async def load_stats(ctx: AppContext) -> dict[str, Any]:
    """Totals over every ingest run (lines, inserted, garbage, ...), for `recorder status`."""
    async with ctx.store.read() as session:
        row = await session.get(Meta, STATS_KEY)
        position = await _load_position(session)
    stats = json.loads(row.value) if row is not None else {}
    stats["offset"] = position.offset if position else 0
    return stats


async def ingest(ctx: AppContext, events_dir: Path | None = None) -> IngestReport:
    """Store every complete line written since the last run."""
    if events_dir is None:
        events_dir = (await recorder_config(ctx)).events_dir
    report = IngestReport()
    async with ctx.store.read() as session:
        known = await _load_position(session)
    segments, report.rotated, report.missed = await _io(_plan, events_dir / EVENTS_FILE, known)
    timelines: dict[str, list[dict[str, Any]]] = {}
    dropped: int | None = None
    for segment in segments:
        report.files.append(str(segment.path))
        position = segment.position
        while True:
            chunk = await _io(_read, segment.path, position)
            if chunk is None:  # rotated while we read: the next run continues from here
                await _record_stats(ctx, report, dropped)
                return report
            if not chunk:
                break
            cut = chunk.rfind(b"\n") + 1
            if cut == 0 and segment.live and len(chunk) < CHUNK_BYTES:
                break  # a partial last line: the recorder is still writing it
            if cut == 0:  # an over-long line, or a rotated file's torn end: skip it
                report.garbage += 1
                cut = len(chunk)
            rows, seen_dropped = _parse(chunk[:cut], report, timelines)
            dropped = seen_dropped if seen_dropped is not None else dropped
            moved = _with_offset(position, position.offset + cut)
            if not await _commit(ctx, known, moved, rows, report):
                return report  # another llmtui is ingesting the same file
            known = position = moved
    await _record_stats(ctx, report, dropped)
    return report


async def _io(function: Callable[..., T], *args: Any) -> T:
    """File work off the event loop; an unreadable events file is one clear error."""
    try:
        return await asyncio.to_thread(function, *args)
    except OSError as exc:
        where = exc.filename or args[0]
        raise LlmtuiError(f"cannot read the recorder's events at {where}: {exc.strerror}") from exc


async def _commit(
    ctx: AppContext,
    expected: Position | None,
    moved: Position,
    rows: list[dict[str, Any]],
    report: IngestReport,
) -> bool:
    async with ctx.store.write() as session:
        if await _load_position(session) != expected:
            return False
        if rows:
            table = FallbackEvent.__table__
            statement = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
            result = await session.execute(statement, rows)
            inserted = max(0, result.rowcount or 0)
            report.inserted += inserted
            report.duplicates += len(rows) - inserted
        await _save(session, STATE_KEY, asdict(moved))
    return True


async def _record_stats(ctx: AppContext, report: IngestReport, dropped: int | None) -> None:
    """Totals in meta; skipped when nothing was read, so idle refreshes never write."""
    if not (report.lines or report.garbage or report.missed):
        return
    async with ctx.store.write() as session:
        row = await session.get(Meta, STATS_KEY)
        totals: dict[str, Any] = json.loads(row.value) if row is not None else {}
        for key in (
            "lines",
            "inserted",
            "duplicates",
            "garbage",
            "attempt_lines",
            "skipped",
            "drills",
        ):
            totals[key] = totals.get(key, 0) + getattr(report, key)
        totals["missed_rotations"] = totals.get("missed_rotations", 0) + int(report.missed)
        totals["last_run"] = time.time()
        if dropped is not None:
            totals["recorder_dropped"] = dropped
        await _save(session, STATS_KEY, totals)
