"""Fallback chains in a hand-written config: targets, sources, cycles, wildcards."""

from __future__ import annotations

import pytest

from tests.support.validate_samples import BASE, check, only, position


def test_missing_fallback_target_is_an_error_with_position_and_suggestion() -> None:
    text = BASE.replace("- gpt-4o: [claude, mini]", "- gpt-4o: [claude, minni]")
    issue = only(check(text))
    assert issue.path == "router_settings.fallbacks[0].gpt-4o[1]"
    assert issue.level == "error" and "'minni'" in issue.message
    assert issue.suggestion == "mini"
    assert (issue.line, issue.column) == position(text, "minni")


def test_chain_for_a_group_that_does_not_exist_is_a_warning() -> None:
    text = BASE.replace(
        "    - gpt-4o: [claude, mini]\n", "    - gpt-4o: [claude, mini]\n    - gpt4o: [mini]\n"
    )
    issue = only(check(text))
    assert issue.level == "warning" and issue.path == "router_settings.fallbacks[1].gpt4o"
    assert "never applies" in issue.message and issue.suggestion == "gpt-4o"


@pytest.mark.parametrize(
    ("chains", "cycle"),
    [
        ("    - gpt-4o: [claude]\n    - claude: [gpt-4o]\n", "gpt-4o → claude → gpt-4o"),
        (
            "    - gpt-4o: [claude]\n    - claude: [mini]\n    - mini: [gpt-4o]\n",
            "gpt-4o → claude → mini → gpt-4o",
        ),
    ],
)
def test_cycles_of_any_length(chains: str, cycle: str) -> None:
    text = BASE.replace("    - gpt-4o: [claude, mini]\n", chains)
    issue = only(check(text))
    assert issue.level == "error" and issue.message == f"fallback cycle: {cycle}"
    assert issue.path == "router_settings.fallbacks[0].gpt-4o"


def test_self_reference_duplicates_and_shape() -> None:
    text = BASE.replace(
        "    - gpt-4o: [claude, mini]\n",
        "    - gpt-4o: [gpt-4o, claude, claude]\n"
        "    - mini: [claude]\n      claude: [mini]\n"
        "    - gpt-4o: [mini]\n"
        "    - just-a-string\n",
    )
    report = check(text)
    found = {(i.level, i.path, i.message.split(";")[0]) for i in report.issues}
    assert found == {
        ("error", "router_settings.fallbacks[0].gpt-4o[0]", "'gpt-4o' falls back to itself"),
        (
            "warning",
            "router_settings.fallbacks[0].gpt-4o[2]",
            "'claude' is already earlier in this chain",
        ),
        (
            "error",
            "router_settings.fallbacks[1]",
            "each entry must have exactly one group as key, this one has 2",
        ),
        (
            "error",
            "router_settings.fallbacks[2].gpt-4o",
            "fallbacks[0] already has a chain for 'gpt-4o'",
        ),
        (
            "error",
            "router_settings.fallbacks[3]",
            "each entry must be a mapping {group: [fallback, ...]}",
        ),
    }


def test_fallbacks_from_litellm_settings_are_checked_and_shadowed() -> None:
    text = BASE.replace(
        "litellm_settings:\n", "litellm_settings:\n  fallbacks: [{claude: [nope]}]\n"
    )
    report = check(text)
    assert {(i.level, i.path) for i in report.issues} == {
        ("error", "litellm_settings.fallbacks[0].claude[0]"),
        ("warning", "litellm_settings.fallbacks"),
    }
    alone = text.replace("  fallbacks:\n    - gpt-4o: [claude, mini]\n", "")
    alone = alone.replace("[{claude: [nope]}]", "[{claude: [gpt-4o]}, {gpt-4o: [claude]}]")
    assert [i.message for i in check(alone).issues] == ["fallback cycle: claude → gpt-4o → claude"]


def test_wildcard_model_names_serve_matching_targets() -> None:
    text = BASE.replace(
        "  - model_name: mini\n",
        "  - model_name: openai/*\n"
        "    litellm_params:\n"
        "      model: openai/*\n"
        "  - model_name: mini\n",
    )
    served = text.replace("[claude, mini]", "[claude, openai/gpt-4.1, gpt-4.1]")
    assert check(served).issues == []
    # An Anthropic model in the bundled map: LiteLLM tries anthropic/claude-haiku-4-5, no match.
    refused = text.replace("[claude, mini]", "[claude-haiku-4-5]")
    assert only(check(refused)).level == "error"
    unknown = text.replace("[claude, mini]", "[my-local-model]")
    assert only(check(unknown)).level == "warning"


@pytest.mark.parametrize(
    "extra",
    ["include:\n  - more_models.yaml\n", "general_settings:\n  store_model_in_db: true\n"],
)
def test_targets_may_live_elsewhere_when_models_can(extra: str) -> None:
    text = BASE.replace(
        "general_settings:\n"
        "  master_key: os.environ/LITELLM_MASTER_KEY\n"
        "  store_model_in_db: false\n",
        "",
    )
    text = text.replace("[claude, mini]", "[claude, elsewhere]") + extra
    report = check(text)
    assert report.ok and [i.path for i in report.warnings] == [
        "router_settings.fallbacks[0].gpt-4o[1]"
    ]
