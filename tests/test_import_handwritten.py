"""Importing configs people wrote by hand: env references, extra params, passthrough
sections, and a report of what llmtui could not represent."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import Cli

HAND_WRITTEN = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: 60
      tpm: 100000
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-prod
      api_base: https://contoso.openai.azure.com
      api_version: 2024-06-01
      api_key: os.environ/AZURE_API_KEY
    model_info:
      base_model: azure/gpt-4o
  - model_name: llama
    litellm_params:
      model: ollama/llama3
      api_base: http://10.0.0.5:11434
  - model_name: gemini-vertex
    litellm_params:
      model: vertex_ai/gemini-1.5-pro
      vertex_project: my-project
litellm_settings:
  drop_params: true
  success_callback: ["langfuse"]
general_settings:
  master_key: sk-hand-MASTER-0123456789abcdef
  alerting: ["slack"]
router_settings:
  routing_strategy: usage-based-routing-v2
  num_retries: 42
  redis_host: redis
  fallbacks: [{"gpt-4o": ["llama", "gemini-vertex"]}, {"llama": ["gpt-4o"]}]
  retry_policy:
    RateLimitErrorRetries: 2
    RateLimitErrorRetry: 9
"""


def write(tmp_path: Path, text: str, name: str = "litellm-config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rendered(run_cli: Cli, tmp_path: Path) -> dict:
    out = tmp_path / "rendered.yaml"
    run_cli.ok("config", "render", "--output", str(out))
    return yaml.safe_load(out.read_text())


def test_hand_written_config_imports_what_it_can_and_says_what_not(
    run_cli: Cli, tmp_path: Path
) -> None:
    result = run_cli.ok("config", "import", str(write(tmp_path, HAND_WRITTEN)))
    out, err = result.output, result.stderr
    assert (
        "added: provider openai (openai, https://api.openai.com/v1, key env:OPENAI_API_KEY)" in out
    )
    assert "added: provider azure-contoso" in out and "added: provider ollama-10-0-0-5" in out
    assert "not imported: model_list[3] (gemini-vertex): llmtui has no provider type" in err
    assert "router_settings.num_retries: num_retries must be at most 10" in err
    assert "RateLimitErrorRetry: LiteLLM ignores this unknown field; did you mean" in err
    assert "fallbacks[0] (gpt-4o): model group 'gemini-vertex' does not exist" in err
    assert "note: model_list[2] (llama): ollama/llama3 will be written as ollama_chat/" in err
    assert "sk-hand-MASTER-0123456789abcdef" not in out + err

    data = rendered(run_cli, tmp_path)
    params = {m["litellm_params"]["model"]: m for m in data["model_list"]}
    assert set(params) == {"openai/gpt-4o", "azure/gpt-4o-prod", "ollama_chat/llama3"}
    openai = params["openai/gpt-4o"]["litellm_params"]
    assert openai["api_key"] == "os.environ/OPENAI_API_KEY"
    assert (openai["rpm"], openai["tpm"]) == (60, 100000)
    azure = params["azure/gpt-4o-prod"]
    assert azure["litellm_params"]["api_version"] == "2024-06-01"  # a YAML date, kept as text
    assert azure["litellm_params"]["api_key"] == "os.environ/AZURE_API_KEY"
    assert azure["model_info"]["base_model"] == "azure/gpt-4o"
    router = data["router_settings"]
    assert router["routing_strategy"] == "usage-based-routing-v2"
    assert router["num_retries"] == 3  # 42 was refused, the store's value stays
    assert router["redis_host"] == "redis"
    assert router["fallbacks"] == [{"llama": ["gpt-4o"]}]
    assert router["retry_policy"]["RateLimitErrorRetries"] == 2
    assert "RateLimitErrorRetry" not in router["retry_policy"]
    assert data["litellm_settings"] == {"drop_params": True, "success_callback": ["langfuse"]}
    assert data["general_settings"]["master_key"] == "sk-hand-MASTER-0123456789abcdef"
    assert data["general_settings"]["alerting"] == ["slack"]
    settings = json.loads(run_cli.ok("settings", "list", "--json").output)
    assert settings["proxy_key"]["value"] == "sk-…def"


def test_json_report_lists_changes_and_issues(run_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, HAND_WRITTEN)
    report = json.loads(run_cli.ok("config", "import", str(path), "--json").output)
    assert report["counts"]["provider"] == {"added": 3, "updated": 0, "removed": 0, "unchanged": 0}
    wheres = [i["where"] for i in report["not_represented"]]
    assert "model_list[3] (gemini-vertex)" in wheres
    assert "router_settings.retry_policy.RateLimitErrorRetry" in wheres
    assert all(set(i) == {"where", "reason"} for i in report["not_represented"])


def test_env_reference_by_default_and_resolved_with_the_flag(run_cli: Cli, tmp_path: Path) -> None:
    text = """\
model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/MY_OPENAI_KEY}
"""
    path = write(tmp_path, text)
    refused = run_cli("config", "import", str(path), "--resolve-env")
    assert refused.exit_code == 2
    assert "environment variable MY_OPENAI_KEY" in refused.stderr and "is not set" in refused.stderr
    assert json.loads(run_cli.ok("provider", "list", "--json").output) == []

    secret = "sk-from-the-env-0123456789abcdef"
    run_cli.ok("config", "import", str(path), "--resolve-env", env={"MY_OPENAI_KEY": secret})
    (provider,) = json.loads(run_cli.ok("provider", "list", "--json").output)
    assert (provider["key_mask"], provider["key_env"]) == ("sk-…def", None)
    assert rendered(run_cli, tmp_path)["model_list"][0]["litellm_params"]["api_key"] == secret

    other = Cli(tmp_path / "other-home")
    other.ok("config", "import", str(path))
    (provider,) = json.loads(other.ok("provider", "list", "--json").output)
    assert (provider["key_mask"], provider["key_env"]) == (None, "MY_OPENAI_KEY")


def test_unprefixed_models_resolve_like_litellm(run_cli: Cli, tmp_path: Path) -> None:
    text = """\
model_list:
  - model_name: fast
    litellm_params: {model: gpt-4o-mini, api_key: sk-plain-0123456789abcdef}
  - model_name: groq
    litellm_params: {model: llama-3.1-8b-instant, api_base: "https://api.groq.com/openai/v1",
                     api_key: gsk_0123456789abcdef}
"""
    run_cli.ok("config", "import", str(write(tmp_path, text)))
    listed = json.loads(run_cli.ok("provider", "list", "--json").output)
    providers = {p["name"]: p["type"] for p in listed}
    assert providers == {"openai": "openai", "groq": "groq"}
    models = {m["litellm_params"]["model"] for m in rendered(run_cli, tmp_path)["model_list"]}
    assert models == {"openai/gpt-4o-mini", "groq/llama-3.1-8b-instant"}


def test_import_merges_into_a_store_with_its_own_providers(run_cli: Cli, tmp_path: Path) -> None:
    """An existing provider with the same identity is reused under its own name."""
    run_cli.ok(
        "provider", "add", "my-ollama", "--type", "ollama", "--api-base", "http://10.0.0.5:11434"
    )
    run_cli.ok("provider", "add", "openai", "--type", "anthropic", "--key-ref", "ANT_KEY")
    run_cli.ok("model", "add", "my-ollama", "phi3", "--group", "phi")
    report = json.loads(
        run_cli.ok("config", "import", str(write(tmp_path, HAND_WRITTEN)), "--json").output
    )
    providers = {c["name"]: c["action"] for c in report["changes"] if c["entity"] == "provider"}
    assert providers == {"openai-2": "added", "azure-contoso": "added", "my-ollama": "unchanged"}
    groups = {m["model_name"] for m in rendered(run_cli, tmp_path)["model_list"]}
    assert groups == {"gpt-4o", "llama", "phi"}
