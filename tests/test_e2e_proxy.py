"""End to end with the real LiteLLM proxy: the CLI builds a store, `apply` writes the config,
`docker restart litellm` (the fake docker first on PATH) restarts a real proxy from it.

One proxy per module: each apply below really restarts it, and each test leaves it
running on a config llmtui applied.
"""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from llmtui.secrets.cipher import generate_key
from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream
from tests.support.litellm_harness import LiteLLMHarness, require_proxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

KEYS = {
    "primary": "sk-e2e-PRIMARY-0123456789abcdef",
    "fb1": "sk-e2e-FALLBACK1-0123456789abcdef",
    "fb2": "sk-e2e-FALLBACK2-0123456789abcdef",
}
MESSAGES = [{"role": "user", "content": "ping"}]


@dataclass
class E2E:
    harness: LiteLLMHarness
    upstreams: dict[str, FakeUpstream]
    cli: Cli
    env: dict[str, str]
    home: Path
    first_apply: Result

    def run(self, *args: str, **extra_env: str) -> Result:
        return self.cli(*args, env={**self.env, **extra_env})

    def ok(self, *args: str, **extra_env: str) -> Result:
        return self.cli.ok(*args, env={**self.env, **extra_env})

    def last_apply(self) -> tuple[str, str, str | None]:
        with sqlite3.connect(self.home / "llmtui.db") as db:
            return db.execute(
                "SELECT outcome, step, restart_output FROM applies ORDER BY id DESC LIMIT 1"
            ).fetchone()

    def chat(self) -> tuple[int, dict, dict]:
        with self.harness.client() as client:
            body = {"model": "chat", "messages": MESSAGES}
            response = client.post("/v1/chat/completions", json=body)
        return response.status_code, dict(response.headers), response.json()


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    require_proxy()
    root = tmp_path_factory.mktemp("e2e")
    config = root / "proxy" / "litellm-config.yaml"
    harness = LiteLLMHarness.create(
        root, config_path=config, env_file=config.with_suffix(".env"), start_timeout=240
    )
    upstreams = {
        name: FakeUpstream(name=name, expected_key=key).start() for name, key in KEYS.items()
    }
    home = root / "home"
    env = harness.env(
        LLMTUI_MASTER_KEY=generate_key(),
        LLMTUI_HEALTH_TIMEOUT="240",
        LLMTUI_RESTART_TIMEOUT="300",
    )
    cli = Cli(home)
    try:
        groups = {"primary": "chat", "fb1": "fb1", "fb2": "fb2"}
        for name, upstream in upstreams.items():
            add = ["provider", "add", f"p-{name}", "--type", "openai_compatible"]
            add += ["--api-base", f"{upstream.url}/v1", "--key-stdin"]
            cli.ok(*add, input=KEYS[name], env=env)
            cli.ok("model", "add", f"p-{name}", "gpt-4o", "--group", groups[name], env=env)
        cli.ok("fallback", "set", "chat", "fb1", "fb2", env=env)
        # Straight to the fallback on a 429: the retry waits are not what is tested here.
        cli.ok("trigger", "set", "rate_limit", "--retries", "0", env=env)
        first = cli("apply", "--yes", env=env)
        yield E2E(harness, upstreams, cli, env, home, first)
    finally:
        harness.close()
        for upstream in upstreams.values():
            upstream.stop()


def test_apply_starts_the_proxy_with_exactly_our_groups(e2e: E2E) -> None:
    result = e2e.first_apply
    assert result.exit_code == 0, result.output + result.stderr
    assert "✔ restart" in result.output and "✔ health" in result.output
    assert e2e.harness.calls() == [["docker", "restart", "litellm"]]  # the default command
    config = e2e.harness.config_path
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    for key in KEYS.values():
        assert key not in result.output + result.stderr
    with e2e.harness.client() as client:
        models = client.get("/v1/models")
    assert models.status_code == 200
    assert sorted(m["id"] for m in models.json()["data"]) == ["chat", "fb1", "fb2"]
    status, headers, body = e2e.chat()
    assert status == 200 and body["choices"][0]["message"]["content"] == "pong from primary"
    assert headers["x-litellm-model-group"] == "chat"
    assert headers.get("x-litellm-attempted-fallbacks", "0") == "0"
    (seen,) = [r for r in e2e.upstreams["primary"].requests if r.method == "POST"]
    assert seen.headers["authorization"] == f"Bearer {KEYS['primary']}"
    assert e2e.last_apply()[:2] == ("success", "health")


def test_rate_limited_primary_is_served_by_the_first_fallback(e2e: E2E) -> None:
    primary, fb1, fb2 = (e2e.upstreams[n] for n in ("primary", "fb1", "fb2"))
    primary.mode = "429"
    try:
        status, headers, body = e2e.chat()
    finally:
        primary.mode = "ok"
    assert status == 200, body
    assert body["choices"][0]["message"]["content"] == "pong from fb1"
    assert headers["x-litellm-attempted-fallbacks"] == "1"
    assert headers["x-litellm-model-group"] == "fb1"
    assert any(r.method == "POST" for r in fb1.requests)
    assert not any(r.method == "POST" for r in fb2.requests)


def test_a_config_the_proxy_refuses_is_rolled_back(e2e: E2E) -> None:
    config = e2e.harness.config_path
    before = config.read_bytes()
    calls_before = len(e2e.harness.calls())
    e2e.ok("settings", "set", "proxy_key", "sk-1234")  # publicly known: proxy refuses it
    try:
        result = e2e.run("apply", "--yes")
    finally:
        e2e.ok("settings", "unset", "proxy_key")
    assert result.exit_code == 1, result.output
    assert config.read_bytes() == before
    assert hashlib.sha256(config.read_bytes()).hexdigest() == hashlib.sha256(before).hexdigest()
    assert "rolled_back:" in result.stderr and "healthy again" in result.stderr
    assert "publicly known" in result.stderr  # the proxy's own refusal, from restart output
    assert "✖ restart" in result.output and "✔ rollback_health" in result.output
    assert e2e.harness.calls()[calls_before:] == [["docker", "restart", "litellm"]] * 2
    outcome, step, restart_output = e2e.last_apply()
    assert (outcome, step) == ("rolled_back", "rollback_health")
    assert "exited with code" in restart_output
    with e2e.harness.client() as client:
        assert client.get("/health/readiness").status_code == 200
        assert client.get("/v1/models").status_code == 200  # our strong key again
    assert e2e.chat()[0] == 200


def test_env_mode_recreates_the_container_so_it_reads_the_env_file(e2e: E2E) -> None:
    mode = {"LLMTUI_SECRETS_MODE": "env"}
    result = e2e.run("apply", "--yes", **mode)
    assert result.exit_code == 0, result.output + result.stderr
    config = e2e.harness.config_path
    (call,) = e2e.harness.calls()[-1:]
    assert call == [
        "docker", "compose", "--project-directory", str(config.parent),
        "up", "-d", "--force-recreate", "litellm",
    ]  # fmt: skip
    text = config.read_text()
    assert all(key not in text for key in KEYS.values())
    assert "os.environ/LLMTUI_API_KEY_P_PRIMARY" in text
    # The upstreams check their keys: an answer proves the proxy got them from the env file.
    status, _, body = e2e.chat()
    assert status == 200 and body["choices"][0]["message"]["content"] == "pong from primary"
