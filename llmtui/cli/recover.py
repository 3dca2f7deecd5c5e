"""`llmtui recover [--finish | --rollback | --dismiss]`: deal with an interrupted apply."""

from __future__ import annotations

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.apply import confirm, print_step, report, show_plan
from llmtui.cli.output import emit_json

QUESTIONS = {
    "finish": "Apply the store's config and restart the proxy?",
    "rollback": "Put the previous config back?",
    "dismiss": "Close the record and leave files and proxy as they are?",
}


@click.command("recover")
@click.option("--finish", "choice", flag_value="finish", help="Apply the store's config now.")
@click.option(
    "--rollback", "choice", flag_value="rollback", help="Put back the backup that apply took."
)
@click.option("--dismiss", "choice", flag_value="dismiss", help="Only close the record.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report (no option).")
@pass_state
def recover(state: CliState, choice: str | None, yes: bool, as_json: bool) -> None:
    """Finish, roll back or dismiss an apply that was interrupted (crash, kill -9, power cut).

    Without an option, reports interrupted applies and what each choice would do.
    """
    from llmtui.services.recovery import RESOLUTIONS, carry_out, find_interrupted, prepare

    if choice is None:
        items = state.run(find_interrupted)
        if as_json:
            emit_json([i.to_json() for i in items])
            return
        if not items:
            click.echo("nothing to recover: no apply was interrupted")
            return
        for item in items:
            click.echo(item.description)
            for leftover in item.leftovers:
                click.echo(f"  leftover temp file: {leftover} (removed by any choice)")
            click.echo(f"  {item.advice()}")
        click.echo("choose one: llmtui recover --finish | --rollback | --dismiss")
        return
    if as_json:
        raise CliError("--json only goes with the report (no --finish/--rollback/--dismiss)", 2)
    recovery = state.run(lambda ctx: prepare(ctx, choice))
    click.echo(recovery.item.description)
    if recovery.plan is not None:
        show_plan(recovery.plan)
        if not recovery.plan.ok:
            raise CliError(f"refusing to {choice}: fix the errors above", 1)
    for note in recovery.notes:
        click.echo(f"note: {note}")
    if recovery.plan is not None and not recovery.restart:
        click.echo("the proxy will not be restarted: it never loaded the interrupted config")
    confirm(QUESTIONS[choice], yes)
    result = state.run(lambda ctx: carry_out(ctx, recovery, on_step=print_step))
    if result is None:
        click.echo(f"apply #{recovery.item.apply_id} closed: {RESOLUTIONS[choice]}")
        return
    report(result)


COMMANDS = [recover]
