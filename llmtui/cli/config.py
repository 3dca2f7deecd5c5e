"""`llmtui config render | diff | validate | import`"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from llmtui.cli import CliState, pass_state
from llmtui.cli.output import emit_json

if TYPE_CHECKING:
    from llmtui.services.import_report import ImportReport


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


@config.command("import")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--resolve-env",
    is_flag=True,
    help="Store the values of os.environ/ keys (encrypted) instead of the references.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def import_(state: CliState, file: Path, resolve_env: bool, dry_run: bool, as_json: bool) -> None:
    """Read an existing LiteLLM config FILE into the store (idempotent; merges).

    Providers are grouped by type, base URL and key; inline keys are encrypted;
    os.environ/ keys stay references unless --resolve-env. Entries llmtui cannot
    represent are listed and skipped; the rest is imported.
    """
    from llmtui.services.config_import import import_config_file

    report = state.run(
        lambda ctx: import_config_file(ctx, file, resolve_env=resolve_env, dry_run=dry_run)
    )
    if as_json:
        emit_json(report.to_json())
        return
    _print_import(report)


def _print_import(report: ImportReport) -> None:
    from llmtui.services.import_report import ENTITY_LABELS

    would = "would be " if report.dry_run else ""
    for change in report.changes:
        if change.action != "unchanged":
            detail = f" ({change.detail})" if change.detail else ""
            click.echo(f"{would}{change.action}: {change.entity} {change.name}{detail}")
    for entity, counts in report.counts().items():
        summary = ", ".join(f"{n} {action}" for action, n in counts.items() if n)
        click.echo(f"{ENTITY_LABELS.get(entity, entity)}: {summary}")
    if not report.changes:
        click.echo("nothing to import")
    for issue in report.not_represented:
        click.echo(f"not imported: {issue}", err=True)
    for issue in report.notes:
        click.echo(f"note: {issue}", err=True)
    if report.dry_run:
        click.echo("dry run: nothing was written")
    elif not report.changed:
        click.echo(f"{report.source}: the store already matches; nothing changed")
    else:
        click.echo(f"imported {report.source}; run `llmtui config diff` to review, then apply")


@config.command("validate")
@click.argument(
    "file",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
def validate(state: CliState, file: Path | None, as_json: bool) -> None:
    """Check a LiteLLM config against what the installed LiteLLM accepts.

    FILE is any LiteLLM proxy config; without it, what llmtui would render is checked
    (line numbers then refer to `llmtui config render`). Exit 1 if there are errors;
    warnings alone exit 0.
    """
    from llmtui.cli.output import emit_json
    from llmtui.errors import LlmtuiError
    from llmtui.litellm.accepted_keys import installed_litellm_version, needs_build
    from llmtui.litellm.validate import validate_text
    from llmtui.services.config_validation import validate_rendered

    if needs_build():
        click.echo(
            f"Reading which keys LiteLLM {installed_litellm_version()} accepts "
            "(once per LiteLLM version, about 15 s)...",
            err=True,
        )
    if file is not None:
        label = str(file)
        try:
            text = file.read_bytes().decode("utf-8")
        except OSError as exc:
            raise LlmtuiError(f"cannot read {file}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError:
            raise LlmtuiError(f"{file} is not UTF-8 text, so it is not a LiteLLM config") from None
        report = validate_text(text)
    else:
        label = "<rendered>"
        report = state.run(validate_rendered).report
    if as_json:
        emit_json({"file": label, **report.to_dict()})
    else:
        for issue in report.issues:
            where = label
            if issue.line is not None:
                where += f":{issue.line}" + (f":{issue.column}" if issue.column else "")
            click.echo(f"{where}: {issue.level}: {issue.describe()}")
        click.echo(f"{label}: {report.summary()}")
    if not report.ok:
        raise SystemExit(1)


COMMANDS = [config]
