"""Connection test: call a provider's real model-list endpoint and report what happened.

Retries with backoff only where retrying can help (5xx, refused/reset connections);
a 401 or a read timeout is reported at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from llmtui.litellm.provider_types import ProviderType
from llmtui.secrets.masking import scrub

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
RETRY_DELAYS = (0.5, 1.0)


@dataclass
class ProbeResult:
    ok: bool
    endpoint: str
    latency_ms: float | None = None
    status_code: int | None = None
    models: list[str] = field(default_factory=list)
    error: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class ProbeTarget:
    ptype: ProviderType
    api_base: str | None
    secrets: dict[str, str]
    api_version: str | None = None
    region: str | None = None


def models_url(target: ProbeTarget) -> str:
    base = target.api_base or target.ptype.default_api_base
    if target.ptype.models_auth == "aws-sigv4" and not target.api_base:
        base = f"https://bedrock.{target.region or 'us-east-1'}.amazonaws.com"
    if not base:
        raise ValueError("no API base URL")
    return base.rstrip("/") + (target.ptype.models_path or "")


def build_request(target: ProbeTarget) -> httpx.Request:
    ptype = target.ptype
    params = dict(ptype.models_query)
    if ptype.needs_api_version and target.api_version:
        params["api-version"] = target.api_version
    headers = {"accept": "application/json", **ptype.models_headers}
    key = target.secrets.get("api_key")
    if key and ptype.models_auth == "bearer":
        headers["authorization"] = f"Bearer {key}"
    elif key and ptype.models_auth in ("x-api-key", "api-key", "x-goog-api-key"):
        headers[ptype.models_auth] = key
    request = httpx.Request("GET", models_url(target), params=params, headers=headers)
    if ptype.models_auth == "aws-sigv4":
        _sign_sigv4(request, target)
    return request


def _sign_sigv4(request: httpx.Request, target: ProbeTarget) -> None:
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError as exc:
        raise RuntimeError(
            "testing a Bedrock connection needs botocore (pip install boto3)"
        ) from exc
    creds = Credentials(
        target.secrets.get("aws_access_key_id", ""),
        target.secrets.get("aws_secret_access_key", ""),
    )
    aws = AWSRequest(method="GET", url=str(request.url), headers=dict(request.headers))
    SigV4Auth(creds, "bedrock", target.region or "us-east-1").add_auth(aws)
    request.headers.update(dict(aws.headers.items()))


def parse_models(shape: str, payload: Any) -> list[str]:
    """Model ids from the provider's answer; raises ValueError on an unexpected shape."""
    if shape in ("openai", "anthropic"):
        items, key = payload["data"], "id"
    elif shape == "list":
        items = payload if isinstance(payload, list) else payload["data"]
        key = "id"
    elif shape == "ollama":
        items, key = payload["models"], "name"
    elif shape == "gemini":
        return [str(m["name"]).removeprefix("models/") for m in payload["models"]]
    elif shape == "replicate":
        return [f"{m['owner']}/{m['name']}" for m in payload["results"]]
    elif shape == "bedrock":
        items, key = payload["modelSummaries"], "modelId"
    else:  # pragma: no cover - catalogue and parser move together
        raise ValueError(f"unknown shape {shape}")
    return [str(item[key]) for item in items]


async def probe_models(
    target: ProbeTarget,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
) -> ProbeResult:
    secrets = list(target.secrets.values())
    try:
        request = build_request(target)
    except (ValueError, RuntimeError) as exc:
        return ProbeResult(ok=False, endpoint="", error=str(exc))
    endpoint = str(request.url.copy_with(query=None))
    timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
    attempts = 0
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
        for delay in (*retry_delays, None):
            attempts += 1
            started = time.perf_counter()
            result = await _attempt(client, request, target.ptype.models_shape, endpoint)
            result.attempts = attempts
            if result.latency_ms is None:
                result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            retryable = result.status_code is None and result.error and "connect" in result.error
            retryable = retryable or (result.status_code or 0) >= 500
            if result.ok or not retryable or delay is None:
                if result.error:
                    result.error = scrub(result.error, secrets)
                return result
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def _attempt(
    client: httpx.AsyncClient, request: httpx.Request, shape: str, endpoint: str
) -> ProbeResult:
    started = time.perf_counter()
    try:
        response = await client.send(request)
    except httpx.ConnectTimeout:
        return ProbeResult(ok=False, endpoint=endpoint, error="connect timed out")
    except httpx.ConnectError as exc:
        return ProbeResult(ok=False, endpoint=endpoint, error=f"cannot connect: {exc}")
    except httpx.ReadTimeout:
        return ProbeResult(ok=False, endpoint=endpoint, error="timed out waiting for an answer")
    except httpx.HTTPError as exc:
        return ProbeResult(ok=False, endpoint=endpoint, error=f"{type(exc).__name__}: {exc}")
    latency = round((time.perf_counter() - started) * 1000, 1)
    if response.status_code >= 400:
        return ProbeResult(
            ok=False,
            endpoint=endpoint,
            latency_ms=latency,
            status_code=response.status_code,
            error=f"HTTP {response.status_code}: {_error_text(response)}",
        )
    try:
        models = parse_models(shape, response.json())
    except (ValueError, KeyError, TypeError) as exc:
        return ProbeResult(
            ok=False,
            endpoint=endpoint,
            latency_ms=latency,
            status_code=response.status_code,
            error=f"unexpected answer from the model list ({type(exc).__name__}: {exc})",
        )
    return ProbeResult(
        ok=True,
        endpoint=endpoint,
        latency_ms=latency,
        status_code=response.status_code,
        models=sorted(set(models)),
    )


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason_phrase or "").strip()[:300]
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or error)[:300]
        return str(error)[:300]
    return str(body)[:300]
