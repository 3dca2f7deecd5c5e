"""A clean hand-written LiteLLM config and helpers for the validator tests."""

from __future__ import annotations

from llmtui.litellm.validate import validate_text
from llmtui.litellm.validation_report import Issue, ValidationReport

BASE = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: 60
    model_info:
      id: one
      max_input_tokens: 128000
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_key: os.environ/ANTHROPIC_API_KEY
    tpm: 100000
  - model_name: mini
    litellm_params:
      model: openai/gpt-4o-mini
router_settings:
  num_retries: 2
  timeout: 30
  routing_strategy: simple-shuffle
  allowed_fails: 3
  cooldown_time: 30
  fallbacks:
    - gpt-4o: [claude, mini]
  context_window_fallbacks:
    - mini: [gpt-4o]
  retry_policy:
    RateLimitErrorRetries: 3
    TimeoutErrorRetries: 2
  allowed_fails_policy:
    RateLimitErrorAllowedFails: 5
  model_group_retry_policy:
    claude:
      InternalServerErrorRetries: 1
litellm_settings:
  drop_params: true
  request_timeout: 600
  success_callback: ["langfuse"]
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  store_model_in_db: false
environment_variables:
  LANGFUSE_HOST: https://cloud.langfuse.com
"""
ENV = {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "x", "LITELLM_MASTER_KEY": "x"}
SECRET = "sk-live-DO-NOT-PRINT-0123456789abcdef"


def check(text: str, environ: dict[str, str] | None = None) -> ValidationReport:
    return validate_text(text, environ=ENV if environ is None else environ)


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of needle."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def only(report: ValidationReport) -> Issue:
    assert len(report.issues) == 1, [f"{i.level} {i.describe()}" for i in report.issues]
    return report.issues[0]
