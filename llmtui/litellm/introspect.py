"""Extract the config keys the installed LiteLLM accepts; `python -m` it, it prints JSON.

Runs in a child process (see `accepted_keys.build`) so that importing `litellm`
(seconds, global side effects, network attempts) never touches the caller, and a
hang or crash there costs a timeout, not the app.

Two sources, each used where it is the authority:
- the imported package for what Python objects define: `Router.get_valid_args()`
  (exactly what the proxy filters router_settings with), the pydantic fields of
  RetryPolicy / AllowedFailsPolicy / ConfigGeneralSettings / LiteLLM_Params, the
  module globals of `litellm` (what `setattr(litellm, key, value)` feeds), and the
  annotations that give value types;
- `ast` over the proxy's source for keys that exist only as code: the branches of
  `load_config` and the `general_settings.get("...")` / `litellm_settings.get("...")`
  reads scattered through the package. `litellm.proxy.proxy_server` cannot be
  imported without the proxy extra (fastapi), and importing it would start a server's
  worth of state, so reading its source is the robust way.

Keep this module and its two helpers free of other llmtui imports: they run in the
child with nothing else loaded.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import json
import os
import sys
import types
from pathlib import Path
from typing import Any

from llmtui.litellm.introspect_source import scan_keys
from llmtui.litellm.introspect_types import field_types, param_types

SCHEMA = 1

# Names LiteLLM's code uses for each section's dict, for the `ast` scan.
LITELLM_SETTINGS_NAMES = frozenset({"litellm_settings", "_litellm_settings"})
GENERAL_SETTINGS_NAMES = frozenset(
    {"general_settings", "_general_settings", "typed_general_settings"}
)
TOP_LEVEL_NAMES = frozenset({"config", "_config", "config_data"})
DEPLOYMENT_NAMES = frozenset({"model", "deployment", "_deployment", "deployment_info"})
MODEL_INFO_NAMES = frozenset({"model_info", "model_info_dict", "mi_dict"})
# The proxy modules that read the top level of the config file.
TOP_LEVEL_FILES = ("proxy/proxy_server.py", "proxy/common_utils/config_includes.py")


def _litellm_globals(litellm: types.ModuleType) -> list[str]:
    """Module globals that hold settings (not functions, classes or submodules)."""
    out = []
    for name, value in vars(litellm).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if inspect.isclass(value) or inspect.isroutine(value) or callable(value):
            continue
        out.append(name)
    return sorted(out)


def _typed_dict_keys(cls: Any) -> set[str]:
    return set(getattr(cls, "__annotations__", {})) if cls is not None else set()


def _signature_names(*functions: Any) -> set[str]:
    names: set[str] = set()
    for function in functions:
        if function is None:
            continue
        try:
            params = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            continue
        names |= {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return names - {"self"}


def extract() -> dict[str, Any]:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm
    from litellm.types import router as router_types

    package = Path(litellm.__file__).parent
    router_cls = litellm.Router
    valid_args = (
        router_cls.get_valid_args()
        if hasattr(router_cls, "get_valid_args")
        else list(param_types(router_cls.__init__))
    )
    router_types_by_name = param_types(router_cls.__init__)
    try:
        from litellm.constants import ROUTER_SETTINGS_MANAGED_OUTSIDE_CONFIG as managed
    except ImportError:
        managed = frozenset()

    try:  # importable without the proxy extra today; tolerate a version where it is not
        from litellm.proxy._types import ConfigGeneralSettings, ConfigYAML

        documented_general = field_types(ConfigGeneralSettings)
        documented_top = set(ConfigYAML.model_fields)
    except ImportError:
        documented_general, documented_top = {}, set()

    python_files = [p for p in package.rglob("*.py") if "__pycache__" not in p.parts]
    top_files = [package / rel for rel in TOP_LEVEL_FILES]

    scanned = scan_keys(
        python_files,
        {
            "general": GENERAL_SETTINGS_NAMES,
            "litellm": LITELLM_SETTINGS_NAMES,
        },
    )
    general = {key: {"kinds": ["any"]} for key in scanned["general"]}
    general.update(documented_general)

    litellm_globals = _litellm_globals(litellm)
    settings = set(litellm_globals) | scanned["litellm"]
    # Settings the Router also takes fall back to `litellm.<name>`: same value type.
    settings_types = {
        name: router_types_by_name[name] for name in settings if name in router_types_by_name
    }

    utils_types = getattr(litellm, "types", None)
    utils = getattr(utils_types, "utils", None)
    litellm_params = (
        set(router_types.LiteLLM_Params.model_fields)
        | set(
            getattr(router_types, "GenericLiteLLMParams", router_types.LiteLLM_Params).model_fields
        )
        | _typed_dict_keys(getattr(router_types, "LiteLLMParamsTypedDict", None))
        | set(getattr(utils, "all_litellm_params", []) or [])
        | set(getattr(litellm, "OPENAI_CHAT_COMPLETION_PARAMS", []) or [])
        | _signature_names(
            *(
                getattr(litellm, name, None)
                for name in (
                    "completion",
                    "embedding",
                    "image_generation",
                    "transcription",
                    "speech",
                    "text_completion",
                    "responses",
                    "rerank",
                )
            ),
            getattr(getattr(litellm, "utils", None), "get_optional_params", None),
        )
    )
    # What the router reads from a model_list entry and its model_info (`model.get("tpm")`).
    router_reads = scan_keys(
        [package / "router.py"], {"entry": DEPLOYMENT_NAMES, "model_info": MODEL_INFO_NAMES}
    )
    model_info = (
        set(router_types.ModelInfo.model_fields)
        | _typed_dict_keys(getattr(utils, "ModelInfo", None))
        | {key for entry in litellm.model_cost.values() for key in entry}
        | router_reads["model_info"]
    )
    deployment = set(router_types.Deployment.model_fields) | _typed_dict_keys(
        getattr(router_types, "DeploymentTypedDict", None)
    )
    deployment |= router_reads["entry"]

    top = documented_top | scan_keys(top_files, {"top": TOP_LEVEL_NAMES})["top"]
    return {
        "schema": SCHEMA,
        "litellm_version": importlib.metadata.version("litellm"),
        "top_level": sorted(top),
        "router_settings": {
            name: router_types_by_name.get(name, {"kinds": ["any"]}) for name in valid_args
        },
        "router_managed_outside_config": sorted(managed),
        "retry_policy": field_types(router_types.RetryPolicy),
        "allowed_fails_policy": field_types(router_types.AllowedFailsPolicy),
        "litellm_settings": sorted(settings),
        "litellm_settings_types": settings_types,
        "general_settings": general,
        "litellm_params": sorted(litellm_params),
        "model_info": sorted(model_info),
        "deployment": sorted(deployment),
    }


def main() -> None:
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # whatever litellm prints is not our JSON
        data = extract()
    out.write(json.dumps(data, sort_keys=True))
    out.flush()


if __name__ == "__main__":
    main()
