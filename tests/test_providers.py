"""Providers and models from the command line, including every kind of bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

OPENAI_KEY = "sk-test-OPENAI-0123456789abcdef"


def _counts(home: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(home / "llmtui.db")
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("providers", "models", "audit_log")
        )
    finally:
        conn.close()


def test_add_list_edit_remove_round_trip(run_cli, home: Path) -> None:
    run_cli.ok(
        "provider", "add", "openai-main", "--type", "openai", "--key-stdin", input=OPENAI_KEY
    )
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", "http://10.0.0.5:11434")
    run_cli.ok(
        "provider",
        "add",
        "azure-eu",
        "--type",
        "azure_openai",
        "--api-base",
        "https://contoso.openai.azure.com",
        "--key-stdin",
        input="abcdef0123456789abcdef0123456789",
    )
    providers = {p["name"]: p for p in json.loads(run_cli.ok("provider", "list", "--json").output)}
    assert providers["openai-main"]["key_mask"] == "sk-…def"
    assert providers["openai-main"]["api_base"] == "https://api.openai.com/v1"
    assert providers["lab"]["key_mask"] is None and providers["lab"]["status"] == "never"
    assert providers["azure-eu"]["api_version"] == "2024-10-21"

    run_cli.ok("model", "add", "openai-main", "gpt-4o")
    run_cli.ok(
        "model", "add", "openai-main", "gpt-4o-mini", "--group", "fast", "--context", "64000"
    )
    models = json.loads(run_cli.ok("model", "list", "--json").output)
    by_group = {m["group"]: m for m in models}
    assert by_group["gpt-4o"]["input_cost_per_1m"] == pytest.approx(2.5)
    assert by_group["gpt-4o"]["context_window"] == 128000
    assert by_group["fast"]["context_window"] == 64000
    assert "vision" in by_group["gpt-4o"]["capabilities"]

    run_cli.ok("model", "disable", "fast")
    assert not {m["group"]: m for m in json.loads(run_cli.ok("model", "list", "--json").output)}[
        "fast"
    ]["enabled"]

    run_cli.ok("provider", "edit", "lab", "--api-base", "http://10.0.0.6:11434", "--rename", "lab2")
    names = [p["name"] for p in json.loads(run_cli.ok("provider", "list", "--json").output)]
    assert "lab2" in names and "lab" not in names

    result = run_cli.ok("provider", "remove", "openai-main", "--yes")
    assert "1 models disabled" in result.output
    listed = json.loads(run_cli.ok("provider", "list", "--all", "--json").output)
    removed = next(p for p in listed if p["name"] == "openai-main")
    assert removed["deleted"] and removed["enabled_model_count"] == 0
    assert "openai-main" not in run_cli.ok("provider", "list").output
    assert json.loads(run_cli.ok("model", "list", "--json").output) == []

    actions = [e["action"] for e in json.loads(run_cli.ok("audit", "--json").output)]
    assert actions[0] == "provider.remove"
    assert {"provider.add", "provider.edit", "model.add", "model.disable"} <= set(actions)


def test_readding_a_removed_provider_restores_it(run_cli) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("provider", "remove", "lab", "--yes")
    run_cli.ok("provider", "add", "lab", "--type", "vllm", "--api-base", "http://127.0.0.1:8000/v1")
    (lab,) = json.loads(run_cli.ok("provider", "list", "--json").output)
    assert lab["type"] == "vllm" and not lab["deleted"]


BAD_INPUTS = [
    (["provider", "add", "x", "--type", "nosuch", "--key-stdin"], OPENAI_KEY, 2, "nosuch"),
    (["provider", "add", "dup", "--type", "ollama"], None, 1, "already exists"),
    (
        ["provider", "add", "x", "--type", "openai", "--api-base", "ftp//nope", "--key-stdin"],
        OPENAI_KEY,
        2,
        "not an http(s) URL",
    ),
    (
        ["provider", "add", "x", "--type", "openai", "--key-stdin"],
        "pk-wrong-shape-123456",
        2,
        "should start with sk-",
    ),
    (
        ["provider", "add", "x", "--type", "anthropic", "--key-stdin"],
        OPENAI_KEY,
        2,
        "should start with sk-ant-",
    ),
    (["provider", "add", "x", "--type", "openai"], None, 2, "needs an API key"),
    (
        ["provider", "add", "x", "--type", "openai", "--key-env", "LLMTUI_TEST_UNSET_VAR"],
        None,
        2,
        "not set",
    ),
    (
        ["provider", "add", "x", "--type", "azure_openai", "--key-stdin"],
        "abcdef0123456789abcdef0123456789",
        2,
        "needs --api-base",
    ),
    (["provider", "add", "x\x00y", "--type", "ollama"], None, 2, "control characters"),
    (["provider", "add", "x" * 300, "--type", "ollama"], None, 2, "too long"),
    (["provider", "edit", "ghost", "--api-base", "http://h:1"], None, 1, "no provider named"),
    (["provider", "remove", "ghost", "--yes"], None, 1, "no provider named"),
    (["provider", "test", "ghost"], None, 1, "no provider named"),
    (["model", "add", "dup", "m1", "--input-cost", "-1"], None, 2, "must not be negative"),
    (["model", "add", "dup", "m1", "--context", "0"], None, 2, "greater than 0"),
    (["model", "add", "ghost", "m1"], None, 1, "no provider named"),
    (["model", "add", "dup", "m1", "--context", "many"], None, 2, "many"),
    (["model", "enable", "no-such-group"], None, 1, "no model group named"),
    (["model", "list", "--provider", "ghost"], None, 1, "no provider named"),
]


@pytest.mark.parametrize(("args", "stdin", "code", "message"), BAD_INPUTS)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    run_cli, home: Path, args: list[str], stdin: str | None, code: int, message: str
) -> None:
    run_cli.ok("provider", "add", "dup", "--type", "ollama")
    before = _counts(home)
    result = run_cli(*args, input=stdin)
    assert result.exit_code == code, result.output + result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert _counts(home) == before


def test_enable_of_a_group_with_a_missing_name_changes_nothing(run_cli, home: Path) -> None:
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("model", "add", "lab", "llama3", "--disabled")
    result = run_cli("model", "enable", "llama3", "ghost")
    assert result.exit_code == 1
    (model,) = json.loads(run_cli.ok("model", "list", "--json").output)
    assert model["enabled"] is False
