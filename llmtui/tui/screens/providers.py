"""Providers: the list with status, the detail panel, and every provider action on a key."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer

from llmtui.errors import ConflictError, MasterKeyError
from llmtui.tui.provider_rows import COLUMNS, every, provider_cells
from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.widgets.provider_detail import (
    ProviderActivity,
    ProviderDetail,
    plural,
)
from llmtui.tui.widgets.virtual_table import Cell, VirtualTable

if TYPE_CHECKING:
    from llmtui.services.providers import ProviderView

REVEAL_SECONDS = 30.0


class ProvidersScreen(SectionScreen):
    SECTION = "providers"
    SECTION_TITLE = "Providers"
    AUTO_FOCUS = "#providers-table"
    BINDINGS = [
        Binding("a", "add", "Add", id="providers.add", tooltip="Add a provider"),
        Binding("e", "edit", "Edit", id="providers.edit", tooltip="Edit the selected provider"),
        Binding("t", "test", "Test", id="providers.test", tooltip="Test the connection"),
        Binding("s", "sync", "Sync", id="providers.sync", tooltip="Fetch its models"),
        Binding("r", "reveal", "Reveal", id="providers.reveal", tooltip="Show the key for 30 s"),
        Binding("d", "delete", "Delete", id="providers.delete", tooltip="Remove (asks first)"),
        Binding(
            "space",
            "toggle",
            "Enable/disable",
            show=False,
            id="providers.toggle",
            tooltip="Enable or disable the selected provider",
        ),
        Binding(
            "i",
            "app.import_config",
            "Import",
            show=False,
            id="providers.import",
            tooltip="Read an existing litellm-config.yaml into the store",
        ),
        Binding(
            "m",
            "models",
            "Its models",
            show=False,
            id="providers.models",
            tooltip="Open Models filtered to this provider (also enter)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.providers: list[ProviderView] = []
        self.activity: dict[str, ProviderActivity] = {}
        self._reveal_timers: dict[str, Timer] = {}
        self._spinner: Timer | None = None

    def compose_body(self) -> ComposeResult:
        table: VirtualTable[ProviderView] = VirtualTable(
            COLUMNS, empty_text="no providers yet — press a to add one", id="providers-table"
        )
        table.border_title = "Providers"
        yield table
        yield ProviderDetail(id="provider-detail")

    def on_mount(self) -> None:
        # SectionScreen.on_mount runs too (Textual calls each class's handler).
        app: Any = self.app
        app.provider_checked.subscribe(self, self._background_checked)

    def _background_checked(self, name: str) -> None:
        """Background health tested a provider: new status colours, cursor kept."""
        if self.is_current and self.app_ctx is not None:
            self.reload(select=self.table.cursor_key)  # type: ignore[arg-type]
        else:
            self.stale = True

    # -- data -------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        from llmtui.services.providers import list_providers

        self.run_service(
            "loading providers",
            list_providers,
            lambda views: self._loaded(views, select),
            group="providers-load",
            exclusive=True,
        )

    def _loaded(self, views: list[ProviderView], select: str | None) -> None:
        self.providers = views
        table = self.table
        table.set_rows(views, key=lambda v: v.name, cells=self._cells)
        if select:
            table.move_to(select)
        table.border_subtitle = plural(len(views), "provider") if views else ""
        health = getattr(self.app, "health", None)
        if views and health is not None and health.interval > 0:
            table.border_subtitle += f" · auto-test every {every(health.interval)}"
        self.refresh_detail()
        self.refresh_bindings()
        if not self.screen.focused:
            table.focus()

    @property
    def table(self) -> VirtualTable[ProviderView]:
        return self.query_one("#providers-table", VirtualTable)

    @property
    def selected(self) -> ProviderView | None:
        return self.table.cursor_row

    def status(self, view: ProviderView) -> str:
        """Re-derived with the app's clock, so "stale" follows the same time as "ago"."""
        from llmtui.services.providers import status_of

        return status_of(view, self.app_clock())  # type: ignore[arg-type]

    def app_clock(self) -> float:
        app: Any = self.app
        return float(app.clock())

    def _cells(self, v: ProviderView) -> list[Cell]:
        busy = self.activity.get(v.name, ProviderActivity()).busy
        return provider_cells(v, self.status(v), busy, self.app_clock())

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        self.refresh_detail()
        self.refresh_bindings()  # cheap: the footer rebuilds only if enabled keys change

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        self.action_models()

    def refresh_detail(self) -> None:
        view = self.selected
        detail = self.query_one(ProviderDetail)
        activity = self.activity.get(view.name) if view else None
        status = self.status(view) if view else "never"
        detail.show(view, activity, self.app_clock(), status)
        detail.set_class(view is None, "-first-run")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs_row = ("edit", "test", "sync", "reveal", "delete", "toggle", "models")
        if action in needs_row and self.selected is None:
            return None
        return True

    # -- actions ----------------------------------------------------------------

    def action_add(self) -> None:
        self.add_provider()

    def add_provider(self) -> None:
        from llmtui.tui.screens.provider_form import ProviderForm

        if self.app_ctx is None:
            self.notify("still opening the store, one moment…", severity="warning")
            return
        self.app.push_screen(ProviderForm(None), self._form_closed)

    def action_edit(self) -> None:
        from llmtui.tui.screens.provider_form import ProviderForm

        if (view := self.selected) is not None:
            self.app.push_screen(ProviderForm(view), self._form_closed)

    def _form_closed(self, result: ProviderView | str | None) -> None:
        if result == "reload":
            self.reload()
        elif result is not None and not isinstance(result, str):
            self.changed("provider")
            self.reload(select=result.name)

    def action_test(self) -> None:
        if (view := self.selected) is not None:
            self.test_provider(view.name)

    def test_provider(self, name: str) -> None:
        from llmtui.services.providers import test_provider

        if not self._start(name, "testing connection"):
            return
        self.run_service(
            f"testing {name}",
            lambda ctx: test_provider(ctx, name),
            lambda outcome: self._tested(name, outcome),
            on_error=lambda error: self._failed(name, error),
        )

    def _tested(self, name: str, outcome: Any) -> None:
        activity = self.activity[name]
        activity.busy, activity.outcome = None, outcome
        self._finish()
        self.reload(select=self.table.cursor_key)  # type: ignore[arg-type]

    def action_sync(self) -> None:
        if (view := self.selected) is not None:
            self.sync_provider(view.name)

    def sync_provider(self, name: str) -> None:
        from llmtui.services.models import sync_models

        if not self._start(name, "syncing models"):
            return
        self.run_service(
            f"syncing {name}",
            lambda ctx: sync_models(ctx, name),
            lambda report: self._synced(name, report),
            on_error=lambda error: self._failed(name, error, sync=True),
        )

    def _synced(self, name: str, report: Any) -> None:
        activity = self.activity[name]
        activity.busy, activity.sync, activity.sync_error = None, report, None
        self._finish()
        self.changed("models")

    def _start(self, name: str, what: str) -> bool:
        activity = self.activity.setdefault(name, ProviderActivity())
        if activity.busy:
            self.notify(f"{name} is already {activity.busy}", severity="warning")
            return False
        activity.busy, activity.started = what, time.monotonic()
        activity.outcome = activity.sync = activity.sync_error = None
        if self._spinner is None:
            self._spinner = self.set_interval(0.15, self._spin)
        self.table.refresh_rows()
        self.refresh_detail()
        return True

    def _failed(self, name: str, error: Any, sync: bool = False) -> bool:
        activity = self.activity.setdefault(name, ProviderActivity())
        activity.busy = None
        if sync:
            activity.sync_error = str(error)
        self._finish()
        self.reload(select=self.table.cursor_key)  # type: ignore[arg-type]
        # A failed listing belongs in the panel; key and conflict problems go to the app.
        return sync and not isinstance(error, ConflictError | MasterKeyError)

    def _finish(self) -> None:
        if self._spinner is not None and not any(a.busy for a in self.activity.values()):
            self._spinner.stop()
            self._spinner = None
        self.table.refresh_rows()
        self.refresh_detail()

    def _spin(self) -> None:
        self.query_one(ProviderDetail).tick()
        self.refresh_detail()

    def action_reveal(self) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        view = self.selected
        if view is None:
            return
        if not view.has_key:
            self.notify(f"{view.name} has no stored key", severity="warning")
            return
        dialog = ConfirmDialog(
            f"Reveal the key of {view.name}?",
            f"The key is shown in clear text for {REVEAL_SECONDS:.0f} seconds, then hidden "
            "again. Make sure nobody reads over your shoulder; the reveal is recorded in the "
            "audit log.",
            "Reveal",
        )
        self.app.push_screen(dialog, lambda ok: self._reveal(view.name) if ok else None)

    def _reveal(self, name: str) -> None:
        from llmtui.services.providers import reveal_secrets

        self.run_service(
            f"revealing the key of {name}",
            lambda ctx: reveal_secrets(ctx, name),
            lambda secrets: self._revealed(name, secrets),
        )

    def _revealed(self, name: str, secrets: dict[str, str]) -> None:
        self.activity.setdefault(name, ProviderActivity()).revealed = dict(secrets)
        if (old := self._reveal_timers.pop(name, None)) is not None:
            old.stop()
        self._reveal_timers[name] = self.set_timer(REVEAL_SECONDS, lambda: self.hide_key(name))
        self.refresh_detail()

    def hide_key(self, name: str) -> None:
        if name in self.activity:
            self.activity[name].revealed = {}
        if (timer := self._reveal_timers.pop(name, None)) is not None:
            timer.stop()
        self.refresh_detail()

    def on_screen_suspend(self) -> None:
        for name in list(self._reveal_timers):
            self.hide_key(name)

    def action_delete(self) -> None:
        from llmtui.tui.screens.dialogs import ConfirmDialog

        view = self.selected
        if view is None:
            return
        dialog = ConfirmDialog(
            f"Remove provider {view.name}?",
            f"Its {plural(view.model_count, 'model')} ({view.enabled_model_count} enabled) "
            "will be disabled and leave the config at the next apply. The row and its history "
            "stay in the audit log; adding the name again brings it back.",
            "Remove",
            danger=True,
        )
        self.app.push_screen(dialog, lambda ok: self._delete(view) if ok else None)

    def _delete(self, view: ProviderView) -> None:
        from llmtui.services.providers import remove_provider

        self.run_service(
            f"removing {view.name}",
            lambda ctx: remove_provider(ctx, view.name, expected_version=view.version),
            lambda outcome: self._deleted(outcome),
            on_reload=self.reload,
        )

    def _deleted(self, outcome: Any) -> None:
        self.notify(
            f"removed {outcome.provider.name}; {outcome.models_disabled} models disabled",
            title="Provider removed",
        )
        self.changed("provider")

    def action_toggle(self) -> None:
        from llmtui.services.providers import ProviderFields, edit_provider

        view = self.selected
        if view is None:
            return
        fields = ProviderFields(enabled=not view.enabled)
        self.run_service(
            f"{'disabling' if view.enabled else 'enabling'} {view.name}",
            lambda ctx: edit_provider(ctx, view.name, fields, expected_version=view.version),
            lambda _: self.changed("provider"),
            on_reload=self.reload,
        )

    def action_models(self) -> None:
        view = self.selected
        if view is not None:
            app: Any = self.app
            self.call_later(app.action_on_section, "models", "show_provider", view.name)
