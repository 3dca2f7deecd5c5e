"""How a group's serving status reads: a short table cell and a one-line detail.

Built from `llmtui.services.metrics.GroupStatus` (the group's latest recorded fallback).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.formatting import ago

if TYPE_CHECKING:
    from llmtui.services.metrics import GroupStatus

GLYPH = {"primary": "●", "fallback": "▲", "failing": "✖"}
TONE = {"primary": "ok", "fallback": "warn", "failing": "error"}
STYLE = {"ok": "$text-success", "warn": "$text-warning", "error": "$text-error"}
SOURCE_WORDS = {"proxy": "proxy", "live": "live test", "simulated": "simulated test"}


def short_ago(at: float, now: float) -> str:
    seconds = max(0.0, now - at)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def status_cell(status: GroupStatus | None, now: float) -> tuple[str, str]:
    """At most 12 cells: "● primary", "▲ fb 1 · 4m", "✖ failing 2m"."""
    if status is None:
        return "—", "muted"
    glyph, tone = GLYPH[status.state], TONE[status.state]
    if status.state == "primary":
        return f"{glyph} primary", tone
    when = short_ago(status.at, now)
    if status.state == "failing":
        return f"{glyph} failing {when}", tone
    return f"{glyph} fb {status.position or '?'} · {when}", tone


def status_line(group: str, status: GroupStatus | None, now: float) -> Content:
    """The whole story for the row under the cursor."""
    if status is None:
        return Content.assemble(
            (group, "bold"),
            ("  no fallback recorded: the primary serves as far as llmtui knows", "$text-muted"),
        )
    style = STYLE[TONE[status.state]]
    parts: list[str | tuple[str, str]] = [(group, "bold"), "  ", (GLYPH[status.state], style)]
    source = SOURCE_WORDS.get(status.source, status.source)
    if status.state == "primary":
        parts += [
            (" primary serving", style),
            (f" · last fallback {ago(status.at, now)} ({status.trigger}, {source})", "$text-muted"),
        ]
    else:
        parts += [
            (f" {status.label}", style),
            (f" · {status.trigger} · {ago(status.at, now)} · {source}", "$text-muted"),
        ]
    return Content.assemble(*parts)
