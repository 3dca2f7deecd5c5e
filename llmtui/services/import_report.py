"""What an import did (or, in a dry run, would do): per entity added/updated/unchanged,
plus what it could not represent. Details are masked: no secret ever appears here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmtui.litellm.import_plan import Issue

ACTIONS = ("added", "updated", "removed", "unchanged")
ENTITIES = ("provider", "model", "chain", "policy", "router_setting", "setting", "passthrough")
# How the CLI and the import dialog name each entity in their counts.
ENTITY_LABELS = {
    "provider": "providers",
    "model": "models",
    "chain": "fallback chains",
    "policy": "error policies",
    "router_setting": "router settings",
    "setting": "settings",
    "passthrough": "passthrough settings",
}


@dataclass(frozen=True)
class Change:
    entity: str  # one of ENTITIES
    name: str
    action: str  # one of ACTIONS
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "entity": self.entity,
            "name": self.name,
            "action": self.action,
            "detail": self.detail,
        }


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    changes: list[Change] = field(default_factory=list)
    not_represented: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    def add(self, entity: str, name: str, action: str, detail: str = "") -> None:
        self.changes.append(Change(entity, name, action, detail))

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def counts(self) -> dict[str, dict[str, int]]:
        """entity -> action -> count, for every entity the file touched."""
        result: dict[str, dict[str, int]] = {}
        for c in self.changes:
            result.setdefault(c.entity, dict.fromkeys(ACTIONS, 0))[c.action] += 1
        return {e: result[e] for e in ENTITIES if e in result}

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "counts": self.counts(),
            "changes": [c.to_json() for c in self.changes],
            "not_represented": [i.to_json() for i in self.not_represented],
            "notes": [i.to_json() for i in self.notes],
        }
