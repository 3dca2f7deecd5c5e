"""validate_text / validate_data never raise, whatever they are given."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmtui.litellm.validate import validate_data, validate_text
from llmtui.litellm.validation_report import ValidationReport

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NAMES = ["a", "b", "c", "gpt-4o", "openai/*", "*", "os.environ/X", ""]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(NAMES)
)
structures = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(NAMES), children, max_size=4)
    ),
    max_leaves=30,
)
groups = st.sampled_from(["a", "b", "c", "gpt-4o", "openai/gpt-x", "*"])
chains = st.lists(
    st.dictionaries(groups, st.lists(groups, max_size=3) | structures, min_size=0, max_size=2)
    | structures,
    max_size=4,
)
configs = st.fixed_dictionaries(
    {},
    optional={
        "model_list": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "model_name": groups | structures,
                    "litellm_params": st.fixed_dictionaries(
                        {}, optional={"model": st.text(max_size=8), "api_bsae": structures}
                    )
                    | structures,
                    "model_info": st.dictionaries(st.sampled_from(["id", "mode"]), structures),
                },
            )
            | structures,
            max_size=4,
        ),
        "router_settings": st.fixed_dictionaries(
            {},
            optional={
                "fallbacks": chains,
                "context_window_fallbacks": chains,
                "default_fallbacks": st.lists(groups) | structures,
                "retry_policy": st.dictionaries(
                    st.sampled_from(["DefaultRetries", "X"]), structures
                ),
                "model_group_retry_policy": structures,
                "model_group_alias": st.dictionaries(groups, groups | structures),
                "num_retries": structures,
                "routing_strategy": structures,
            },
        )
        | structures,
        "litellm_settings": st.fixed_dictionaries({}, optional={"fallbacks": chains}) | structures,
        "general_settings": structures,
        "include": structures,
    },
)


def _well_formed(report: ValidationReport, text: str | None = None) -> None:
    lines = text.count("\n") + 2 if text is not None else None
    for issue in report.issues:
        assert issue.level in ("error", "warning") and isinstance(issue.path, str)
        assert issue.message and isinstance(issue.message, str)
        if issue.line is not None and lines is not None:
            assert 1 <= issue.line <= lines and issue.column >= 1
    assert report.ok == (not report.errors)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    _well_formed(validate_text(text, environ={}), text)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "a:",
                " b",
                "- ",
                "[",
                "]",
                "{",
                "}",
                "&x ",
                "*x",
                "\n",
                "\t",
                "? ",
                "'",
                "!!str ",
                "<<: ",
            ]
        ),
        max_size=40,
    )
)
def test_yaml_looking_text_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    _well_formed(validate_text(text, environ={}), text)


@FUZZ
@given(structures)
def test_arbitrary_structures_never_raise(data: Any) -> None:
    _well_formed(validate_data(data, environ={}))
    text = yaml.safe_dump(data)
    _well_formed(validate_text(text, environ={}), text)


@FUZZ
@given(configs)
def test_config_shaped_structures_never_raise(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    _well_formed(validate_text(text, environ={"X": "1"}), text)
    _well_formed(validate_data(data, environ={}, accepted=None))


def test_recursive_and_exploding_aliases_are_handled() -> None:
    recursive = "a: &x [*x]\nmodel_list: &m [*m]\n"
    _well_formed(validate_text(recursive, environ={}), recursive)
    laughs = "l0: &l0 [os.environ/NOPE, x]\n" + "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
    )
    report = validate_text(laughs, environ={})
    assert [i.message for i in report.warnings if "NOPE" in i.message] == [
        "environment variable NOPE is not set here"
    ]
