"""One chat completion through the running LiteLLM proxy, for live drills.

No retries here: a drill is one request, and a second one could cost money twice. The
proxy key goes in the Authorization header only; it is scrubbed from any error text.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from llmtui.errors import LlmtuiError
from llmtui.litellm.live_timeline import ProxyAnswer
from llmtui.secrets.masking import scrub

CONNECT_TIMEOUT = 5.0
CHAT_PATH = "/v1/chat/completions"


async def post_chat(proxy_url: str, key: str, body: dict[str, Any], timeout: float) -> ProxyAnswer:
    """POST the body; any HTTP answer is returned, a transport failure is one clear error."""
    url = proxy_url.rstrip("/") + CHAT_PATH
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT), trust_env=False
        ) as client:
            response = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    except httpx.TimeoutException as exc:
        raise LlmtuiError(
            f"the proxy at {proxy_url} did not answer within {timeout:g} s "
            f"({type(exc).__name__}); the request may still be running there"
        ) from None
    except httpx.HTTPError as exc:
        detail = scrub(str(exc) or type(exc).__name__, [key])
        raise LlmtuiError(f"cannot reach the proxy at {proxy_url}: {detail}") from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    try:
        parsed: Any = response.json()
    except ValueError:
        parsed = scrub(response.text[:2000], [key])
    headers = {name.lower(): value for name, value in response.headers.items()}
    return ProxyAnswer(response.status_code, headers, parsed, elapsed_ms)
