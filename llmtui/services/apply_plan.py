"""What an apply would do, computed before anything is touched: the plan the user confirms.

The plan holds the exact bytes to write (secrets included, never in its repr), the bytes
on disk it was compared with, the validation result, a masked diff, and the restart
command that will run. `run_apply` refuses a plan whose files changed on disk since.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from llmtui.litellm.render import HEADER
from llmtui.ops.files import directory_write_problem, read_bytes_if_exists, sha256_bytes
from llmtui.secrets.masking import mask_config_text, scrub
from llmtui.services import settings as settings_service
from llmtui.services.config import RenderResult, env_path_for, render_config, unified_diff
from llmtui.services.config_validation import validate_render_result
from llmtui.services.context import AppContext
from llmtui.services.recorder import mounts as recorder_mounts
from llmtui.services.recorder import recorder_files
from llmtui.services.settings import SettingValue
from llmtui.store.schema import AuditEntry

SECRET_PARAMS = frozenset(
    {"api_key", "aws_secret_access_key", "aws_access_key_id", "master_key", "salt_key"}
)


@dataclass
class FileChange:
    """One file apply manages: the config, or (secrets_mode=env) the container's env file."""

    role: str  # config | env | recorder
    path: Path
    new: bytes = field(repr=False)
    old: bytes | None = field(repr=False)  # as read when planning; None = no file yet

    @property
    def changed(self) -> bool:
        return self.new != self.old

    @property
    def new_sha256(self) -> str:
        return sha256_bytes(self.new)

    @property
    def old_sha256(self) -> str | None:
        return None if self.old is None else sha256_bytes(self.old)


@dataclass(frozen=True)
class ApplySettings:
    config_path: Path
    proxy_url: str
    restart_argv: list[str]
    restart_cmd_origin: str
    restart_timeout: float
    health_timeout: float
    backup_keep: int
    secrets_mode: str


@dataclass
class ApplyPlan:
    kind: str  # apply | restore
    config_path: Path
    files: list[FileChange]
    settings: ApplySettings
    errors: list[str] = field(default_factory=list)  # validation: refuse
    problems: list[str] = field(default_factory=list)  # cannot write here: refuse
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diff: str = ""  # masked unified diff of the config
    added: int = 0
    removed: int = 0
    env_changes: list[str] = field(default_factory=list)  # variable names only
    audit_high_water: int | None = None
    restore_backup_id: int | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.files)

    @property
    def config(self) -> FileChange:
        return next(f for f in self.files if f.role == "config")

    @property
    def restart_available(self) -> bool:
        return bool(self.settings.restart_argv) and (
            shutil.which(self.settings.restart_argv[0]) is not None
        )

    @property
    def restart_command(self) -> str:
        """For display: secrets the files carry are masked even here."""
        return scrub(shlex.join(self.settings.restart_argv), self.secrets)


async def load_apply_settings(ctx: AppContext) -> ApplySettings:
    values: dict[str, SettingValue] = await settings_service.get_all(ctx)
    return ApplySettings(
        config_path=Path(str(values["config_path"].value)),
        proxy_url=str(values["proxy_url"].value),
        restart_argv=shlex.split(str(values["restart_cmd"].value)),
        restart_cmd_origin=values["restart_cmd"].origin,
        restart_timeout=float(values["restart_timeout"].value),
        health_timeout=float(values["health_timeout"].value),
        backup_keep=int(values["backup_keep"].value),
        secrets_mode=str(values["secrets_mode"].value),
    )


async def audit_high_water(ctx: AppContext) -> int | None:
    async with ctx.store.read() as session:
        return await session.scalar(select(func.max(AuditEntry.id)))


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_back_errors(text: str, expected: dict[str, Any] | None) -> list[str]:
    """The text must be YAML that reads back as a mapping (and as the rendered data)."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return [f"the config is not valid YAML{where}: {getattr(exc, 'problem', exc)}"]
    if not isinstance(data, dict):
        return ["the config is not a YAML mapping (LiteLLM expects model_list: ... at the top)"]
    if expected is not None and data != expected:
        return ["the rendered YAML does not read back as the data it was rendered from"]
    return []


def validate_rendered(result: RenderResult) -> tuple[list[str], list[str]]:
    """Errors refuse the apply; warnings are shown.

    The full validator (unknown keys against the installed LiteLLM, fallback targets,
    cycles, value types, env references) plus the store's chain findings and a check
    that the YAML reads back as the rendered data. Blocking: call it in a thread.
    """
    report = validate_render_result(result)
    errors = [i.describe() for i in report.errors]
    errors += parse_back_errors(result.text, result.rendered.data)
    warnings = [i.describe() for i in report.warnings]
    if not result.rendered.data.get("model_list"):
        warnings.append("the config has no models: the proxy will start but serve nothing")
    return errors, warnings


def secret_values(data: Any, extra: dict[str, str] | None = None) -> tuple[str, ...]:
    """Every secret the written files carry, so outputs can be scrubbed of them."""
    found: set[str] = set((extra or {}).values())

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in SECRET_PARAMS and isinstance(item, str):
                    if not item.startswith("os.environ/"):
                        found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return tuple(sorted(s for s in found if s))


def diff_counts(diff: str) -> tuple[int, int]:
    added = removed = 0
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def parse_env_file(data: bytes | None) -> dict[str, str]:
    """docker --env-file lines: NAME=value; comments and blank lines skipped."""
    pairs: dict[str, str] = {}
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            pairs[name] = value
    return pairs


def env_changes(old: bytes | None, new: bytes) -> list[str]:
    """`+NAME` / `-NAME` / `~NAME` for the env file: names only, values stay hidden."""
    before, after = parse_env_file(old), parse_env_file(new)
    changes = [f"+{n}" for n in sorted(after.keys() - before.keys())]
    changes += [f"-{n}" for n in sorted(before.keys() - after.keys())]
    changes += [f"~{n}" for n in sorted(after.keys() & before.keys()) if after[n] != before[n]]
    return changes


def describe_config_diff(plan: ApplyPlan) -> None:
    """Fill the masked diff and its +/- counts from the config file change."""
    change = plan.config
    old_text = None if change.old is None else change.old.decode("utf-8", "replace")
    plan.diff = mask_config_text(
        unified_diff(old_text, change.new.decode("utf-8", "replace"), str(change.path))
    )
    plan.added, plan.removed = diff_counts(plan.diff)


def check_targets(plan: ApplyPlan) -> None:
    for change in plan.files:
        if change.path.is_dir():
            plan.problems.append(f"{change.path} is a directory, not a file")
        elif problem := directory_write_problem(change.path):
            plan.problems.append(problem)


def restart_notes(plan: ApplyPlan) -> None:
    settings = plan.settings
    argv = settings.restart_argv
    if not plan.restart_available:
        plan.warnings.append(
            f"{argv[0]!r} is not on PATH: apply will write the file but skip the restart "
            "(restart the proxy yourself, or set restart_cmd)"
        )
    if settings.secrets_mode != "env":
        return
    if settings.restart_cmd_origin == "default":
        plan.notes.append(
            "secrets_mode=env: the proxy container is recreated (docker compose up -d "
            "--force-recreate), because a plain restart does not re-read its env file"
        )
    elif argv[:2] == ["docker", "restart"] or (
        "compose" in argv and "restart" in argv and "up" not in argv
    ):
        plan.warnings.append(
            "secrets_mode=env but restart_cmd only restarts the container: docker reads "
            "the env file when a container is created, so changed keys will not reach the "
            "proxy; use `docker compose ... up -d --force-recreate SERVICE`"
        )


async def plan_apply(ctx: AppContext) -> ApplyPlan:
    """Render, validate and compare with the files on disk; touches nothing."""
    settings = await load_apply_settings(ctx)
    high_water = await audit_high_water(ctx)  # before rendering: never over-claims
    result = await render_config(ctx)
    path = settings.config_path
    files = [FileChange("config", path, result.text.encode("utf-8"), read_bytes_if_exists(path))]
    if result.env_text is not None:
        env_path = env_path_for(path)
        new_env = result.env_text.encode("utf-8")
        files.insert(0, FileChange("env", env_path, new_env, read_bytes_if_exists(env_path)))
    for module_path, text in await recorder_files(ctx):  # written before the config
        files.insert(
            0,
            FileChange(
                "recorder", module_path, text.encode("utf-8"), read_bytes_if_exists(module_path)
            ),
        )
    errors, warnings = await asyncio.to_thread(validate_rendered, result)
    plan = ApplyPlan(
        kind="apply",
        config_path=path,
        files=files,
        settings=settings,
        errors=errors,
        warnings=warnings,
        audit_high_water=high_water,
        secrets=secret_values(result.rendered.data, result.rendered.env),
    )
    describe_config_diff(plan)
    for change in files:
        if change.role == "env" and change.changed:
            plan.env_changes = env_changes(change.old, change.new)
    old = plan.config.old
    if old is not None and plan.config.changed and not old.startswith(HEADER.encode()):
        plan.warnings.append(
            f"{path} was not written by llmtui: its content will be replaced (a backup is "
            "kept; `llmtui config import` brings hand edits into the store)"
        )
    check_targets(plan)
    restart_notes(plan)
    await recorder_notes(ctx, plan)
    return plan


async def recorder_notes(ctx: AppContext, plan: ApplyPlan) -> None:
    """The proxy only records fallbacks if its container mounts what apply writes."""
    if not any(f.role == "recorder" for f in plan.files):
        return
    for mount in await recorder_mounts(ctx):
        plan.notes.append(
            f"fallback recorder: the proxy container needs the mount {mount.docker_flag()} "
            f"(compose: {mount.compose_line()})"
        )
