"""Fallback chains, per-error policies and router settings through the CLI."""

from __future__ import annotations

import json

import pytest

from llmtui.services.chain_rules import GroupInfo, check_chain, find_cycle

KEY = "sk-test-OPENAI-0123456789abcdef"
ANT = "sk-ant-test-0123456789abcdefXYZ"


@pytest.fixture
def stocked(run_cli):
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-stdin", input=KEY)
    run_cli.ok("provider", "add", "an", "--type", "anthropic", "--key-stdin", input=ANT)
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("model", "add", "oa", "gpt-4o-mini", "--group", "mini")
    run_cli.ok("model", "add", "an", "claude-3-5-sonnet-20241022", "--group", "claude")
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local")
    run_cli.ok("model", "add", "lab", "qwen", "--group", "off", "--disabled")
    return run_cli


def _chain(run_cli, group: str, kind: str = "general") -> list[str]:
    (g,) = json.loads(run_cli.ok("fallback", "show", group, "--json").output)
    return g["chains"][kind]["fallbacks"]


def test_set_show_clear(stocked) -> None:
    stocked.ok("fallback", "set", "gpt-4o", "claude", "mini")
    stocked.ok("fallback", "set", "gpt-4o", "local", "--kind", "context_window")
    assert _chain(stocked, "gpt-4o") == ["claude", "mini"]
    assert _chain(stocked, "gpt-4o", "context_window") == ["local"]
    stocked.ok("fallback", "set", "gpt-4o", "mini", "claude")
    assert _chain(stocked, "gpt-4o") == ["mini", "claude"]
    stocked.ok("fallback", "clear", "gpt-4o", "--kind", "general")
    assert _chain(stocked, "gpt-4o") == []
    assert _chain(stocked, "gpt-4o", "context_window") == ["local"]
    actions = [e["action"] for e in json.loads(stocked.ok("audit", "--json").output)]
    assert actions[:2] == ["fallback.clear", "fallback.set"]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ([], ["gpt-4o", "gpt-4o"], "cannot fall back to itself"),
        ([], ["gpt-4o", "claude", "claude"], "already in this chain"),
        ([], ["gpt-4o", "nosuch"], "'nosuch' does not exist"),
        ([], ["nosuch", "gpt-4o"], "'nosuch' does not exist"),
        ([], ["gpt-4o", "off"], "no enabled deployment"),
        ([["claude", "gpt-4o"]], ["gpt-4o", "claude"], "cycle: gpt-4o → claude → gpt-4o"),
        (
            [["claude", "local"], ["local", "gpt-4o"]],
            ["gpt-4o", "claude"],
            "cycle: gpt-4o → claude → local → gpt-4o",
        ),
    ],
)
def test_invalid_chains_are_refused_and_nothing_changes(stocked, setup, args, message) -> None:
    for chain in setup:
        stocked.ok("fallback", "set", *chain)
    before = stocked.ok("fallback", "show", "--json").output
    result = stocked("fallback", "set", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert stocked.ok("fallback", "show", "--json").output == before


def test_cycles_are_per_kind(stocked) -> None:
    stocked.ok("fallback", "set", "claude", "gpt-4o")
    stocked.ok("fallback", "set", "gpt-4o", "claude", "--kind", "context_window")


def test_same_provider_chain_is_allowed_with_a_warning(stocked) -> None:
    result = stocked.ok("fallback", "set", "gpt-4o", "mini")
    assert "every member of this chain runs on oa" in result.stderr


def test_disabling_a_member_makes_the_chain_invalid_in_render(stocked) -> None:
    stocked.ok("fallback", "set", "gpt-4o", "claude")
    stocked.ok("model", "disable", "claude")
    (g,) = json.loads(stocked.ok("fallback", "show", "gpt-4o", "--json").output)
    assert "no enabled deployment" in g["chains"]["general"]["findings"][0]["message"]
    result = stocked("config", "render")
    assert result.exit_code == 1 and "no enabled deployment" in result.stderr


def test_find_cycle_handles_long_and_branching_graphs() -> None:
    edges = {"a": ["b", "x"], "b": ["c"], "c": ["d"], "d": ["a"], "x": ["y"]}
    assert find_cycle("a", edges) == ["a", "b", "c", "d", "a"]
    assert find_cycle("x", edges) is None


def test_warning_is_not_given_when_providers_differ() -> None:
    groups = {
        "a": GroupInfo("a", 1, 1, {"p1"}),
        "b": GroupInfo("b", 2, 2, {"p1", "p2"}),
    }
    assert check_chain("a", "general", ["b"], groups, {}) == []


def test_trigger_policies(stocked) -> None:
    stocked.ok("trigger", "set", "rate_limit", "--retries", "5", "--allowed-fails", "2")
    stocked.ok("trigger", "set", "auth", "--disable")
    policies = {
        p["error_type"]: p for p in json.loads(stocked.ok("trigger", "list", "--json").output)
    }
    assert policies["rate_limit"]["retries"] == 5 and policies["rate_limit"]["allowed_fails"] == 2
    assert policies["auth"]["enabled"] is False
    assert policies["timeout"]["retries"] == 3 and not policies["timeout"]["customised"]
    for bad, message in (
        (["timeout", "--retries", "11"], "from 0 to 10"),
        (["timeout", "--retries", "-1"], "from 0 to 10"),
        (["nosuch", "--retries", "1"], "unknown error type"),
        (["default", "--allowed-fails", "1"], "no allowed-fails"),
    ):
        result = stocked("trigger", "set", *bad)
        assert result.exit_code == 2 and message in result.stderr
    stocked.ok("trigger", "reset")
    policies = {
        p["error_type"]: p for p in json.loads(stocked.ok("trigger", "list", "--json").output)
    }
    assert policies["rate_limit"]["retries"] == 3 and policies["auth"]["enabled"]


def test_router_settings(stocked) -> None:
    stocked.ok(
        "router", "set", "--num-retries", "2", "--timeout", "30", "--routing-strategy", "least-busy"
    )
    values = json.loads(stocked.ok("router", "show", "--json").output)
    assert values["num_retries"] == 2 and values["timeout"] == 30.0
    assert values["routing_strategy"] == "least-busy"
    result = stocked("router", "set", "--routing-strategy", "random")
    assert result.exit_code == 2 and "must be one of" in result.stderr
    result = stocked("router", "set", "--num-retries", "11")
    assert result.exit_code == 2
    stocked.ok("router", "set", "--reset", "timeout")
    assert json.loads(stocked.ok("router", "show", "--json").output)["timeout"] is None
