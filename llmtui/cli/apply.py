"""`llmtui apply [--yes] [--no-restart]`, `llmtui backups list | restore ID`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.formatting import timestamp

MARKS = {"ok": "✔", "failed": "✖", "skipped": "–", "running": "…"}
COLOURS = {"ok": "green", "failed": "red", "skipped": "yellow", "running": "cyan"}
STEP_WIDTH = 17
# Steps that take seconds: announce them before they finish.
SLOW_STEPS = {"restart", "health", "rollback_restart", "rollback_health"}


def _diff_line(line: str) -> str:
    if line.startswith(("+++", "---")):
        return click.style(line, bold=True)
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    return line


def show_plan(plan: Any) -> None:
    """Validation result, masked coloured diff, and what will run; ANSI only on a TTY."""
    from llmtui.ops.backups import backup_stem
    from llmtui.services.context import now

    click.echo(f"config: {plan.config_path}")
    for message in plan.errors:
        click.echo(click.style("error: ", fg="red") + message, err=True)
    for message in plan.problems:
        click.echo(click.style("error: ", fg="red") + message, err=True)
    for message in plan.warnings:
        click.echo(click.style("warning: ", fg="yellow") + message, err=True)
    for message in plan.notes:
        click.echo(f"note: {message}")
    n_err, n_warn = len(plan.errors), len(plan.warnings)
    if n_err:
        click.echo(click.style(f"✖ invalid ({n_err} error{'s' * (n_err != 1)})", fg="red"))
    else:
        extra = f" ({n_warn} warning{'s' * (n_warn != 1)})" if n_warn else ""
        click.echo(click.style("✔ valid", fg="green") + extra)
    for line in plan.diff.splitlines():
        click.echo(_diff_line(line))
    if plan.env_changes:
        env = next(f.path for f in plan.files if f.role == "env")
        click.echo(f"env file {env}: {' '.join(plan.env_changes)} (values hidden)")
    if not plan.changed:
        click.echo("no changes to write: the file on disk is already up to date")
        return
    summary = [
        click.style(f"+{plan.added}", fg="green")
        + " "
        + click.style(f"−{plan.removed}", fg="red")
        + " lines"
    ]
    if plan.config.old is not None:
        summary.append(f"backup → {backup_stem(plan.config_path, now())}")
    summary.append(
        f"restart: {plan.restart_command}" if plan.restart_available else "restart: skipped"
    )
    click.echo(" · ".join(summary))


def confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError("refusing to go ahead without confirmation: pass --yes (no terminal)", 2)
    if not click.confirm(question, default=False):
        raise CliError("cancelled; nothing was changed", 1)


def print_step(event: Any) -> None:
    if event.status == "running" and event.step not in SLOW_STEPS:
        return
    mark = click.style(MARKS.get(event.status, "?"), fg=COLOURS.get(event.status))
    timing = "" if event.status in ("running", "skipped") else f"{event.elapsed:5.1f} s"
    detail = f"  {event.detail}" if event.detail else ""
    click.echo(f"  {mark} {event.step.ljust(STEP_WIDTH)}{timing.rjust(7)}{detail}".rstrip())


def report(result: Any) -> None:
    """Last lines: success on stdout; failure, restart output and health error on stderr."""
    for warning in result.warnings:
        click.echo(click.style("warning: ", fg="yellow") + warning, err=True)
    if result.ok:
        colour = "green" if result.outcome == "success" else "yellow"
        click.echo(
            click.style(f"{result.outcome} in {result.elapsed:.1f} s: ", fg=colour) + result.message
        )
        return
    click.echo(click.style(f"{result.outcome}: ", fg="red") + result.message, err=True)
    if result.restart_output:
        click.echo("restart output:", err=True)
        for line in result.restart_output.splitlines()[-40:]:
            click.echo(f"  | {line}", err=True)
    if result.health_error:
        click.echo(f"health error: {result.health_error}", err=True)
    raise SystemExit(1)


def _carry_out(state: CliState, plan: Any, restart: bool) -> None:
    from llmtui.services.apply import run_apply

    result = state.run(lambda ctx: run_apply(ctx, plan, restart=restart, on_step=print_step))
    report(result)


@click.command("apply")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--no-restart", is_flag=True, help="Write the config but do not restart the proxy.")
@pass_state
def apply_cmd(state: CliState, yes: bool, no_restart: bool) -> None:
    """Validate, show the diff, back up, write, restart the proxy and check its health.

    Rolls back to the previous file when the proxy does not come back healthy.
    """
    from llmtui.services.apply import plan_apply
    from llmtui.services.recovery import find_interrupted

    for item in state.run(find_interrupted):
        click.echo(
            click.style("note: ", fg="yellow") + f"{item.description}. This apply finishes it; "
            "to go back to the previous config instead: llmtui recover --rollback",
            err=True,
        )
    plan = state.run(plan_apply)
    show_plan(plan)
    if not plan.ok:
        raise CliError("refusing to apply: fix the errors above", 1)
    if not plan.changed and no_restart:
        click.echo("nothing to do")
        return
    question = (
        "Write this config and restart the proxy?" if not no_restart else "Write this config?"
    )
    if not plan.changed:
        question = "Restart the proxy with the current file?"
    confirm(question, yes)
    _carry_out(state, plan, restart=not no_restart)


@click.group("backups")
def backups() -> None:
    """Config backups kept by apply (the last N, setting backup_keep)."""


@backups.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def backups_list(state: CliState, as_json: bool) -> None:
    from llmtui.services.backups import list_backups

    views = state.run(list_backups)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table(
        ["ID", "CREATED", "OF", "SIZE", "APPLY", "BACKUP"],
        [
            [
                v.id,
                timestamp(v.created_at),
                Path(v.file).name,
                v.size,
                f"#{v.apply_id} {v.apply_outcome}" if v.apply_id else None,
                v.backup_path + ("" if v.exists else " (missing)"),
            ]
            for v in views
        ],
    )


@backups.command("restore")
@click.argument("backup_id", metavar="ID", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def backups_restore(state: CliState, backup_id: int, yes: bool) -> None:
    """Write backup ID back as the config, restart and check health (rolled back on failure)."""
    from llmtui.services.backups import plan_restore

    plan = state.run(lambda ctx: plan_restore(ctx, backup_id))
    show_plan(plan)
    if not plan.ok:
        raise CliError(f"refusing to restore backup #{backup_id}: fix the errors above", 1)
    confirm(f"Restore backup #{backup_id} and restart the proxy?", yes)
    _carry_out(state, plan, restart=True)


COMMANDS = [apply_cmd, backups]
