"""Fallbacks: model groups on the left, the selected group's chain on the right, edited by
keyboard drag; every change is checked by the service and saved as soon as it is valid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from llmtui.services.chain_rules import KINDS
from llmtui.tui.chain_edit import ChainEdit
from llmtui.tui.screens.base import SectionScreen
from llmtui.tui.screens.fallback_edits import ChainSaver
from llmtui.tui.widgets.chain_info import chain_rows, chain_title, group_cells, info_text
from llmtui.tui.widgets.chain_list import ChainList
from llmtui.tui.widgets.columns import Column
from llmtui.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from llmtui.services.fallbacks import GroupView
    from llmtui.services.metrics import GroupStatus

GROUP_COLUMNS = (
    Column("group", "Group", 14, min_width=8, priority=9, flex=True, hideable=False),
    Column("chain", "Chain", 5, min_width=4, priority=8),
    Column("test", "Test", 4, min_width=3, priority=5),
)
GRAB_ONLY = ("drop", "grab_move", "cancel_grab")
ON_ENTRY = ("grab", "shift", "remove")


class FallbacksScreen(ChainSaver, SectionScreen):
    SECTION = "fallbacks"
    SECTION_TITLE = "Fallbacks"
    AUTO_FOCUS = "#fallback-groups"
    BINDINGS = [
        Binding(
            "space",
            "grab",
            "Grab",
            id="fallbacks.grab",
            tooltip="Grab the entry; then ↑/↓ or j/k move it, space drops it, esc puts it back",
        ),
        Binding("space", "drop", "Drop", id="fallbacks.drop", tooltip="Drop it here (saves)"),
        Binding(
            "up,k",
            "grab_move(-1)",
            "Move",
            key_display="↑↓",
            tooltip="Move the grabbed entry up (down: ↓ or j)",
        ),
        Binding("down,j", "grab_move(1)", "Move down", show=False, tooltip="Move it down"),
        Binding("escape", "cancel_grab", "Cancel", tooltip="Put the grabbed entry back"),
        Binding(
            "shift+up",
            "shift(-1)",
            "Move",
            key_display="⇧↑↓",
            id="fallbacks.up",
            tooltip="Move the entry one step up, without grabbing (saves)",
        ),
        Binding(
            "shift+down",
            "shift(1)",
            "Move down",
            show=False,
            id="fallbacks.down",
            tooltip="Move the entry one step down, without grabbing (saves)",
        ),
        Binding("a", "add", "Add", id="fallbacks.add", tooltip="Add a fallback from a picker"),
        Binding("x", "remove", "Remove", id="fallbacks.remove", tooltip="Remove the entry (saves)"),
        Binding(
            "u",
            "revert",
            "Undo",
            id="fallbacks.revert",
            tooltip="Back to the saved chain (drops an unsaved, invalid change)",
        ),
        Binding(
            "right_square_bracket",
            "kind(1)",
            "Kind",
            id="fallbacks.kind",
            tooltip="Next kind of chain: general → context window → content policy",
        ),
        Binding(
            "left_square_bracket",
            "kind(-1)",
            "Previous kind",
            show=False,
            id="fallbacks.kind_back",
            tooltip="Previous kind of chain",
        ),
        Binding("t", "test", "Test", id="fallbacks.test", tooltip="Simulated or live test"),
        Binding("p", "policies", "Policies", id="fallbacks.policies", tooltip="Retries and waits"),
        Binding(
            "right,l",
            "focus_chain",
            "Chain",
            id="fallbacks.chain",
            tooltip="From the groups to the chain (also enter)",
        ),
        Binding("left,h,escape", "focus_groups", "Groups", show=False, tooltip="Back to groups"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[GroupView] = []
        self.by_name: dict[str, GroupView] = {}
        self.live: dict[str, GroupStatus] = {}
        self.edits: dict[tuple[str, str], ChainEdit] = {}
        self.kind = "general"
        self.loaded = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="fallbacks-body"):
            groups: VirtualTable[GroupView] = VirtualTable(
                GROUP_COLUMNS, empty_text="loading…", id="fallback-groups"
            )
            groups.border_title = "Groups"
            yield groups
            yield ChainList(id="fallback-chain")
        yield Static("", id="fallback-info")

    # -- data -------------------------------------------------------------------

    def reload(self, discard: tuple[str, str] | None = None) -> None:
        from llmtui.services.fallbacks import overview
        from llmtui.services.metrics import group_status

        clock = self.app_clock()

        async def load(ctx: Any) -> tuple[list[GroupView], dict[str, GroupStatus]]:
            return await overview(ctx), await group_status(ctx, now=clock)

        if discard is not None:
            self.edits.pop(discard, None)
        self.run_service("loading fallbacks", load, self._loaded, group="fallbacks-load")

    def _loaded(self, data: tuple[list[GroupView], dict[str, GroupStatus]]) -> None:
        self.groups, self.live = data
        self.by_name = {g.name: g for g in self.groups}
        for key, edit in list(self.edits.items()):
            view = self.by_name.get(key[0])
            fresh = view.chains[key[1]] if view is not None else None
            # Keep what the user is doing; take everything else fresh from the store.
            if not (edit.dirty or edit.busy or edit.grab) and (
                fresh is None or fresh.version != edit.version or not edit.saved
            ):
                del self.edits[key]
        self.loaded = True
        table = self.groups_table
        table.empty_text = "no model groups yet — enable models on screen 2"
        table.set_rows(self.groups, key=lambda g: g.name, cells=self._group_cells)
        self.refresh_chain()
        if not self.screen.focused:
            table.focus()

    def app_clock(self) -> float:
        app: Any = self.app
        return float(app.clock())

    def _group_cells(self, view: GroupView) -> list[Any]:
        edit = self.edits.get((view.name, self.kind))
        return group_cells(view, edit, self.kind, self.app_clock())

    @property
    def groups_table(self) -> VirtualTable[GroupView]:
        return self.query_one("#fallback-groups", VirtualTable)

    @property
    def chain_list(self) -> ChainList:
        return self.query_one(ChainList)

    @property
    def selected(self) -> GroupView | None:
        found = self.query("#fallback-groups")  # empty while composing or unmounting
        return found.first(VirtualTable).cursor_row if found else None

    def edit(self, group: str | None = None, kind: str | None = None) -> ChainEdit | None:
        """The edit state of a chain (made from the stored chain on first use)."""
        name = group or (self.selected.name if self.selected else None)
        view = self.by_name.get(name or "")
        if view is None:
            return None
        key = (view.name, kind or self.kind)
        if key not in self.edits:
            self.edits[key] = ChainEdit.from_view(view.chains[key[1]])
        return self.edits[key]

    # -- display ----------------------------------------------------------------

    def refresh_chain(self, cursor: int | None = None) -> None:
        chain, info = self.chain_list, self.query_one("#fallback-info", Static)
        edit, view = self.edit(), self.selected
        if edit is None or view is None:
            chain.border_title = "Chain"
            chain.show([])
            info.update("")
            self.refresh_bindings()
            return
        chain.grabbing = edit.grab is not None
        chain.border_title = chain_title(view.name, self.kind)
        chain.border_subtitle = "space drop · esc cancel" if edit.grab else ""
        chain.show(chain_rows(edit, self.by_name, cursor), cursor)
        chain.set_class(edit.grab is not None, "-grabbing")
        self.groups_table.refresh_rows()
        self.refresh_info()

    def refresh_info(self) -> None:
        """The panel under the chain and the footer (the chain's rows stay as they are)."""
        edit, view = self.edit(), self.selected
        if edit is not None and view is not None:
            info = self.query_one("#fallback-info", Static)
            live, cursor = self.live.get(view.name), self.chain_list.cursor_row
            info.update(info_text(edit, view, cursor, live, self.now()))
        self.refresh_bindings()

    def now(self) -> float:
        return self.app_clock()

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        # set_rows posts this too: re-showing the chain here would loop for ever.
        if event.table is self.groups_table:
            self.refresh_chain(cursor=0)
        else:
            self.refresh_info()

    def on_virtual_table_row_activated(self, event: VirtualTable.RowActivated) -> None:
        if event.table is self.groups_table:
            self.action_focus_chain()
        elif isinstance(event.key, int) and event.key > 0:
            edit = self.edit()
            if edit is not None and self.groups_table.move_to(edit.entries[event.key - 1]):
                self.notify(f"showing the chain of {edit.entries[event.key - 1]}", timeout=2)

    def on_descendant_blur(self, event: Any) -> None:
        if event.widget is self.chain_list:
            self._cancel_grab()

    def on_screen_suspend(self) -> None:
        self._cancel_grab()

    # -- keys -------------------------------------------------------------------

    def entry_index(self) -> int | None:
        """The fallback under the cursor (0 is fallback 1); None on the primary."""
        found = self.query(ChainList)
        row = found.first().cursor_row if found else None
        return row.index - 1 if row is not None and row.index > 0 else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.query(ChainList):
            return None  # composing or unmounting
        edit = self.edit()
        grabbing = edit is not None and edit.grab is not None
        if action in GRAB_ONLY:
            return grabbing
        if grabbing:
            return False  # only the grab keys (and the app's) while an entry is held
        on_chain = self.focused is self.chain_list
        if action in ON_ENTRY:
            if not on_chain:
                return False
            return True if self.entry_index() is not None else None
        if action == "revert":
            return edit is not None and edit.dirty
        if action == "focus_groups":
            return on_chain
        if action == "focus_chain":
            return self.focused is self.groups_table and self.selected is not None
        if action in ("add", "test"):
            return True if self.selected is not None else None
        return True

    def action_focus_chain(self) -> None:
        self.chain_list.focus()

    def action_focus_groups(self) -> None:
        self.groups_table.focus()

    def action_kind(self, step: int) -> None:
        self._cancel_grab()
        self.kind = KINDS[(KINDS.index(self.kind) + step) % len(KINDS)]
        self.refresh_chain(cursor=0)

    def action_grab(self) -> None:
        edit, index = self.edit(), self.entry_index()
        if edit is not None and index is not None:
            edit.start_grab(index)
            self.refresh_chain(cursor=index + 1)

    def action_grab_move(self, step: int) -> None:
        edit = self.edit()
        if edit is not None and edit.grab is not None:
            self.refresh_chain(cursor=edit.grab_move(step) + 1)

    def action_drop(self) -> None:
        edit = self.edit()
        if edit is not None and edit.grab is not None:
            index = edit.grab.index
            changed = edit.drop()
            self.refresh_chain(cursor=index + 1)
            if changed:
                self.check_and_save(edit)

    def action_cancel_grab(self) -> None:
        self._cancel_grab()

    def _cancel_grab(self) -> None:
        edit = self.edit()
        if edit is not None and edit.grab is not None:
            index = edit.cancel_grab()
            self.refresh_chain(cursor=None if index is None else index + 1)

    def action_shift(self, step: int) -> None:
        edit, index = self.edit(), self.entry_index()
        if edit is None or index is None:
            return
        moved = edit.move(index, step)
        if moved != index:
            self.refresh_chain(cursor=moved + 1)
            self.check_and_save(edit)

    def action_remove(self) -> None:
        edit, index = self.edit(), self.entry_index()
        if edit is None or index is None:
            return
        name = edit.remove(index)
        self.refresh_chain(cursor=min(index + 1, len(edit.entries)))
        self.notify(f"removed {name} from the {edit.group} chain · u undoes", timeout=4)
        self.check_and_save(edit)

    def action_revert(self) -> None:
        edit = self.edit()
        if edit is not None and edit.dirty:
            edit.revert()
            self.refresh_chain(cursor=0)
            self.check_and_save(edit)

    def action_add(self) -> None:
        from llmtui.tui.screens.group_picker import GroupPicker

        edit, view = self.edit(), self.selected
        if edit is None or view is None:
            return
        picker = GroupPicker(edit.group, self.kind, self.groups, list(edit.entries))
        self.app.push_screen(picker, lambda name: self._picked(edit, name))

    def _picked(self, edit: ChainEdit, name: str | None) -> None:
        if name is None:
            return
        index = edit.add(name)
        self.chain_list.focus()
        self.refresh_chain(cursor=index + 1)
        self.check_and_save(edit)

    def action_test(self) -> None:
        from llmtui.tui.screens.fallback_test import FallbackTestDialog

        view = self.selected
        if view is not None:
            self.app.push_screen(FallbackTestDialog(view.name), lambda _: self.reload())

    def action_policies(self) -> None:
        from llmtui.tui.screens.policies import PoliciesScreen

        view = self.selected
        self.app.push_screen(PoliciesScreen(view.name if view else None), self._policies_closed)

    def _policies_closed(self, changed: bool | None) -> None:
        if changed:
            self.reload()
