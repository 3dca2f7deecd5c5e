"""Fallback chains in a config: shape, targets that exist, self-reference and cycles.

LiteLLM reads each kind from router_settings, else from the same-named
litellm_settings key (`fallbacks or litellm.fallbacks` in Router.__init__); it never
checks that a target is a model group, so a typo only shows when the primary fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmtui.litellm.graph import find_cycle
from llmtui.litellm.validate_models import MAYBE, NO, ModelNames
from llmtui.litellm.validate_sections import FALLBACK_KEYS
from llmtui.litellm.validate_values import kind_of
from llmtui.litellm.validation_report import ERROR, WARNING, Collector

GENERIC = "*"  # a chain for every group without one of its own


@dataclass
class Chains:
    """One kind's chains as LiteLLM will use them: source -> targets, and where each is."""

    edges: dict[str, list[str]] = field(default_factory=dict)
    where: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def check_fallbacks(c: Collector, data: dict[Any, Any], names: ModelNames) -> None:
    router = data.get("router_settings")
    settings = data.get("litellm_settings")
    router = router if isinstance(router, dict) else {}
    settings = settings if isinstance(settings, dict) else {}
    for key in FALLBACK_KEYS:
        used: Chains | None = None
        for section, values in (("router_settings", router), ("litellm_settings", settings)):
            if key not in values:
                continue
            path = (section, key)
            if key == "default_fallbacks":
                chains = _check_default(c, path, values[key], names)
            else:
                chains = _check_list(c, path, values[key], names)
            if used is None and values[key]:
                used = chains
            elif values[key]:
                c.warning(
                    path,
                    f"ignored: router_settings.{key} is set and LiteLLM uses that one",
                    at_key=True,
                )
        if used is not None:
            _check_cycles(c, used)
    alias = router.get("model_group_alias")
    if alias is not None:
        _check_aliases(c, ("router_settings", "model_group_alias"), alias, names)


def _check_list(c: Collector, path: tuple[Any, ...], value: Any, names: ModelNames) -> Chains:
    chains = Chains()
    if value is None:
        return chains
    if not isinstance(value, list):
        c.error(path, f"must be a list of {{group: [fallback, ...]}} mappings, got {_kind(value)}")
        return chains
    first_item: dict[str, int] = {}
    for index, item in enumerate(value):
        item_path = (*path, index)
        if not isinstance(item, dict) or not item:
            c.error(item_path, "each entry must be a mapping {group: [fallback, ...]}")
            continue
        if len(item) != 1:
            c.error(
                item_path,
                f"each entry must have exactly one group as key, this one has {len(item)}; "
                "put each group in its own entry",
            )
        source, targets = next(iter(item.items()))
        source_path = (*item_path, source)
        if not isinstance(source, str):
            c.error(source_path, "the group name must be a string", at_key=True)
            continue
        if source in first_item:
            c.error(
                source_path,
                f"{path[-1]}[{first_item[source]}] already has a chain for {source!r}; "
                "LiteLLM only uses the first",
                at_key=True,
            )
            continue
        first_item[source] = index
        _check_source(c, source_path, source, names)
        chain = _check_targets(c, source_path, source, targets, names)
        chains.edges[source] = chain
        chains.where[source] = source_path
    return chains


def _check_default(c: Collector, path: tuple[Any, ...], value: Any, names: ModelNames) -> Chains:
    chains = Chains()
    if value is None:
        return chains
    targets = _check_targets(c, path, GENERIC, value, names)
    chains.edges[GENERIC] = targets
    chains.where[GENERIC] = path
    return chains


def _check_source(c: Collector, path: tuple[Any, ...], source: str, names: ModelNames) -> None:
    if source == GENERIC or names.resolves(source) != NO:
        return
    c.warning(
        path,
        f"{names.describe_missing(source)}, so this chain never applies",
        at_key=True,
        suggestion=names.closest(source),
    )


def _check_targets(
    c: Collector, path: tuple[Any, ...], source: str, targets: Any, names: ModelNames
) -> list[str]:
    if not isinstance(targets, list):
        c.error(path, f"the fallbacks must be a list of model groups, got {_kind(targets)}")
        return []
    chain: list[str] = []
    for position, target in enumerate(targets):
        target_path = (*path, position)
        name = target.get("model") if isinstance(target, dict) else target
        if not isinstance(name, str) or not name:
            c.error(target_path, "each fallback must be a model group name (or {model: name, ...})")
            continue
        if name == source:
            c.error(target_path, f"{source!r} falls back to itself")
            continue
        if name in chain:
            c.warning(target_path, f"{name!r} is already earlier in this chain")
            continue
        chain.append(name)
        _check_exists(c, target_path, name, names)
    return chain


def _check_exists(c: Collector, path: tuple[Any, ...], name: str, names: ModelNames) -> None:
    found = names.resolves(name)
    if found == NO:
        level = WARNING if names.incomplete else ERROR
        message = names.describe_missing(name)
        if names.incomplete:
            message += f" (it may come from {names.incomplete})"
        c.add(level, path, message, suggestion=names.closest(name))
    elif found == MAYBE:
        c.warning(
            path,
            f"{names.describe_missing(name)}; only a wildcard model may serve it, "
            "depending on the provider LiteLLM infers",
            suggestion=names.closest(name),
        )


def _check_cycles(c: Collector, chains: Chains) -> None:
    reported: set[frozenset[str]] = set()
    edges = {s: t for s, t in chains.edges.items() if s != GENERIC}
    for source in edges:
        cycle = find_cycle(source, edges)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        c.error(chains.where[source], f"fallback cycle: {' → '.join(cycle)}", at_key=True)


def _check_aliases(c: Collector, path: tuple[Any, ...], value: Any, names: ModelNames) -> None:
    if not isinstance(value, dict):
        c.error(path, f"must be a mapping of alias: model group, got {_kind(value)}")
        return
    for alias, target in value.items():
        name = target.get("model") if isinstance(target, dict) else target
        if not isinstance(name, str) or not name:
            c.error((*path, alias), "must name a model group (or {model: name, hidden: ...})")
            continue
        _check_exists(c, (*path, alias), name, names)


def _kind(value: Any) -> str:
    return {"str": "a string", "dict": "a mapping", "null": "null"}.get(
        kind_of(value), kind_of(value)
    )
