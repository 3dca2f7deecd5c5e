"""The config keys (and value types) the installed LiteLLM accepts, cached per version.

Extracting them (`llmtui/litellm/introspect.py`) imports litellm and parses parts of
its source: 10-20 s. The result depends only on the installed LiteLLM, so it is kept
as JSON under the user cache dir, one file per LiteLLM version (read from package
metadata, without importing litellm). A cache file that is unreadable, from another
schema or another version is ignored and rebuilt; one that cannot be written only
costs the next run the extraction again.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmtui.errors import LlmtuiError
from llmtui.litellm import introspect

CACHE_ENV = "LLMTUI_CACHE_DIR"
BUILD_TIMEOUT_S = 300.0


class KeysUnavailable(LlmtuiError):
    """The installed LiteLLM could not be introspected."""


@dataclass(frozen=True)
class TypeRule:
    """What values a key takes: JSON-ish kinds and, for choices, the allowed literals."""

    kinds: frozenset[str]
    values: tuple[Any, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TypeRule:
        kinds = data["kinds"]
        values = data.get("values", [])
        if not isinstance(kinds, list) or not isinstance(values, list):
            raise TypeError("kinds and values must be lists")
        return cls(frozenset(str(k) for k in kinds), tuple(values))

    @property
    def checks_anything(self) -> bool:
        return "any" not in self.kinds


ANY = TypeRule(frozenset({"any"}))


@dataclass(frozen=True)
class AcceptedKeys:
    litellm_version: str
    top_level: frozenset[str]
    router_settings: dict[str, TypeRule]
    router_managed_outside_config: frozenset[str]
    retry_policy: dict[str, TypeRule]
    allowed_fails_policy: dict[str, TypeRule]
    litellm_settings: frozenset[str]
    litellm_settings_types: dict[str, TypeRule]
    general_settings: dict[str, TypeRule]
    litellm_params: frozenset[str]
    model_info: frozenset[str]
    deployment: frozenset[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcceptedKeys:
        """Raises KeyError/TypeError/ValueError on anything malformed (a corrupt cache)."""
        if data.get("schema") != introspect.SCHEMA:
            raise ValueError("cache schema differs")

        def names(key: str) -> frozenset[str]:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"{key} must be a list of names")
            return frozenset(value)

        def rules(key: str) -> dict[str, TypeRule]:
            value = data[key]
            if not isinstance(value, dict):
                raise TypeError(f"{key} must be a mapping")
            return {str(name): TypeRule.from_json(rule) for name, rule in value.items()}

        version = data["litellm_version"]
        if not isinstance(version, str):
            raise TypeError("litellm_version must be a string")
        return cls(
            litellm_version=version,
            top_level=names("top_level"),
            router_settings=rules("router_settings"),
            router_managed_outside_config=names("router_managed_outside_config"),
            retry_policy=rules("retry_policy"),
            allowed_fails_policy=rules("allowed_fails_policy"),
            litellm_settings=names("litellm_settings"),
            litellm_settings_types=rules("litellm_settings_types"),
            general_settings=rules("general_settings"),
            litellm_params=names("litellm_params"),
            model_info=names("model_info"),
            deployment=names("deployment"),
        )


@dataclass(frozen=True)
class Loaded:
    keys: AcceptedKeys
    source: str  # "memory", "cache" or "built"
    path: Path


_memo: dict[Path, AcceptedKeys] = {}


def installed_litellm_version() -> str:
    try:
        return importlib.metadata.version("litellm")
    except importlib.metadata.PackageNotFoundError:
        raise KeysUnavailable("LiteLLM is not installed alongside llmtui") from None


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("llmtui"))


def cache_path(version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", version)
    return cache_dir() / f"litellm-keys-{safe}.json"


def load() -> Loaded:
    """From memory, else the cache file, else a fresh extraction (which is then cached)."""
    version = installed_litellm_version()
    path = cache_path(version)
    if path in _memo:
        return Loaded(_memo[path], "memory", path)
    keys = read_cache(path, version)
    source = "cache"
    if keys is None:
        keys, source = build(path, version), "built"
    _memo[path] = keys
    return Loaded(keys, source, path)


def needs_build() -> bool:
    """True when the next load() will spend seconds extracting (to tell the user first)."""
    try:
        path = cache_path(installed_litellm_version())
    except KeysUnavailable:
        return False
    return path not in _memo and read_cache(path, installed_litellm_version()) is None


def accepted_keys() -> AcceptedKeys:
    return load().keys


def forget_memo() -> None:
    """Drop what this process remembers (the cache files stay)."""
    _memo.clear()


def read_cache(path: Path, version: str) -> AcceptedKeys | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        keys = AcceptedKeys.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return keys if keys.litellm_version == version else None


def build(path: Path, version: str) -> AcceptedKeys:
    """Run the extraction in a child interpreter and cache what it printed."""
    # The child must import this very llmtui, whether installed or run from a checkout.
    root = str(Path(introspect.__file__).resolve().parents[2])
    pythonpath = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONPATH": pythonpath}
    try:
        done = subprocess.run(
            [sys.executable, "-m", introspect.__name__],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            env=env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise KeysUnavailable(
            f"reading what LiteLLM {version} accepts took over {BUILD_TIMEOUT_S:.0f} s"
        ) from None
    except OSError as exc:
        raise KeysUnavailable(f"cannot run {sys.executable}: {exc.strerror}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise KeysUnavailable(f"reading what LiteLLM {version} accepts failed: {last}")
    try:
        data = json.loads(done.stdout)
        keys = AcceptedKeys.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeysUnavailable(f"LiteLLM {version} introspection gave bad output: {exc}") from None
    _write_cache(path, data)
    return keys


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    from llmtui.ops.files import atomic_write_text

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(path, json.dumps(data, sort_keys=True), mode=0o644)
    except (OSError, LlmtuiError):
        pass  # a read-only cache only means the next run extracts again
