"""Live drills without a proxy: what can be injected, the chain, and the timeline rebuilt
from answers the real LiteLLM 1.106.2 proxy gave (headers and bodies as measured)."""

from __future__ import annotations

import json

import pytest

from llmtui.errors import InvalidInput
from llmtui.litellm import live_drill
from llmtui.litellm.live_drill import INJECTIONS, chain_for, injection_for, request_body
from llmtui.litellm.live_timeline import ProxyAnswer, build, safe_url
from llmtui.litellm.simulate import FAILURES
from llmtui.litellm.timeline import Attempt, SimulationResult

CONFIG = {
    "model_list": [{"model_name": g, "litellm_params": {}} for g in ("chat", "fb1", "fb2", "big")],
    "router_settings": {
        "fallbacks": [{"chat": ["fb1", "fb2"]}, {"*": ["fb2"]}],
        "context_window_fallbacks": [{"chat": ["big"]}],
        "retry_policy": {"RateLimitErrorRetries": 2},
    },
    "general_settings": {"dangerously_allow_mock_testing_request_params": True},
}
SERVED_BY_FB2 = {  # primary 429, fb1 500, fb2 served; expose_fallback_errors_to_caller on
    "x-litellm-call-id": "0eb55e89-3073-4681-bc43-5622dcd82af1",
    "x-litellm-model-id": "fb2-id",
    "x-litellm-model-name": "openai/gpt-4o",
    "x-litellm-model-api-base": "http://127.0.0.1:41213/v1",
    "x-litellm-model-group": "fb2",
    "x-litellm-attempted-retries": "0",
    "x-litellm-attempted-fallbacks": "1",
    "x-litellm-response-cost": "0.0",
    "x-litellm-fallback-errors": json.dumps(
        [
            {
                "message": "litellm.InternalServerError: InternalServerError: OpenAIException"
                " - upstream exploded",
                "type": "internal_server_error",
                "param": None,
                "code": "500",
            },
            {
                "message": "litellm.RateLimitError: RateLimitError: OpenAIException - Rate"
                " limit reached",
                "type": "throttling_error",
                "param": None,
                "code": "429",
            },
        ]
    ),
}
ALL_FAILED_BODY = {
    "error": {
        "message": "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit "
        "reached\n\nLiteLLM: model group 'chat' failed with the error above. Fallback to "
        "fb1, fb2 also failed: litellm.InternalServerError: InternalServerError: "
        "OpenAIException - upstream exploded LiteLLM Retried: 1 time",
        "type": "throttling_error",
        "param": None,
        "code": "429",
    }
}


def _chat(text: str) -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


def _build(failure: str, answer: ProxyAnswer, depth: int | None = 1, inject: bool = True):
    kind, chain = chain_for(CONFIG, "chat", failure)
    return build(
        group="chat",
        failure=failure,
        depth=depth,
        chain_kind=kind,
        chain=chain,
        injection=injection_for(failure, depth) if inject else None,
        answer=answer,
        proxy_url="http://127.0.0.1:4000",
        drill_id="drill-1",
    )


def test_what_a_live_drill_can_inject_is_said_and_the_rest_refused() -> None:
    assert set(INJECTIONS) | {"connection"} == set(FAILURES)
    for failure in ("server_error", "context_window", "content_policy", "timeout"):
        assert injection_for(failure, 1).depth == 1
        with pytest.raises(InvalidInput, match="depth 1 only"):
            injection_for(failure, 2)
        with pytest.raises(InvalidInput, match="--no-inject"):
            injection_for(failure, None)
    assert injection_for("rate_limit", None).param_names == ["mock_testing_rate_limit_error"]
    with pytest.raises(InvalidInput, match=r"every group of the chain.*--depth all"):
        injection_for("rate_limit", 1)
    with pytest.raises(InvalidInput, match="cannot inject connection"):
        injection_for("connection", 1)


def test_the_request_is_small_tagged_and_carries_only_its_injection() -> None:
    body = request_body("chat", injection_for("timeout", 1), "drill-abc")
    assert body["model"] == "chat" and body["max_tokens"] == live_drill.MAX_TOKENS
    assert body["metadata"] == {"llmtui_drill": "drill-abc"}
    assert body["mock_timeout"] is True and body["timeout"] == live_drill.TIMEOUT_DRILL_SECONDS
    plain = request_body("chat", None, "drill-abc")
    assert not any(k.startswith("mock_") for k in plain)
    assert live_drill.DRILL_TAG == "llmtui_drill"  # what the recorder looks for


def test_the_chain_is_the_one_the_proxy_walks_for_each_failure() -> None:
    assert chain_for(CONFIG, "chat", "server_error") == ("general", ["chat", "fb1", "fb2"])
    assert chain_for(CONFIG, "chat", "context_window") == ("context_window", ["chat", "big"])
    # No content-policy chains at all: LiteLLM uses the general ones.
    assert chain_for(CONFIG, "chat", "content_policy") == ("general", ["chat", "fb1", "fb2"])
    # Context-window chains exist but none for this group: no fallback.
    assert chain_for(CONFIG, "fb1", "context_window") == (None, ["fb1"])
    assert chain_for(CONFIG, "fb1", "rate_limit") == ("general", ["fb1", "fb2"])  # the `*` entry
    assert chain_for({"model_list": []}, "x", "timeout") == (None, ["x"])
    assert live_drill.rate_limit_retries(CONFIG) == 2
    assert live_drill.drill_mode_enabled(CONFIG)
    assert not live_drill.drill_mode_enabled({"general_settings": {}})


def test_a_served_drill_places_each_reported_error_in_chain_order() -> None:
    answer = ProxyAnswer(200, SERVED_BY_FB2, _chat("pong from fb2"), 2607.0)
    result = _build("rate_limit", answer, inject=False)
    assert (result.outcome, result.served_by, result.served_position) == (
        "fallback_served",
        "fb2",
        2,
    )
    assert [(a.index, a.group, a.ok, a.error_type, a.evidence) for a in result.attempts] == [
        (1, "chat", False, "RateLimitError", "reported"),
        (2, "fb1", False, "InternalServerError", "reported"),
        (3, "fb2", True, None, "reported"),
    ]
    assert result.attempts[-1].deployment_id == "fb2-id"
    assert result.response == "pong from fb2" and result.total_ms == 2607.0
    data = result.to_json()
    assert isinstance(result, SimulationResult) and isinstance(result.attempts[0], Attempt)
    assert set(SimulationResult.to_json(result)) <= set(data)  # the simulated shape, and more
    assert data["mode"] == "live" and data["live"]["reported_fallbacks"] == 1
    assert "x-litellm-response-cost" not in data["live"]["headers"]
    assert any("counts hops" in n for n in data["live"]["notes"])


def test_without_error_headers_the_middle_of_the_chain_is_inferred() -> None:
    headers = {k: v for k, v in SERVED_BY_FB2.items() if k != "x-litellm-fallback-errors"}
    result = _build("server_error", ProxyAnswer(200, headers, _chat("ok"), 10.0))
    assert [(a.group, a.error_type, a.evidence) for a in result.attempts] == [
        ("chat", "InternalServerError", "injected"),
        ("fb1", None, "inferred"),
        ("fb2", None, "reported"),
    ]


def test_retries_of_the_serving_group_are_shown_before_its_success() -> None:
    headers = {**SERVED_BY_FB2, "x-litellm-model-group": "chat", "x-litellm-attempted-retries": "2"}
    headers["x-litellm-attempted-fallbacks"] = "0"
    del headers["x-litellm-fallback-errors"]
    result = _build("rate_limit", ProxyAnswer(200, headers, _chat("ok"), 10.0), depth=None)
    assert result.outcome == "primary_served"
    assert [(a.group, a.retry, a.ok, a.evidence) for a in result.attempts] == [
        ("chat", 0, False, "injected"),
        ("chat", 1, False, "reported"),
        ("chat", 2, True, "reported"),
    ]


def test_a_drill_that_failed_everywhere_reads_the_proxy_error_message() -> None:
    answer = ProxyAnswer(429, {"x-litellm-call-id": "x"}, ALL_FAILED_BODY, 5357.0)
    result = _build("rate_limit", answer, inject=False)
    assert (result.outcome, result.error_type, result.served_by) == (
        "all_failed",
        "RateLimitError",
        None,
    )
    assert [(a.group, a.error_type, a.evidence) for a in result.attempts] == [
        ("chat", "RateLimitError", "reported"),
        ("fb1", None, "inferred"),
        ("fb2", "InternalServerError", "reported"),
    ]
    bare = _build("server_error", ProxyAnswer(500, {}, {"error": {"message": "boom"}}, 1.0))
    assert [a.group for a in bare.attempts] == ["chat"]
    assert any("chain was not walked" in n for n in bare.notes)


def test_api_bases_lose_credentials_and_queries() -> None:
    assert safe_url("https://user:pw@example.com:8443/v1?key=sk-x") == "https://example.com:8443/v1"
