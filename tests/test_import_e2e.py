"""A hand-written config, imported and rendered again, runs a real LiteLLM proxy that
serves through the imported fallback chain."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream
from tests.support.litellm_harness import LiteLLMHarness, require_proxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture
def upstreams() -> Iterator[tuple[FakeUpstream, FakeUpstream]]:
    primary = FakeUpstream(name="primary", mode="429").start()
    backup = FakeUpstream(name="backup").start()
    yield primary, backup
    primary.stop()
    backup.stop()


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

    require_proxy()
    harness = LiteLLMHarness.create(
        tmp_path / "docker",
        config_path=config,
        master_key=master,  # the imported config names it; the harness's client uses it
        container_env={"UPSTREAM_KEY": upstream_key},
    )
    try:
        harness.start()
        with harness.client(timeout=30) as client:
            models = client.get("/v1/models").json()
            assert {m["id"] for m in models["data"]} == {"main", "spare"}
            answer = client.post(
                "/v1/chat/completions",
                json={"model": "main", "messages": [{"role": "user", "content": "ping"}]},
            )
        assert answer.status_code == 200, answer.text
        assert answer.json()["choices"][0]["message"]["content"] == "pong from backup"
        assert answer.headers.get("x-litellm-attempted-fallbacks") == "1"
        assert any(r.path.endswith("/chat/completions") for r in primary.requests)
    finally:
        harness.close()
