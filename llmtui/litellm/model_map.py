"""Prices, context windows and capabilities from the model map bundled in `litellm`.

The JSON file is read straight from the installed package; `import litellm` would
cost seconds and try the network.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmtui.litellm.provider_types import ProviderType

MODEL_MAP_FILE = "model_prices_and_context_window_backup.json"
PER_MILLION = 1_000_000

# Capability names shown in llmtui, from the map's supports_* flags.
CAPABILITY_FLAGS = {
    "supports_function_calling": "function_calling",
    "supports_vision": "vision",
    "supports_response_schema": "response_schema",
    "supports_reasoning": "reasoning",
    "supports_prompt_caching": "prompt_caching",
    "supports_audio_input": "audio_input",
    "supports_pdf_input": "pdf_input",
    "supports_web_search": "web_search",
}


@dataclass(frozen=True)
class ModelFacts:
    input_cost_per_1m: float | None
    output_cost_per_1m: float | None
    context_window: int | None
    max_output_tokens: int | None
    mode: str | None
    capabilities: list[str] = field(default_factory=list)


def litellm_package_dir() -> Path | None:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


@functools.cache
def load_model_map() -> dict[str, dict[str, Any]]:
    package = litellm_package_dir()
    if package is None:
        return {}
    try:
        data = json.loads((package / MODEL_MAP_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    data.pop("sample_spec", None)
    return data


def facts_from_entry(entry: dict[str, Any]) -> ModelFacts:
    def per_million(value: Any) -> float | None:
        if isinstance(value, int | float):
            return round(float(value) * PER_MILLION, 6)
        return None

    def as_int(value: Any) -> int | None:
        return int(value) if isinstance(value, int | float) and value > 0 else None

    capabilities = ["streaming"] if entry.get("mode") == "chat" else []
    capabilities += [name for flag, name in CAPABILITY_FLAGS.items() if entry.get(flag) is True]
    return ModelFacts(
        input_cost_per_1m=per_million(entry.get("input_cost_per_token")),
        output_cost_per_1m=per_million(entry.get("output_cost_per_token")),
        context_window=as_int(entry.get("max_input_tokens")) or as_int(entry.get("max_tokens")),
        max_output_tokens=as_int(entry.get("max_output_tokens")),
        mode=entry.get("mode"),
        capabilities=capabilities,
    )


def lookup(ptype: ProviderType, upstream_model: str) -> ModelFacts | None:
    """The map's entry for this model on this provider type, if LiteLLM knows it."""
    model_map = load_model_map()
    candidates = [f"{ptype.litellm_prefix}/{upstream_model}", upstream_model]
    for provider in ptype.model_map_providers:
        candidates.append(f"{provider}/{upstream_model}")
    for key in candidates:
        entry = model_map.get(key)
        if entry is None:
            continue
        provider = entry.get("litellm_provider")
        if key == upstream_model and provider not in ptype.model_map_providers:
            continue
        return facts_from_entry(entry)
    return None
