"""Wait for a restarted LiteLLM proxy: /health/liveliness, then /health/readiness.

Both need no key and make no provider calls (`/health` does, so it is not used). Polls
with backoff until the deadline and keeps the last error, which is what the operator
needs to see when the proxy never comes up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

STAGES = ("liveliness", "readiness")
FIRST_DELAY = 0.25
MAX_DELAY = 2.0
REQUEST_TIMEOUT = 5.0


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    url: str
    elapsed: float
    attempts: int
    stage: str  # the stage reached: liveliness or readiness
    error: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"the proxy at {self.url} is healthy ({self.elapsed:.1f} s)"
        return (
            f"the proxy at {self.url} was not healthy within {self.elapsed:.0f} s "
            f"(/health/{self.stage}): {self.error}"
        )


def _describe_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host unreachable"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {REQUEST_TIMEOUT:g} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _describe_response(response: httpx.Response) -> str:
    body = response.text.strip().replace("\n", " ")
    return f"HTTP {response.status_code}" + (f": {body[:200]}" if body else "")


async def probe(client: httpx.AsyncClient, url: str) -> str | None:
    """None when the endpoint answers 200, else why not."""
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        return _describe_error(exc)
    if response.status_code == 200:
        return None
    return _describe_response(response)


async def wait_healthy(
    proxy_url: str,
    timeout: float,
    *,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
    on_attempt: Callable[[str, int, str | None], None] | None = None,
) -> HealthResult:
    """Poll liveliness until 200, then readiness until 200, all within `timeout` seconds."""
    base = proxy_url.rstrip("/")
    started = time.monotonic()
    deadline = started + timeout
    attempts = 0
    error: str | None = None
    limits = httpx.Timeout(REQUEST_TIMEOUT, connect=min(REQUEST_TIMEOUT, 2.0))
    async with httpx.AsyncClient(timeout=limits, trust_env=False) as client:
        for stage in STAGES:
            delay = first_delay
            while True:
                attempts += 1
                error = await probe(client, f"{base}/health/{stage}")
                if on_attempt is not None:
                    on_attempt(stage, attempts, error)
                if error is None:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return HealthResult(
                        False, base, time.monotonic() - started, attempts, stage, error
                    )
                await asyncio.sleep(min(delay, remaining))
                delay = min(delay * 2, max_delay)
    return HealthResult(True, base, time.monotonic() - started, attempts, STAGES[-1])


async def is_alive(proxy_url: str, timeout: float = 2.0) -> bool:
    """One quick liveliness probe (was the proxy up before we touched it?)."""
    limits = httpx.Timeout(timeout, connect=timeout)
    async with httpx.AsyncClient(timeout=limits, trust_env=False) as client:
        return await probe(client, proxy_url.rstrip("/") + "/health/liveliness") is None
