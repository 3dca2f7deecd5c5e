"""`llmtui model ...`"""

from __future__ import annotations

import click

from llmtui.cli import CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.formatting import cost, tokens


@click.group("model")
def model() -> None:
    """Add, list, enable, disable and sync models (LiteLLM deployments)."""


@model.command("add")
@click.argument("provider")
@click.argument("upstream_model", metavar="MODEL")
@click.option("--group", help="Model group (LiteLLM model_name); default: the model name.")
@click.option("--input-cost", type=float, help="USD per 1M input tokens.")
@click.option("--output-cost", type=float, help="USD per 1M output tokens.")
@click.option("--context", type=int, help="Context window in tokens.")
@click.option("--disabled", is_flag=True, help="Add it disabled.")
@pass_state
def add(
    state: CliState,
    provider: str,
    upstream_model: str,
    group,
    input_cost,
    output_cost,
    context,
    disabled,
) -> None:
    """Add one model; prices and context are pre-filled from LiteLLM's model map."""
    from llmtui.services.models import ModelFields, add_model

    fields = ModelFields(enabled=not disabled)
    if group is not None:
        fields.group = group
    if input_cost is not None:
        fields.input_cost_per_1m = input_cost
    if output_cost is not None:
        fields.output_cost_per_1m = output_cost
    if context is not None:
        fields.context_window = context
    view = state.run(lambda ctx: add_model(ctx, provider, upstream_model, fields))
    click.echo(
        f"added {view.provider}/{view.upstream_model} as group {view.group} "
        f"({'enabled' if view.enabled else 'disabled'}; in {cost(view.input_cost_per_1m)} / "
        f"out {cost(view.output_cost_per_1m)} USD per 1M, context {tokens(view.context_window)})"
    )


@model.command("list")
@click.option("--provider", help="Only this provider's models.")
@click.option("--enabled", "only_enabled", is_flag=True, help="Only enabled models.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def list_(state: CliState, provider: str | None, only_enabled: bool, as_json: bool) -> None:
    """List models with group, prices (USD per 1M tokens) and context window."""
    from llmtui.services.models import list_models

    views = state.run(
        lambda ctx: list_models(ctx, provider=provider, enabled=True if only_enabled else None)
    )
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table(
        ["ON", "GROUP", "MODEL", "PROVIDER", "IN $/1M", "OUT $/1M", "CONTEXT"],
        [
            [
                "x" if v.enabled else " ",
                v.group,
                v.upstream_model,
                v.provider,
                cost(v.input_cost_per_1m),
                cost(v.output_cost_per_1m),
                tokens(v.context_window),
            ]
            for v in views
        ],
    )


def _toggle(enabled: bool):
    verb = "enable" if enabled else "disable"

    @model.command(verb, help=f"{verb.capitalize()} every deployment of the named model groups.")
    @click.argument("groups", nargs=-1, required=True)
    @click.option("--provider", help="Only this provider's deployments of the groups.")
    @pass_state
    def toggle(state: CliState, groups: tuple[str, ...], provider: str | None) -> None:
        from llmtui.services.models import set_groups_enabled

        changed = state.run(lambda ctx: set_groups_enabled(ctx, list(groups), enabled, provider))
        click.echo(f"{verb}d {changed} deployment{'s' if changed != 1 else ''}")

    return toggle


_toggle(True)
_toggle(False)


@model.command("sync")
@click.argument("provider")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def sync(state: CliState, provider: str, as_json: bool) -> None:
    """List the provider's models and add new ones (disabled), pre-filled from the model map."""
    from llmtui.services.models import sync_models

    report = state.run(lambda ctx: sync_models(ctx, provider))
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(
        f"{provider}: {report.listed} models listed, {report.added} added (disabled), "
        f"{report.prefilled} prefilled, {report.unchanged} unchanged, "
        f"{len(report.missing_upstream)} no longer listed upstream"
    )


COMMANDS = [model]
