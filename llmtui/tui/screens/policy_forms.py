"""Edit one retry policy, or one numeric router setting; bad values are refused inline and
nothing is saved until they are fixed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from llmtui.errors import ConflictError, InvalidInput, LlmtuiError, MasterKeyError
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.steady_input import SteadyInput
from llmtui.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from llmtui.services.policies import PolicyView, RouterSettingDef


def parse_count(raw: str, what: str, maximum: int) -> int | None:
    """'' is None (LiteLLM's default); otherwise a whole number from 0 to `maximum`."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > maximum:
        raise InvalidInput(f"{what} must be a whole number from 0 to {maximum}")
    return int(text)


class _Form(ServiceRunner, ModalScreen[Any]):
    """Rows of label + input with a ✖ line under each; ctrl+s or enter saves."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
    ]
    FIELDS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self.saving = False

    def _row(self, name: str, label: str, value: str, placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="form-row", id=f"row-{name}"):
            yield Label(label, classes="form-label")
            yield SteadyInput(value, placeholder=placeholder, id=name, compact=True)
        yield Label("", id=f"error-{name}", classes="field-error")

    def _buttons(self) -> ComposeResult:
        yield Label("", id="form-error", classes="field-error")
        with Horizontal(classes="dialog-buttons"):
            yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Cancel (esc)", id="cancel", compact=True)

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def problems(self) -> dict[str, str]:
        raise NotImplementedError

    def show_problems(self) -> dict[str, str]:
        found = self.problems()
        for name in self.FIELDS:
            label = self.query_one(f"#error-{name}", Label)
            label.update(f"✖ {found[name]}" if name in found else "")
            label.display = name in found
        return found

    def form_error(self, message: str) -> None:
        label = self.query_one("#form-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_problems()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        if self.show_problems():
            self.form_error("fix the fields marked ✖ (nothing was saved)")
            return
        self.saving = True
        self.form_error("")
        self.run_service(
            "saving",
            self.call(),
            self.dismiss,
            on_error=self._refused,
            on_reload=lambda: self.dismiss("reload"),
        )

    def call(self) -> Any:
        raise NotImplementedError

    def _refused(self, error: LlmtuiError) -> bool:
        self.saving = False
        if isinstance(error, ConflictError | MasterKeyError):
            return False
        self.form_error(f"{error} — nothing was saved")
        return True


class PolicyForm(_Form):
    """Retries (0–10), allowed fails (blank: LiteLLM's default) and on/off of one error type."""

    FIELDS = ("retries", "allowed_fails")

    def __init__(self, policy: PolicyView, has_allowed_fails: bool) -> None:
        super().__init__()
        self.policy = policy
        self.has_allowed_fails = has_allowed_fails

    def compose(self) -> ComposeResult:
        p = self.policy
        with Vertical(classes="dialog policy-form"):
            yield Label(f"{p.label} errors", classes="dialog-title")
            yield from self._row("retries", "Retries", str(p.retries or 0), "0 to 10")
            fails = "" if p.allowed_fails is None else str(p.allowed_fails)
            yield from self._row("allowed_fails", "Allowed fails", fails, "blank: LiteLLM default")
            yield TickBox("enabled (disabled: no retries, straight to the fallback)", p.enabled)
            yield Static(
                "Allowed fails: failures per minute before LiteLLM cools the deployment down."
                if self.has_allowed_fails
                else "LiteLLM has no allowed-fails setting for other errors.",
                classes="dialog-hint",
            )
            yield from self._buttons()

    def on_mount(self) -> None:
        self.query_one("#row-allowed_fails").display = self.has_allowed_fails
        self.query_one("#retries", Input).focus()

    def problems(self) -> dict[str, str]:
        from llmtui.services.policies import MAX_ALLOWED_FAILS, MAX_RETRIES

        found = {}
        for name, what, maximum in (
            ("retries", "retries", MAX_RETRIES),
            ("allowed_fails", "allowed fails", MAX_ALLOWED_FAILS),
        ):
            try:
                value = parse_count(self.value(name), what, maximum)
                if name == "retries" and value is None:
                    raise InvalidInput("retries must be a whole number from 0 to 10")
            except InvalidInput as exc:
                found[name] = str(exc)
        return found

    def call(self) -> Any:
        from llmtui.services.policies import MAX_ALLOWED_FAILS, MAX_RETRIES, UNCHANGED, set_policy

        p = self.policy
        retries = parse_count(self.value("retries"), "retries", MAX_RETRIES)
        fails: Any = UNCHANGED
        if self.has_allowed_fails:
            fails = parse_count(self.value("allowed_fails"), "allowed fails", MAX_ALLOWED_FAILS)
        enabled = self.query_one(TickBox).value
        return lambda ctx: set_policy(
            ctx, p.error_type, retries, fails, enabled, expected_version=p.version
        )


class RouterValueForm(_Form):
    """One numeric router setting; blank puts LiteLLM's default back."""

    FIELDS = ("value",)

    def __init__(self, definition: RouterSettingDef, current: Any) -> None:
        super().__init__()
        self.definition = definition
        self.current = current

    def compose(self) -> ComposeResult:
        d = self.definition
        with Vertical(classes="dialog policy-form"):
            yield Label(f"router_settings.{d.key}", classes="dialog-title")
            value = "" if self.current is None else f"{self.current:g}"
            default = "LiteLLM's default" if d.default is None else f"default {d.default}"
            yield from self._row("value", "Value", value, f"blank: {default}")
            bounds = f"{d.minimum:g} to {d.maximum:g}" if d.maximum is not None else ""
            yield Static(f"{d.help} ({bounds})", classes="dialog-hint")
            yield from self._buttons()

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def problems(self) -> dict[str, str]:
        from llmtui.services.policies import convert_router_value

        raw = self.value("value").strip()
        try:
            convert_router_value(self.definition.key, raw or None)
        except InvalidInput as exc:
            return {"value": str(exc)}
        return {}

    def call(self) -> Any:
        from llmtui.services.policies import set_router_settings

        key, raw = self.definition.key, self.value("value").strip()
        return lambda ctx: set_router_settings(ctx, {key: raw or None})
