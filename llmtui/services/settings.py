"""User settings: stored in the home's store, each overridable by an environment variable.

Effective value = environment variable, else stored value, else default.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from llmtui.errors import ConflictError, InvalidInput, NotFound
from llmtui.secrets.masking import mask_secret
from llmtui.services import audit
from llmtui.services.context import AppContext, now
from llmtui.services.validation import check_url
from llmtui.store.schema import Setting


def _as_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidInput(f"{raw!r} is not a yes/no value (use true or false)")


def _as_number(kind: type, minimum: float, maximum: float) -> Callable[[Any], Any]:
    def convert(raw: Any) -> Any:
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise InvalidInput(f"{raw!r} is not a number") from None
        if not minimum <= value <= maximum:
            raise InvalidInput(f"{value} is outside {minimum:g}–{maximum:g}")
        return value

    return convert


def _as_command(raw: Any) -> str:
    try:
        argv = shlex.split(str(raw))
    except ValueError as exc:
        raise InvalidInput(f"cannot split the command {raw!r}: {exc}") from None
    if not argv:
        raise InvalidInput("the restart command must not be empty")
    return str(raw)


def _as_choice(*choices: str) -> Callable[[Any], str]:
    def convert(raw: Any) -> str:
        if str(raw) not in choices:
            raise InvalidInput(f"{raw!r} is not one of {', '.join(choices)}")
        return str(raw)

    return convert


def _as_path(raw: Any) -> str:
    text = str(raw).strip()
    if not text:
        raise InvalidInput("the path must not be empty")
    return str(Path(text).expanduser())


def _as_container_path(raw: Any) -> str:
    text = str(raw).strip().rstrip("/")
    if not text.startswith("/") or ":" in text or any(c.isspace() for c in text):
        raise InvalidInput(f"{raw!r} is not an absolute container path without spaces or ':'")
    return text


def _as_interval(raw: Any) -> float:
    """0 turns it off; otherwise at least 1 s, so a typo cannot hammer every provider."""
    value = _as_number(float, 0, 86400)(raw)
    if 0 < value < 1:
        raise InvalidInput(f"{value:g} s is too short; use 0 (off) or at least 1 second")
    return float(value)


@dataclass(frozen=True)
class SettingDef:
    key: str
    env: str | None
    default: Any
    convert: Callable[[Any], Any]
    help: str
    secret: bool = False


SETTINGS: dict[str, SettingDef] = {
    d.key: d
    for d in (
        SettingDef(
            "config_path",
            "LLMTUI_CONFIG_PATH",
            None,
            _as_path,
            "the litellm-config.yaml llmtui writes (default: <home>/litellm-config.yaml)",
        ),
        SettingDef(
            "proxy_url",
            "LLMTUI_PROXY_URL",
            "http://127.0.0.1:4000",
            lambda v: check_url(str(v), "proxy URL"),
            "where the LiteLLM proxy answers",
        ),
        SettingDef(
            "proxy_key",
            "LLMTUI_PROXY_KEY",
            None,
            str,
            "the proxy's master key, used for live fallback tests",
            secret=True,
        ),
        SettingDef(
            "restart_cmd",
            "LLMTUI_RESTART_CMD",
            "docker restart litellm",
            _as_command,
            "argv (split like a shell, run without one) that restarts the proxy; with "
            "secrets_mode=env the default recreates the compose service instead, since a "
            "restart does not re-read an env file",
        ),
        SettingDef(
            "restart_timeout",
            "LLMTUI_RESTART_TIMEOUT",
            60.0,
            _as_number(float, 1, 3600),
            "seconds the restart command may take",
        ),
        SettingDef(
            "health_timeout",
            "LLMTUI_HEALTH_TIMEOUT",
            120.0,
            _as_number(float, 1, 3600),
            "seconds to wait for the proxy to become healthy after a restart",
        ),
        SettingDef(
            "backup_keep",
            "LLMTUI_BACKUP_KEEP",
            10,
            _as_number(int, 1, 1000),
            "how many config backups to keep",
        ),
        SettingDef(
            "secrets_mode",
            "LLMTUI_SECRETS_MODE",
            "inline",
            _as_choice("inline", "env"),
            "inline: keys in the 0600 config; env: os.environ/ references plus a 0600 env file",
        ),
        SettingDef(
            "drill_mode",
            "LLMTUI_DRILL_MODE",
            False,
            _as_bool,
            "allow live fallback tests (writes dangerously_allow_mock_testing_request_params)",
        ),
        SettingDef(
            "recorder_enabled",
            "LLMTUI_RECORDER",
            False,
            _as_bool,
            "record the proxy's real fallbacks (apply writes llmtui_recorder.py beside the config)",
        ),
        SettingDef(
            "events_dir",
            "LLMTUI_EVENTS_DIR",
            None,
            _as_path,
            "host directory the proxy's recorder writes events to (default: <home>/events)",
        ),
        SettingDef(
            "events_dir_in_container",
            "LLMTUI_EVENTS_DIR_IN_CONTAINER",
            "/llmtui-events",
            _as_container_path,
            "where the events directory is mounted inside the proxy's container",
        ),
        SettingDef(
            "container_config_dir",
            "LLMTUI_CONTAINER_CONFIG_DIR",
            "/app",
            _as_container_path,
            "the directory of the config file inside the proxy's container",
        ),
        SettingDef(
            "health_interval",
            "LLMTUI_HEALTH_INTERVAL",
            0.0,
            _as_interval,
            "seconds between background connection tests of every enabled provider while "
            "the TUI runs (0 = off)",
        ),
        SettingDef(
            "probe_connect_timeout",
            "LLMTUI_PROBE_CONNECT_TIMEOUT",
            5.0,
            _as_number(float, 0.1, 120),
            "connect timeout of provider connection tests, seconds",
        ),
        SettingDef(
            "probe_read_timeout",
            "LLMTUI_PROBE_READ_TIMEOUT",
            30.0,
            _as_number(float, 0.1, 600),
            "read timeout of provider connection tests, seconds",
        ),
    )
}


def setting_def(key: str) -> SettingDef:
    try:
        return SETTINGS[key]
    except KeyError:
        raise NotFound(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}") from None


@dataclass(frozen=True)
class SettingValue:
    key: str
    value: Any
    origin: str  # env, stored, default
    help: str
    secret: bool
    version: int = 0  # of the stored row; 0 = not stored (expected_version for set_value)

    def display(self) -> Any:
        return mask_secret(self.value) if self.secret and self.value else self.value

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.display(), "origin": self.origin, "help": self.help}


def env_mode_restart_cmd(config_path: str) -> str:
    """`docker restart` keeps a container's old environment; recreating it re-reads env_file.

    Assumes the compose file sits beside the config with a service named `litellm`.
    """
    directory = str(Path(config_path).parent)
    argv = ["docker", "compose", "--project-directory", directory, "up", "-d"]
    return shlex.join([*argv, "--force-recreate", "litellm"])


def _default(ctx: AppContext, definition: SettingDef) -> Any:
    if definition.key == "config_path":
        return str(ctx.home / "litellm-config.yaml")
    if definition.key == "events_dir":
        return str(ctx.home / "events")
    return definition.default


async def get_all(ctx: AppContext) -> dict[str, SettingValue]:
    async with ctx.store.read() as session:
        rows = {s.key: s for s in (await session.scalars(select(Setting))).all()}
    stored = {key: row.value for key, row in rows.items()}
    result: dict[str, SettingValue] = {}
    for key, definition in SETTINGS.items():
        env_value = os.environ.get(definition.env) if definition.env else None
        if env_value not in (None, ""):
            value, origin = definition.convert(env_value), "env"
        elif key in stored:
            raw = stored[key]
            if definition.secret and isinstance(raw, dict) and "token" in raw:
                raw = (await ctx.box()).decrypt(raw["token"])["value"]
            value, origin = raw, "stored"
        else:
            value, origin = _default(ctx, definition), "default"
        version = rows[key].version if key in rows else 0
        result[key] = SettingValue(key, value, origin, definition.help, definition.secret, version)
    restart = result["restart_cmd"]
    if restart.origin == "default" and result["secrets_mode"].value == "env":
        command = env_mode_restart_cmd(result["config_path"].value)
        result["restart_cmd"] = replace(restart, value=command)
    return result


async def get(ctx: AppContext, key: str) -> Any:
    setting_def(key)
    return (await get_all(ctx))[key].value


async def get_plain(ctx: AppContext, key: str) -> Any:
    """One non-secret setting without resolving the master key (background polling)."""
    definition = setting_def(key)
    if definition.secret:
        raise InvalidInput(f"{key} is a secret setting; read it with get()")
    env_value = os.environ.get(definition.env) if definition.env else None
    if env_value not in (None, ""):
        return definition.convert(env_value)
    async with ctx.store.read() as session:
        row = await session.get(Setting, key)
    return row.value if row is not None else _default(ctx, definition)


def _check_version(key: str, row: Setting | None, expected: int | None) -> None:
    if expected is not None and (row.version if row is not None else 0) != expected:
        raise ConflictError(
            f"the setting {key} was changed elsewhere since you opened it; reload and try again"
        )


async def set_value(
    ctx: AppContext, key: str, raw: Any, expected_version: int | None = None
) -> SettingValue:
    definition = setting_def(key)
    value = definition.convert(raw)
    stored: Any = value
    if definition.secret:
        stored = {"token": (await ctx.box()).encrypt({"value": value})}
    async with ctx.store.write() as session:
        row = await session.get(Setting, key)
        _check_version(key, row, expected_version)
        before = None if row is None else ("••••" if definition.secret else row.value)
        if row is None:
            row = Setting(key=key, value=stored, updated_at=now())
            session.add(row)
        else:
            row.value = stored
            row.updated_at = now()
        shown = mask_secret(value) if definition.secret else value
        audit.record(session, "setting.set", "setting", key, before, shown)
        await session.flush()
        version = row.version
    return SettingValue(key, value, "stored", definition.help, definition.secret, version)


async def unset(ctx: AppContext, key: str, expected_version: int | None = None) -> None:
    definition = setting_def(key)
    async with ctx.store.write() as session:
        row = await session.get(Setting, key)
        _check_version(key, row, expected_version)
        if row is None:
            return
        before = "••••" if definition.secret else row.value
        await session.delete(row)
        audit.record(session, "setting.unset", "setting", key, before, None)
