"""One fallback chain as the Fallbacks screen edits it: the order on screen, a keyboard grab,
and what the last preview said about exactly that order.

Pure UI state with no rules of its own: whether a chain is valid is the service's answer
(`fallbacks.preview`), kept here beside the order it was given for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmtui.services.chain_rules import Finding
    from llmtui.services.fallbacks import ChainView

EntryKey = tuple[str, int]
"""(group, occurrence): a duplicate's second copy is told apart from the first."""


@dataclass
class Grab:
    index: int  # where the grabbed entry is now
    original: list[str]  # the order before the grab, restored by cancel


@dataclass
class ChainEdit:
    group: str
    kind: str
    stored: list[str]
    version: int
    entries: list[str]
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] | None = None  # the order `findings` describe
    grab: Grab | None = None
    busy: bool = False  # a check (and save) is running
    again: bool = False  # the order changed while it ran: check once more
    saved: bool = False  # this session saved it, and nothing changed since
    refusal: str = ""  # the service refused the last save for this reason

    @classmethod
    def from_view(cls, view: ChainView) -> ChainEdit:
        return cls(
            view.group,
            view.kind,
            list(view.fallbacks),
            view.version,
            list(view.fallbacks),
            list(view.findings),
            list(view.fallbacks),
        )

    # -- what the screen shows --------------------------------------------

    @property
    def dirty(self) -> bool:
        """The order on screen is not the stored one."""
        return self.entries != self.stored

    @property
    def current(self) -> bool:
        """The findings describe the order on screen."""
        return self.checked == self.entries

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"] if self.current else []

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

    def key_of(self, index: int, entries: list[str] | None = None) -> EntryKey:
        names = self.entries if entries is None else entries
        return names[index], names[:index].count(names[index])

    def entry_findings(self) -> dict[EntryKey, list[Finding]]:
        """Findings on one entry, keyed so that they follow the entry when it moves."""
        found: dict[EntryKey, list[Finding]] = {}
        basis = self.checked if self.checked is not None else self.entries
        for finding in self.findings:
            if finding.position is not None and 0 <= finding.position < len(basis):
                found.setdefault(self.key_of(finding.position, basis), []).append(finding)
        return found

    def chain_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.position is None]

    # -- changes ------------------------------------------------------------

    def _changed(self) -> None:
        self.saved = False
        self.refusal = ""

    def add(self, name: str) -> int:
        self.entries.append(name)
        self._changed()
        return len(self.entries) - 1

    def remove(self, index: int) -> str:
        name = self.entries.pop(index)
        self._changed()
        return name

    def move(self, index: int, step: int) -> int:
        """Move one entry `step` places (clamped); returns where it is now."""
        target = max(0, min(index + step, len(self.entries) - 1))
        if target != index:
            self.entries.insert(target, self.entries.pop(index))
            self._changed()
        return target

    def revert(self) -> None:
        self.entries = list(self.stored)
        self.grab = None
        self._changed()

    def start_grab(self, index: int) -> None:
        self.grab = Grab(index, list(self.entries))

    def grab_move(self, step: int) -> int:
        assert self.grab is not None
        self.grab.index = self.move(self.grab.index, step)
        return self.grab.index

    def drop(self) -> bool:
        """End the grab; True when the order changed."""
        assert self.grab is not None
        changed = self.entries != self.grab.original
        self.grab = None
        return changed

    def cancel_grab(self) -> int | None:
        """Back to the order before the grab; returns where the entry was."""
        if self.grab is None:
            return None
        grabbed_key = self.key_of(self.grab.index)
        self.entries = self.grab.original
        self.grab = None
        for index in range(len(self.entries)):
            if self.key_of(index) == grabbed_key:
                return index
        return None

    def checked_as(self, entries: list[str], findings: list[Finding]) -> None:
        self.checked = list(entries)
        self.findings = list(findings)

    def stored_as(self, view: ChainView) -> None:
        """The service saved `view`: it is the new base for conflicts and reverts."""
        self.stored = list(view.fallbacks)
        self.version = view.version
        self.saved = self.entries == self.stored
