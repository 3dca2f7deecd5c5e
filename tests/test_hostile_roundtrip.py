"""Hostile store content renders to YAML that parses back, validates, and re-imports the same.

Names carry YAML's special characters, leading/trailing spaces, unicode and long strings;
numbers sit at their limits. Each example builds a real store, renders it, validates the
text, imports it into an empty home and renders again: the two files must be identical.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import keyring
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmtui.litellm.validate import validate_text
from llmtui.services.config import render_config
from llmtui.services.config_import import import_config
from llmtui.services.context import AppContext
from llmtui.services.fallbacks import set_chain
from llmtui.services.models import ModelFields, add_model
from llmtui.services.policies import set_policy, set_router_settings
from llmtui.services.providers import ProviderFields, add_provider
from tests.support.memory_keyring import MemoryKeyring

SPECIALS = list(":#&*!|>'\"%@`{}[],?-")
name_text = st.text(
    alphabet=st.one_of(
        st.sampled_from([*SPECIALS, " ", "é", "名", "🙂", "\xa0"]),
        st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85\u2028\u2029"
        ),
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")
long_name = st.integers(150, 200).map(lambda n: ("x: #&*" * 40)[:n])
names = st.one_of(name_text, long_name, st.sampled_from([" padded ", "- dash", "null", "1e3"]))
costs = st.one_of(
    st.none(),
    st.sampled_from([0.0, 0.000001, 1_000_000.0, 999_999.999999]),
    st.floats(0, 1_000_000, allow_nan=False).map(lambda v: round(v, 6)),
)
contexts = st.one_of(st.none(), st.sampled_from([1, 100_000_000]), st.integers(1, 10_000_000))


@st.composite
def stores(draw: st.DrawFn) -> dict:
    groups = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    deployments = [
        {
            "provider": draw(st.sampled_from(["compat", "local", "claude"])),
            "model": draw(names),
            "group": group,
            "input": draw(costs),
            "output": draw(costs),
            "context": draw(contexts),
        }
        for group in groups
    ]
    chains = []
    for i, group in enumerate(groups[:-1]):
        later = groups[i + 1 :]
        fallbacks = draw(st.lists(st.sampled_from(later), unique=True, max_size=len(later)))
        if fallbacks:
            kind = draw(st.sampled_from(["general", "context_window", "content_policy"]))
            chains.append((group, fallbacks, kind))
    return {
        "deployments": deployments,
        "chains": chains,
        "retries": draw(st.integers(0, 10)),
        "allowed_fails": draw(st.one_of(st.none(), st.integers(0, 1000))),
        "timeout": draw(st.one_of(st.none(), st.sampled_from([0.1, 3600.0]))),
    }


async def _build(ctx: AppContext, spec: dict) -> None:
    await add_provider(
        ctx,
        "compat: #&*!|>'\" %",
        ProviderFields(
            type="openai_compatible",
            api_base="http://127.0.0.1:9/v1",
            secrets={"api_key": "sk-hostile'\"#:key-0123456789"},
        ),
    )
    await add_provider(ctx, "local", ProviderFields(type="ollama"))
    await add_provider(
        ctx,
        "claude",
        ProviderFields(type="anthropic", secrets={"api_key": "sk-ant-HOSTILE-0123456789"}),
    )
    ids = {"compat": "compat: #&*!|>'\" %", "local": "local", "claude": "claude"}
    for d in spec["deployments"]:
        await add_model(
            ctx,
            ids[d["provider"]],
            d["model"],
            ModelFields(
                group=d["group"],
                input_cost_per_1m=d["input"],
                output_cost_per_1m=d["output"],
                context_window=d["context"],
            ),
        )
    for group, fallbacks, kind in spec["chains"]:
        await set_chain(ctx, group, fallbacks, kind)
    await set_policy(
        ctx, "rate_limit", retries=spec["retries"], allowed_fails=spec["allowed_fails"]
    )
    await set_router_settings(ctx, {"timeout": spec["timeout"]})


async def _roundtrip(spec: dict, root: Path) -> None:
    first = AppContext.open(root / "a")
    try:
        await _build(first, spec)
        result = await render_config(first)
    finally:
        await first.close()
    assert not result.errors, result.errors
    text = result.text
    assert yaml.safe_load(text) == result.rendered.data
    report = validate_text(text, environ={"LITELLM_MASTER_KEY": "x"})
    assert report.errors == [], [i.describe() for i in report.errors]

    second = AppContext.open(root / "b")
    try:
        imported = await import_config(second, yaml.safe_load(text), source="a.yaml")
        assert imported.not_represented == [], imported.not_represented
        again = await render_config(second)
    finally:
        await second.close()
    assert again.text == text


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(spec=stores())
def test_hostile_store_content_round_trips(spec: dict) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(_roundtrip(spec, Path(tmp)))
    finally:
        keyring.set_keyring(previous)


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.text(alphabet="ab*/.", max_size=12),
    name=st.text(alphabet="ab*/.\n", max_size=12),
)
def test_wildcard_match_agrees_with_litellms_regex(pattern: str, name: str) -> None:
    import re

    from llmtui.litellm.validate_models import wildcard_match

    regex = re.escape(pattern).replace(r"\*", "(.*)")
    assert wildcard_match(pattern, name) == bool(re.match(regex, name, re.DOTALL))


def test_many_wildcards_resolve_without_backtracking() -> None:
    """re.match would take minutes here (exponential backtracking over 40 `(.*)`)."""
    from llmtui.litellm.validate_models import ModelNames

    names = ModelNames()
    names.add("x: #&*" * 40)
    assert names.resolves("x: #&" * 60) == "yes"
    assert names.resolves("x: #" * 60) == "no"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 1_000_000, "too long"),
        ("nul\x00byte", "control characters"),
        ("bell\x07", "control characters"),
        ("next\x85line", "control characters"),
        ("line\u2028separator", "control characters"),
        ("   ", "must not be empty"),
    ],
)
def test_names_that_cannot_be_stored_are_refused_at_the_service_boundary(
    run_cli, name: str, message: str
) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    for args in (
        ["provider", "add", name, "--type", "ollama"],
        ["model", "add", "lab", "m", "--group", name],
        ["model", "add", "lab", name],
        ["fallback", "set", name, "m"],
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, (args[:2], result.output)
        assert message in result.stderr and len(result.stderr.splitlines()) == 1
