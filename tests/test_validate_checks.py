"""What the validator catches in a hand-written config, and where it says it is."""

from __future__ import annotations

import pytest

from llmtui.litellm.validate import validate_data
from tests.support.validate_samples import BASE, ENV, SECRET, check, only, position


def test_base_config_is_clean() -> None:
    report = check(BASE)
    assert report.issues == [] and report.ok


@pytest.mark.parametrize(
    ("good", "typo", "level", "path"),
    [
        ("litellm_settings:", "litellm_setings:", "error", "litellm_setings"),
        ("    tpm: 100000", "    tmp: 100000", "warning", "model_list[1].tmp"),
        ("api_key:", "api_kye:", "warning", "model_list[0].litellm_params.api_kye"),
        (
            "max_input_tokens:",
            "max_input_tokes:",
            "warning",
            "model_list[0].model_info.max_input_tokes",
        ),
        ("num_retries:", "num_retires:", "error", "router_settings.num_retires"),
        (
            "RateLimitErrorRetries:",
            "RateLimitErrorRetris:",
            "error",
            "router_settings.retry_policy.RateLimitErrorRetris",
        ),
        (
            "RateLimitErrorAllowedFails:",
            "RateLimitErrorAlowedFails:",
            "error",
            "router_settings.allowed_fails_policy.RateLimitErrorAlowedFails",
        ),
        (
            "InternalServerErrorRetries:",
            "InternalServerErorRetries:",
            "error",
            "router_settings.model_group_retry_policy.claude.InternalServerErorRetries",
        ),
        ("drop_params:", "drop_parms:", "error", "litellm_settings.drop_parms"),
        ("store_model_in_db:", "store_model_in_bd:", "error", "general_settings.store_model_in_bd"),
    ],
)
def test_planted_misspelling_is_caught_with_suggestion(
    good: str, typo: str, level: str, path: str
) -> None:
    text = BASE.replace(good, typo, 1)
    issue = only(check(text))
    assert (issue.level, issue.path) == (level, path)
    assert issue.suggestion == good.strip().split(":")[0]
    assert (issue.line, issue.column) == position(text, typo.strip())


def test_key_in_the_wrong_section_says_where_it_belongs() -> None:
    text = BASE.replace("  num_retries: 2\n", "  num_retries: 2\n  health_check_interval: 30\n")
    text += "fallbacks: []\n"
    report = check(text)
    by_path = {i.path: i for i in report.issues}
    assert by_path["router_settings.health_check_interval"].suggestion == (
        "general_settings.health_check_interval"
    )
    assert by_path["fallbacks"].suggestion == "router_settings.fallbacks"
    assert len(report.errors) == 2


def test_router_settings_the_proxy_manages_itself_are_refused() -> None:
    text = BASE.replace("  num_retries: 2\n", "  num_retries: 2\n  model_list: []\n")
    issue = only(check(text))
    assert issue.path == "router_settings.model_list" and issue.level == "error"
    assert "ignores it" in issue.message


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("model_list:\n\t- model_name: x\n", 2, 1, "cannot start any token"),
        (
            "router_settings:\n  fallbacks: [{a: [b]}\nlitellm_settings: {}\n",
            3,
            1,
            "flow sequence at line 2, column 14",
        ),
        ("a: 1\n---\nb: 2\n", 2, 1, "single document"),
        ("model_list:\n  - model_name: x\n   litellm_params: {}\n", 3, 4, "expected '-'"),
        ('a: "unterminated\nb: 1\n', 3, 1, "quoted scalar at line 1, column 4"),
    ],
)
def test_yaml_errors_carry_line_and_column(text: str, line: int, column: int, words: str) -> None:
    issue = only(check(text))
    assert issue.level == "error" and issue.message.startswith("not valid YAML")
    assert words in issue.message
    assert (issue.line, issue.column) == (line, column)


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), ("# only a comment\n", "empty"), ("- a\n- b\n", "must be a mapping")],
)
def test_not_a_config_at_all(text: str, words: str) -> None:
    assert words in only(check(text)).message


def test_duplicate_keys_are_errors_at_the_second_one() -> None:
    text = BASE + "router_settings:\n  num_retries: 5\n"
    duplicate = next(i for i in check(text).errors if "duplicate" in i.message)
    assert duplicate.path == "router_settings"
    assert (duplicate.line, duplicate.column) == (text.count("\n") - 1, 1)
    assert f"first at line {position(text, 'router_settings:')[0]}" in duplicate.message


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "num_retries: 2",
            'num_retries: "2"',
            "router_settings.num_retries",
            "expected an integer or null, got a string",
        ),
        ("num_retries: 2", "num_retries: true", "router_settings.num_retries", "got true/false"),
        (
            "num_retries: 2",
            "num_retries: -1",
            "router_settings.num_retries",
            "must not be negative",
        ),
        ("timeout: 30", "timeout: fast", "router_settings.timeout", "expected a number or null"),
        (
            "allowed_fails: 3",
            "allowed_fails: 2.5",
            "router_settings.allowed_fails",
            "expected an integer",
        ),
        (
            "RateLimitErrorRetries: 3",
            "RateLimitErrorRetries: -2",
            "router_settings.retry_policy.RateLimitErrorRetries",
            "negative",
        ),
        (
            "RateLimitErrorAllowedFails: 5",
            "RateLimitErrorAllowedFails: five",
            "router_settings.allowed_fails_policy.RateLimitErrorAllowedFails",
            "whole number",
        ),
        (
            "store_model_in_db: false",
            "store_model_in_db: 'no'",
            "general_settings.store_model_in_db",
            "expected true/false",
        ),
        (
            "  fallbacks:\n    - gpt-4o: [claude, mini]",
            "  fallbacks: {gpt-4o: [claude]}",
            "router_settings.fallbacks",
            "must be a list",
        ),
        (
            "    - gpt-4o: [claude, mini]",
            "    - gpt-4o: claude",
            "router_settings.fallbacks[0].gpt-4o",
            "must be a list",
        ),
        ("model_name: mini", "model_name: 7", "model_list[2].model_name", "non-empty string"),
        (
            "      model: openai/gpt-4o-mini\n",
            "      api_base: http://x\n",
            "model_list[2].litellm_params",
            "model is missing",
        ),
    ],
)
def test_wrong_value_types(old: str, new: str, path: str, words: str) -> None:
    text = BASE.replace(old, new, 1)
    assert old in BASE
    errors = check(text).errors
    assert [(i.path, words in i.message) for i in errors][:1] == [(path, True)], [
        i.describe() for i in errors
    ]


def test_routing_strategy_choices_come_with_a_suggestion() -> None:
    issue = only(check(BASE.replace("simple-shuffle", "simple-shufle")))
    assert issue.path == "router_settings.routing_strategy"
    assert issue.suggestion == "simple-shuffle" and "latency-based-routing" in issue.message


def test_unset_environment_variables_are_warnings() -> None:
    report = check(BASE, environ={"OPENAI_API_KEY": "x"})
    assert report.ok
    assert [(i.path, i.message) for i in report.warnings] == [
        (
            "model_list[1].litellm_params.api_key",
            "environment variable ANTHROPIC_API_KEY is not set here",
        ),
        ("general_settings.master_key", "environment variable LITELLM_MASTER_KEY is not set here"),
    ]
    assert report.warnings[0].line == position(BASE, "os.environ/ANTHROPIC_API_KEY")[0]


def test_secrets_are_never_repeated_in_issues() -> None:
    text = (
        BASE.replace("simple-shuffle", SECRET)
        .replace("store_model_in_db: false", f"store_model_in_db: {SECRET}")
        .replace("drop_params: true", f"drop_parms: {SECRET}")
        .replace(
            "api_key: os.environ/OPENAI_API_KEY", f"api_key: {SECRET}\n      api_kee: {SECRET}"
        )
    )
    text += f"bad: [{SECRET}\n"  # and the YAML error
    for report in (check(text.rsplit("bad:", 1)[0]), check(text)):
        assert report.issues
        for issue in report.issues:
            assert SECRET not in repr(issue) and "DO-NOT-PRINT" not in repr(issue)


def test_without_marks_there_are_no_positions_and_without_keys_no_key_checks() -> None:
    import yaml

    data = yaml.safe_load(
        BASE.replace("num_retries", "num_retires").replace("[claude, mini]", "[nope]")
    )
    report = validate_data(data, environ=ENV)
    assert {i.path for i in report.errors} == {
        "router_settings.num_retires",
        "router_settings.fallbacks[0].gpt-4o[0]",
    }
    assert all(i.line is None for i in report.issues)
    unchecked = validate_data(data, environ=ENV, accepted=None)
    assert [i.path for i in unchecked.errors] == ["router_settings.fallbacks[0].gpt-4o[0]"]
