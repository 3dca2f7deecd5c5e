"""A fallback test's attempt timeline as the TUI shows it: one row per attempt, then who
served, how long it took here and how long the production waits would have been."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import Cell

if TYPE_CHECKING:
    from llmtui.litellm.timeline import Attempt, SimulationResult

COLUMNS = (
    Column("n", "#", 2, min_width=2, priority=10, align="right", hideable=False),
    Column("group", "Group", 14, min_width=8, priority=9, flex=True),
    Column("deployment", "Deployment", 22, min_width=10, priority=5, flex=True),
    Column("result", "Result", 22, min_width=12, priority=9, hideable=False),
    Column("waited", "Waited (cfg)", 12, min_width=8, priority=7, align="right"),
    Column("took", "Took", 7, min_width=6, priority=8, align="right"),
)
OK, ERR, DIM, ACC = "$text-success", "$text-error", "$text-muted", "$accent"


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value >= 0.1 or value == 0 else f"{value * 1000:.0f} ms"


def attempt_cells(attempt: Attempt) -> list[Cell]:
    group = attempt.group
    if attempt.routed_group:
        group = f"{attempt.group}→{attempt.routed_group}"
    result: Cell = (
        ("✔ served", "ok") if attempt.ok else (f"✖ {attempt.error_type or 'error'}", "error")
    )
    return [
        str(attempt.index),
        group,
        (attempt.deployment or "(none available)", "muted"),
        result,
        seconds(attempt.waited_configured_s),
        f"{attempt.ms:.0f} ms",
    ]


def served_text(result: SimulationResult) -> Content:
    """'served by claude (fallback 1) · 11 ms elapsed · 1.8 s in production waits'."""
    failed = result.outcome == "all_failed"
    head = (f"{'✖' if failed else '✔'} {result.served_label}", ERR if failed else OK)
    waits = seconds(result.configured_wait_s)
    tail = f" · {result.total_ms:.0f} ms elapsed · {waits} in production waits"
    if not result.waits_compressed:
        tail += f" (waited {seconds(result.elapsed_wait_s)} here)"
    return Content.assemble((head[0], f"bold {head[1]}"), tail)


def detail_text(result: SimulationResult, attempt: Attempt | None) -> Content:
    """The response (or the final error), then the highlighted attempt's own error."""
    parts: list[str | tuple[str, str]] = []
    if result.response is not None:
        parts.append((f'"{result.response}"', ACC))
    elif result.error:
        parts.append((result.error, ERR))
    if result.chain_kind is None and len(result.chain) == 1:
        parts.append(("\nno fallbacks for this failure: the group is tried alone", DIM))
    if attempt is not None and attempt.error:
        wait = ""
        if attempt.waited_range_s is not None:
            low, high = attempt.waited_range_s
            wait = f" · LiteLLM waits {low:g}–{high:g} s before it"
        parts.append((f"\n#{attempt.index} {attempt.error}{wait}", DIM))
    if result.ignored_settings:
        ignored = ", ".join(result.ignored_settings)
        parts.append((f"\nnot simulated: router_settings {ignored}", DIM))
    return Content.assemble(*parts)
