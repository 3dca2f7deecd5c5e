"""The opt-in proxy-side fallback recorder: the file apply writes, the mounts to add.

When `recorder_enabled` is on, `load_snapshot` lists RECORDER_CALLBACK in
`litellm_settings.callbacks` and apply must write `recorder_files(ctx)` beside the config:
LiteLLM imports `llmtui_recorder.py` from the directory of its config file.
"""

from __future__ import annotations

import importlib.resources
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmtui.errors import LlmtuiError
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext

RECORDER_MODULE = "llmtui_recorder"
RECORDER_FILENAME = f"{RECORDER_MODULE}.py"
RECORDER_CALLBACK = f"{RECORDER_MODULE}.recorder"
EVENTS_FILE = "fallback-events.jsonl"  # equal to proxy_recorder.EVENTS_FILE (tested)
_DIR_LINE = (
    'DEFAULT_EVENTS_DIR = "/llmtui-events"  # llmtui: replaced by the configured container path'
)
_HEADER = (
    "# Written by llmtui (`llmtui recorder`): records fallbacks to the events directory.\n"
    "# The next apply overwrites edits; `llmtui recorder disable` + apply stops using it.\n"
)


@dataclass(frozen=True)
class Mount:
    host: Path
    container: str
    read_only: bool = False

    @property
    def spec(self) -> str:
        return f"{self.host}:{self.container}" + (":ro" if self.read_only else "")

    def docker_flag(self) -> str:
        return f"-v {shlex.quote(self.spec)}"

    def compose_line(self) -> str:
        return f'- "{self.spec}"'


@dataclass(frozen=True)
class RecorderConfig:
    enabled: bool
    events_dir: Path
    events_dir_in_container: str
    container_config_dir: str
    config_path: Path

    @property
    def events_file(self) -> Path:
        return self.events_dir / EVENTS_FILE

    @property
    def module_path(self) -> Path:
        return self.config_path.parent / RECORDER_FILENAME

    @property
    def events_mount(self) -> Mount:
        return Mount(self.events_dir, self.events_dir_in_container)

    @property
    def module_mount(self) -> Mount:
        return Mount(self.module_path, f"{self.container_config_dir}/{RECORDER_FILENAME}", True)


def module_text(events_dir_in_container: str) -> str:
    """The recorder as it runs in the proxy, with the container's events path baked in."""
    source = (
        importlib.resources.files("llmtui.litellm")
        .joinpath("proxy_recorder.py")
        .read_text(encoding="utf-8")
    )
    if _DIR_LINE not in source:
        raise LlmtuiError("this llmtui installation has a damaged recorder module; reinstall it")
    baked = f"DEFAULT_EVENTS_DIR = {events_dir_in_container!r}  # set by llmtui"
    return _HEADER + source.replace(_DIR_LINE, baked)


async def recorder_config(ctx: AppContext) -> RecorderConfig:
    values = await settings_service.get_all(ctx)
    return RecorderConfig(
        enabled=bool(values["recorder_enabled"].value),
        events_dir=Path(values["events_dir"].value),
        events_dir_in_container=values["events_dir_in_container"].value,
        container_config_dir=values["container_config_dir"].value,
        config_path=Path(values["config_path"].value),
    )


async def recorder_files(ctx: AppContext) -> list[tuple[Path, str]]:
    """What apply writes beside the config (nothing while the recorder is off)."""
    config = await recorder_config(ctx)
    if not config.enabled:
        return []
    return [(config.module_path, module_text(config.events_dir_in_container))]


async def volume_line(ctx: AppContext, compose: bool = False) -> str:
    """The events-directory mount to add to the proxy's container."""
    mount = (await recorder_config(ctx)).events_mount
    return mount.compose_line() if compose else mount.docker_flag()


async def mounts(ctx: AppContext) -> list[Mount]:
    """Both mounts the proxy needs: the events directory, and the module beside its config."""
    config = await recorder_config(ctx)
    return [config.events_mount, config.module_mount]


async def set_enabled(ctx: AppContext, enabled: bool) -> RecorderConfig:
    """Store the setting (audited); enabling also creates the host events directory."""
    if os.environ.get("LLMTUI_RECORDER"):
        raise LlmtuiError(
            "LLMTUI_RECORDER is set in the environment and overrides the stored setting; "
            "unset it first"
        )
    events_dir = (await recorder_config(ctx)).events_dir
    if enabled:  # first, so that a failure leaves the setting as it was
        try:
            events_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise LlmtuiError(
                f"cannot create the events directory {events_dir}: {exc.strerror}; "
                "the recorder stays off"
            ) from exc
    await settings_service.set_value(ctx, "recorder_enabled", enabled)
    return await recorder_config(ctx)


def module_state(config: RecorderConfig) -> str:
    """missing / current / stale: whether the module on disk is what apply would write."""
    try:
        on_disk = config.module_path.read_text(encoding="utf-8")
    except OSError:
        return "missing"
    return "current" if on_disk == module_text(config.events_dir_in_container) else "stale"


@dataclass(frozen=True)
class RecorderStatus:
    config: RecorderConfig
    module: str  # missing / current / stale
    callback_in_config: bool | None  # None: no config file yet
    files: list[tuple[str, int]]
    ingest: dict[str, Any]

    @property
    def apply_needed(self) -> bool:
        if self.config.enabled:
            return self.module != "current" or not self.callback_in_config
        return bool(self.callback_in_config)

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.config.enabled,
            "apply_needed": self.apply_needed,
            "events_dir": str(self.config.events_dir),
            "events_dir_in_container": self.config.events_dir_in_container,
            "module_path": str(self.config.module_path),
            "module": self.module,
            "callback_in_config": self.callback_in_config,
            "files": [{"name": name, "bytes": size} for name, size in self.files],
            "mounts": [m.spec for m in (self.config.events_mount, self.config.module_mount)],
            "ingest": self.ingest,
        }


async def recorder_status(ctx: AppContext) -> RecorderStatus:
    """Is the recorder on, written, listed in the config on disk, and how far is ingest."""
    from llmtui.services.ingest import load_stats

    config = await recorder_config(ctx)
    try:
        callback: bool | None = RECORDER_CALLBACK in config.config_path.read_text("utf-8")
    except OSError:
        callback = None
    files = []
    for name in (EVENTS_FILE, f"{EVENTS_FILE}.1"):
        try:
            files.append((name, (config.events_dir / name).stat().st_size))
        except OSError:
            continue
    return RecorderStatus(config, module_state(config), callback, files, await load_stats(ctx))
