"""The Providers table's columns and cells: what a row says about a provider at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmtui.formatting import ago, millis
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.provider_detail import STATUS_GLYPH, STATUS_TONE, STATUS_WORD, key_text
from llmtui.tui.widgets.virtual_table import Cell

if TYPE_CHECKING:
    from llmtui.services.providers import ProviderView

COLUMNS = (
    Column("name", "Name", 16, min_width=10, priority=10),
    Column("type", "Type", 10, min_width=9, priority=4),
    Column("base", "Base URL", 26, min_width=8, priority=1, flex=True),
    Column("key", "Key", 9, min_width=7, priority=3),
    Column("on", "On", 3, min_width=3, priority=2),
    Column("status", "Status", 11, min_width=11, priority=9, hideable=False),
    Column("latency", "Latency", 7, min_width=7, priority=5, align="right"),
    Column("tested", "Tested", 10, min_width=8, priority=6),
)


def every(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g} s"


def short_url(url: str | None) -> str:
    return (url or "—").removeprefix("https://").removeprefix("http://")


def provider_cells(v: ProviderView, status: str, busy: str | None, now: float) -> list[Cell]:
    """`busy` (testing, syncing) replaces the status while it lasts."""
    status_cell: Cell = (
        ("… " + busy, "accent")
        if busy
        else (f"{STATUS_GLYPH[status]} {STATUS_WORD[status]}", STATUS_TONE[status])
    )
    return [
        v.name,
        (v.type, "muted"),
        short_url(v.api_base),
        (key_text(v), "muted"),
        ("on", "ok") if v.enabled else ("off", "warn"),
        status_cell,
        millis(v.last_test_latency_ms) if v.last_test_ok else "—",
        ago(v.last_test_at, now) if v.last_test_at else "—",
    ]
