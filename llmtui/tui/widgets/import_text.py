"""What an import did, or in a dry run would do, as the import dialog shows it.

The report's details are masked by the service; this only arranges them: counts per
entity, the changes themselves (capped), then what could not be represented and notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.services.import_report import ENTITY_LABELS

if TYPE_CHECKING:
    from llmtui.services.import_report import ImportReport

OK, WARN, ERR, DIM = "$text-success", "$text-warning", "$text-error", "$text-muted"
Part = str | tuple[str, str]
MAX_CHANGES = 200
ACTION_MARKS = {"added": ("+", OK), "updated": ("~", WARN), "removed": ("-", ERR)}
NAME_WIDTH = max(len(n) for n in ENTITY_LABELS.values())


def report_text(report: ImportReport) -> Content:
    parts: list[Part] = []
    if report.dry_run:
        verdict = "would change the store" if report.changed else "nothing to import"
        parts += [("Dry run: ", "bold"), (verdict, "bold" if report.changed else DIM)]
        parts.append((" · nothing written yet\n", DIM))
    elif report.changed:
        parts += [("✔ Imported", f"bold {OK}"), (" · A reviews the new config\n", DIM)]
    else:
        parts.append(("✔ The store already matches this file; nothing changed\n", f"bold {OK}"))
    for entity, counts in report.counts().items():
        shown = [(n, action) for action, n in counts.items() if n]
        parts.append((ENTITY_LABELS.get(entity, entity).ljust(NAME_WIDTH + 2), "bold"))
        for i, (n, action) in enumerate(shown):
            mark = ACTION_MARKS.get(action)
            parts += [" · " if i else "", (f"{n} {action}", mark[1] if mark else DIM)]
        parts.append("\n")
    changes = [c for c in report.changes if c.action != "unchanged"]
    for change in changes[:MAX_CHANGES]:
        mark, tone = ACTION_MARKS.get(change.action, ("?", DIM))
        parts += [(f" {mark} ", f"bold {tone}"), f"{change.entity} {change.name}"]
        if change.detail:
            parts.append((f" ({change.detail})", DIM))
        parts.append("\n")
    if len(changes) > MAX_CHANGES:
        parts.append((f" … and {len(changes) - MAX_CHANGES:,} more\n", DIM))
    if report.not_represented:
        n = len(report.not_represented)
        parts.append((f"▲ not imported: {n} entr{'y' if n == 1 else 'ies'} llmtui cannot "
                      "represent\n", f"bold {WARN}"))  # fmt: skip
        parts += [(f"  {issue}\n", WARN) for issue in report.not_represented]
    for issue in report.notes:
        parts += [("• ", "bold $text-accent"), f"{issue}\n"]
    return Content.assemble(*parts).rstrip()
