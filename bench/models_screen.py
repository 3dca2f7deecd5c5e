"""The Models screen with 10,000 models: time until it is ready, and per filter keystroke.

Baselines from the same run: the stock DataTable given the same 10,000 rows (what the
screen would cost without virtualisation), and a keystroke into a bare Input.
Times run from the key event to the next painted frame (`call_after_refresh`).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import Result
from bench._seed import seed

SIZE = (120, 40)
RUNS = 3
QUERY = "qwen 12"


async def _painted(app: Any, ready: Callable[[], bool], timeout: float = 30.0) -> float:
    """Wait for `ready()`, then for the frame after it; return the time of that frame."""
    deadline = time.perf_counter() + timeout
    while not ready():
        if time.perf_counter() > deadline:
            raise RuntimeError("the screen never became ready")
        await asyncio.sleep(0.001)
    loop = asyncio.get_running_loop()
    frame: asyncio.Future[float] = loop.create_future()
    app.screen.call_after_refresh(lambda: frame.set_result(time.perf_counter()))
    return await frame


def _key(app: Any, key: str, char: str | None = None) -> None:
    from textual import events

    event = events.Key(key, char if char is not None else key)
    event.set_sender(app)
    app._driver.send_message(event)


async def _models_screen(home: Path) -> tuple[float, float, list[float], int]:
    from llmtui.tui.app import LlmtuiApp

    app = LlmtuiApp(home, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        while app.ctx is None or any(w.is_running for w in app.workers):
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        started, cpu = time.perf_counter(), time.process_time()
        _key(app, "2")

        def loaded() -> bool:
            screen = app.screen
            tables = screen.query("#models-table")
            return (
                screen.id == "models-screen" and bool(tables) and len(tables.first().rows) == 10_000
            )

        ready = await _painted(app, loaded) - started
        ready_cpu = time.process_time() - cpu
        await pilot.press("slash")
        typed: list[float] = []
        for char in QUERY:
            table = app.screen.table
            before = table.rows
            started = time.perf_counter()
            _key(app, "space" if char == " " else char, char)
            typed.append(await _painted(app, lambda t=table, b=before: t.rows is not b) - started)
            await pilot.pause(0.05)
        shown = len(app.screen.table.rows)
    return ready, ready_cpu, typed, shown


async def _datatable_baseline() -> float:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    rows = [
        ("[ ]", f"group-{n % 2500:04d}", f"model-{n:05d}-qwen", "openai-00", "1.00", "2.00", "8k")
        for n in range(10_000)
    ]
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        table = app.query_one(DataTable)
        table.add_columns("On", "Group", "Upstream model", "Provider", "In", "Out", "Context")
        started = time.perf_counter()
        table.add_rows(rows)
        return await _painted(app, lambda: table.row_count == 10_000) - started


async def _input_baseline() -> list[float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    app = Bare()
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        field = app.query_one(Input)
        for char in QUERY:
            before = field.value
            started = time.perf_counter()
            _key(app, "space" if char == " " else char, char)
            times.append(await _painted(app, lambda b=before: field.value != b) - started)
            await pilot.pause(0.05)
    return times


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = seed(Path(tmp) / "home")
        os.environ.setdefault("LLMTUI_PROXY_URL", "http://127.0.0.1:9")
        runs = [asyncio.run(_models_screen(home)) for _ in range(RUNS)]
    table_baseline = statistics.median(asyncio.run(_datatable_baseline()) for _ in range(2))
    input_baseline = [t for _ in range(RUNS) for t in asyncio.run(_input_baseline())]
    typed = [t for run in runs for t in run[2]]
    return [
        Result(
            "Models screen ready, 10k models",
            statistics.median(r[0] for r in runs),
            "stock DataTable, 10k rows",
            table_baseline,
            note=f"key 2 → painted, with the store query; median of {RUNS}; aim < 500 ms",
        ),
        Result(
            "Models screen ready, CPU (all threads)",
            statistics.median(r[1] for r in runs),
            "stock DataTable, 10k rows (wall)",
            table_baseline,
        ),
        Result(
            "filter keystroke, 10k models (median)",
            statistics.median(typed),
            "keystroke in a bare Input (median)",
            statistics.median(input_baseline),
            note=f"aim < 100 ms; worst {max(typed) * 1000:.0f} ms of {len(typed)};"
            f" {runs[0][3]} rows match {QUERY!r}",
        ),
    ]
