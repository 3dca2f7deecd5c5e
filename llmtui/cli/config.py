"""`llmtui config render | diff`"""

from __future__ import annotations

from pathlib import Path

import click

from llmtui.cli import CliState, pass_state


@click.group("config")
def config() -> None:
    """Render, diff, validate and import LiteLLM configs."""


@config.command("render")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the config (with real keys, mode 0600) to this file instead of printing it.",
)
@click.option(
    "--show-secrets", is_flag=True, help="Print keys unmasked (they are masked otherwise)."
)
@pass_state
def render(state: CliState, output: Path | None, show_secrets: bool) -> None:
    """Render litellm-config.yaml from the store (deterministic)."""
    from llmtui.ops.files import atomic_write_text
    from llmtui.secrets.masking import mask_config_text
    from llmtui.services.config import render_config

    result = state.run(render_config)
    if output is not None:
        atomic_write_text(output, result.text)
        click.echo(f"wrote {output}")
    else:
        click.echo(result.text if show_secrets else mask_config_text(result.text), nl=False)
    for message in result.errors:
        click.echo(f"error: {message}", err=True)
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    if result.errors:
        raise SystemExit(1)


@config.command("diff")
@pass_state
def diff(state: CliState) -> None:
    """Show what apply would change in the config file on disk (keys masked)."""
    from llmtui.secrets.masking import mask_config_text
    from llmtui.services.config import config_path, render_config, unified_diff

    async def go(ctx):
        return await render_config(ctx), await config_path(ctx)

    result, path = state.run(go)
    old = path.read_text("utf-8") if path.exists() else None
    text = unified_diff(old, result.text, str(path))
    if not text:
        click.echo(f"{path} is up to date")
        return
    click.echo(mask_config_text(text), nl=False)


COMMANDS = [config]
