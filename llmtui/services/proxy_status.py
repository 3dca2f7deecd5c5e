"""Is the LiteLLM proxy up? A cheap, key-less liveliness check for background polling."""

from __future__ import annotations

import time
from dataclasses import dataclass

from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext

LIVELINESS_PATH = "/health/liveliness"


@dataclass(frozen=True)
class ProxyHealth:
    url: str
    state: str  # healthy / unhealthy / down
    detail: str
    latency_ms: float | None = None


async def check(ctx: AppContext, timeout: float = 3.0) -> ProxyHealth:
    """GET {proxy_url}/health/liveliness: it needs no key and makes no provider calls."""
    import httpx

    url = str(await settings_service.get_plain(ctx, "proxy_url"))
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=2.0)) as client:
            response = await client.get(url.rstrip("/") + LIVELINESS_PATH)
    except httpx.TimeoutException:
        return ProxyHealth(url, "down", f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return ProxyHealth(url, "down", _connect_detail(exc))
    latency = (time.perf_counter() - started) * 1000
    if response.status_code == 200:
        return ProxyHealth(url, "healthy", "alive", latency)
    return ProxyHealth(url, "unhealthy", f"HTTP {response.status_code}", latency)


def _connect_detail(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text:
        return "unknown host"
    return type(exc).__name__
