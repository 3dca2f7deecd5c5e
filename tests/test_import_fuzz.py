"""Fuzzed `config import`: it imports, or fails with one clear error and changes nothing.

Arbitrary YAML-able structures, config-shaped ones, and arbitrary text go through the real
file reader and the import service into a real store. Never an unexpected exception; on
failure the store (every table, the audit log included) is exactly as before; on success a
second import of the same file changes nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmtui.errors import LlmtuiError
from llmtui.services.config_import import import_config_file
from llmtui.services.context import AppContext

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ODD = ["", " ", "a: b", "#x", "&a", "*", "!tag", "|", ">", "'", '"', "%", "\x00", "é", "\u202e"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(ODD)
)
structures = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.sampled_from(ODD), children, max_size=4)
    ),
    max_leaves=25,
)
groups = st.sampled_from(["gpt-4o", "mini", "local", "gpt-4o ", "g:1", "*", "x" * 300])
models = st.sampled_from(
    ["openai/gpt-4o", "gpt-4o-mini", "anthropic/claude-3-5-sonnet-20241022", "ollama/llama3",
     "azure/my-deploy", "bedrock/anthropic.claude-v2", "nosuch/thing", "", "groq/llama3-8b"]
)  # fmt: skip
params = st.fixed_dictionaries(
    {},
    optional={
        "model": models | structures,
        "api_key": st.sampled_from(["sk-FUZZ-0123456789abcdef", "os.environ/FUZZ_KEY", ""])
        | structures,
        "api_base": st.sampled_from(["http://127.0.0.1:9/v1", "not a url", "https://x"])
        | structures,
        "api_version": structures,
        "aws_region_name": structures,
        "rpm": structures,
        "mock_response": structures,
    },
)
entries = st.fixed_dictionaries(
    {},
    optional={
        "model_name": groups | structures,
        "litellm_params": params | structures,
        "model_info": st.dictionaries(
            st.sampled_from(["id", "input_cost_per_token", "max_tokens", "mode"]), structures
        )
        | structures,
    },
)
chains = st.lists(st.dictionaries(groups, st.lists(groups, max_size=3) | structures), max_size=3)
configs = st.fixed_dictionaries(
    {"model_list": st.lists(entries | structures, max_size=4) | structures},
    optional={
        "router_settings": st.fixed_dictionaries(
            {},
            optional={
                "fallbacks": chains | structures,
                "context_window_fallbacks": chains,
                "retry_policy": st.dictionaries(
                    st.sampled_from(["RateLimitErrorRetries", "TimeoutErrorRetries", "Nope"]),
                    st.integers(-5, 20) | structures,
                ),
                "allowed_fails_policy": st.dictionaries(
                    st.sampled_from(["RateLimitErrorAllowedFails", "X"]), structures
                ),
                "num_retries": st.integers(-3, 20) | structures,
                "timeout": structures,
                "routing_strategy": st.sampled_from(["simple-shuffle", "bogus"]) | structures,
            },
        )
        | structures,
        "litellm_settings": st.dictionaries(
            st.sampled_from(["drop_params", "callbacks", "num_retries", "fallbacks"]), structures
        )
        | structures,
        "general_settings": st.dictionaries(
            st.sampled_from(["master_key", "database_url", "alerting"]), structures
        )
        | structures,
        "environment_variables": st.dictionaries(st.text(max_size=8), structures) | structures,
    },
)


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        db.close()


class Importer:
    """One store for all examples; each import runs the real service on a fresh loop."""

    def __init__(self, home: Path, work: Path) -> None:
        self.home, self.file = home, work / "fuzz-config.yaml"
        asyncio.run(self._call(lambda ctx: ctx.box()))  # the key exists before any example

    async def _call(self, use_case: Any) -> Any:
        ctx = AppContext.open(self.home)
        try:
            return await use_case(ctx)
        finally:
            await ctx.close()

    def check(self, content: bytes) -> None:
        self.file.write_bytes(content)
        before = dump(self.home / "llmtui.db")
        try:
            report = asyncio.run(self._call(lambda ctx: import_config_file(ctx, self.file)))
        except LlmtuiError as exc:
            message = str(exc)
            assert message and "\n" not in message.strip() and "Traceback" not in message
            assert dump(self.home / "llmtui.db") == before, f"failed import changed store: {exc}"
            return
        imported = dump(self.home / "llmtui.db")
        again = asyncio.run(self._call(lambda ctx: import_config_file(ctx, self.file)))
        assert not again.changed, f"a second import changed something: {again.counts()}"
        assert dump(self.home / "llmtui.db") == imported
        assert report.source == str(self.file)


@pytest.fixture
def importer(home: Path, tmp_path: Path) -> Importer:
    return Importer(home, tmp_path)


@FUZZ
@given(data=structures)
def test_arbitrary_structures(importer: Importer, data: Any) -> None:
    importer.check(yaml.safe_dump(data, allow_unicode=True).encode())


@FUZZ
@given(data=configs)
def test_config_shaped_structures(importer: Importer, data: dict[str, Any]) -> None:
    importer.check(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode())


@FUZZ
@given(text=st.text(max_size=400) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_arbitrary_text(importer: Importer, text: str) -> None:
    importer.check(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(importer: Importer, raw: bytes) -> None:
    importer.check(raw)
