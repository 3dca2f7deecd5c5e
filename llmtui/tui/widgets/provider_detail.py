"""The panel under the providers table: the selected provider, its last test, what runs now."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import Static

from llmtui.formatting import ago, millis
from llmtui.litellm.provider_types import PROVIDER_TYPES

if TYPE_CHECKING:
    from llmtui.services.models import SyncReport
    from llmtui.services.providers import ProviderView, TestOutcome

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STATUS_GLYPH = {"connected": "●", "stale": "▲", "failing": "✖", "never": "○"}
STATUS_TONE = {"connected": "ok", "stale": "warn", "failing": "error", "never": "muted"}
STATUS_WORD = {"connected": "connected", "stale": "stale", "failing": "failing", "never": "never"}
TONE_STYLE = {
    "ok": "$text-success",
    "warn": "$text-warning",
    "error": "$text-error",
    "muted": "$text-muted",
}
OK, WARN, ERR, DIM = "bold $text-success", "$text-warning", "$text-error", "$text-muted"
Part = str | tuple[str, str]

# What a new user sees with an empty store.
FIRST_RUN_STEPS: list[str] = [
    "a  add your first provider (OpenAI, Anthropic, Azure, Bedrock, Ollama, vLLM …)",
    "i  or import an existing litellm-config.yaml",
    "t  test its connection · s  sync its models",
    "2  open Models to enable the ones the proxy should serve · A  apply",
]


@dataclass
class ProviderActivity:
    """What the panel shows besides the stored row: a running job or its outcome."""

    busy: str | None = None  # "testing" / "syncing"
    started: float = 0.0
    outcome: TestOutcome | None = None
    sync: SyncReport | None = None
    sync_error: str | None = None
    revealed: dict[str, str] = field(default_factory=dict)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def key_text(view: ProviderView) -> str:
    if view.key_mask:
        return view.key_mask
    if view.key_env:
        return f"env:{view.key_env}"
    return "—"


class ProviderDetail(Static):
    """Renders one provider; the screen owns the data and calls `show`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frame = 0

    def show(
        self,
        view: ProviderView | None,
        activity: ProviderActivity | None,
        now: float,
        status: str = "never",
    ) -> None:
        if view is None:
            self.border_title = "Getting started"
            self.update(first_run_text(), layout=False)
            return
        self.border_title = view.name
        content = detail_text(view, activity or ProviderActivity(), now, status, self.frame)
        self.update(content, layout=False)  # fixed height: no layout pass per spinner frame

    def tick(self) -> None:
        self.frame += 1


def first_run_text() -> Content:
    parts: list[Part] = [("No providers yet. What to do next:\n", "bold")]
    for step in FIRST_RUN_STEPS:
        key, _, rest = step.partition("  ")
        parts += [(f" {key:<2}", "bold $accent"), f" {rest}\n"]
    parts.append((" ?  every key of a screen · ctrl+p command palette", DIM))
    return Content.assemble(*parts)


def detail_text(
    view: ProviderView, activity: ProviderActivity, now: float, status: str, frame: int
) -> Content:
    ptype = PROVIDER_TYPES.get(view.type)
    parts: list[Part] = [(ptype.label if ptype else view.type, "bold")]
    parts.append(f" · {view.api_base or 'default URL'}")
    if view.api_version:
        parts.append(f" · api {view.api_version}")
    if view.region:
        parts.append(f" · {view.region}")
    parts.append("\n")
    if activity.revealed:
        values = activity.revealed
        shown = (
            next(iter(values.values()))
            if len(values) == 1
            else "  ".join(f"{k}={v}" for k, v in values.items())
        )
        parts += [
            ("key ", DIM),
            (shown, "bold $text-warning"),
            ("  (hidden again after 30 s)\n", DIM),
        ]
    elif view.has_key:
        parts += [(f"key {key_text(view)} · r reveal\n", DIM)]
    else:
        parts += [
            ("no key (none needed)\n" if ptype and not ptype.key_required else "no key\n", DIM)
        ]
    state = "enabled" if view.enabled else "disabled"
    parts.append(f"{plural(view.model_count, 'model')} ({view.enabled_model_count} enabled)")
    parts.append(f" · {state}\n")
    parts += _last_test(view, now, status)
    parts += _activity(activity, now, frame)
    return Content.assemble(*parts)


def _last_test(view: ProviderView, now: float, status: str) -> list[Part]:
    if view.last_test_at is None:
        return [("○ never tested · t to test the connection\n", DIM)]
    parts: list[Part] = [
        (f"{STATUS_GLYPH[status]} {STATUS_WORD[status]}", TONE_STYLE[STATUS_TONE[status]]),
        f" · last test {ago(view.last_test_at, now)}",
    ]
    if view.last_test_ok:
        parts.append(f" · {millis(view.last_test_latency_ms)}")
        parts.append(f" · {view.last_test_model_count or 0} models listed")
    elif view.last_test_error:
        parts.append((f" · {view.last_test_error}", ERR))
    if view.last_test_endpoint:
        parts.append((f" · {view.last_test_endpoint}", DIM))
    parts.append("\n")
    return parts


def _activity(activity: ProviderActivity, now: float, frame: int) -> list[Part]:
    if activity.busy:
        spin = SPINNER[frame % len(SPINNER)]
        elapsed = max(time.monotonic() - activity.started, 0.0)
        return [(f"{spin} {activity.busy} … {elapsed:.1f} s", "bold")]
    parts: list[Part] = []
    outcome = activity.outcome
    if outcome is not None:
        result = outcome.result
        if result.ok:
            names = ", ".join(result.models[:6]) + (" …" if len(result.models) > 6 else "")
            parts.append(("✔ test ok", OK))
            parts.append(f" · {millis(result.latency_ms)} · {len(result.models)} models: {names}")
        else:
            code = f" · HTTP {result.status_code}" if result.status_code else ""
            parts += [("✖ test failed", "bold $text-error"), (f"{code} · {result.error}", ERR)]
        parts.append("\n")
    if activity.sync is not None:
        report = activity.sync
        parts.append(("✔ synced", OK))
        parts.append(
            f" · {report.listed} listed · {report.added} new (disabled)"
            f" · {report.prefilled} prefilled · {report.unchanged} unchanged"
        )
        if report.missing_upstream:
            parts.append((f" · {len(report.missing_upstream)} no longer listed", WARN))
    elif activity.sync_error:
        parts.append((f"✖ sync failed · {activity.sync_error}", ERR))
    return parts
