"""`llmtui audit`, `doctor`, `key ...`, `settings ...`."""

from __future__ import annotations

import json
import os
import sys

import click

from llmtui.cli import CliError, CliState, pass_state
from llmtui.cli.output import emit_json, table
from llmtui.formatting import timestamp


@click.command("audit")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--entity", help="Only entries about this entity type (provider, model, ...).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def audit_cmd(state: CliState, limit: int, entity: str | None, as_json: bool) -> None:
    """Show the append-only history of changes, newest first."""
    from llmtui.services.audit import list_entries

    entries = state.run(lambda ctx: list_entries(ctx, limit=limit, entity_type=entity))
    if as_json:
        emit_json([e.to_json() for e in entries])
        return

    def change(e) -> str:
        text = json.dumps(e.after, ensure_ascii=False, default=str) if e.after is not None else ""
        return text if len(text) <= 60 else text[:59] + "…"

    table(
        ["ID", "WHEN", "USER", "ACTION", "ENTITY", "AFTER"],
        [[e.id, timestamp(e.at), e.os_user, e.action, e.entity_name, change(e)] for e in entries],
    )


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def doctor_cmd(state: CliState, as_json: bool) -> None:
    """Check the keyring, master key, store, config path, docker and proxy."""
    from llmtui.services import doctor

    report = state.run(doctor.run)
    if as_json:
        emit_json(report.to_json())
        return
    rows = [
        ("llmtui", report.version),
        ("home", report.home),
        ("store", f"{report.db_path} (schema {report.schema_revision})"),
        (
            "keyring backend",
            report.keyring_backend
            + (f" — {report.keyring_problem}" if report.keyring_problem else ""),
        ),
        ("master key", f"{report.key_source}: {report.key_status}"),
        ("config path", report.config_path),
        ("restart command", report.restart_cmd),
        ("docker", report.docker_on_path or "not on PATH"),
        ("proxy", f"{report.proxy_url}: {report.proxy_status}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {value}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.group("key")
def key() -> None:
    """Master key: where it lives, and rotation."""


@key.command("rotate")
@pass_state
def rotate(state: CliState) -> None:
    """Re-encrypt every stored secret under a new master key (one transaction)."""
    from llmtui.services.keys import rotate as rotate_key

    report = state.run(rotate_key)
    click.echo(
        f"rotated the master key in {report.source}: {report.secrets_reencrypted} secrets "
        f"re-encrypted (fingerprint {report.old_fingerprint[:8]} → {report.new_fingerprint[:8]})"
    )


@key.command("setup")
@click.option("--keyring", "target", flag_value="keyring", help="Keep the key in the OS keyring.")
@click.option(
    "--passphrase-file",
    "target",
    flag_value="passphrase-file",
    help="Keep the key in a file encrypted with a passphrase (scrypt).",
)
@click.option(
    "--plaintext-file",
    "target",
    flag_value="plaintext-file",
    help="Keep the key in a PLAINTEXT 0600 file (only if nothing else works).",
)
@pass_state
def setup(state: CliState, target: str | None) -> None:
    """Choose where the master key is kept (creating it for a new store)."""
    from llmtui.secrets.keysource import KeySource
    from llmtui.services.keys import move_key

    if target is None:
        raise CliError("choose one of --keyring, --passphrase-file or --plaintext-file", 2)
    source = KeySource(target)
    ctx = state.open()
    if source is KeySource.PASSPHRASE_FILE and "LLMTUI_PASSPHRASE" not in os.environ:
        if not sys.stdin.isatty():
            raise CliError("set LLMTUI_PASSPHRASE or run interactively to choose a passphrase", 2)
        passphrase = click.prompt(
            "New passphrase for the master key", hide_input=True, confirmation_prompt=True, err=True
        )
        ctx.keystore.set_passphrase(passphrase)
    if source is KeySource.PLAINTEXT_FILE:
        click.echo(
            "warning: the master key will be stored in PLAINTEXT; anyone who can read "
            f"{ctx.keystore.plaintext_path} can decrypt your API keys",
            err=True,
        )
    state.run(lambda c: move_key(c, source), ctx)
    click.echo(f"the master key is now kept in: {source.value}")


@click.group("settings")
def settings_group() -> None:
    """Show and change settings (each also overridable by its environment variable)."""


@settings_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def settings_list(state: CliState, as_json: bool) -> None:
    from llmtui.services import settings as settings_service

    values = state.run(settings_service.get_all)
    if as_json:
        emit_json({k: v.to_json() for k, v in values.items()})
        return
    table(
        ["KEY", "VALUE", "FROM", "ENV"],
        [
            [k, v.display(), v.origin, settings_service.SETTINGS[k].env or ""]
            for k, v in values.items()
        ],
    )


@settings_group.command("set")
@click.argument("key_name", metavar="KEY")
@click.argument("value")
@pass_state
def settings_set(state: CliState, key_name: str, value: str) -> None:
    """Set KEY to VALUE; VALUE `-` reads it from stdin (keeps a secret out of argv and history)."""
    from llmtui.services import settings as settings_service

    if value == "-":
        value = sys.stdin.readline().strip()
    result = state.run(lambda ctx: settings_service.set_value(ctx, key_name, value))
    click.echo(f"{key_name} = {result.display()}")


@settings_group.command("unset")
@click.argument("key_name", metavar="KEY")
@pass_state
def settings_unset(state: CliState, key_name: str) -> None:
    from llmtui.services import settings as settings_service

    state.run(lambda ctx: settings_service.unset(ctx, key_name))
    click.echo(f"{key_name} reset to its default")


COMMANDS = [audit_cmd, doctor_cmd, key, settings_group]
