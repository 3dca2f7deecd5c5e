"""`config import`: read an existing LiteLLM config into the store.

Everything is written in ONE transaction with its audit entries, or nothing is (bad
input, a crash, a dry run). Importing the same file again changes nothing and records
nothing. The import merges: what the file does not mention stays in the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmtui.errors import InvalidInput
from llmtui.litellm.config_file import read_config_file
from llmtui.litellm.import_plan import ImportPlan
from llmtui.litellm.importer import plan_import
from llmtui.litellm.provider_of import Resolver, resolve_with_litellm
from llmtui.secrets.cipher import SecretBox, generate_key
from llmtui.services import audit
from llmtui.services.context import AppContext
from llmtui.services.import_models import write_deployments, write_providers
from llmtui.services.import_report import ImportReport
from llmtui.services.import_settings import write_chains, write_policies, write_settings


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


async def import_config_file(
    ctx: AppContext, path: Path, *, resolve_env: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import the LiteLLM config at `path` (see import_config)."""
    path = path.expanduser().absolute()
    data = read_config_file(path)
    return await import_config(
        ctx, data, source=str(path), resolve_env=resolve_env, dry_run=dry_run
    )


async def import_config(
    ctx: AppContext,
    data: Any,
    *,
    source: str,
    resolve_env: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    resolve: Resolver = resolve_with_litellm,
) -> ImportReport:
    """Import a parsed config. `resolve_env` stores `os.environ/` keys' values, encrypted."""
    env = (environ if environ is not None else os.environ) if resolve_env else None
    try:
        plan = plan_import(data, env, resolve)
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    box = await _box(ctx, dry_run)
    report = ImportReport(source, dry_run)
    try:
        async with ctx.store.write() as session:
            providers = await write_providers(session, box, plan, report)
            await write_deployments(session, box, plan, providers, report)
            await write_chains(session, plan, report)
            await write_policies(session, plan, report)
            await write_settings(session, box, plan, report)
            _finish(report, plan)
            if report.changed:
                audit.record(
                    session,
                    "config.import",
                    "config",
                    source,
                    None,
                    {
                        "counts": report.counts(),
                        "not_represented": len(report.not_represented),
                    },
                    affects_config=False,
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


async def _box(ctx: AppContext, dry_run: bool) -> SecretBox:
    """The store's key; a dry run on a store without one uses a throwaway key (rolled back)."""
    if dry_run and await ctx.stored_fingerprint() is None:
        return SecretBox(generate_key())
    return await ctx.box()


def _finish(report: ImportReport, plan: ImportPlan) -> None:
    report.not_represented = list(plan.not_represented)
    report.notes = list(plan.notes)
