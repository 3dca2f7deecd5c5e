"""Saving the Fallbacks screen's edits: check every change with the service, save it the
moment it is valid, one save per chain at a time (a change made meanwhile is checked next).

An invalid order is never saved: it stays on screen, marked, until it is fixed or undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmtui.errors import ConflictError, InvalidInput, LlmtuiError
from llmtui.tui.chain_edit import ChainEdit

if TYPE_CHECKING:
    from llmtui.services.chain_rules import Finding
    from llmtui.services.fallbacks import ChainView

Checked = tuple[list["Finding"], "ChainView | None"]


class ChainSaver:
    """Mixin for the Fallbacks screen (which provides run_service, refresh_chain, by_name)."""

    def check_and_save(self, edit: ChainEdit) -> None:
        if edit.busy:
            edit.again = True
            return
        edit.busy, edit.again = True, False
        entries, stored = list(edit.entries), list(edit.stored)
        group, kind, version = edit.group, edit.kind, edit.version

        async def call(ctx: Any) -> Checked:
            from llmtui.services.chain_rules import errors
            from llmtui.services.fallbacks import ChainView, clear_chain, preview, set_chain

            if not entries and stored:
                # Emptying a chain needs no checks (even if its group lost its deployments).
                await clear_chain(ctx, group, kind)
                return [], ChainView(group, kind, [], 0)
            findings = await preview(ctx, group, kind, entries)
            if entries == stored or errors(findings):
                return findings, None
            view = await set_chain(ctx, group, entries, kind, expected_version=version)
            return findings, view

        node: Any = self
        node.run_service(
            f"saving the {group} chain",
            call,
            lambda result: self._checked(edit, entries, result),
            on_error=lambda error: self._refused(edit, entries, error),
            on_reload=lambda: node.reload(discard=(group, kind)),
            group=f"chain-{group}-{kind}",
        )

    def _checked(self, edit: ChainEdit, entries: list[str], result: Checked) -> None:
        findings, view = result
        edit.busy = False
        edit.checked_as(entries, findings)
        node: Any = self
        if view is not None:
            edit.stored_as(view)
            group = node.by_name.get(edit.group)
            if group is not None:
                group.chains[edit.kind] = view
            node.app.changed("fallbacks")  # the status line counts it as not applied
        self._next(edit)

    def _refused(self, edit: ChainEdit, entries: list[str], error: LlmtuiError) -> bool:
        edit.busy = False
        if isinstance(error, ConflictError):
            return False  # "changed elsewhere", then a reload
        edit.checked = None
        edit.refusal = str(error)
        if not isinstance(error, InvalidInput):
            self._next(edit)
            return False
        self._next(edit)
        return True

    def _next(self, edit: ChainEdit) -> None:
        node: Any = self
        if edit.again and edit.grab is None and edit.entries != edit.checked:
            self.check_and_save(edit)
        node.refresh_chain(cursor=node.chain_list.cursor)
