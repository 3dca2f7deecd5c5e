"""`config render`: what LiteLLM gets, in a stable order, with keys handled safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from llmtui.litellm.render import per_million, per_token

KEY = "sk-test-OPENAI-0123456789abcdef"
ANT = "sk-ant-test-0123456789abcdefXYZ"


def _stock(run_cli, order: list[str]) -> None:
    adds = {
        "oa": ["provider", "add", "oa", "--type", "openai", "--key-stdin"],
        "an": ["provider", "add", "an", "--type", "anthropic", "--key-stdin"],
        "az": [
            "provider",
            "add",
            "az",
            "--type",
            "azure_openai",
            "--api-base",
            "https://contoso.openai.azure.com",
            "--api-version",
            "2024-06-01",
            "--key-stdin",
        ],
    }
    keys = {"oa": KEY, "an": ANT, "az": "abcdef0123456789abcdef0123456789"}
    for name in order:
        run_cli.ok(*adds[name], input=keys[name])
    models = {
        "oa": [["oa", "gpt-4o"], ["oa", "gpt-4o-mini", "--group", "mini"]],
        "an": [["an", "claude-3-5-sonnet-20241022", "--group", "claude"]],
        "az": [
            [
                "az",
                "gpt4o-westeu",
                "--group",
                "gpt-4o",
                "--input-cost",
                "2.5",
                "--output-cost",
                "10",
                "--context",
                "128000",
            ]
        ],
    }
    for name in order:
        for args in models[name]:
            run_cli.ok("model", "add", *args)
    run_cli.ok("fallback", "set", "gpt-4o", "claude", "mini")


def _render(run_cli, tmp_path: Path, name: str = "out.yaml") -> tuple[str, dict]:
    out = tmp_path / name
    run_cli.ok("config", "render", "--output", str(out))
    text = out.read_text()
    return text, yaml.safe_load(text)


def test_model_list_params_costs_and_router(run_cli, tmp_path: Path) -> None:
    _stock(run_cli, ["oa", "an", "az"])
    _, data = _render(run_cli, tmp_path)
    entries = {(m["model_name"], m["litellm_params"]["model"]): m for m in data["model_list"]}
    azure = entries[("gpt-4o", "azure/gpt4o-westeu")]["litellm_params"]
    assert azure["api_base"] == "https://contoso.openai.azure.com"
    assert azure["api_version"] == "2024-06-01"
    assert azure["input_cost_per_token"] == 2.5e-06 and azure["output_cost_per_token"] == 1e-05
    openai = entries[("gpt-4o", "openai/gpt-4o")]
    assert "api_base" not in openai["litellm_params"]  # LiteLLM's own default
    assert openai["litellm_params"]["api_key"] == KEY
    assert openai["model_info"]["max_input_tokens"] == 128000
    assert len(openai["model_info"]["id"]) == 32
    assert data["router_settings"]["fallbacks"] == [{"gpt-4o": ["claude", "mini"]}]
    assert data["router_settings"]["retry_policy"]["RateLimitErrorRetries"] == 3
    assert data["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert [m["model_name"] for m in data["model_list"]] == sorted(
        m["model_name"] for m in data["model_list"]
    )


def test_render_is_deterministic_whatever_the_insertion_order(tmp_path: Path, run_cli) -> None:
    from tests.conftest import Cli

    _stock(run_cli, ["oa", "an", "az"])
    first, data = _render(run_cli, tmp_path, "a.yaml")
    again, _ = _render(run_cli, tmp_path, "b.yaml")
    assert first == again
    other = Cli(tmp_path / "other-home")
    _stock(other, ["az", "an", "oa"])
    _, other_data = _render(other, tmp_path, "c.yaml")
    strip = lambda d: [  # noqa: E731 - ids are random per store
        (m["model_name"], m["litellm_params"]["model"]) for m in d["model_list"]
    ]
    assert strip(data) == strip(other_data)
    assert data["router_settings"] == other_data["router_settings"]


def test_printed_render_masks_keys_and_output_file_is_private(run_cli, tmp_path: Path) -> None:
    _stock(run_cli, ["oa", "an"])
    printed = run_cli.ok("config", "render").output
    assert KEY not in printed and ANT not in printed and "sk-…def" in printed
    assert "input_cost_per_token: 2.5e-06" in printed
    text, _ = _render(run_cli, tmp_path)
    assert KEY in text
    assert stat.S_IMODE(os.stat(tmp_path / "out.yaml").st_mode) == 0o600


def test_env_secrets_mode_writes_references(run_cli, tmp_path: Path) -> None:
    _stock(run_cli, ["oa", "an"])
    run_cli.ok("settings", "set", "secrets_mode", "env")
    text, data = _render(run_cli, tmp_path)
    assert KEY not in text and ANT not in text
    refs = {m["litellm_params"]["api_key"] for m in data["model_list"]}
    assert refs == {"os.environ/LLMTUI_API_KEY_OA", "os.environ/LLMTUI_API_KEY_AN"}


def test_drill_mode_and_key_reference(run_cli, tmp_path: Path) -> None:
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-ref", "OPENAI_API_KEY")
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("settings", "set", "drill_mode", "true")
    _, data = _render(run_cli, tmp_path)
    assert data["model_list"][0]["litellm_params"]["api_key"] == "os.environ/OPENAI_API_KEY"
    assert data["general_settings"]["dangerously_allow_mock_testing_request_params"] is True


def test_cost_conversion_is_exact_both_ways() -> None:
    for value in (2.5, 10.0, 0.15, 0.6, 0.000001, 123456.789012, 0.0):
        assert per_million(per_token(value)) == value
    assert per_token(2.5) == 2.5e-06
