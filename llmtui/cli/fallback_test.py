"""`llmtui test-fallback GROUP --failure F [--depth N|all] [--live [--yes]] [--json]`"""

from __future__ import annotations

import sys
from typing import Any

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.live_output import echo_wrapped, print_live
from llmtui.cli.output import emit_json, table
from llmtui.litellm.simulate import FAILURES
from llmtui.litellm.timeline import Attempt, SimulationResult

DEPLOYMENT_WIDTH = 28
ERROR_WIDTH = 30


@click.command("test-fallback")
@click.argument("group")
@click.option(
    "--failure",
    type=click.Choice(FAILURES),
    required=True,
    help="The error the failing deployments answer with.",
)
@click.option(
    "--depth",
    default="1",
    show_default=True,
    help="How many chain members fail: 1 (primary), 2 (primary and fallback 1) ... or all.",
)
@click.option(
    "--real-waits",
    is_flag=True,
    help="Sleep the retry waits LiteLLM would (slow); by default they are recorded and skipped.",
)
@click.option(
    "--live",
    is_flag=True,
    help="Send one real request through the running proxy (needs drill mode; may cost money).",
)
@click.option("--yes", "-y", is_flag=True, help="Live: do not ask for confirmation.")
@click.option(
    "--no-inject",
    is_flag=True,
    help="Live: inject nothing; show what the upstreams really do now.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def test_fallback(
    state: CliState,
    group: str,
    failure: str,
    depth: str,
    real_waits: bool,
    live: bool,
    yes: bool,
    no_inject: bool,
    as_json: bool,
) -> None:
    """Test FAILURE on GROUP and show every attempt LiteLLM's router makes.

    Simulated by default: in-process, from the config an apply would write; no network,
    no keys, no cost. With --live: one real request through the running proxy, with the
    failure injected by LiteLLM's mock testing parameters (server_error, context_window,
    content_policy and timeout fail the primary; rate_limit fails the first try of every
    group, so --depth all; connection cannot be injected), timeline from its x-litellm
    headers. The test is stored as a fallback event. Exits 1 when every attempt failed
    although the failure was meant to stop part-way down the chain.
    """
    from llmtui.services.fallback_test import parse_depth

    parsed = parse_depth(depth)
    if live and real_waits:
        raise CliError("--real-waits applies to simulated tests; a live drill waits for real", 2)
    if no_inject and not live:
        raise CliError("--no-inject applies to --live tests only", 2)
    if live:
        run = _run_live(state, group, failure, parsed, yes, not no_inject, as_json)
    else:
        run = _run_simulated(state, group, failure, parsed, real_waits)
    result = run.result
    if as_json:
        emit_json({**result.to_json(), "event_id": run.event_id})
    elif live:
        print_live(result)
    else:
        print_timeline(result)
    meant_to_be_served = result.depth is not None and result.depth < len(result.chain)
    if result.outcome == "all_failed" and meant_to_be_served:
        click.echo(
            f"error: the failure was meant to stop after {result.depth} member(s) of "
            f"{' → '.join(result.chain)}, but every attempt failed ({result.error_type})",
            err=True,
        )
        raise click.exceptions.Exit(1)


def _run_simulated(
    state: CliState, group: str, failure: str, depth: int | None, real_waits: bool
) -> Any:
    from llmtui.litellm import runtime
    from llmtui.services.fallback_test import run_simulated

    if not runtime.is_loaded() and sys.stderr.isatty():
        click.echo("loading LiteLLM (the first test takes a few seconds) …", err=True)
    return state.run(
        lambda ctx: run_simulated(ctx, group, failure, depth, compress_waits=not real_waits)
    )


def _run_live(
    state: CliState,
    group: str,
    failure: str,
    depth: int | None,
    yes: bool,
    inject: bool,
    as_json: bool,
) -> Any:
    """Check, confirm (it may cost money), then send; all in one use case."""
    from llmtui.services.live_test import plan_live, run_live

    async def use_case(ctx: Any) -> Any:
        plan = await plan_live(ctx, group, failure, depth, inject)
        if not as_json or not yes:
            echo_wrapped(plan.describe(), err=True)
        if not yes:  # they inform the answer; the result repeats them otherwise
            for note in plan.notes:
                echo_wrapped(f"note: {note}", err=True)
        _confirm_cost(yes)
        if sys.stderr.isatty():
            click.echo(f"sending through {plan.proxy_url} …", err=True)
        return await run_live(ctx, group, failure, depth, inject=inject)

    return state.run(use_case)


def _stdin_is_terminal() -> bool:
    """Whether someone can answer the prompt (a pipe or a script cannot)."""
    return sys.stdin.isatty()


def _confirm_cost(yes: bool) -> None:
    """A live drill may cost money: ask on a terminal (on stderr, so --json stays clean)."""
    if yes:
        return
    if not _stdin_is_terminal():
        raise CliError("refusing to send a live request without confirmation: pass --yes", 2)
    if not click.confirm("Send it?", default=False, err=True):
        raise CliError("cancelled; nothing was sent", 1)


def print_timeline(result: SimulationResult) -> None:
    click.echo(
        f"Test {result.group} · {result.failure} · depth {result.depth_label} · {result.mode}"
    )
    kind = f" ({result.chain_kind})" if result.chain_kind else " (no fallbacks for this failure)"
    click.echo(f"chain{kind}: {' → '.join(result.chain)}")
    table(
        ["#", "GROUP", "DEPLOYMENT", "RESULT", "WAITED (CFG)", "TOOK"],
        [_row(a) for a in result.attempts],
    )
    click.echo(summary_line(result))
    if result.response is not None:
        click.echo(f'"{result.response}"')
    if result.ignored_settings:
        click.echo(f"not simulated: router_settings {', '.join(result.ignored_settings)}", err=True)


def _row(attempt: Attempt) -> list[str]:
    result = "✔ served" if attempt.ok else f"✖ {_cut(attempt.error_type or 'error', ERROR_WIDTH)}"
    return [
        str(attempt.index),
        attempt.group if not attempt.routed_group else f"{attempt.group}→{attempt.routed_group}",
        _cut(attempt.deployment or "(none available)", DEPLOYMENT_WIDTH),
        result,
        seconds(attempt.waited_configured_s),
        f"{attempt.ms:.0f} ms",
    ]


def summary_line(result: SimulationResult) -> str:
    head = result.served_label
    line = (
        f"{head} · {result.total_ms:.0f} ms elapsed · "
        f"{seconds(result.configured_wait_s)} in production waits"
    )
    if not result.waits_compressed:
        line += f" (waited {seconds(result.elapsed_wait_s)} here)"
    return line


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value >= 0.1 or value == 0 else f"{value * 1000:.0f} ms"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS = [test_fallback]
