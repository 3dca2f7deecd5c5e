"""`p` on the Fallbacks screen: retries per error type, the router settings beside them, and
the wait schedule LiteLLM will really apply to the selected group with those settings.

There is no backoff knob: LiteLLM's formula is fixed, so the schedule is shown, not edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.footer import ShellFooter
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.litellm.wait_schedule import WaitSchedule
    from llmtui.services.policies import PolicyView

POLICY_COLUMNS = (
    Column("error", "Error type", 20, min_width=12, priority=9, flex=True, hideable=False),
    Column("status", "HTTP", 7, min_width=5, priority=2, optional=True),
    Column("retries", "Retries", 7, min_width=7, priority=8, align="right"),
    Column("fails", "Fails", 5, min_width=5, priority=6, align="right"),
    Column("on", "On", 3, min_width=3, priority=7),
)
ROUTER_COLUMNS = (
    Column("key", "Router setting", 16, min_width=12, priority=9),
    Column("value", "Value", 14, min_width=8, priority=8, flex=True),
    Column("help", "What it does", 30, min_width=12, priority=1, optional=True),
)
DIM, WARN, ACC = "$text-muted", "$text-warning", "$accent"


@dataclass(frozen=True)
class RouterRow:
    key: str
    value: Any
    default: Any
    help: str


@dataclass
class PolicyData:
    policies: list[PolicyView]
    router: dict[str, Any]
    schedules: dict[str, WaitSchedule]


def policy_cells(p: PolicyView) -> list[Cell]:
    from llmtui.litellm.error_types import ERROR_TYPES

    tone = "accent" if p.customised else None
    retries = str(p.retries if p.retries is not None else "—")
    fails = "—" if p.allowed_fails is None else str(p.allowed_fails)
    return [
        p.label,
        (ERROR_TYPES[p.error_type].status, "muted"),
        (retries, tone) if tone else retries,
        (fails, tone) if tone and p.allowed_fails is not None else (fails, "muted"),
        ("✓", "ok") if p.enabled else ("off", "warn"),
    ]


def router_cells(r: RouterRow) -> list[Cell]:
    if r.value is None:
        value: Cell = ("default", "muted")
    elif r.value == r.default:
        value = (str(r.value), "muted")
    else:
        value = (f"{r.value:g}" if isinstance(r.value, float) else str(r.value), "accent")
    return [r.key, value, (r.help, "muted")]


def schedule_text(schedule: WaitSchedule, label: str, group: str | None) -> Content:
    source = "its policy" if schedule.from_policy else "num_retries"
    parts: list[str | tuple[str, str]] = [
        (f"{label}: {schedule.retries} retries", "bold"),
        (f" (from {source})\n", DIM),
    ]
    if schedule.waits:
        lines = [
            f"retry {n + 1} after {w.low:g}–{w.high:g} s"
            if w.before != "fallback"
            else f"then {w.low:g}–{w.high:g} s before falling back"
            for n, w in enumerate(schedule.waits)
        ]
        parts.append(", ".join(lines))
        parts.append((f"; at most {schedule.total_high:g} s in all\n", "bold"))
    else:
        parts.append(("no retries: falls back at once\n", ACC))
    note = schedule.immediate_note
    if note:
        parts.append((f"ⓘ {note}\n", WARN))
    where = f"{group} ({schedule.deployments_in_group} deployment" if group else "a group (1"
    plural = "" if schedule.deployments_in_group == 1 else "s"
    parts.append(
        (
            f"for {where}{plural}) · LiteLLM: min(max(0.5·2ⁿ, retry_after), 8) s + up to 0.75 s "
            "jitter; an upstream retry-after header of 1–60 s wins",
            DIM,
        )
    )
    return Content.assemble(*parts)


class PoliciesScreen(ServiceRunner, ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="policies.close"),
        Binding("enter,e", "edit", "Edit", id="policies.edit", tooltip="Edit the selected row"),
        Binding(
            "space",
            "toggle",
            "On/off",
            id="policies.toggle",
            tooltip="Enable or disable retries for this error type",
        ),
        Binding(
            "R",
            "reset",
            "Reset",
            id="policies.reset",
            tooltip="Every error type back to LiteLLM's defaults (asks first)",
        ),
        Binding("left,h", "focus_table('policies')", "Policies", show=False),
        Binding("right,l", "focus_table('router')", "Router", show=False),
    ]

    def __init__(self, group: str | None) -> None:
        super().__init__(classes="dialog-screen")
        self.group = group
        self.data: PolicyData | None = None
        self.changed = False
        self.failure = "rate_limit"

    def compose(self) -> ComposeResult:
        with Vertical(id="policies"):
            title = "Retry policies · router settings · waits for "
            yield Label(title + (self.group or "a one-deployment group"), id="policies-title")
            with Horizontal(id="policies-tables"):
                policies: VirtualTable[PolicyView] = VirtualTable(
                    POLICY_COLUMNS, empty_text="loading…", id="policy-table"
                )
                policies.border_title = "Per error type"
                yield policies
                router: VirtualTable[RouterRow] = VirtualTable(
                    ROUTER_COLUMNS, empty_text="loading…", id="router-table"
                )
                router.border_title = "Router"
                yield router
            yield Static("", id="wait-schedule")
        yield ShellFooter(compact=True)

    @property
    def policy_table(self) -> VirtualTable[PolicyView]:
        return self.query_one("#policy-table", VirtualTable)

    @property
    def router_table(self) -> VirtualTable[RouterRow]:
        return self.query_one("#router-table", VirtualTable)

    def on_mount(self) -> None:
        self.policy_table.focus()
        self.reload()

    def reload(self) -> None:
        from llmtui.services.policies import get_router_settings, list_policies
        from llmtui.services.wait_schedules import wait_schedules

        group = self.group

        async def load(ctx: Any) -> PolicyData:
            return PolicyData(
                await list_policies(ctx),
                await get_router_settings(ctx),
                await wait_schedules(ctx, group),
            )

        self.run_service("loading policies", load, self._loaded, group="policies-load")

    def _loaded(self, data: PolicyData) -> None:
        from llmtui.services.policies import ROUTER_SETTINGS

        self.data = data
        self.policy_table.set_rows(data.policies, key=lambda p: p.error_type, cells=policy_cells)
        rows = [
            RouterRow(k, data.router.get(k), d.default, d.help) for k, d in ROUTER_SETTINGS.items()
        ]
        self.router_table.set_rows(rows, key=lambda r: r.key, cells=router_cells)
        self.show_schedule()
        self.refresh_bindings()

    def show_schedule(self) -> None:
        box = self.query_one("#wait-schedule", Static)
        if self.data is None:
            return
        policy = self.policy_table.cursor_row
        if policy is not None:
            self.failure = policy.error_type
        schedule = self.data.schedules.get(self.failure)
        if schedule is None:
            return
        label = policy.label if policy is not None else self.failure
        box.border_title = f"Wait schedule · {label.lower()} · {self.group or 'any group'}"
        box.update(schedule_text(schedule, label, self.group))

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        if event.table is self.policy_table:
            self.show_schedule()

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.query("#policy-table"):
            return None  # composing or unmounting
        on_policies = self.focused is self.policy_table
        if action == "toggle":
            return on_policies if self.data is not None else None
        if action in ("edit", "reset"):
            return self.data is not None or None
        return True

    def action_focus_table(self, which: str) -> None:
        (self.policy_table if which == "policies" else self.router_table).focus()

    def action_edit(self) -> None:
        from llmtui.litellm.error_types import ERROR_TYPES
        from llmtui.services.policies import ROUTER_SETTINGS
        from llmtui.tui.screens.dialogs import ChoiceDialog
        from llmtui.tui.screens.policy_forms import PolicyForm, RouterValueForm

        if self.focused is self.router_table:
            row = self.router_table.cursor_row
            if row is None:
                return
            definition = ROUTER_SETTINGS[row.key]
            if definition.choices:
                options = [(c, c) for c in definition.choices]
                dialog = ChoiceDialog(row.key, options, current=row.value, message=definition.help)
                self.app.push_screen(dialog, lambda choice: self._strategy(row.key, choice))
            else:
                self.app.push_screen(RouterValueForm(definition, row.value), self._saved)
            return
        policy = self.policy_table.cursor_row
        if policy is not None:
            has_fails = ERROR_TYPES[policy.error_type].allowed_fails_field is not None
            self.app.push_screen(PolicyForm(policy, has_fails), self._saved)

    def _strategy(self, key: str, choice: str | None) -> None:
        from llmtui.services.policies import set_router_settings

        if choice is not None:
            self.run_service(
                f"setting {key}",
                lambda ctx: set_router_settings(ctx, {key: choice}),
                self._saved,
            )

    def _saved(self, result: Any) -> None:
        if result is None:
            return
        if result != "reload":
            self.changed = True
            app: Any = self.app
            app.changed("policies")
        self.reload()

    def action_toggle(self) -> None:
        from llmtui.services.policies import set_policy

        policy = self.policy_table.cursor_row
        if policy is None:
            return
        enabled = not policy.enabled
        self.run_service(
            f"{'enabling' if enabled else 'disabling'} {policy.error_type}",
            lambda ctx: set_policy(
                ctx, policy.error_type, enabled=enabled, expected_version=policy.version
            ),
            self._saved,
            on_reload=self.reload,
        )

    def action_reset(self) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        dialog = ConfirmDialog(
            "Reset every retry policy?",
            "Retries, allowed fails and on/off of every error type go back to LiteLLM's "
            "defaults (3 retries for rate limits, timeouts and server errors, none for the "
            "rest). Router settings stay as they are. The change is audited.",
            "Reset",
            danger=True,
        )
        self.app.push_screen(dialog, lambda ok: self._reset() if ok else None)

    def _reset(self) -> None:
        from llmtui.services.policies import reset_policies

        def done(count: int) -> None:
            self.notify(f"{count} customised polic{'y' if count == 1 else 'ies'} reset")
            self._saved(count)

        self.run_service("resetting policies", reset_policies, done)

    def action_close(self) -> None:
        self.dismiss(self.changed)
