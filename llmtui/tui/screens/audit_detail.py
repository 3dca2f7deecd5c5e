"""One audit entry in full: who, when, what, and each field before → after."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from llmtui.formatting import timestamp

if TYPE_CHECKING:
    from llmtui.services.audit import AuditView


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def change_lines(before: Any, after: Any) -> Content:
    """Field by field for dicts (changed ones marked); whole values otherwise."""
    parts: list[str | tuple[str, str]] = []
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        for key in dict.fromkeys([*old, *new]):
            if key in old and key in new and old[key] == new[key]:
                parts += [(f"  {key}: ", "$text-muted"), (f"{_json(new[key])}\n", "$text-muted")]
                continue
            mark = "~" if key in old and key in new else ("+" if key in new else "-")
            parts.append((f"{mark} {key}: ", "bold"))
            if key in old:
                parts.append((_json(old[key]), "$text-error strike"))
                parts.append(" → ")
            parts.append((f"{_json(new[key])}\n", "$text-success") if key in new else "\n")
    else:
        parts += [("before: ", "bold"), f"{_json(before)}\n", ("after:  ", "bold"), _json(after)]
    return Content.assemble(*parts)


class AuditDetail(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="audit.close")]

    def __init__(self, entry: AuditView) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        e = self.entry
        with Vertical(id="audit-detail", classes="dialog"):
            yield Label(
                f"#{e.id} {e.action} · {e.entity_type} {e.entity_name or ''}",
                classes="dialog-title",
            )
            config = "changes the config" if e.affects_config else "does not change the config"
            yield Label(f"{timestamp(e.at)} · by {e.os_user} · {config}", classes="dialog-hint")
            with VerticalScroll(id="audit-changes"):
                yield Static(change_lines(e.before, e.after))
            yield Label("esc close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
