"""What the Apply screen's panels say, as pure functions of the plan, the steps and the result.

Kept apart from the screen so the screen only wires data to widgets, and so the wording
can be checked without running the app. Nothing here sees a secret: the plan's diff,
the step details and the result text are masked or scrubbed by the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content

from llmtui.tui.widgets.provider_detail import SPINNER, plural

if TYPE_CHECKING:
    from llmtui.services.apply_plan import ApplyPlan
    from llmtui.services.apply_steps import ApplyResult, StepEvent

OK, WARN, ERR, DIM = "$text-success", "$text-warning", "$text-error", "$text-muted"
BOLD_OK, BOLD_WARN, BOLD_ERR = f"bold {OK}", f"bold {WARN}", f"bold {ERR}"
Part = str | tuple[str, str]

PLANNED_STEPS = ("validate", "backup", "write", "restart", "health")
STEP_LABELS = {
    "validate": "validate",
    "backup": "back up",
    "write": "write",
    "restart": "restart",
    "health": "health",
    "rollback": "roll back",
    "rollback_restart": "restart (old file)",
    "rollback_health": "health (old file)",
}
LABEL_WIDTH = max(len(label) for label in STEP_LABELS.values())
STATUS_MARKS = {"ok": ("✔", OK), "failed": ("✖", ERR), "skipped": ("–", WARN)}
RESTART_OUTPUT_LINES = 40


def backup_name(plan: ApplyPlan, at: float) -> str | None:
    """The name the backup of the current file will get (None: nothing to back up)."""
    from llmtui.ops.backups import backup_stem

    if plan.config.old is None or not plan.changed:
        return None
    return backup_stem(plan.config_path, at)


def short_path(path: str, width: int) -> str:
    """The path in `width` cells, cut on the left: the file name is what matters."""
    if len(path) <= width:
        return path
    name = Path(path).name
    if len(name) + 2 > width:
        return "…" + name[-(width - 1) :] if width > 1 else "…"
    return "…" + path[-(width - 1) :]


def head_text(plan: ApplyPlan, at: float, title: str = "", width: int = 200) -> Content:
    """Verdict, +N −M, the backup to be made; then the file and the restart command."""
    parts: list[Part] = [(title + " · ", "bold")] if title else []
    if plan.errors:
        parts.append((f"✖ invalid · {plural(len(plan.errors), 'error')}", BOLD_ERR))
    elif plan.problems:
        parts.append(("✖ cannot write the file", BOLD_ERR))
    else:
        parts.append(("✔ valid", BOLD_OK))
    if plan.warnings:
        parts.append((f" · {plural(len(plan.warnings), 'warning')}", WARN))
    if plan.changed:
        parts += ["   ", (f"+{plan.added}", OK), " ", (f"−{plan.removed}", ERR), " lines"]
        name = backup_name(plan, at)
        parts.append(f"   backup → {name}" if name else ("   new file", DIM))
    else:
        parts.append(("   no changes: the file on disk is up to date", DIM))
    parts += [("\nfile    ", DIM), short_path(str(plan.config_path), max(width - 8, 20))]
    if plan.restart_available:
        parts += [("\nrestart ", DIM), plan.restart_command]
    else:
        parts += [("\nrestart ", DIM), ("skipped", WARN)]
        parts.append((f" ({plan.settings.restart_argv[0]!r} is not on PATH)", DIM))
    return Content.assemble(*parts)


def planning_text(elapsed: float, frame: int, slow: bool, what: str) -> Content:
    spin = SPINNER[frame % len(SPINNER)]
    parts: list[Part] = [(f"{spin} {what} … {elapsed:.1f} s", "bold")]
    if slow:
        parts.append(
            (
                "\nonce per LiteLLM version: reading the keys it accepts (about 15 s)",
                DIM,
            )
        )
    return Content.assemble(*parts)


def messages_text(plan: ApplyPlan) -> Content:
    """Errors first (they refuse the apply), then warnings and notes, one per line."""
    parts: list[Part] = []
    for message in [*plan.errors, *plan.problems]:
        parts += [("✖ ", BOLD_ERR), (message, ERR), "\n"]
    for message in plan.warnings:
        parts += [("▲ ", BOLD_WARN), message, "\n"]
    for message in plan.notes:
        parts += [("• ", "bold $text-accent"), message, "\n"]
    if plan.env_changes:
        env = next((f.path for f in plan.files if f.role == "env"), None)
        parts += [("• ", "bold $text-accent"), f"env file {env}: {' '.join(plan.env_changes)}"]
        parts += [(" (values hidden)", DIM), "\n"]
    return Content.assemble(*parts).rstrip()


def refusal(plan: ApplyPlan) -> str | None:
    """Why enter does nothing, in one sentence (None: it may go ahead)."""
    if plan.errors:
        errors = plural(len(plan.errors), "validation error")
        return f"refusing to apply: {errors}: {plan.errors[0]}"
    if plan.problems:
        return f"refusing to apply: {plan.problems[0]}"
    if not plan.changed:
        return f"nothing to apply: {plan.config_path} already matches"
    return None


def steps_text(
    events: Mapping[str, StepEvent], running_for: float, frame: int, finished: bool
) -> Content:
    """One line per step: mark, name, time, detail; steps still to come are dimmed."""
    order = [*PLANNED_STEPS, *(s for s in STEP_LABELS if s in events and s not in PLANNED_STEPS)]
    lines: list[Content] = []
    for step in order:
        label = STEP_LABELS[step].ljust(LABEL_WIDTH)
        event = events.get(step)
        if event is None:
            if not finished:
                lines.append(Content.styled(f"· {label}", DIM))
            continue
        if event.status == "running":
            mark, tone, seconds = SPINNER[frame % len(SPINNER)], "bold $text-accent", running_for
        else:
            mark, tone = STATUS_MARKS.get(event.status, ("?", DIM))
            seconds = event.elapsed
        timing = "" if event.status == "skipped" else f"{seconds:5.1f} s"
        parts: list[Part] = [(f"{mark} ", tone), (label, "bold"), f" {timing:>7}"]
        if event.detail:
            parts += ["  ", (event.detail, ERR if event.status == "failed" else DIM)]
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


OUTCOME_HEADLINES = {
    "success": ("✔ {done}", BOLD_OK),
    "written_not_restarted": ("▲ Written, restart skipped", BOLD_WARN),
    "unchanged": ("✔ Nothing to do", BOLD_OK),
    "rolled_back": ("✖ Rolled back", BOLD_ERR),
    "failed": ("✖ Failed", BOLD_ERR),
    "interrupted": ("✖ Interrupted", BOLD_ERR),
}


def result_text(result: ApplyResult, restore: bool) -> Content:
    """The outcome, its sentence, and for a failure the restart output and health error."""
    headline, tone = OUTCOME_HEADLINES.get(str(result.outcome), ("{done}", "bold"))
    done = "Restored" if restore else "Applied"
    parts: list[Part] = [(headline.format(done=done), tone)]
    parts += [(f" in {result.elapsed:.1f} s", DIM), "\n", result.message, "\n"]
    if result.health_error:
        parts += [("health error  ", BOLD_ERR), (result.health_error, ERR), "\n"]
    if result.backups:
        parts += [("backup kept   ", DIM), ", ".join(str(p) for p in result.backups), "\n"]
    for warning in result.warnings:
        parts += [("▲ ", BOLD_WARN), warning, "\n"]
    if result.restart_output and not result.ok:
        lines = result.restart_output.splitlines()
        shown = lines[-RESTART_OUTPUT_LINES:]
        cut = f" (last {len(shown)} of {len(lines)} lines)" if len(lines) > len(shown) else ""
        parts.append((f"restart output{cut}\n", "bold"))
        parts += [(f"│ {line}\n", DIM) for line in shown]
    return Content.assemble(*parts).rstrip()


def join_names(paths: Iterable[Path]) -> str:
    return ", ".join(p.name for p in paths)
