"""model_list entries, and the model group names they define (fallbacks point at them).

An entry the proxy cannot build is skipped without a word (`ignore_invalid_deployments`),
so missing or mistyped required fields are errors; unknown litellm_params are passed to
the provider as they are, so those are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmtui.litellm.accepted_keys import AcceptedKeys
from llmtui.litellm.model_map import load_model_map
from llmtui.litellm.validate_values import check_keys, kind_of, require_mapping
from llmtui.litellm.validation_report import WARNING, Collector, suggest

YES, MAYBE, NO = "yes", "maybe", "no"


@dataclass
class ModelNames:
    """The names a request (or a fallback) can use, as LiteLLM's router resolves them."""

    exact: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    # Wildcard model_names ("openai/*"): LiteLLM re.match'es each as a regex with `*` -> `(.*)`.
    patterns: list[str] = field(default_factory=list)
    # Why model_list may not be the whole story (an include, models kept in the DB).
    incomplete: str | None = None

    def add(self, name: str) -> None:
        if "*" in name:
            self.patterns.append(name)
        else:
            self.exact.add(name)

    def resolves(self, name: str) -> str:
        if name in self.exact or name in self.aliases:
            return YES
        if any(wildcard_match(p, name) for p in self.patterns):
            return YES
        if "/" in name or not any("/" in p for p in self.patterns):
            return NO
        # LiteLLM also tries "<provider it infers>/name" against the wildcards; the
        # bundled model map says which provider it infers for the models it knows.
        entry = load_model_map().get(name)
        provider = entry.get("litellm_provider") if isinstance(entry, dict) else None
        if isinstance(provider, str):
            prefixed = f"{provider}/{name}"
            return YES if any(wildcard_match(p, prefixed) for p in self.patterns) else NO
        return MAYBE

    def closest(self, name: str) -> str | None:
        return suggest(name, self.exact | self.aliases)

    def describe_missing(self, name: str) -> str:
        return f"no model group named {name!r} in model_list"


def wildcard_match(pattern: str, name: str) -> bool:
    """What `re.match(escape(pattern) with * -> (.*), name, DOTALL)` answers, in linear time.

    The regex form backtracks exponentially on names with many `*`; a prefix match with
    `.*` gaps only needs each literal part found in order after the first.
    """
    first, *rest = pattern.split("*")
    if not name.startswith(first):
        return False
    position = len(first)
    for part in rest:
        found = name.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def check_model_list(c: Collector, keys: AcceptedKeys | None, value: Any) -> ModelNames:
    names = ModelNames()
    path: tuple[Any, ...] = ("model_list",)
    if value is None:
        return names
    if not isinstance(value, list):
        c.error(path, f"model_list must be a list of models, got {kind_of(value)}")
        return names
    ids: dict[str, int] = {}
    for index, entry in enumerate(value):
        name = _check_entry(c, keys, (*path, index), entry, ids)
        if name is not None:
            names.add(name)
    return names


def _check_entry(
    c: Collector,
    keys: AcceptedKeys | None,
    path: tuple[Any, ...],
    entry: Any,
    ids: dict[str, int],
) -> str | None:
    if not isinstance(entry, dict):
        c.error(path, "each model_list entry must be a mapping with model_name and litellm_params")
        return None
    if keys is not None:
        check_keys(
            c,
            path,
            entry,
            keys.deployment,
            level=WARNING,
            why="not a model_list entry field LiteLLM reads",
        )
    name = entry.get("model_name")
    if "model_name" not in entry:
        c.error(path, "model_name is missing; the proxy cannot load this model")
    elif not isinstance(name, str) or not name:
        c.error((*path, "model_name"), "model_name must be a non-empty string")
    params = entry.get("litellm_params")
    if "litellm_params" not in entry:
        c.error(path, "litellm_params is missing; the proxy cannot load this model")
    elif not isinstance(params, dict):
        c.error((*path, "litellm_params"), "litellm_params must be a mapping")
    else:
        _check_params(c, keys, (*path, "litellm_params"), params)
    info = entry.get("model_info")
    if require_mapping(c, (*path, "model_info"), info, "model_info") and info:
        if keys is not None:
            check_keys(
                c,
                (*path, "model_info"),
                info,
                keys.model_info,
                level=WARNING,
                why="not a model_info field LiteLLM knows",
            )
        _check_id(c, (*path, "model_info", "id"), info.get("id"), ids, path[-1])
    return name if isinstance(name, str) and name else None


def _check_params(
    c: Collector, keys: AcceptedKeys | None, path: tuple[Any, ...], params: dict[Any, Any]
) -> None:
    model = params.get("model")
    if "model" not in params:
        c.error(path, "litellm_params.model is missing; the proxy cannot load this model")
    elif not isinstance(model, str) or not model:
        c.error((*path, "model"), "litellm_params.model must be a non-empty string")
    if keys is not None:
        check_keys(
            c,
            path,
            params,
            keys.litellm_params,
            level=WARNING,
            why="not a parameter LiteLLM knows; it is passed to the provider as it is",
        )


def _check_id(
    c: Collector, path: tuple[Any, ...], model_id: Any, ids: dict[str, int], index: int
) -> None:
    if model_id is None:
        return
    key = str(model_id)
    if key in ids:
        c.warning(
            path,
            f"model_list[{ids[key]}] has the same id; LiteLLM tells deployments apart by it "
            "(cooldowns, health, spend), so give each its own",
        )
    else:
        ids[key] = index
