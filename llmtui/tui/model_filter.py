"""Type-to-filter over thousands of models: one lower-cased haystack per row, built once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmtui.services.models import ModelView

WIDTH_CAPS = {"group": 32, "model": 32, "provider": 16, "caps": 40}
WIDTH_MINS = {"group": 5, "model": 14, "provider": 8, "caps": 12}


def haystack(m: ModelView) -> str:
    """Group, upstream name, provider and capabilities: what a user filters by."""
    return f"{m.group}\n{m.upstream_model}\n{m.provider}\n{' '.join(m.capabilities)}".lower()


class ModelIndex:
    def __init__(self, models: Sequence[ModelView]) -> None:
        self.models = list(models)
        self.haystacks = [haystack(m) for m in self.models]

    def matching(self, query: str) -> list[ModelView]:
        """Every word of the query must appear somewhere in the row (any order)."""
        terms = query.lower().split()
        if not terms:
            return self.models
        if len(terms) == 1:
            term = terms[0]
            return [m for m, h in zip(self.models, self.haystacks, strict=True) if term in h]
        return [
            m
            for m, h in zip(self.models, self.haystacks, strict=True)
            if all(t in h for t in terms)
        ]

    def replace(self, fresh: ModelView) -> None:
        for i, m in enumerate(self.models):
            if m.id == fresh.id:
                self.models[i] = fresh
                self.haystacks[i] = haystack(fresh)
                return

    def widths(self) -> dict[str, int]:
        """Longest value per text column, within caps, so short names leave room."""
        models = self.models
        found = {
            "group": max(map(len, (m.group for m in models)), default=0),
            "model": max(map(len, (m.upstream_model for m in models)), default=0),
            "provider": max(map(len, {m.provider for m in models}), default=0),
            # ", " between names: the sum of lengths plus two per extra name
            "caps": max(
                (sum(map(len, c)) + 2 * len(c) - 2 for m in models if (c := m.capabilities)),
                default=0,
            ),
        }
        return {k: min(max(v, WIDTH_MINS[k]), WIDTH_CAPS[k]) for k, v in found.items()}
