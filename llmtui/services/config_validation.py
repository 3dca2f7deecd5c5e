"""Validate what llmtui would write: the rendered config plus the store's chain findings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass

from llmtui.litellm.render import DEFAULT_MASTER_KEY_REF, FALLBACK_KEYS
from llmtui.litellm.validate import validate_text
from llmtui.litellm.validation_report import ERROR, Issue, ValidationReport, format_path
from llmtui.litellm.yaml_marks import KeyPath, Marks, YamlProblem, load_with_marks
from llmtui.services.config import RenderResult, render_config
from llmtui.services.context import AppContext


@dataclass
class RenderedValidation:
    result: RenderResult
    report: ValidationReport


async def validate_rendered(
    ctx: AppContext, environ: Mapping[str, str] | None = None
) -> RenderedValidation:
    """Render from the store and validate it (in a thread: the first run may take seconds)."""
    result = await render_config(ctx)
    report = await asyncio.to_thread(validate_render_result, result, environ)
    return RenderedValidation(result, report)


def validate_render_result(
    result: RenderResult, environ: Mapping[str, str] | None = None
) -> ValidationReport:
    """Line numbers refer to `llmtui config render` output; env-mode secrets count as set."""
    env = {**(os.environ if environ is None else environ), **result.rendered.env}
    report = validate_text(result.text, environ=env)
    try:
        _, marks = load_with_marks(result.text)
    except YamlProblem:
        marks = Marks()
    issues = [i for i in report.issues if not _expected_env_warning(result, i)]
    known = {(i.level, i.path, i.message) for i in issues}
    for group, kind, finding in result.chain_findings:
        path = _chain_path(result, group, kind, finding.position)
        where = marks.key(path) if finding.position is None else marks.value(path)
        issue = Issue(
            finding.level,
            format_path(path),
            finding.message,
            where.line if where else None,
            where.column if where else None,
        )
        if (issue.level, issue.path, issue.message) in known:
            continue
        # The store knows why a target is missing ("no enabled deployment"): say that
        # instead of the validator's generic "no model group named ..." at the same place.
        issues = [i for i in issues if not (i.level == issue.level and i.path == issue.path)]
        issues.append(issue)
    issues = sorted(
        issues,
        key=lambda i: (i.line is None, i.line or 0, i.column or 0, i.level != ERROR),
    )
    return ValidationReport(issues)


def _expected_env_warning(result: RenderResult, issue: Issue) -> bool:
    """The master key reference llmtui writes is meant for the proxy's environment, not ours."""
    master = (result.rendered.data.get("general_settings") or {}).get("master_key")
    return (
        issue.level != ERROR
        and issue.path == "general_settings.master_key"
        and master == DEFAULT_MASTER_KEY_REF
    )


def _chain_path(result: RenderResult, group: str, kind: str, position: int | None) -> KeyPath:
    key = FALLBACK_KEYS.get(kind, kind)
    router = result.rendered.data.get("router_settings") or {}
    chains = router.get(key) or []
    for index, item in enumerate(chains):
        if isinstance(item, dict) and group in item:
            path: KeyPath = ("router_settings", key, index, group)
            return path if position is None else (*path, position)
    return ("router_settings", key)
