"""What the config validator found, and the collector the section checks report into."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from llmtui.litellm.accepted_keys import AcceptedKeys
from llmtui.litellm.yaml_marks import KeyPath, Marks, Position

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    path: str  # e.g. router_settings.retry_policy.RateLimitErrorRetris
    message: str
    line: int | None = None  # 1-based, from the YAML node marks when known
    column: int | None = None
    suggestion: str | None = None  # did-you-mean

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """`path: message (did you mean x?)`, the part after `FILE:LINE:COL: level: `."""
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.suggestion:
            text += f" (did you mean {self.suggestion}?)"
        return text


@dataclass
class ValidationReport:
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        if not self.issues:
            return "no problems found"
        return f"{plural(len(self.errors), 'error')}, {plural(len(self.warnings), 'warning')}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [i.to_dict() for i in self.issues],
        }


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def suggest(name: Any, candidates: Iterable[str]) -> str | None:
    """The closest accepted name, compared case-insensitively (num_retires -> num_retries)."""
    if not isinstance(name, str) or not name:
        return None
    by_lower: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_lower.setdefault(candidate.lower(), candidate)
    lowered = name.lower()
    swapped = [c for c in by_lower if _one_swap_apart(lowered, c)]
    if swapped:
        return by_lower[swapped[0]]
    match = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.75)
    return by_lower[match[0]] if match else None


def _one_swap_apart(a: str, b: str) -> bool:
    """rmp / rpm: difflib scores short transpositions too low to suggest them."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


class Collector:
    """Shared state of one validation run; checks call error()/warning() with a KeyPath."""

    def __init__(
        self,
        keys: AcceptedKeys | None,
        marks: Marks | None,
        environ: Mapping[str, str],
    ) -> None:
        self.keys = keys
        self.marks = marks or Marks()
        self.environ = environ
        self.issues: list[Issue] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(
        self,
        level: str,
        path: KeyPath,
        message: str,
        *,
        at_key: bool = False,
        suggestion: str | None = None,
        position: Position | None = None,
    ) -> None:
        text_path = format_path(path)
        if (level, text_path, message) in self._seen:
            return
        self._seen.add((level, text_path, message))
        where = position or (self.marks.key(path) if at_key else self.marks.value(path))
        self.issues.append(
            Issue(
                level,
                text_path,
                message,
                where.line if where else None,
                where.column if where else None,
                suggestion,
            )
        )

    def error(self, path: KeyPath, message: str, **kw: Any) -> None:
        self.add(ERROR, path, message, **kw)

    def warning(self, path: KeyPath, message: str, **kw: Any) -> None:
        self.add(WARNING, path, message, **kw)

    def report(self) -> ValidationReport:
        order = sorted(
            enumerate(self.issues),
            key=lambda pair: (
                pair[1].line is None,
                pair[1].line or 0,
                pair[1].column or 0,
                pair[0],
            ),
        )
        return ValidationReport([issue for _, issue in order])
