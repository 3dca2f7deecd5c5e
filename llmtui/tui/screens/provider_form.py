"""Add or edit a provider: fields follow the type, problems show as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from llmtui.errors import ConflictError, InvalidInput, LlmtuiError, MasterKeyError
from llmtui.litellm.provider_types import PROVIDER_TYPES, ProviderType
from llmtui.services.validation import check_name, check_secret, check_text, check_url
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.steady_input import SteadyInput

if TYPE_CHECKING:
    from llmtui.services.providers import ProviderFields, ProviderView

FIELDS = ("name", "api_base", "api_version", "region", "aws_key_id", "key")


def _problem(check: Any, *args: Any) -> str | None:
    try:
        check(*args)
    except InvalidInput as exc:
        return str(exc)
    return None


def field_problems(
    values: dict[str, str], ptype: ProviderType, has_key: bool, submitted: bool
) -> dict[str, str]:
    """Per-field messages; "required" ones only once the user tried to save."""
    problems: dict[str, str | None] = {
        "name": _problem(check_name, values["name"], "provider name")
        if values["name"] or submitted
        else None,
    }
    if values["api_base"]:
        problems["api_base"] = _problem(check_url, values["api_base"])
    elif ptype.api_base_required and submitted:
        problems["api_base"] = f"{ptype.label} needs a base URL, like https://host/..."
    if ptype.needs_api_version and values["api_version"]:
        problems["api_version"] = _problem(check_text, values["api_version"], "API version")
    if ptype.needs_region:
        if values["region"]:
            problems["region"] = _problem(check_text, values["region"], "region")
        elif submitted:
            problems["region"] = f"{ptype.label} needs a region, like us-east-1"
        if values["aws_key_id"]:
            problems["aws_key_id"] = _problem(check_secret, values["aws_key_id"], "key id")
        elif values["key"] and submitted:
            problems["aws_key_id"] = "the access key id goes with the secret key"
    if values["key"] and not ptype.local:
        problems["key"] = _problem(check_secret, values["key"]) or ptype.key_problem(values["key"])
    elif ptype.needs_region and values["aws_key_id"] and submitted:
        problems["key"] = "the secret access key goes with the key id"
    elif ptype.key_required and not has_key and submitted:
        problems["key"] = f"{ptype.label} needs an API key"
    return {k: v for k, v in problems.items() if v}


class ProviderForm(ServiceRunner, ModalScreen["ProviderView | str | None"]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
    ]

    def __init__(self, view: ProviderView | None) -> None:
        super().__init__()
        self.view = view
        self.submitted = False
        self.saving = False

    @property
    def ptype(self) -> ProviderType:
        value = self.query_one("#type", Select).value
        return PROVIDER_TYPES[str(value)] if value in PROVIDER_TYPES else PROVIDER_TYPES["openai"]

    def compose(self) -> ComposeResult:
        v = self.view
        title = f"Edit provider {v.name}" if v else "Add provider"
        types = [(t.label, t.id) for t in PROVIDER_TYPES.values()]
        with Vertical(id="form", classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield from self._row("name", "Name", SteadyInput(v.name if v else "", id="name"))
            yield from self._row(
                "type",
                "Type",
                Select(types, value=v.type if v else "openai", allow_blank=False, id="type"),
            )
            yield from self._row("api_base", "Base URL", SteadyInput(self._base(v), id="api_base"))
            version = v.api_version if v and v.api_version else ""
            yield from self._row(
                "api_version", "API version", SteadyInput(version, id="api_version")
            )
            yield from self._row(
                "region", "Region", SteadyInput(v.region or "" if v else "", id="region")
            )
            yield from self._row("aws_key_id", "Access key id", SteadyInput("", id="aws_key_id"))
            yield from self._row("key", "API key", SteadyInput("", password=True, id="key"))
            yield Label("", id="form-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _row(self, name: str, label: str, widget: Any) -> ComposeResult:
        if hasattr(widget, "compact"):
            widget.compact = True
        with Horizontal(classes="form-row", id=f"row-{name}"):
            yield Label(label, classes="form-label", id=f"label-{name}")
            yield widget
        yield Label("", id=f"error-{name}", classes="field-error")

    @staticmethod
    def _base(view: ProviderView | None) -> str:
        if view is None or not view.api_base:
            return ""
        ptype = PROVIDER_TYPES.get(view.type)
        return "" if ptype and view.api_base == ptype.default_api_base else view.api_base

    def on_mount(self) -> None:
        self._adapt_to_type()
        self._validate()
        self.query_one("#name", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._adapt_to_type()
        self._validate()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._validate()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def _adapt_to_type(self) -> None:
        ptype = self.ptype
        self.query_one("#row-api_version").display = ptype.needs_api_version
        self.query_one("#row-region").display = ptype.needs_region
        self.query_one("#row-aws_key_id").display = ptype.needs_region
        self.query_one("#row-key").display = not ptype.local
        base = self.query_one("#api_base", Input)
        required = "https://… (required)" if ptype.api_base_required else "(the default)"
        base.placeholder = ptype.default_api_base or required
        self.query_one("#api_version", Input).placeholder = ptype.default_api_version or ""
        self.query_one("#region", Input).placeholder = "us-east-1"
        self.query_one("#aws_key_id", Input).placeholder = "AKIA…"
        self.query_one("#name", Input).placeholder = "a short unique name, e.g. openai-main"
        key_label = "Secret key" if ptype.needs_region else "API key"
        optional = "" if ptype.key_required else " (optional)"
        self.query_one("#label-key", Label).update(key_label)
        key = self.query_one("#key", Input)
        v = self.view
        if v is not None and v.has_key:
            key.placeholder = f"unchanged ({v.key_mask or 'env:' + str(v.key_env)})"
        else:
            key.placeholder = (ptype.key_hint or "the key") + optional

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value.strip() for name in FIELDS}

    def _validate(self) -> dict[str, str]:
        ptype = self.ptype
        has_key = bool(self.view and self.view.has_key and self.view.type == ptype.id)
        problems = field_problems(self.values(), ptype, has_key, self.submitted)
        for name in FIELDS:
            label = self.query_one(f"#error-{name}", Label)
            visible = self.query_one(f"#row-{name}").display
            message = problems.get(name, "") if visible else ""
            label.update(f"✖ {message}" if message else "")
            label.display = bool(message)
        return problems if problems else {}

    def _form_error(self, message: str) -> None:
        label = self.query_one("#form-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        self.submitted = True
        problems = self._validate()
        if problems:
            self._form_error("fix the fields marked ✖ (nothing was saved)")
            first = next(n for n in FIELDS if n in problems)
            self.query_one(f"#{first}", Input).focus()
            return
        self._form_error("")
        self._submit(self._fields())

    def _fields(self) -> ProviderFields:
        from llmtui.services.providers import ProviderFields

        values, ptype, v = self.values(), self.ptype, self.view
        fields = ProviderFields()
        if v is None or v.type != ptype.id:
            fields.type = ptype.id
        if v is not None and values["name"] != v.name:
            fields.new_name = values["name"]
        if values["api_base"] or v is not None:
            fields.api_base = values["api_base"] or None
        if ptype.needs_api_version:
            fields.api_version = values["api_version"] or None
        if ptype.needs_region:
            fields.region = values["region"] or None
        secrets = {}
        if values["key"] and not ptype.local:
            field = "aws_secret_access_key" if ptype.needs_region else "api_key"
            secrets[field] = values["key"]
        if values["aws_key_id"] and ptype.needs_region:
            secrets["aws_access_key_id"] = values["aws_key_id"]
        if secrets:
            fields.secrets = secrets
        return fields

    def _submit(self, fields: ProviderFields) -> None:
        from llmtui.services.providers import add_provider, edit_provider

        v = self.view
        name = self.values()["name"]
        if v is None:

            async def call(ctx: Any) -> Any:
                return await add_provider(ctx, name, fields)
        else:

            async def call(ctx: Any) -> Any:
                return await edit_provider(ctx, v.name, fields, expected_version=v.version)

        self.saving = True
        self.query_one("#save", Button).label = "Saving…"
        self.run_service(
            "saving the provider",
            call,
            self.dismiss,
            on_error=self._refused,
            on_reload=lambda: self.dismiss("reload"),
        )

    def _refused(self, error: LlmtuiError) -> bool:
        self.saving = False
        self.query_one("#save", Button).label = "Save (ctrl+s)"
        if isinstance(error, ConflictError | MasterKeyError):
            return False
        self._form_error(f"{error} — nothing was saved")
        return True
