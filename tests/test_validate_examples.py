"""The example configs shipped inside the installed LiteLLM validate without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmtui.litellm.model_map import litellm_package_dir
from llmtui.litellm.validate import validate_text

PACKAGE = litellm_package_dir()
assert PACKAGE is not None, "litellm must be installed for these tests"
# Not proxy configs: guardrail policy templates and keyword lists also ship as YAML.
NOT_CONFIGS = ("content_filter_data", "route_templates")
EXAMPLES = sorted(
    p
    for p in (PACKAGE / "proxy").rglob("*.yaml")
    if not any(part in NOT_CONFIGS for part in p.parts)
)
# Genuinely wrong as shipped: its only model has no litellm_params, so the proxy
# fails on `model["litellm_params"]` while loading it.
BROKEN = {"langfuse_config.yaml": ("model_list[0]", "litellm_params is missing")}


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_there_are_examples_to_check() -> None:
    names = {p.name for p in EXAMPLES}
    assert len(EXAMPLES) >= 20
    assert {"proxy_config.yaml", "load_balancer.yaml", "simple_config.yaml"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=_name)
def test_shipped_example_has_no_errors(path: Path) -> None:
    report = validate_text(path.read_text("utf-8"), environ={})
    expected = BROKEN.get(path.name)
    if expected is None:
        assert report.errors == [], [i.describe() for i in report.errors]
    else:
        assert [(i.path, i.message.split(";")[0]) for i in report.errors] == [expected]
    # Warnings are allowed; with an empty environment they are mostly unset variables.
    for issue in report.warnings:
        assert issue.line is not None
