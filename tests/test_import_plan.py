"""The pure planner: LiteLLM config dict -> providers, deployments, chains, policies, issues."""

from __future__ import annotations

import pytest

from llmtui.errors import InvalidInput
from llmtui.litellm.importer import plan_import


def no_litellm(model: str, provider: str | None, api_base: str | None) -> None:
    raise AssertionError(f"LiteLLM was consulted for {model!r}; a known prefix needs no import")


def entry(group: str, model: str, **params: object) -> dict:
    info = params.pop("model_info", None)
    item = {"model_name": group, "litellm_params": {"model": model, **params}}
    if info is not None:
        item["model_info"] = info
    return item


def plan_of(*entries: dict, **sections: object):
    return plan_import({"model_list": list(entries), **sections}, resolve=no_litellm)


def test_providers_are_grouped_by_type_base_and_key_and_named_readably() -> None:
    plan = plan_of(
        entry("a", "openai/gpt-4o", api_key="sk-one-0123456789"),
        entry("b", "openai/gpt-4o-mini", api_key="sk-one-0123456789"),
        entry("c", "openai/gpt-4o", api_key="sk-two-0123456789"),
        entry(
            "a",
            "azure/gpt4o",
            api_base="https://contoso.openai.azure.com/",
            api_version="2024-06-01",
            api_key="os.environ/AZURE_KEY",
        ),
        entry("d", "ollama/llama3", api_base="http://10.0.0.5:11434"),
        entry("e", "ollama_chat/qwen", api_base="http://10.0.0.5:11434"),
        entry("f", "openai/qwen", api_base="https://api.deepseek.com/v1"),
        entry("g", "hosted_vllm/mixtral", api_base="http://gpu-box:8000/v1"),
        entry(
            "h", "openai/gpt-4o", api_base="https://api.openai.com/v1", api_key="sk-one-0123456789"
        ),
    )
    names = {p.name: p for p in plan.providers}
    assert list(names) == [
        "openai",
        "openai-2",
        "azure-contoso",
        "ollama-10-0-0-5",
        "openai-compatible-deepseek",
        "vllm-gpu-box",
    ]
    assert names["openai"].secrets == {"api_key": "sk-one-0123456789"}
    assert "sk-one" not in repr(names["openai"])
    assert names["azure-contoso"].key_env == "AZURE_KEY"
    assert names["azure-contoso"].api_version == "2024-06-01"
    assert names["openai-compatible-deepseek"].type == "openai_compatible"
    assert names["vllm-gpu-box"].type == "vllm"
    by_group = {(d.group, d.provider): d for d in plan.deployments}
    assert by_group[("a", "azure-contoso")].upstream_model == "gpt4o"
    assert by_group[("e", "ollama-10-0-0-5")].upstream_model == "qwen"
    # api.openai.com spelled out is still OpenAI itself, with the same key: one provider
    assert by_group[("h", "openai")].upstream_model == "gpt-4o"
    assert any("ollama_chat" in n.reason for n in plan.notes)


def test_deployment_fields_costs_context_capabilities_and_extras() -> None:
    plan = plan_of(
        entry(
            "gpt-4o",
            "openai/gpt-4o",
            api_key="sk-one-0123456789",
            input_cost_per_token=2.5e-06,
            output_cost_per_token=1e-05,
            rpm=60,
            tpm=100000,
            model_info={
                "id": "abc123",
                "max_input_tokens": 128000,
                "max_output_tokens": 16384,
                "supports_vision": True,
                "supports_function_calling": True,
                "supports_audio_output": True,
                "mode": "chat",
            },
        )
    )
    (d,) = plan.deployments
    assert (d.stable_id, d.group, d.upstream_model) == ("abc123", "gpt-4o", "gpt-4o")
    assert (d.input_cost_per_1m, d.output_cost_per_1m) == (2.5, 10.0)
    assert (d.context_window, d.max_output_tokens) == (128000, 16384)
    assert d.capabilities == ["function_calling", "vision"]
    assert d.extra_params == {"rpm": 60, "tpm": 100000}
    assert d.extra_model_info == {"supports_audio_output": True, "mode": "chat"}


def test_bedrock_region_and_aws_keys_azure_version_and_custom_provider() -> None:
    plan = plan_of(
        entry(
            "br",
            "bedrock/anthropic.claude-3-sonnet",
            aws_region_name="eu-west-1",
            aws_access_key_id="AKIAEXAMPLE0123456789",
            aws_secret_access_key="secret/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        ),
        entry("br2", "bedrock/amazon.titan", aws_region_name="us-east-1",
              aws_access_key_id="os.environ/AWS_ID", aws_secret_access_key="os.environ/AWS_SECRET"),
        entry("c", "llama3", custom_llm_provider="ollama", api_base="http://10.0.0.9:11434"),
    )  # fmt: skip
    bedrock, bedrock_env, ollama = plan.providers
    assert (bedrock.name, bedrock.region) == ("bedrock-eu-west-1", "eu-west-1")
    assert set(bedrock.secrets) == {"aws_access_key_id", "aws_secret_access_key"}
    assert bedrock_env.secrets == {} and bedrock_env.key_env is None
    assert plan.deployments[1].extra_params == {
        "aws_access_key_id": "os.environ/AWS_ID",
        "aws_secret_access_key": "os.environ/AWS_SECRET",
    }
    assert (ollama.type, plan.deployments[2].upstream_model) == ("ollama", "llama3")
    assert "custom_llm_provider" not in plan.deployments[2].extra_params


def test_resolve_env_takes_the_value_and_refuses_an_unset_variable() -> None:
    config = {"model_list": [entry("a", "openai/gpt-4o", api_key="os.environ/MY_KEY")]}
    plan = plan_import(config, {"MY_KEY": "sk-from-env-0123456789"}, resolve=no_litellm)
    assert plan.providers[0].secrets == {"api_key": "sk-from-env-0123456789"}
    assert plan.providers[0].key_env is None
    with pytest.raises(InvalidInput, match=r"environment variable MY_KEY .* is not set"):
        plan_import(config, {}, resolve=no_litellm)


def test_router_sections_chains_policies_and_passthrough() -> None:
    plan = plan_of(
        entry("a", "openai/gpt-4o", api_key="sk-one-0123456789"),
        router_settings={
            "fallbacks": [{"a": ["b", "c"]}, {"a": ["d"]}, "b", {"*": ["a"]}],
            "context_window_fallbacks": [{"a": ["big"], "x": ["y"]}],
            "retry_policy": {"RateLimitErrorRetries": 4, "RateLimitErrorRetry": 1},
            "allowed_fails_policy": {"TimeoutErrorAllowedFails": 2},
            "num_retries": 2,
            "redis_password": "pw",
        },
        general_settings={
            "master_key": "sk-master-0123456789",
            "dangerously_allow_mock_testing_request_params": True,
            "database_url": "postgresql://u:p@db/x",
        },
        litellm_settings={"drop_params": True},
        environment_variables={"LANGFUSE_SECRET_KEY": "x"},
        include=["more.yaml"],
        credential_list=[{"credential_name": "x"}],
    )
    assert [(c.group, c.kind, c.fallbacks) for c in plan.chains] == [
        ("a", "general", ("b", "c")),
        ("a", "context_window", ("big",)),
    ]
    assert plan.retries == {"rate_limit": 4}
    assert plan.allowed_fails == {"timeout": 2}
    assert plan.master_key == "sk-master-0123456789" and plan.drill_mode is True
    kept = {(p.section, p.key) for p in plan.passthrough}
    assert kept == {
        ("router_settings", "num_retries"),
        ("router_settings", "redis_password"),
        ("general_settings", "database_url"),
        ("litellm_settings", "drop_params"),
        ("environment_variables", "LANGFUSE_SECRET_KEY"),
    }
    reasons = {i.where: i.reason for i in plan.not_represented}
    assert "LiteLLM uses the first" in reasons["router_settings.fallbacks[1] (a)"]
    assert "every group" in reasons["router_settings.fallbacks[2]"]
    assert "'*'" in reasons["router_settings.fallbacks[3] (*)"]
    assert "only the first group" in reasons["router_settings.context_window_fallbacks[0] (x)"]
    assert (
        "did you mean RateLimitErrorRetries"
        in reasons["router_settings.retry_policy.RateLimitErrorRetry"]
    )
    assert "not read" in reasons["include"]
    assert "mapping sections" in reasons["credential_list"]


def test_costs_ids_and_duplicates_are_reported() -> None:
    plan = plan_of(
        entry("a", "openai/m1", input_cost_per_token=1.23456789e-09, model_info={"id": "same"}),
        entry("b", "openai/m2", input_cost_per_token="cheap", model_info={"id": "same"}),
        entry("a", "openai/m1"),
    )
    first, second = plan.deployments
    assert first.input_cost_per_1m == 0.001235 and first.stable_id == "same"
    assert second.stable_id is None and second.extra_params == {"input_cost_per_token": "cheap"}
    notes = " | ".join(n.reason for n in plan.notes)
    assert "rounded to 0.001235" in notes and "also used by" in notes and "not a number" in notes
    (dup,) = plan.not_represented
    assert dup.where.startswith("model_list[2]") and "same model" in dup.reason


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([1, 2], "expected a mapping"),
        ({"litellm_settings": {}}, "no model_list"),
        ({"model_list": {"a": 1}}, "model_list must be a list"),
        ({"model_list": ["gpt-4o"]}, r"model_list\[0\] must be a mapping"),
        ({"model_list": [{"model_name": "a"}]}, r"model_list\[0\].litellm_params must be"),
        ({"model_list": [{"model_name": "a", "litellm_params": {}}]}, "model must be text"),
        ({"model_list": [{"litellm_params": {"model": "openai/x"}}]}, "model_name must be text"),
        (
            {"model_list": [], "router_settings": {"fallbacks": {"a": ["b"]}}},
            "fallbacks must be a list",
        ),
        ({"model_list": [], "router_settings": ["x"]}, "router_settings must be a mapping"),
        (
            {"model_list": [entry("a", "openai/x", api_key=12345)]},
            "api_key must be text",
        ),
    ],
)
def test_what_is_not_a_litellm_config_is_refused(config: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        plan_import(config, resolve=no_litellm)


def test_models_without_prefix_are_resolved_by_litellm_itself() -> None:
    plan = plan_import(
        {
            "model_list": [
                entry("a", "gpt-4o", api_key="sk-one-0123456789"),
                entry("b", "claude-sonnet-4-20250514", api_key="sk-ant-0123456789"),
                entry("c", "llama-3.1-8b", api_base="https://api.groq.com/openai/v1"),
                entry("d", "no-such-model-anywhere"),
                entry("e", "vertex_ai/gemini-1.5-pro"),
            ]
        }
    )
    types = {d.group: (plan.provider(d.provider).type, d.upstream_model) for d in plan.deployments}
    assert types == {
        "a": ("openai", "gpt-4o"),
        "b": ("anthropic", "claude-sonnet-4-20250514"),
        "c": ("groq", "llama-3.1-8b"),
    }
    reasons = {i.where: i.reason for i in plan.not_represented}
    assert "cannot tell which provider" in reasons["model_list[3] (d)"]
    assert "no provider type for LiteLLM's 'vertex_ai'" in reasons["model_list[4] (e)"]
