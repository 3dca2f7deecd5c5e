"""llmtui's fallback recorder: a LiteLLM callback that runs INSIDE the proxy.

llmtui writes this file beside the proxy's config as `llmtui_recorder.py` and lists
`llmtui_recorder.recorder` in `litellm_settings.callbacks`. For every request that needed
a fallback it appends one JSON line per fallback attempt and one `request` line to
`<events dir>/fallback-events.jsonl`; llmtui ingests them into its store.

Self-contained on purpose (stdlib + LiteLLM's CustomLogger only). It must never slow or
break a request: hooks only touch memory, a daemon thread does the file I/O, the file
rotates to `.1` at MAX_BYTES, and every failure is swallowed and counted in `stats`.

How LiteLLM 1.106 narrates a fallback (measured in the proxy and in-process):
- `log_success/failure_fallback_event(original_model_group, kwargs, original_exception)`
  fire once per hop, nested hops first; `original_model_group` is the group that failed at
  that level, `kwargs["model"]` the target tried. The outermost hop has
  `original_model_group == metadata["original_model_group"]` (the group the client asked for).
- A served request ends with the outermost success event: finalised there.
- A request that fails everywhere ends with `async_post_call_failure_hook` in the proxy;
  in-process (no proxy) it is finalised `SETTLE_SECONDS` after the last outermost failure.
- The proxy shares `litellm_call_id` across a request's hooks; in-process only
  `litellm_trace_id` is shared. Records are found by either id.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import queue
import sys
import threading
import time
from collections import OrderedDict, namedtuple
from datetime import datetime
from typing import Any

# Module level on purpose: this file runs inside the proxy, which has LiteLLM loaded already.
# llmtui never imports it; services/recorder.py copies its text beside the config.
from litellm.integrations.custom_logger import CustomLogger

DEFAULT_EVENTS_DIR = "/llmtui-events"  # llmtui: replaced by the configured container path
EVENTS_DIR_ENV = "LLMTUI_RECORDER_DIR"  # inside the container; overrides the baked path
EVENTS_FILE = "fallback-events.jsonl"
SCHEMA_VERSION = 1
MAX_BYTES = 16 * 1024 * 1024
SETTLE_SECONDS = 2.0  # in-process: quiet time after the last failed hop before "failed"
PROXY_SAFETY_SECONDS = 300.0  # proxy: if the post-call failure hook never comes
MAX_PENDING = 4096
PENDING_TTL_SECONDS = 900.0
QUEUE_LINES = 10_000
DRILL_TAG = "llmtui_drill"  # request metadata key set by `llmtui test-fallback --live`


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return None


def _metadata(kwargs: dict[str, Any]) -> dict[str, Any]:
    params = kwargs.get("litellm_params") or {}
    for candidate in (
        params.get("metadata"),
        kwargs.get("metadata"),
        kwargs.get("litellm_metadata"),
    ):
        if isinstance(candidate, dict) and candidate:
            return candidate
    return {}


def _drill(metadata: dict[str, Any]) -> str | None:
    """llmtui's live fallback tests tag their requests; those are drills, not traffic."""
    requester = metadata.get("requester_metadata")
    tag = metadata.get(DRILL_TAG)
    if tag is None and isinstance(requester, dict):
        tag = requester.get(DRILL_TAG)
    return None if tag is None else str(tag)[:100]


def _error(exc: Any) -> tuple[str | None, int | None]:
    if exc is None:
        return None, None
    status = getattr(exc, "status_code", None)
    return type(exc).__name__, status if isinstance(status, int) else None


# One fallback hop as LiteLLM reports it: `source` failed, `target` was tried.
_Hop = namedtuple("_Hop", "source source_error source_status target ok depth at")


class _Request:
    """What is known so far about one request that may need a fallback.

    Plain classes, not dataclasses: LiteLLM loads this file without registering it in
    sys.modules, and dataclasses look their module up there.
    """

    def __init__(self, created: float) -> None:
        self.ids: set[str] = set()
        self.created = created
        self.group: str | None = None
        self.request_id: str | None = None
        self.started: float | None = None
        self.trigger: tuple[str | None, int | None] = (None, None)
        self.failures: dict[str, tuple[str | None, int | None]] = {}
        self.hops: list[_Hop] = []
        self.served_by: str | None = None
        self.drill: str | None = None
        self.timer: asyncio.TimerHandle | None = None

    def note_start(self, when: float | None) -> None:
        if when is not None and (self.started is None or when < self.started):
            self.started = when


class Recorder(CustomLogger):
    """Turns LiteLLM's fallback hooks into JSON lines; never raises into LiteLLM."""

    def __init__(
        self,
        events_dir: str | None = None,
        max_bytes: int = MAX_BYTES,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        super().__init__()
        self.events_dir = events_dir or os.environ.get(EVENTS_DIR_ENV) or DEFAULT_EVENTS_DIR
        self.path = os.path.join(self.events_dir, EVENTS_FILE)
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds
        self.stats: dict[str, Any] = {"written": 0, "dropped": 0, "errors": 0, "last_error": None}
        self._pending: OrderedDict[int, _Request] = OrderedDict()
        self._by_id: dict[str, _Request] = {}
        self._finished: OrderedDict[str, None] = OrderedDict()
        self._queue: queue.Queue[bytes] = queue.Queue(QUEUE_LINES)
        self._writer_pid: int | None = None
        self._lock = threading.Lock()

    # -- LiteLLM hooks: memory only, every error swallowed -------------------------------

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self._guard(self._on_failure, kwargs, start_time)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self._guard(self._on_success, kwargs)

    async def log_success_fallback_event(self, original_model_group, kwargs, original_exception):  # type: ignore[no-untyped-def]
        self._guard(self._on_hop, original_model_group, kwargs, original_exception, True)

    async def log_failure_fallback_event(self, original_model_group, kwargs, original_exception):  # type: ignore[no-untyped-def]
        self._guard(self._on_hop, original_model_group, kwargs, original_exception, False)

    async def async_post_call_failure_hook(  # type: ignore[no-untyped-def]
        self, request_data, original_exception, user_api_key_dict, traceback_str=None
    ):
        self._guard(self._on_request_failed, request_data)
        return None

    async def async_post_call_success_hook(self, data, user_api_key_dict, response):  # type: ignore[no-untyped-def]
        self._guard(self._on_request_served, data)

    def _guard(self, handler: Any, *args: Any) -> None:
        try:
            handler(*args)
        except Exception as exc:
            self._count_error(exc)

    # -- bookkeeping ------------------------------------------------------------------

    def _ids(self, kwargs: dict[str, Any]) -> list[str]:
        found = (kwargs.get("litellm_call_id"), kwargs.get("litellm_trace_id"))
        return [i for i in found if isinstance(i, str) and i]

    def _find(self, ids: list[str], create: bool) -> _Request | None:
        if any(i in self._finished for i in ids):
            return None
        record = next((self._by_id[i] for i in ids if i in self._by_id), None)
        if record is None:
            if not create or not ids:
                return None
            self._prune()
            record = _Request(time.time())
            self._pending[id(record)] = record
        for i in ids:
            if i not in record.ids:
                record.ids.add(i)
                self._by_id[i] = record
        return record

    def _forget(self, record: _Request, finished: bool) -> None:
        if record.timer is not None:
            record.timer.cancel()
        self._pending.pop(id(record), None)
        for i in record.ids:
            self._by_id.pop(i, None)
            if finished:
                self._finished[i] = None
        while len(self._finished) > 4 * MAX_PENDING:
            self._finished.popitem(last=False)

    def _prune(self) -> None:
        cutoff = time.time() - PENDING_TTL_SECONDS
        while self._pending:
            oldest = next(iter(self._pending.values()))
            if len(self._pending) < MAX_PENDING and oldest.created >= cutoff:
                break
            self._forget(oldest, finished=False)

    def _on_failure(self, kwargs: dict[str, Any], start_time: Any) -> None:
        record = self._find(self._ids(kwargs), create=True)
        if record is None:
            return
        metadata = _metadata(kwargs)
        group = metadata.get("model_group") or kwargs.get("model")
        record.group = record.group or metadata.get("original_model_group") or group
        record.note_start(_epoch(metadata.get("litellm_received_at")) or _epoch(start_time))
        if isinstance(group, str):
            record.failures[group] = _error(kwargs.get("exception"))
        if record.timer is not None:  # the request is still going: wait again
            self._schedule_failed(record)

    def _on_success(self, kwargs: dict[str, Any]) -> None:
        record = self._find(self._ids(kwargs), create=False)
        if record is not None and not record.hops:
            self._forget(record, finished=False)  # served without a fallback (e.g. a retry)

    def _on_hop(self, failed_group: Any, kwargs: dict[str, Any], exc: Any, ok: bool) -> None:
        record = self._find(self._ids(kwargs), create=True)
        if record is None:
            return
        metadata = _metadata(kwargs)
        requested = metadata.get("original_model_group")
        record.group = requested or record.group or failed_group
        record.drill = record.drill or _drill(metadata)
        record.note_start(_epoch(metadata.get("litellm_received_at")))
        now = time.time()
        record.note_start(now)
        error = _error(exc)
        target = kwargs.get("model")
        depth = kwargs.get("fallback_depth")
        depth = depth if isinstance(depth, int) else len(record.hops) + 1
        record.hops.append(_Hop(str(failed_group), *error, str(target), ok, depth, now))
        if record.request_id is None:  # the proxy's call id (x-litellm-call-id), else the trace
            record.request_id = next(iter(self._ids(kwargs)), None)
        outermost = failed_group == record.group
        if outermost:
            record.trigger = error
        if ok and record.served_by is None:
            record.served_by = str(target)  # the innermost success fires first: the server
        if ok and outermost:
            self._finish(record, served=True)
        elif not ok and outermost:
            self._schedule_failed(record)

    def _on_request_failed(self, request_data: dict[str, Any]) -> None:
        record = self._find(self._ids(request_data), create=False)
        if record is None:
            return
        if record.hops and record.served_by is None:
            self._finish(record, served=False)
        else:
            self._forget(record, finished=False)

    def _on_request_served(self, data: dict[str, Any]) -> None:
        record = self._find(self._ids(data), create=False)
        if record is not None and not record.hops:
            self._forget(record, finished=False)

    def _schedule_failed(self, record: _Request) -> None:
        in_proxy = "litellm.proxy.proxy_server" in sys.modules
        delay = PROXY_SAFETY_SECONDS if in_proxy else self.settle_seconds
        if record.timer is not None:
            record.timer.cancel()
        record.timer = asyncio.get_running_loop().call_later(delay, self._settle, record)

    def _settle(self, record: _Request) -> None:
        record.timer = None
        if id(record) in self._pending and record.served_by is None:
            self._guard(self._finish, record, False)

    # -- lines --------------------------------------------------------------------------

    def _finish(self, record: _Request, served: bool) -> None:
        self._forget(record, finished=True)
        now = time.time()
        request_id = record.request_id or f"anon-{os.getpid()}-{now}"
        targets: list[str] = []
        for hop in sorted(record.hops, key=lambda h: h.depth):  # nested hops fire first
            if hop.target not in targets and hop.target != record.group:
                targets.append(hop.target)
        errors = dict(record.failures)
        for hop in record.hops:
            errors.setdefault(hop.source, (hop.source_error, hop.source_status))
        trigger = (
            record.trigger if record.trigger[0] else errors.get(record.group or "", (None, None))
        )
        base = {"v": SCHEMA_VERSION, "request": request_id, "at": now, "group": record.group}
        lines = []
        for position, target in enumerate(targets, start=1):
            won = served and target == record.served_by
            error, status = (None, None) if won else errors.get(target, (None, None))
            outcome = "served" if won else "failed"
            lines.append({**base, "kind": "attempt", "position": position, "target": target})
            lines[-1].update(outcome=outcome, error=error, status=status)
        served_by = record.served_by if served else None
        started = record.started or now
        lines.append({**base, "kind": "request", "started": started, "error": trigger[0]})
        lines[-1].update(
            status=trigger[1],
            outcome="served" if served else "failed",
            served_by=served_by,
            position=targets.index(served_by) + 1 if served_by in targets else None,
            attempts=len(targets),
            latency_ms=round((now - started) * 1000, 3) if served else None,
            tried=[record.group, *targets],
            dropped=self.stats["dropped"],
            drill=record.drill,
        )
        self._enqueue(b"".join(json.dumps(line).encode() + b"\n" for line in lines), len(lines))

    # -- the writer thread ----------------------------------------------------------------

    def _enqueue(self, data: bytes, count: int) -> None:
        with self._lock:
            if self._writer_pid != os.getpid():  # first use, or a forked worker
                self._queue = queue.Queue(QUEUE_LINES)
                self._writer_pid = os.getpid()
                threading.Thread(
                    target=self._write_loop, name="llmtui-recorder", daemon=True
                ).start()
        try:
            self._queue.put_nowait(data)
        except queue.Full:
            self.stats["dropped"] += count

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued lines are written (tests, shutdown); True when drained."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def _write_loop(self) -> None:
        own = self._queue
        while True:
            batch = [own.get()]
            with contextlib.suppress(queue.Empty):
                while len(batch) < 256:
                    batch.append(own.get_nowait())
            data = b"".join(batch)
            try:
                self._append(data)
                self.stats["written"] += data.count(b"\n")
            except Exception as exc:
                self.stats["dropped"] += data.count(b"\n")
                self._count_error(exc)
            finally:
                for _ in batch:
                    own.task_done()

    def _append(self, data: bytes) -> None:
        os.makedirs(self.events_dir, exist_ok=True)
        for _ in range(5):
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                opened = os.fstat(fd)
                try:
                    live = os.stat(self.path)
                except FileNotFoundError:
                    continue  # rotated away under us: open the new file
                if live.st_ino != opened.st_ino:
                    continue
                if opened.st_size and opened.st_size + len(data) > self.max_bytes:
                    os.replace(self.path, self.path + ".1")
                    continue
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                return
            finally:
                os.close(fd)
        raise OSError(f"could not open a stable {self.path}")

    def _count_error(self, exc: BaseException) -> None:
        self.stats["errors"] += 1
        self.stats["last_error"] = type(exc).__name__


recorder = Recorder()
