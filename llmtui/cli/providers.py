"""`llmtui provider ...`"""

from __future__ import annotations

import os
import sys

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.formatting import ago, millis
from llmtui.litellm.provider_types import PROVIDER_TYPES


def _key_options(func):
    options = [
        click.option(
            "--type", "type_", type=click.Choice(sorted(PROVIDER_TYPES)), help="Provider type."
        ),
        click.option("--api-base", help="Base URL (defaults per type)."),
        click.option("--api-version", help="API version (Azure)."),
        click.option("--region", help="Region (Bedrock)."),
        click.option("--aws-access-key-id", help="AWS access key id (Bedrock)."),
        click.option("--key-stdin", is_flag=True, help="Read the API key from standard input."),
        click.option("--key-env", metavar="VAR", help="Read the API key from this env variable."),
        click.option(
            "--key-ref",
            metavar="VAR",
            help="Store no key; the config references os.environ/VAR instead.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _read_secrets(
    key_stdin: bool, key_env: str | None, aws_access_key_id: str | None
) -> dict[str, str] | None:
    if key_stdin and key_env:
        raise CliError("use either --key-stdin or --key-env, not both", 2)
    key: str | None = None
    if key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise CliError("no key on standard input", 2)
    elif key_env:
        key = os.environ.get(key_env)
        if not key:
            raise CliError(f"environment variable {key_env} is not set or empty", 2)
    if key is None and aws_access_key_id is None:
        return None
    secrets: dict[str, str] = {}
    if aws_access_key_id:
        secrets["aws_access_key_id"] = aws_access_key_id
    if key:
        field = "aws_secret_access_key" if aws_access_key_id else "api_key"
        secrets[field] = key
    return secrets


def _fields(type_, api_base, api_version, region, aws_access_key_id, key_stdin, key_env, key_ref):
    from llmtui.services.providers import UNSET, ProviderFields

    fields = ProviderFields()
    if type_ is not None:
        fields.type = type_
    if api_base is not None:
        fields.api_base = api_base
    if api_version is not None:
        fields.api_version = api_version
    if region is not None:
        fields.region = region
    secrets = _read_secrets(key_stdin, key_env, aws_access_key_id)
    if secrets is not None and key_ref:
        raise CliError("--key-ref stores no key; do not also pass one", 2)
    if type_ == "bedrock" and secrets and "aws_secret_access_key" not in secrets:
        secrets = {"aws_secret_access_key": secrets.pop("api_key", ""), **secrets}
    fields.secrets = secrets if secrets is not None else UNSET
    if key_ref:
        fields.key_env = key_ref
    return fields


@click.group("provider")
def provider() -> None:
    """Add, edit, remove, list and test providers."""


@provider.command("add")
@click.argument("name")
@_key_options
@pass_state
def add(state: CliState, name: str, type_: str | None, **options) -> None:
    """Add a provider; its key is encrypted before it is stored."""
    from llmtui.services.providers import add_provider

    if type_ is None:
        raise CliError("missing option --type", 2)
    fields = _fields(type_, **options)
    view = state.run(lambda ctx: add_provider(ctx, name, fields))
    click.echo(
        f"added provider {view.name} ({view.type}, key {view.key_mask or view.key_env or 'none'})"
    )


@provider.command("edit")
@click.argument("name")
@_key_options
@click.option("--rename", "new_name", help="New name for the provider.")
@click.option("--enable/--disable", "enabled", default=None, help="Enable or disable it.")
@pass_state
def edit(state: CliState, name: str, type_: str | None, new_name, enabled, **options) -> None:
    """Change a provider's settings or key."""
    from llmtui.services.providers import edit_provider

    fields = _fields(type_, **options)
    if new_name is not None:
        fields.new_name = new_name
    if enabled is not None:
        fields.enabled = enabled
    view = state.run(lambda ctx: edit_provider(ctx, name, fields))
    click.echo(f"updated provider {view.name}")


@provider.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def remove(state: CliState, name: str, yes: bool) -> None:
    """Remove a provider (soft delete: its models are disabled, history kept)."""
    from llmtui.services.providers import get_provider, remove_provider

    if not yes and sys.stdin.isatty():
        view = state.run(lambda ctx: get_provider(ctx, name))
        click.confirm(
            f"Remove provider {name} and disable its {view.model_count} models?", abort=True
        )
    outcome = state.run(lambda ctx: remove_provider(ctx, name))
    click.echo(f"removed provider {name}; {outcome.models_disabled} models disabled")


@provider.command("list")
@click.option("--all", "include_deleted", is_flag=True, help="Include removed providers.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def list_(state: CliState, include_deleted: bool, as_json: bool) -> None:
    """List providers with masked keys and connection status."""
    from llmtui.services.providers import list_providers

    views = state.run(lambda ctx: list_providers(ctx, include_deleted))
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table(
        ["NAME", "TYPE", "BASE URL", "KEY", "ENABLED", "STATUS", "LATENCY", "TESTED", "MODELS"],
        [
            [
                v.name,
                v.type,
                v.api_base,
                v.key_mask or (f"env:{v.key_env}" if v.key_env else "—"),
                "removed" if v.deleted else ("yes" if v.enabled else "no"),
                v.status,
                millis(v.last_test_latency_ms),
                ago(v.last_test_at),
                f"{v.enabled_model_count}/{v.model_count}",
            ]
            for v in views
        ],
    )


@provider.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def test(state: CliState, name: str, as_json: bool) -> None:
    """Call the provider's model-list endpoint; store and print the outcome."""
    from llmtui.services.providers import test_provider

    outcome = state.run(lambda ctx: test_provider(ctx, name))
    result = outcome.result
    if as_json:
        emit_json(outcome.to_json())
    elif result.ok:
        click.echo(
            f"ok: {result.endpoint} answered in {millis(result.latency_ms)}, "
            f"{len(result.models)} models listed"
        )
    if not result.ok:
        if not as_json:
            where = f" ({result.endpoint})" if result.endpoint else ""
            click.echo(f"failed{where}: {result.error}", err=True)
        raise SystemExit(1)


COMMANDS = [provider]
