"""Models: every deployment (or one provider's), filtered as you type, toggled in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Label

from llmtui.formatting import cost, tokens
from llmtui.tui.group_status import status_cell, status_line
from llmtui.tui.model_filter import ModelIndex
from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.steady_input import SteadyInput
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.services.metrics import GroupStatus
    from llmtui.services.models import ModelView

ALL = "*"
STATUS_SECONDS = 30.0


def model_columns(widths: dict[str, int], serving: bool = False) -> list[Column]:
    """Text columns as wide as their longest value (capped); numbers fixed.

    `serving` adds the group's status column (only once some group has fallback events).
    """
    status = [Column("serving", "Serving", 12, min_width=9, priority=7)] if serving else []
    return [
        Column("on", "On", 3, min_width=3, priority=10, hideable=False),
        Column("group", "Group", widths["group"], min_width=10, priority=9, flex=True),
        *status,
        Column("model", "Upstream model", widths["model"], min_width=10, priority=6, flex=True),
        Column("provider", "Provider", widths["provider"], min_width=8, priority=5),
        Column("in", "In $/1M", 7, min_width=7, priority=4, align="right"),
        Column("out", "Out $/1M", 8, min_width=8, priority=3, align="right"),
        Column("ctx", "Context", 7, min_width=7, priority=2, align="right"),
        Column("caps", "Capabilities", widths["caps"], min_width=12, priority=0, optional=True),
    ]


def model_cells(m: ModelView, status: list[Cell] | None = None) -> list[Cell]:
    """`status`: the serving cell, when the table has that column."""
    return [
        ("[x]", "ok") if m.enabled else ("[ ]", "muted"),
        m.group,
        *(status or []),
        (m.upstream_model, "muted") if m.upstream_model == m.group else m.upstream_model,
        m.provider,
        cost(m.input_cost_per_1m),
        cost(m.output_cost_per_1m),
        tokens(m.context_window),
        (", ".join(m.capabilities) or "—", "muted"),
    ]


class ModelsScreen(SectionScreen):
    SECTION = "models"
    SECTION_TITLE = "Models"
    AUTO_FOCUS = "#models-table"
    BINDINGS = [
        Binding("space", "toggle", "Toggle", id="models.toggle", tooltip="Enable or disable"),
        Binding("a", "add", "Add", show=False, id="models.add", tooltip="Add a model by name"),
        Binding("e", "edit", "Edit", id="models.edit", tooltip="Group, prices, context, caps"),
        Binding(
            "slash", "filter", "Filter", show=False, id="models.filter", tooltip="Type to filter"
        ),
        Binding("v", "mark", "Select", id="models.mark", tooltip="Select or unselect this row"),
        Binding(
            "ctrl+a",
            "mark_all",
            "All",
            id="models.mark_all",
            tooltip="Select (or unselect) every visible row",
        ),
        Binding("E", "bulk(True)", "Enable", id="models.enable", tooltip="Enable the selected"),
        Binding("D", "bulk(False)", "Disable", id="models.disable", tooltip="Disable the selected"),
        Binding(
            "p", "provider", "Provider", show=False, id="models.provider", tooltip="One or all"
        ),
        Binding("escape", "clear", "Clear", show=False, id="models.clear", tooltip="Clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.provider: str | None = None
        self.index = ModelIndex([])
        self.shown: list[ModelView] = []
        self.statuses: dict[str, GroupStatus] = {}
        self._status_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="models-bar"):
            yield Label("provider: all", id="models-provider")
            yield Label("filter:", id="models-filter-label")
            yield SteadyInput(placeholder="press / to filter", id="models-filter", compact=True)
            yield Label("", id="models-count")
        yield VirtualTable(
            model_columns(ModelIndex([]).widths()),
            empty_text="loading models…",
            id="models-table",
        )
        yield Label("", id="models-status")

    @property
    def table(self) -> VirtualTable[ModelView]:
        return self.query_one("#models-table", VirtualTable)

    @property
    def marked(self) -> set[Any]:
        return self.table.marked

    # -- data -------------------------------------------------------------------

    def on_mount(self) -> None:
        # SectionScreen.on_mount runs too. Statuses age ("4m" ago) and new events arrive.
        self._status_timer = self.set_interval(STATUS_SECONDS, self._status_tick)

    def _status_tick(self) -> None:
        if self.is_current and self.app_ctx is not None:
            self.load_status()

    def load_status(self) -> None:
        """Group status from the latest fallback events, apart from the (big) model list."""
        from llmtui.services.metrics_view import current_status

        app: Any = self.app
        now = float(app.clock())
        self.run_service(
            "loading group status",
            lambda ctx: current_status(ctx, now=now),
            self._status_loaded,
            on_error=lambda error: True,  # the list works without it; the next tick retries
            group="models-status",
            exclusive=True,
        )

    def _status_loaded(self, statuses: dict[str, GroupStatus]) -> None:
        had = bool(self.statuses)
        self.statuses = statuses
        if bool(statuses) != had:
            self.table.set_columns(model_columns(self.index.widths(), bool(statuses)))
            self.query_one("#models-status", Label).display = bool(statuses)
        self.table.refresh_rows()
        self.show_status()

    def _cells(self, m: ModelView) -> list[Cell]:
        if not self.statuses:
            return model_cells(m)
        app: Any = self.app
        return model_cells(m, [status_cell(self.statuses.get(m.group), float(app.clock()))])

    def show_status(self) -> None:
        m = self.table.cursor_row
        if m is None or not self.statuses:
            return
        app: Any = self.app
        line = status_line(m.group, self.statuses.get(m.group), float(app.clock()))
        self.query_one("#models-status", Label).update(line)

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        self.show_status()

    def reload(self) -> None:
        from llmtui.services.models import list_models

        self.load_status()
        provider = self.provider
        self.run_service(
            "loading models",
            lambda ctx: list_models(ctx, provider=provider),
            self._loaded,
            group="models-load",
            exclusive=True,
        )

    def _loaded(self, models: list[ModelView]) -> None:
        self.table.empty_text = "no models — sync a provider (1, then s) or add one with a"
        self.index = ModelIndex(models)
        self.table.set_columns(model_columns(self.index.widths(), bool(self.statuses)))
        present = {m.id for m in models}
        self.marked.intersection_update(present)
        self.apply_filter()
        if self.focused is None:
            self.table.focus()

    def apply_filter(self) -> None:
        query = self.query_one("#models-filter", Input).value
        self.shown = self.index.matching(query)
        self.table.set_rows(self.shown, key=lambda m: m.id, cells=self._cells, lost_cursor="top")
        self.update_bar()

    def update_bar(self) -> None:
        total = len(self.index.models)
        count = f"{len(self.shown):,} of {total:,}"
        if self.marked:
            count += f" · {len(self.marked):,} selected"
        # Fixed-width labels: updating them repaints two cells of text, not the layout.
        self.query_one("#models-count", Label).update(count, layout=False)
        provider = f"provider: {self.provider or 'all'}"
        self.query_one("#models-provider", Label).update(provider, layout=False)

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_edit()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    # -- actions ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle", "edit", "mark") and self.table.cursor_row is None:
            return None
        if action == "clear" and not (self.marked or self.query_one("#models-filter", Input).value):
            return None
        return True

    def action_filter(self) -> None:
        self.query_one("#models-filter", Input).focus()

    def action_clear(self) -> None:
        field = self.query_one("#models-filter", Input)
        if field.has_focus:
            self.table.focus()
        elif self.marked:
            self.marked.clear()
            self.table.refresh_rows()
            self.update_bar()
        elif field.value:
            field.value = ""

    def action_mark(self) -> None:
        key = self.table.cursor_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        self.table.action_cursor(1)
        self.table.refresh_rows()
        self.update_bar()

    def action_mark_all(self) -> None:
        visible = {m.id for m in self.shown}
        if visible and visible <= self.marked:
            self.marked.difference_update(visible)
        else:
            self.marked.update(visible)
        self.table.refresh_rows()
        self.update_bar()

    def action_toggle(self) -> None:
        from llmtui.services.models import get_model, set_models_enabled

        m = self.table.cursor_row
        if m is None:
            return

        async def call(ctx: Any) -> ModelView:
            await set_models_enabled(ctx, [m.id], not m.enabled, {m.id: m.version})
            return await get_model(ctx, m.id)

        self.run_service(
            f"{'disabling' if m.enabled else 'enabling'} {m.group}",
            call,
            self._replaced,
            on_reload=self._reload,
        )

    def _replaced(self, fresh: ModelView) -> None:
        self.index.replace(fresh)
        self.shown = [fresh if m.id == fresh.id else m for m in self.shown]
        self.table.set_rows(self.shown, key=lambda m: m.id, cells=self._cells)
        app: Any = self.app
        app.changed("models")

    def action_bulk(self, enabled: bool) -> None:
        from llmtui.services.models import set_models_enabled

        chosen = [m for m in self.index.models if m.id in self.marked]
        if not chosen and self.table.cursor_row is not None:
            chosen = [self.table.cursor_row]
        if not chosen:
            return
        versions = {m.id: m.version for m in chosen}
        word = "enabling" if enabled else "disabling"
        self.notify(f"{word} {len(chosen):,} models…", timeout=3)
        self.run_service(
            f"{word} {len(chosen)} models",
            lambda ctx: set_models_enabled(ctx, list(versions), enabled, versions),
            lambda count: self._bulk_done(count, enabled),
            on_reload=self._reload,
        )

    def _bulk_done(self, count: int, enabled: bool) -> None:
        self.notify(f"{count:,} models {'enabled' if enabled else 'disabled'}")
        self.marked.clear()
        self.changed("models")

    def action_edit(self) -> None:
        from llmtui.tui.screens.model_form import ModelForm

        m = self.table.cursor_row
        if m is not None:
            self.app.push_screen(ModelForm(model=m), self._form_closed)

    def action_add(self) -> None:
        from llmtui.tui.screens.model_form import ModelForm

        if self.app_ctx is not None:
            self.app.push_screen(ModelForm(provider=self.provider), self._form_closed)

    def _form_closed(self, result: Any) -> None:
        if result == "reload":
            self._reload()
        elif result is not None:
            self.changed("models")
            self.call_after_refresh(self.table.move_to, result.id)

    def action_provider(self) -> None:
        from llmtui.services.providers import list_providers

        self.run_service("listing providers", list_providers, self._choose_provider)

    def _choose_provider(self, providers: list[Any]) -> None:
        from llmtui.tui.screens.dialogs import ChoiceDialog

        options = [(ALL, "all providers")] + [
            (p.name, f"{p.name}  ({p.enabled_model_count}/{p.model_count} enabled)")
            for p in providers
        ]
        dialog = ChoiceDialog("Show the models of", options, current=self.provider or ALL)
        self.app.push_screen(dialog, self._provider_chosen)

    def _provider_chosen(self, choice: str | None) -> None:
        if choice is not None:
            self.show_provider(None if choice == ALL else choice)

    def show_provider(self, name: str | None) -> None:
        """Also the Providers screen's `enter`: this provider's models only."""
        if name != self.provider:
            self.provider = name
            self.marked.clear()
            self.update_bar()
        self._reload()
