"""A hand-written config, imported and rendered again, runs a real LiteLLM proxy that
serves through the imported fallback chain."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream, closed_port

PROXY = Path(__file__).resolve().parents[1] / ".venv-proxy" / "bin" / "litellm"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not PROXY.exists(), reason="the LiteLLM proxy venv is not installed"),
]


@pytest.fixture
def upstreams() -> Iterator[tuple[FakeUpstream, FakeUpstream]]:
    primary = FakeUpstream(name="primary", mode="429").start()
    backup = FakeUpstream(name="backup").start()
    yield primary, backup
    primary.stop()
    backup.stop()


def start_proxy(config: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = closed_port()
    full_env = os.environ | env | {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PROXY), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the proxy exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health/readiness", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError(f"the proxy did not become ready: {log.read_text()[-2000:]}")


def test_imported_config_serves_through_its_fallback_chain(
    run_cli: Cli, tmp_path: Path, upstreams: tuple[FakeUpstream, FakeUpstream]
) -> None:
    primary, backup = upstreams
    upstream_key = "sk-upstream-" + secrets.token_hex(12)
    primary.expected_key = backup.expected_key = upstream_key
    master = "sk-" + secrets.token_urlsafe(32)
    hand_written = tmp_path / "hand.yaml"
    hand_written.write_text(
        f"""\
model_list:
  - model_name: main
    litellm_params:
      model: openai/gpt-4o
      api_base: {primary.url}/v1
      api_key: os.environ/UPSTREAM_KEY
    model_info: {{id: main-primary}}
  - model_name: spare
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {backup.url}/v1
      api_key: os.environ/UPSTREAM_KEY
      rpm: 1000
router_settings:
  num_retries: 0
  fallbacks: [{{main: [spare]}}]
  retry_policy: {{RateLimitErrorRetries: 0}}
litellm_settings:
  drop_params: true
general_settings:
  master_key: {master}
"""
    )
    run_cli.ok("config", "import", str(hand_written))
    config = tmp_path / "litellm-config.yaml"
    run_cli.ok("config", "render", "--output", str(config))
    assert master in config.read_text() and upstream_key not in config.read_text()

    process, url = start_proxy(config, {"UPSTREAM_KEY": upstream_key}, tmp_path / "proxy.log")
    try:
        headers = {"Authorization": f"Bearer {master}"}
        models = httpx.get(f"{url}/v1/models", headers=headers, timeout=10).json()
        assert {m["id"] for m in models["data"]} == {"main", "spare"}
        answer = httpx.post(
            f"{url}/v1/chat/completions",
            headers=headers,
            json={"model": "main", "messages": [{"role": "user", "content": "ping"}]},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["choices"][0]["message"]["content"] == "pong from backup"
        assert answer.headers.get("x-litellm-attempted-fallbacks") == "1"
        assert any(r.path.endswith("/chat/completions") for r in primary.requests)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
