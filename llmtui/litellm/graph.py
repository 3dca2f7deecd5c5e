"""Fallback chains as a graph: shared by the store's chain rules and the config validator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycle(start: str, edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A path start → … → start through `edges`, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in edges.get(node, []):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None
