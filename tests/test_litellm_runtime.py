"""LiteLLM is loaded lazily, offline and silently, and can be warmed in the background."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import os, sys
import llmtui.cli, llmtui.services.fallback_test, llmtui.litellm.simulate
assert "litellm" not in sys.modules, "litellm imported at start-up"
os.environ.pop("LITELLM_LOCAL_MODEL_COST_MAP", None)
from llmtui.litellm import runtime
thread = runtime.warm_up_in_background()
thread.join(120)
assert runtime.is_warm() and runtime.warm_seconds() > 0
assert runtime.warm_up() == 0.0  # once only
assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
from llmtui.litellm.simulate import simulate
config = {
    "model_list": [
        {"model_name": "a", "litellm_params": {"model": "openai/a"}, "model_info": {"id": "a"}},
        {"model_name": "b", "litellm_params": {"model": "openai/b"}, "model_info": {"id": "b"}},
    ],
    "router_settings": {"num_retries": 1, "fallbacks": [{"a": ["b"]}]},
}
result = simulate(config, "a", "server_error", None)
assert result.outcome == "all_failed", result.to_json()
print("done")
"""


def test_warm_up_in_background_is_quiet_and_offline() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "done"
    assert out.stderr == ""  # LiteLLM's loggers would tear a TUI
