"""What the Fallbacks screen says about the selected group: the rows of its chain, the
left list's markers, and the panel under the chain (save state, problems, last test, live).

Pure functions of the service views and the edit state, so they are cheap to call on every
key and easy to test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.formatting import ago
from llmtui.services.chain_rules import CODES, KIND_LABELS
from llmtui.tui.chain_edit import ChainEdit
from llmtui.tui.widgets.chain_list import ChainRow
from llmtui.tui.widgets.virtual_table import Cell

if TYPE_CHECKING:
    from llmtui.services.chain_rules import Finding
    from llmtui.services.fallbacks import GroupView
    from llmtui.services.metrics import GroupStatus
    from llmtui.services.test_history import LastTest

OK, WARN, ERR, DIM, ACC = "$text-success", "$text-warning", "$text-error", "$text-muted", "$accent"
Part = str | tuple[str, str]
MAX_PROBLEMS = 3
SHORT_KIND = {"general": "general", "context_window": "context", "content_policy": "content"}


def providers_text(view: GroupView | None) -> str:
    if view is None:
        return "—"
    return ", ".join(view.providers) or "no enabled deployment"


def chain_rows(edit: ChainEdit, groups: dict[str, GroupView], cursor: int | None) -> list[ChainRow]:
    """Row 0 is the primary; each fallback carries its own problem, or the chain's warning."""
    primary = groups.get(edit.group)
    problems = [f for f in edit.chain_findings() if f.level == "error"]
    rows = [
        ChainRow(
            0,
            edit.group,
            providers_text(primary),
            None if primary is None else primary.enabled_deployments > 0,
            f"✖ {CODES.get(problems[0].code, 'invalid')}" if problems else "primary",
            "error" if problems else "muted",
        )
    ]
    notes = edit.entry_findings()
    shared = [f for f in edit.chain_findings() if f.level == "warning"]
    grabbed = edit.grab.index if edit.grab is not None else None
    for index, name in enumerate(edit.entries):
        view = groups.get(name)
        found = notes.get(edit.key_of(index), []) or shared
        note, tone = _note(found)
        rows.append(
            ChainRow(
                index + 1,
                name,
                providers_text(view),
                None if view is None else view.enabled_deployments > 0,
                note,
                tone,
                grabbed == index,
            )
        )
    return rows


def _note(findings: list[Finding]) -> tuple[str, str | None]:
    if not findings:
        return "", None
    worst = next((f for f in findings if f.level == "error"), findings[0])
    label = CODES.get(worst.code, worst.level)
    return (f"✖ {label}", "error") if worst.level == "error" else (f"⚠ {label}", "warn")


def group_cells(view: GroupView, edit: ChainEdit | None, kind: str, now: float) -> list[Cell]:
    """Left list: name, this kind's chain length (⚠ invalid, ✎ unsaved), last test."""
    count = len(edit.entries) if edit is not None else len(view.chains[kind].fallbacks)
    if edit is not None and edit.dirty:
        chain: Cell = (f"✎ {count}", "warn")
    elif view.invalid or (edit is not None and edit.invalid):
        chain = (f"⚠ {count}" if count else "⚠", "error")
    else:
        chain = (f"⛓ {count}", "accent") if count else ""
    return [view.name, chain, test_cell(view.last_test)]


def test_cell(test: LastTest | None) -> Cell:
    if test is None:
        return ""
    if test.outcome == "all_failed":
        return ("✖", "error")
    if test.outcome == "primary_served" or not test.served_position:
        return ("✔", "ok")
    return (f"↪ {test.served_position}", "accent")


def chain_title(group: str, kind: str) -> Content:
    parts: list[Part] = [(group, "bold"), " · "]
    for n, k in enumerate(SHORT_KIND):
        if n:
            parts.append((" · ", DIM))
        parts.append((SHORT_KIND[k], "bold reverse") if k == kind else (SHORT_KIND[k], DIM))
    return Content.assemble(*parts)


def info_text(
    edit: ChainEdit,
    view: GroupView | None,
    cursor: ChainRow | None,
    live: GroupStatus | None,
    now: float,
) -> Content:
    parts: list[Part] = [*_state(edit), "\n"]
    for finding in edit.chain_findings():
        parts += [_finding(finding), "\n"]
    by_entry = edit.entry_findings()
    shown = 0
    for index in range(len(edit.entries)):
        for finding in by_entry.get(edit.key_of(index), []):
            shown += 1
            if shown <= MAX_PROBLEMS:
                parts += [_finding(finding, f"{index + 1} {edit.entries[index]}: "), "\n"]
    if shown > MAX_PROBLEMS:
        parts += [(f"… and {shown - MAX_PROBLEMS} more", ERR), "\n"]
    if cursor is not None and cursor.index > 0 and not shown:
        parts += _entry(cursor)
    if view is not None:
        parts += _last_test(view.last_test, now)
    if live is not None:
        parts += _live(live, now)
    while parts and parts[-1] == "\n":
        parts.pop()
    return Content.assemble(*parts)


def _state(edit: ChainEdit) -> list[Part]:
    label = KIND_LABELS[edit.kind]
    if edit.grab is not None:
        name = edit.entries[edit.grab.index]
        return [(f"» grabbed {name}", f"bold {ACC}"), ": ↑/↓ move · space drop · esc cancel"]
    if edit.busy or (edit.dirty and not edit.current):
        return [("… checking the chain", DIM)]
    if edit.refusal:
        return [(f"✖ not saved: {edit.refusal}", ERR)]
    if edit.errors:
        if edit.dirty:
            return [
                ("✖ not saved", f"bold {ERR}"),
                (" — fix the marked entry (x removes it) or u to undo your changes", ERR),
            ]
        return [("✖ invalid", f"bold {ERR}"), (" — fix it before you apply (x removes)", ERR)]
    if edit.saved:
        return [("✔ saved", f"bold {OK}"), (" · apply to put it into the proxy", DIM)]
    if not edit.entries:
        return [(f"no {label} fallbacks · a adds one", DIM)]
    return [(f"{label} chain · changes save as you make them", DIM)]


def _finding(finding: Finding, where: str = "") -> tuple[str, str]:
    if finding.level == "error":
        return f"✖ {where}{finding.message}", ERR
    return f"⚠ {where}{finding.message}", WARN


def _entry(row: ChainRow) -> list[Part]:
    parts: list[Part] = [(f"{row.index} {row.name}: ", "bold")]
    if row.enabled is None:
        parts.append(("no such model group", ERR))
    else:
        parts.append(row.providers if row.enabled else ("no enabled deployment", WARN))
    parts.append("\n")
    return parts


def _last_test(test: LastTest | None, now: float) -> list[Part]:
    if test is None:
        return [("never tested · t runs a simulated fallback test", DIM), "\n"]
    tone = {"all_failed": ERR, "primary_served": OK}.get(test.outcome, ACC)
    served = f" ({test.served_by})" if test.served_by and test.served_position else ""
    source = "" if test.source == "simulated" else f" ({test.source})"
    return [
        (f"last test{source} {ago(test.at, now)}: ", DIM),
        f"{test.trigger} → ",
        (test.label + served, tone),
        "\n",
    ]


def _live(status: GroupStatus, now: float) -> list[Part]:
    tone = {"failing": ERR, "fallback": WARN}.get(status.state, OK)
    source = "" if status.source == "proxy" else f" ({status.source})"
    when = "last fallback: " if status.state == "primary" else ""
    return [
        (f"live traffic{source}: ", DIM),
        (status.label, tone),
        (f" · {when}{status.trigger}, {ago(status.at, now)}", DIM),
        "\n",
    ]
