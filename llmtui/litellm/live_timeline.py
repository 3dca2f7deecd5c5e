"""The attempt timeline of a live drill, rebuilt from what the proxy answered.

LiteLLM's `x-litellm-*` headers summarise a request rather than narrate it: which group
served (`model-group`), that at least one fallback happened (`attempted-fallbacks` is 1
for primary → fb1 ✖ → fb2 ✔), the serving group's retries (`attempted-retries`), its
deployment (`model-id`, `model-name`, `model-api-base`) and, only when the proxy sets
`general_settings.expose_fallback_errors_to_caller`, the errors of the groups that
failed (`fallback-errors`, innermost hop first). A request that failed everywhere gets
no such headers; its error message names the fallbacks tried and the last error.

So each attempt says where it comes from (`evidence`): `injected` (the drill's own mock
failure), `reported` (a header or the error message says so), `inferred` (only the chain
order implies it: the group before the serving one failed, or was skipped while cooling
down). Per-attempt times are not reported; only the whole request is timed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from llmtui.litellm.live_drill import Injection
from llmtui.litellm.timeline import MAX_ERROR_CHARS, Attempt, SimulationResult

HEADERS_KEPT = (
    "x-litellm-call-id",
    "x-litellm-model-group",
    "x-litellm-attempted-fallbacks",
    "x-litellm-attempted-retries",
    "x-litellm-model-id",
    "x-litellm-model-name",
    "x-litellm-model-api-base",
    "x-litellm-response-duration-ms",
    "x-litellm-fallback-errors",
    "x-litellm-version",
)
_CLASS = re.compile(r"^litellm\.(\w+)")
_FALLBACKS_TRIED = re.compile(r"Fallback to (.+?) also failed: (?:litellm\.(\w+))?")


@dataclass
class LiveAttempt(Attempt):
    evidence: str = "inferred"  # injected | reported | inferred
    ms_known: bool = False


@dataclass
class LiveResult(SimulationResult):
    mode: str = "live"
    proxy_url: str = ""
    drill_id: str = ""
    http_status: int | None = None
    injected: list[str] = field(default_factory=list)  # the mock parameters sent
    injection: str | None = None  # how the injection fails the chain, for the operator
    reported_fallbacks: int | None = None
    reported_retries: int | None = None
    fallback_errors: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["live"] = {
            "proxy_url": self.proxy_url,
            "drill_id": self.drill_id,
            "request_id": self.headers.get("x-litellm-call-id"),
            "http_status": self.http_status,
            "injected": list(self.injected),
            "injection": self.injection,
            "reported_fallbacks": self.reported_fallbacks,
            "reported_retries": self.reported_retries,
            "fallback_errors": list(self.fallback_errors),
            "headers": dict(self.headers),
            "notes": list(self.notes),
        }
        return data


@dataclass(frozen=True)
class ProxyAnswer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, else the text
    elapsed_ms: float


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _cut(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _class_of(message: str) -> str | None:
    found = _CLASS.match(message.strip())
    return found.group(1) if found else None


def safe_url(url: str | None) -> str | None:
    """An api base without credentials or query string (they may carry keys)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    kept = {name: headers[name] for name in HEADERS_KEPT if name in headers}
    if "x-litellm-model-api-base" in kept:
        kept["x-litellm-model-api-base"] = safe_url(kept["x-litellm-model-api-base"]) or ""
    return kept


def _fallback_errors(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    try:
        raw = json.loads(headers.get("x-litellm-fallback-errors") or "[]")
    except ValueError:
        return []
    errors = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping):
            message = str(item.get("message") or "")
            errors.append(
                {"error_type": _class_of(message), "code": item.get("code"), "error": _cut(message)}
            )
    return errors


def error_message(body: Any) -> str:
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            return str(error.get("message") or "")
        if isinstance(error, str):
            return error
        if isinstance(body.get("detail"), str | Mapping):
            return str(body["detail"])
    return str(body or "")


def _response_text(body: Any) -> str | None:
    try:
        return str(body["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        return None


def build(
    *,
    group: str,
    failure: str,
    depth: int | None,
    chain_kind: str | None,
    chain: list[str],
    injection: Injection | None,
    answer: ProxyAnswer,
    proxy_url: str,
    drill_id: str,
) -> LiveResult:
    """The timeline of one drill from the proxy's status, headers and body."""
    headers = kept_headers(answer.headers)
    result = LiveResult(
        group=group,
        failure=failure,
        depth=depth,
        chain_kind=chain_kind,
        chain=list(chain),
        attempts=[],
        total_ms=answer.elapsed_ms,
        configured_wait_s=0.0,
        elapsed_wait_s=0.0,
        waits_compressed=False,
        proxy_url=proxy_url,
        drill_id=drill_id,
        http_status=answer.status,
        injected=injection.param_names if injection else [],
        injection=injection.how if injection else None,
        reported_fallbacks=_int(headers.get("x-litellm-attempted-fallbacks")),
        reported_retries=_int(headers.get("x-litellm-attempted-retries")),
        fallback_errors=_fallback_errors(answer.headers),
        headers=headers,
    )
    result.notes.append("retry waits are not reported by the proxy; total_ms is the whole request")
    if 200 <= answer.status < 300:
        _served(result, injection, answer)
    else:
        _failed(result, injection, answer)
    for number, attempt in enumerate(result.attempts, start=1):
        attempt.index = number
    return result


def _first(result: LiveResult, injection: Injection | None) -> LiveAttempt:
    """The primary's failed try: injected by us, or only implied."""
    if injection is not None:
        return LiveAttempt(
            0,
            result.group,
            0,
            ok=False,
            error_type=injection.error_type,
            error=f"injected with {', '.join(injection.param_names)}",
            evidence="injected",
        )
    return LiveAttempt(
        0,
        result.group,
        0,
        ok=False,
        error="failed (the proxy does not say how)",
        evidence="inferred",
    )


def _served(result: LiveResult, injection: Injection | None, answer: ProxyAnswer) -> None:
    headers = result.headers
    served = headers.get("x-litellm-model-group")
    fallbacks = result.reported_fallbacks or 0
    if served is None:
        served = result.group if fallbacks == 0 else None
        result.notes.append("the proxy sent no x-litellm-model-group header")
    order = list(result.chain)
    if served is not None and served not in order:
        order.append(served)
        result.notes.append(f"{served} is not in the configured chain; the proxy routed there")
    position = order.index(served) if served is not None else None
    if fallbacks and position == 0:
        result.notes.append("the proxy reports a fallback, yet the primary group served")
    failed = order[:position] if position else []
    errors = list(reversed(result.fallback_errors))  # innermost hop first -> chain order
    matched = len(errors) == len(failed)
    for number, name in enumerate(failed):
        attempt = _first(result, injection) if number == 0 else None
        if attempt is None or attempt.evidence == "inferred":
            attempt = LiveAttempt(0, name, 0, ok=False, evidence="inferred")
            attempt.error = "failed, or skipped while cooling down (the proxy does not say)"
        if matched and attempt.evidence != "injected":
            attempt.error_type = errors[number]["error_type"]
            attempt.error = errors[number]["error"]
            attempt.evidence = "reported"
        result.attempts.append(attempt)
    if failed and result.fallback_errors and not matched:
        result.notes.append("x-litellm-fallback-errors lists errors the chain order cannot place")
    retries = result.reported_retries or 0
    name = served or "?"
    for retry in range(retries):
        if retry == 0 and position == 0 and injection is not None:
            result.attempts.append(_first(result, injection))
            continue
        before_retry = LiveAttempt(0, name, retry, ok=False, evidence="reported")
        before_retry.error = "failed, then retried (the proxy does not say how)"
        result.attempts.append(before_retry)
    result.attempts.append(
        LiveAttempt(
            0,
            name,
            retries,
            deployment=headers.get("x-litellm-model-name"),
            deployment_id=headers.get("x-litellm-model-id"),
            ok=True,
            evidence="reported",
        )
    )
    if len(failed) > 1:
        result.notes.append(
            "x-litellm-attempted-fallbacks counts hops, not groups: the groups between the "
            "primary and the serving one are inferred from the chain order"
        )
    result.served_by = served
    result.served_position = position
    result.served_deployment = headers.get("x-litellm-model-name")
    result.outcome = "primary_served" if position == 0 else "fallback_served"
    result.response = _response_text(answer.body)


def _failed(result: LiveResult, injection: Injection | None, answer: ProxyAnswer) -> None:
    message = error_message(answer.body)
    first_class = _class_of(message)
    primary = _first(result, injection)
    if primary.evidence != "injected" and first_class:
        primary.error_type, primary.evidence = first_class, "reported"
    if primary.evidence != "injected" or not first_class:
        primary.error = _cut(message) or f"HTTP {answer.status}"
    result.attempts.append(primary)
    tried = _FALLBACKS_TRIED.search(message)
    everywhere = injection is not None and injection.depth is None
    if tried:
        names = [n.strip() for n in tried.group(1).split(",") if n.strip()]
        for number, name in enumerate(names):
            last = number == len(names) - 1
            attempt = LiveAttempt(0, name, 0, ok=False, evidence="inferred")
            attempt.error = "failed (named in the proxy's error message)"
            if everywhere and injection is not None:
                attempt.error_type, attempt.evidence = injection.error_type, "injected"
            if last and tried.group(2):
                attempt.error_type, attempt.evidence = tried.group(2), "reported"
            result.attempts.append(attempt)
    elif len(result.chain) > 1:
        result.notes.append("the proxy's error names no fallback: the chain was not walked")
    result.outcome = "all_failed"
    result.error = _cut(message) or f"HTTP {answer.status}"
    result.error_type = first_class or f"HTTP {answer.status}"
