"""Rules for fallback chains, as pure functions so the TUI can explain them while you edit.

A chain is rejected for: an unknown or deployment-less group, self-reference,
duplicates, and cycles of any length within one kind. A chain whose members all run
on one provider is allowed with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmtui.litellm.graph import find_cycle

KINDS = ("general", "context_window", "content_policy")
KIND_LABELS = {
    "general": "general",
    "context_window": "context window",
    "content_policy": "content policy",
}


@dataclass
class GroupInfo:
    name: str
    deployments: int = 0
    enabled_deployments: int = 0
    providers: set[str] = field(default_factory=set)  # of enabled deployments


@dataclass(frozen=True)
class Finding:
    level: str  # error or warning
    message: str
    position: int | None = None  # index into the fallbacks, None for the chain itself
    code: str = ""  # what kind of problem (CODES), so a front end can label it briefly


# Finding codes, with the short label a list shows beside the entry.
CODES = {
    "primary_unknown": "unknown group",
    "primary_disabled": "no enabled deployment",
    "self": "itself",
    "duplicate": "duplicate",
    "unknown": "unknown group",
    "disabled": "disabled",
    "cycle": "cycle",
    "same_provider": "same provider",
}


def check_kind(kind: str) -> str:
    from llmtui.errors import InvalidInput

    if kind not in KINDS:
        raise InvalidInput(f"unknown fallback kind {kind!r}; use one of {', '.join(KINDS)}")
    return kind


def check_chain(
    group: str,
    kind: str,
    fallbacks: list[str],
    groups: dict[str, GroupInfo],
    chains: dict[tuple[str, str], list[str]],
) -> list[Finding]:
    """Everything wrong with `group`'s `kind` chain if it were `fallbacks`."""
    findings: list[Finding] = []
    info = groups.get(group)
    if info is None:
        findings.append(
            Finding("error", f"model group {group!r} does not exist", code="primary_unknown")
        )
    elif info.enabled_deployments == 0:
        findings.append(
            Finding(
                "error",
                f"model group {group!r} has no enabled deployment",
                code="primary_disabled",
            )
        )
    seen: set[str] = set()
    for position, target in enumerate(fallbacks):
        target_info = groups.get(target)
        if target == group:
            findings.append(
                Finding("error", f"{group!r} cannot fall back to itself", position, "self")
            )
        elif target in seen:
            findings.append(
                Finding("error", f"{target!r} is already in this chain", position, "duplicate")
            )
        elif target_info is None:
            findings.append(
                Finding("error", f"model group {target!r} does not exist", position, "unknown")
            )
        elif target_info.enabled_deployments == 0:
            findings.append(
                Finding(
                    "error",
                    f"model group {target!r} has no enabled deployment",
                    position,
                    "disabled",
                )
            )
        seen.add(target)
    edges = {g: list(fb) for (g, k), fb in chains.items() if k == kind}
    edges[group] = [f for f in fallbacks if f != group]
    cycle = find_cycle(group, edges)
    if cycle:
        first_hop = cycle[1] if len(cycle) > 1 else None
        position = fallbacks.index(first_hop) if first_hop in fallbacks else None
        findings.append(
            Finding("error", f"this would make a cycle: {' → '.join(cycle)}", position, "cycle")
        )
    members = [group, *fallbacks]
    providers = set().union(*(groups[m].providers for m in members if m in groups))
    if fallbacks and len(providers) == 1 and not any(f.level == "error" for f in findings):
        (only,) = providers
        findings.append(
            Finding(
                "warning",
                f"every member of this chain runs on {only}; an outage there takes them all down",
                code="same_provider",
            )
        )
    return findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]
