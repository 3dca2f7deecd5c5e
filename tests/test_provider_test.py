"""`provider test` and `model sync` against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.support.fake_upstream import (
    ANTHROPIC_MODELS,
    OLLAMA_MODELS,
    OPENAI_MODELS,
    FakeUpstream,
    closed_port,
)

OPENAI_KEY = "sk-test-OPENAI-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-test-0123456789abcdefXYZ"


def _test_json(run_cli, name: str, expect_ok: bool) -> dict:
    result = run_cli("provider", "test", name, "--json")
    assert result.exit_code == (0 if expect_ok else 1), result.output
    return json.loads(result.stdout)


def _listed(run_cli, name: str) -> dict:
    return next(
        p for p in json.loads(run_cli.ok("provider", "list", "--json").output) if p["name"] == name
    )


def test_openai_shape_with_bearer_key(run_cli, upstream: FakeUpstream) -> None:
    upstream.expected_key = OPENAI_KEY
    run_cli.ok(
        "provider",
        "add",
        "oa",
        "--type",
        "openai",
        "--api-base",
        f"{upstream.url}/v1",
        "--key-stdin",
        input=OPENAI_KEY,
    )
    out = _test_json(run_cli, "oa", True)
    assert (
        out["model_count"] == len(OPENAI_MODELS) and out["endpoint"] == f"{upstream.url}/v1/models"
    )
    assert upstream.requests[-1].headers["authorization"] == f"Bearer {OPENAI_KEY}"
    listed = _listed(run_cli, "oa")
    assert listed["status"] == "connected" and listed["last_test_model_count"] == 4
    assert listed["last_test_latency_ms"] > 0
    human = run_cli.ok("provider", "test", "oa").output
    assert "4 models listed" in human and " ms" in human


def test_anthropic_shape_with_x_api_key(run_cli, upstream: FakeUpstream) -> None:
    upstream.expected_key = ANTHROPIC_KEY
    run_cli.ok(
        "provider",
        "add",
        "claude",
        "--type",
        "anthropic",
        "--api-base",
        upstream.url,
        "--key-stdin",
        input=ANTHROPIC_KEY,
    )
    out = _test_json(run_cli, "claude", True)
    assert sorted(out["models"]) == sorted(ANTHROPIC_MODELS)
    seen = upstream.requests[-1]
    assert seen.path == "/v1/models" and seen.headers["anthropic-version"] == "2023-06-01"


def test_ollama_shape_without_key(run_cli, upstream: FakeUpstream) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", upstream.url)
    out = _test_json(run_cli, "lab", True)
    assert sorted(out["models"]) == sorted(OLLAMA_MODELS)
    assert "authorization" not in upstream.requests[-1].headers


def test_401_is_reported_at_once_without_retry_and_without_the_key(
    run_cli, upstream: FakeUpstream
) -> None:
    upstream.expected_key = "sk-the-right-one-0123456789"
    run_cli.ok(
        "provider",
        "add",
        "oa",
        "--type",
        "openai",
        "--api-base",
        f"{upstream.url}/v1",
        "--key-stdin",
        input=OPENAI_KEY,
    )
    out = _test_json(run_cli, "oa", False)
    assert out["status_code"] == 401 and "Incorrect API key" in out["error"]
    assert len(upstream.requests) == 1
    listed = _listed(run_cli, "oa")
    assert listed["status"] == "failing" and "401" in listed["last_test_error"]
    result = run_cli("provider", "test", "oa")
    assert result.exit_code == 1 and "HTTP 401" in result.stderr
    assert OPENAI_KEY not in result.output


def test_500_is_retried_with_backoff_then_reported(run_cli, upstream: FakeUpstream) -> None:
    upstream.mode = "500"
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", upstream.url)
    out = _test_json(run_cli, "lab", False)
    assert out["attempts"] == 3 and len(upstream.requests) == 3
    assert "HTTP 500" in out["error"] and "exploded" in out["error"]


def test_timeout_is_reported(run_cli, upstream: FakeUpstream) -> None:
    upstream.mode, upstream.hang_seconds = "hang", 3
    run_cli.ok("settings", "set", "probe_read_timeout", "0.5")
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", upstream.url)
    out = _test_json(run_cli, "lab", False)
    assert "timed out" in out["error"] and len(upstream.requests) == 1


def test_closed_port_is_retried_then_reported(run_cli) -> None:
    port = closed_port()
    run_cli.ok(
        "provider", "add", "lab", "--type", "ollama", "--api-base", f"http://127.0.0.1:{port}"
    )
    out = _test_json(run_cli, "lab", False)
    assert "cannot connect" in out["error"] and out["attempts"] == 3
    assert _listed(run_cli, "lab")["status"] == "failing"


def test_garbage_answer_is_a_failure(run_cli, upstream: FakeUpstream) -> None:
    upstream.mode = "garbage"
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", upstream.url)
    assert "unexpected answer" in _test_json(run_cli, "lab", False)["error"]


def test_sync_upserts_and_prefills_from_the_model_map(run_cli, upstream: FakeUpstream) -> None:
    run_cli.ok(
        "provider",
        "add",
        "oa",
        "--type",
        "openai",
        "--api-base",
        f"{upstream.url}/v1",
        "--key-stdin",
        input=OPENAI_KEY,
    )
    run_cli.ok("model", "add", "oa", "gpt-4o", "--input-cost", "9.99")
    report = json.loads(run_cli.ok("model", "sync", "oa", "--json").output)
    assert report["listed"] == 4 and report["added"] == 3
    models = {
        m["upstream_model"]: m for m in json.loads(run_cli.ok("model", "list", "--json").output)
    }
    assert models["gpt-4o"]["input_cost_per_1m"] == pytest.approx(9.99)  # user value kept
    assert models["gpt-4o"]["enabled"] is True
    mini = models["gpt-4o-mini"]
    assert mini["enabled"] is False and mini["source"] == "sync"
    assert mini["input_cost_per_1m"] == pytest.approx(0.15)
    assert mini["output_cost_per_1m"] == pytest.approx(0.6)
    assert mini["context_window"] == 128000 and "function_calling" in mini["capabilities"]
    unknown = models["my-finetune-xyz"]
    assert unknown["input_cost_per_1m"] is None and unknown["context_window"] is None

    again = json.loads(run_cli.ok("model", "sync", "oa", "--json").output)
    assert again["added"] == 0
    assert len(json.loads(run_cli.ok("model", "list", "--json").output)) == 4


def test_sync_of_a_failing_provider_changes_nothing(run_cli, upstream: FakeUpstream) -> None:
    upstream.mode = "401"
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", upstream.url)
    result = run_cli("model", "sync", "lab")
    assert result.exit_code == 1 and "cannot list models" in result.stderr
    assert json.loads(run_cli.ok("model", "list", "--json").output) == []
