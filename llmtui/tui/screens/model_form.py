"""Add a model, or edit one's group, prices per 1M tokens, context window and capabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from llmtui.errors import ConflictError, InvalidInput, LlmtuiError, MasterKeyError
from llmtui.formatting import cost
from llmtui.services.validation import check_cost, check_name, check_positive_int, check_text
from llmtui.tui.jobs import ServiceRunner
from llmtui.tui.widgets.steady_input import SteadyInput
from llmtui.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from llmtui.litellm.model_map import ModelFacts
    from llmtui.services.models import ModelFields, ModelView

TEXT_FIELDS = ("upstream", "group", "display_name", "input_cost", "output_cost", "context")


def parse_number(raw: str, kind: type, check: Any, what: str) -> Any:
    """'' is None (unknown); anything else must parse and pass the service's check."""
    if not raw:
        return None
    try:
        value = kind(raw.replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{what} must be a number") from None
    return check(value, what)


def parse_values(values: dict[str, str], adding: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Parsed values and per-field problems, with the service's own validators."""
    parsed: dict[str, Any] = {}
    problems: dict[str, str] = {}
    checks: dict[str, Any] = {
        "group": lambda v: check_name(v, "group name"),
        "display_name": lambda v: check_text(v or None, "display name"),
        "input_cost": lambda v: parse_number(v, float, check_cost, "input cost"),
        "output_cost": lambda v: parse_number(v, float, check_cost, "output cost"),
        "context": lambda v: parse_number(v, int, check_positive_int, "context window"),
    }
    if adding:
        checks["upstream"] = lambda v: check_name(v, "model name")
        if not values["group"]:
            checks.pop("group")
    for name, check in checks.items():
        try:
            parsed[name] = check(values[name])
        except InvalidInput as exc:
            problems[name] = str(exc)
    return parsed, problems


class ModelForm(ServiceRunner, ModalScreen[Any]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("ctrl+r", "prefill", "From model map", id="form.prefill", priority=True),
    ]

    def __init__(self, model: ModelView | None = None, provider: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.provider = provider
        self.saving = False

    def compose(self) -> ComposeResult:
        from llmtui.services.models import KNOWN_CAPABILITIES

        m = self.model
        title = f"Edit {m.provider}/{m.upstream_model}" if m else "Add a model"
        with Vertical(id="model-form", classes="dialog"):
            yield Label(title, classes="dialog-title")
            if m is None:
                yield from self._row("provider", "Provider", Select([], id="provider"))
                yield from self._row("upstream", "Model", SteadyInput("", id="upstream"))
            yield from self._row("group", "Group", SteadyInput(m.group if m else "", id="group"))
            name = m.display_name or "" if m else ""
            yield from self._row(
                "display_name", "Display name", SteadyInput(name, id="display_name")
            )
            prices = (m.input_cost_per_1m, m.output_cost_per_1m) if m else (None, None)
            yield from self._row(
                "input_cost", "In $/1M", SteadyInput(_num(prices[0]), id="input_cost")
            )
            yield from self._row(
                "output_cost", "Out $/1M", SteadyInput(_num(prices[1]), id="output_cost")
            )
            window = str(m.context_window) if m and m.context_window else ""
            yield from self._row("context", "Context", SteadyInput(window, id="context"))
            caps = set(m.capabilities) if m else set()
            with Grid(id="caps"):
                for cap in KNOWN_CAPABILITIES:
                    yield TickBox(cap.replace("_", " "), cap in caps, id=f"cap-{cap}", compact=True)
            yield Label("", id="form-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                if m is not None:
                    yield Button("From model map (ctrl+r)", id="prefill", compact=True)
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _row(self, name: str, label: str, widget: Any) -> ComposeResult:
        widget.compact = True
        with Horizontal(classes="form-row", id=f"row-{name}"):
            yield Label(label, classes="form-label")
            yield widget
        yield Label("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        if self.model is None:
            self._load_providers()
            self.query_one("#upstream", Input).focus()
        else:
            self.query_one("#group", Input).focus()

    def _load_providers(self) -> None:
        from llmtui.services.providers import list_providers

        self.run_service("listing providers", list_providers, self._providers_loaded)

    def _providers_loaded(self, providers: list[Any]) -> None:
        select = self.query_one("#provider", Select)
        select.set_options([(p.name, p.name) for p in providers])
        names = [p.name for p in providers]
        if self.provider in names:
            select.value = self.provider
        elif names:
            select.value = names[0]

    def values(self) -> dict[str, str]:
        found = {}
        for name in TEXT_FIELDS:
            widgets = self.query(f"#{name}")
            found[name] = widgets.first(Input).value.strip() if widgets else ""
        return found

    def capabilities(self) -> list[str]:
        return [str(box.id).removeprefix("cap-") for box in self.query(Checkbox) if box.value]

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_problems(parse_values(self.values(), self.model is None)[1])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name in TEXT_FIELDS:
            found = self.query(f"#error-{name}")
            if found:
                label = found.first(Label)
                message = problems.get(name, "")
                label.update(f"✖ {message}" if message else "")
                label.display = bool(message)

    def _form_error(self, message: str) -> None:
        label = self.query_one("#form-error", Label)
        label.update(f"✖ {message}" if message else "")
        label.display = bool(message)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"save": self.action_save, "prefill": self.action_prefill}
        actions.get(str(event.button.id), self.action_cancel)()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_prefill(self) -> None:
        if self.model is not None:
            self.lookup_model_map(self.model.provider_type, self.model.upstream_model)

    @work(thread=True, exclusive=True, group="model-map", exit_on_error=False)
    def lookup_model_map(self, provider_type: str, upstream: str) -> None:
        """The bundled model map is a large JSON file: read it off the UI thread."""
        from llmtui.litellm import model_map
        from llmtui.litellm.provider_types import provider_type as catalogue

        facts = model_map.lookup(catalogue(provider_type), upstream)
        self.app.call_from_thread(self._prefilled, facts)

    def _prefilled(self, facts: ModelFacts | None) -> None:
        if facts is None:
            self.notify("LiteLLM's model map does not know this model", severity="warning")
            return
        for name, value in (
            ("input_cost", _num(facts.input_cost_per_1m)),
            ("output_cost", _num(facts.output_cost_per_1m)),
            ("context", str(facts.context_window or "")),
        ):
            if value:
                self.query_one(f"#{name}", Input).value = value
        for cap in facts.capabilities:
            for box in self.query(f"#cap-{cap}"):
                box.value = True  # type: ignore[attr-defined]
        self.notify("filled from LiteLLM's model map; save to keep")

    def action_save(self) -> None:
        if self.saving:
            return
        parsed, problems = parse_values(self.values(), self.model is None)
        self._show_problems(problems)
        if problems:
            self._form_error("fix the fields marked ✖ (nothing was saved)")
            return
        if self.model is None and not self.query_one("#provider", Select).value:
            self._form_error("add a provider first (screen 1, key a)")
            return
        self.saving = True
        self._form_error("")
        self.query_one("#save", Button).label = "Saving…"
        self.run_service(
            "saving the model",
            self._call(parsed),
            self.dismiss,
            on_error=self._refused,
            on_reload=lambda: self.dismiss("reload"),
        )

    def _fields(self, parsed: dict[str, Any]) -> ModelFields:
        from llmtui.services.models import ModelFields

        fields = ModelFields(
            display_name=parsed["display_name"],
            input_cost_per_1m=parsed["input_cost"],
            output_cost_per_1m=parsed["output_cost"],
            context_window=parsed["context"],
            capabilities=self.capabilities(),
        )
        if parsed.get("group"):
            fields.group = parsed["group"]
        return fields

    def _call(self, parsed: dict[str, Any]) -> Any:
        from llmtui.services.models import add_model, edit_model

        fields, m = self._fields(parsed), self.model
        if m is not None:
            return lambda ctx: edit_model(ctx, m.id, fields, expected_version=m.version)
        provider = str(self.query_one("#provider", Select).value)
        return lambda ctx: add_model(ctx, provider, parsed["upstream"], fields)

    def _refused(self, error: LlmtuiError) -> bool:
        self.saving = False
        self.query_one("#save", Button).label = "Save (ctrl+s)"
        if isinstance(error, ConflictError | MasterKeyError):
            return False
        self._form_error(f"{error} — nothing was saved")
        return True


def _num(value: float | None) -> str:
    return "" if value is None else cost(value)
