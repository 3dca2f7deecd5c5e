"""One measured process for bench/memory.py: run an app headless, print its peak RSS (KiB).

Peak RSS is VmHWM from /proc/self/status: unlike getrusage's ru_maxrss it starts afresh
at exec, so the (larger) parent that forked this process does not leak into the figure.

`app HOME ROWS`: llmtui on that store, Models opened and all ROWS rows loaded.
`bare`: a bare Textual app (header, empty table, footer).
`table`: a stock DataTable given the same 10,000 rows.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

SIZE = (80, 24)


async def _llmtui(home: Path, rows: int) -> None:
    from llmtui.tui.app import LlmtuiApp

    app = LlmtuiApp(home, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        while app.ctx is None or any(w.is_running for w in app.workers):
            await pilot.pause(0.05)
        await pilot.press("2")
        for _ in range(1200):
            tables = app.screen.query("#models-table")
            if tables and len(tables.first().rows) == rows:
                break
            await pilot.pause(0.05)
        else:
            raise SystemExit(f"the Models screen never showed {rows:,} rows")
        await pilot.pause(0.3)


async def _bare(rows: int) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("On", "Group", "Upstream model", "Provider", "In", "Out", "Context")
        table.add_rows(
            ("[ ]", f"group-{n % 2500:04d}", f"model-{n:05d}", "openai-00", "1.00", "2.00", "8k")
            for n in range(rows)
        )
        await pilot.pause(0.3)


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "app":
        asyncio.run(_llmtui(Path(argv[1]), int(argv[2])))
    else:
        asyncio.run(_bare(10_000 if mode == "table" else 0))
    print(peak_kib())


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: best effort


if __name__ == "__main__":
    main(sys.argv[1:])
