"""`llmtui fallback ...`, `trigger ...`, `router ...`"""

from __future__ import annotations

import click

from llmtui.cli import CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.services.chain_rules import KINDS

KIND_OPTION = click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="general",
    show_default=True,
    help="Which fallbacks: general errors, context window exceeded, or content policy.",
)


@click.group("fallback")
def fallback() -> None:
    """Fallback chains per model group."""


@fallback.command("set")
@click.argument("group")
@click.argument("fallbacks", nargs=-1, required=True)
@KIND_OPTION
@pass_state
def set_(state: CliState, group: str, fallbacks: tuple[str, ...], kind: str) -> None:
    """Set GROUP's chain: GROUP → FALLBACK1 → FALLBACK2 ..."""
    from llmtui.services.fallbacks import set_chain

    view = state.run(lambda ctx: set_chain(ctx, group, list(fallbacks), kind))
    click.echo(f"{group} ({kind}): {' → '.join([group, *view.fallbacks])}")
    for finding in view.findings:
        if finding.level == "warning":
            click.echo(f"warning: {finding.message}", err=True)


@fallback.command("clear")
@click.argument("group")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind (default: all kinds).")
@pass_state
def clear(state: CliState, group: str, kind: str | None) -> None:
    """Remove GROUP's chains."""
    from llmtui.services.fallbacks import clear_chain

    removed = state.run(lambda ctx: clear_chain(ctx, group, kind))
    click.echo(f"removed {removed} chain{'s' if removed != 1 else ''} of {group}")


@fallback.command("show")
@click.argument("group", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def show(state: CliState, group: str | None, as_json: bool) -> None:
    """Show chains (of every group, or one), with problems and warnings."""
    from llmtui.errors import NotFound
    from llmtui.services.fallbacks import overview

    groups = state.run(overview)
    if group is not None:
        groups = [g for g in groups if g.name == group]
        if not groups:
            raise NotFound(f"no model group named {group!r}")
    if as_json:
        emit_json([g.to_json() for g in groups])
        return
    from llmtui.formatting import ago

    rows = []
    for g in groups:
        tested = f"{g.last_test.label}, {ago(g.last_test.at)}" if g.last_test else None
        for kind, chain in g.chains.items():
            if chain.fallbacks or (group and kind == "general"):
                problems = "; ".join(f.message for f in chain.findings) or "ok"
                chain_text = " → ".join([g.name, *chain.fallbacks])
                rows.append([g.name, kind, chain_text, problems, tested])
                tested = ""  # once per group
    table(["GROUP", "KIND", "CHAIN", "CHECK", "LAST TEST"], rows)


@click.group("trigger")
def trigger() -> None:
    """Per-error retries and allowed fails (LiteLLM retry_policy / allowed_fails_policy)."""


@trigger.command("set")
@click.argument("error")
@click.option("--retries", type=int, help="Retries before falling back (0-10).")
@click.option("--allowed-fails", type=int, help="Failures per minute before cooldown.")
@click.option("--enable/--disable", "enabled", default=None, help="Disabled means no retries.")
@pass_state
def trigger_set(state: CliState, error: str, retries, allowed_fails, enabled) -> None:
    """Set the policy for one error type (rate_limit, timeout, server_error, ...)."""
    from llmtui.services.policies import UNCHANGED, set_policy

    view = state.run(
        lambda ctx: set_policy(
            ctx,
            error,
            retries=UNCHANGED if retries is None else retries,
            allowed_fails=UNCHANGED if allowed_fails is None else allowed_fails,
            enabled=UNCHANGED if enabled is None else enabled,
        )
    )
    click.echo(
        f"{view.error_type}: {view.retries} retries, allowed fails "
        f"{view.allowed_fails if view.allowed_fails is not None else 'router default'}, "
        f"{'enabled' if view.enabled else 'disabled'}"
    )


@trigger.command("list")
@click.option(
    "--group", help="Count this group's deployments (retries are immediate while one is healthy)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def trigger_list(state: CliState, group: str | None, as_json: bool) -> None:
    """List the per-error policies, with the waits LiteLLM will apply before falling back."""
    from llmtui.services.policies import list_policies
    from llmtui.services.wait_schedules import wait_schedules

    async def go(ctx):
        return await list_policies(ctx), await wait_schedules(ctx, group)

    views, schedules = state.run(go)
    if as_json:
        emit_json(
            [v.to_json() | {"wait_schedule": schedules[v.error_type].to_json()} for v in views]
        )
        return
    table(
        ["ERROR", "RETRIES", "ALLOWED FAILS", "ENABLED", "CUSTOMISED", "MAX WAIT"],
        [
            [
                v.error_type,
                v.retries,
                v.allowed_fails,
                "yes" if v.enabled else "no",
                "yes" if v.customised else "",
                _waits(schedules[v.error_type]),
            ]
            for v in views
        ],
    )
    click.echo(f"rate_limit waits: {schedules['rate_limit'].describe()}")


def _waits(schedule) -> str:
    """LiteLLM's worst case before it falls back (its backoff is fixed, not a setting)."""
    return f"{schedule.total_high:g} s" if schedule.waits else "none"


@trigger.command("reset")
@pass_state
def trigger_reset(state: CliState) -> None:
    """Reset every per-error policy to its default."""
    from llmtui.services.policies import reset_policies

    count = state.run(reset_policies)
    click.echo(f"reset {count} polic{'ies' if count != 1 else 'y'} to defaults")


@click.group("router")
def router() -> None:
    """Router settings: routing strategy, retries, timeout, cooldown."""


@router.command("set")
@click.option("--routing-strategy", help="simple-shuffle, least-busy, latency-based-routing, ...")
@click.option("--num-retries", type=int)
@click.option("--timeout", type=float)
@click.option("--cooldown-time", type=float)
@click.option("--allowed-fails", type=int)
@click.option("--retry-after", type=float)
@click.option("--reset", "reset_keys", multiple=True, help="Restore this setting's default.")
@pass_state
def router_set(state: CliState, reset_keys: tuple[str, ...], **options) -> None:
    """Change router settings."""
    from llmtui.errors import InvalidInput
    from llmtui.services.policies import set_router_settings

    values = {k: v for k, v in options.items() if v is not None}
    values.update(dict.fromkeys(reset_keys))
    if not values:
        raise InvalidInput("nothing to change: pass at least one setting")
    result = state.run(lambda ctx: set_router_settings(ctx, values))
    for key in values:
        click.echo(f"{key} = {result[key]}")


@router.command("show")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def router_show(state: CliState, as_json: bool) -> None:
    """Show router settings."""
    from llmtui.services.policies import ROUTER_SETTINGS, get_router_settings

    values = state.run(get_router_settings)
    if as_json:
        emit_json(values)
        return
    table(
        ["SETTING", "VALUE", "MEANING"],
        [
            [k, "LiteLLM default" if v is None else v, ROUTER_SETTINGS[k].help]
            for k, v in values.items()
        ],
    )


COMMANDS = [fallback, trigger, router]
