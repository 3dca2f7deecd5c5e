"""Simulated fallback tests: LiteLLM's real Router over the rendered config, via the CLI."""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from llmtui.home import db_path
from llmtui.litellm.wait_schedule import schedule
from llmtui.services.context import AppContext, now
from llmtui.store.schema import ProxySetting

KEY = "sk-test-OPENAI-0123456789abcdef"
KEY2 = "sk-test-OPENAI-second-9876543210"
ANT = "sk-ant-test-0123456789abcdefXYZ"
CHAIN = ["gpt-4o", "claude", "mini"]
# Default policies: 3 retries for these, none for content policy / bad request.
RETRIED = {
    "rate_limit": "RateLimitError",
    "timeout": "Timeout",
    "server_error": "InternalServerError",
    "connection": "APIConnectionError",
}
NOT_RETRIED = {
    "content_policy": "ContentPolicyViolationError",
    "context_window": "ContextWindowExceededError",
}


@pytest.fixture
def stocked(run_cli):
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-stdin", input=KEY)
    run_cli.ok("provider", "add", "an", "--type", "anthropic", "--key-stdin", input=ANT)
    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("model", "add", "an", "claude-3-5-sonnet-20241022", "--group", "claude")
    run_cli.ok("model", "add", "oa", "gpt-4o-mini", "--group", "mini")
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local")
    run_cli.ok("model", "add", "lab", "qwen", "--group", "off", "--disabled")
    run_cli.ok("fallback", "set", "gpt-4o", "claude", "mini")
    return run_cli


def _test(run_cli, *args: str, code: int = 0) -> dict[str, Any]:
    result = run_cli("test-fallback", *args, "--json")
    assert result.exit_code == code, f"{args}: {result.exit_code}\n{result.output}{result.stderr}"
    return json.loads(result.stdout)


def _groups(data: dict[str, Any]) -> list[str]:
    return [a["group"] for a in data["attempts"]]


def test_every_failure_on_a_three_member_chain(stocked) -> None:
    """Each failure type at each depth: who serves, and after how many attempts."""
    for failure, depth in itertools.product([*RETRIED, *NOT_RETRIED], ["1", "2", "all"]):
        data = _test(stocked, "gpt-4o", "--failure", failure, "--depth", depth)
        _check_walk(data, failure, depth)


def _check_walk(data: dict[str, Any], failure: str, depth: str) -> None:
    case = (failure, depth)
    tries = 4 if failure in RETRIED else 1  # the first try and 3 retries
    error = {**RETRIED, **NOT_RETRIED}[failure]
    failing = 3 if depth == "all" else int(depth)
    assert data["mode"] == "simulated" and data["chain"] == CHAIN, case
    assert (data["failure"], str(data["depth"]), data["chain_kind"]) == (failure, depth, "general")
    expected_groups = [g for g in CHAIN[:failing] for _ in range(tries)]
    if depth == "all":
        assert data["outcome"] == "all_failed", case
        assert data["served_by"] is None and data["response"] is None, case
        assert data["error_type"] == error, case
    else:
        served = CHAIN[failing]
        expected_groups.append(served)
        assert data["outcome"] == "fallback_served", case
        assert (data["served_by"], data["served_position"]) == (served, failing), case
        assert data["response"] == f"pong from {served} ({data['served_deployment']})", case
    assert _groups(data) == expected_groups, case
    failed = [a for a in data["attempts"] if not a["ok"]]
    assert len(failed) == failing * tries, case
    assert {a["error_type"] for a in failed} == {error}, case
    assert all(a["ms"] > 0 and a["deployment"] for a in data["attempts"]), case
    assert [a["retry"] for a in data["attempts"][:tries]] == list(range(tries)), case
    assert data["total_ms"] >= sum(a["ms"] for a in data["attempts"]) * 0.99, case


def test_the_primary_serves_when_nothing_fails_before_it(stocked) -> None:
    stocked.ok("fallback", "set", "claude", "mini")
    data = _test(stocked, "gpt-4o", "--failure", "rate_limit", "--depth", "1")
    assert data["served_by"] == "claude"  # sanity: the chain is live
    # claude's own test: it fails, mini serves; claude is the primary there.
    data = _test(stocked, "claude", "--failure", "timeout")
    assert (data["outcome"], data["served_by"], data["served_position"]) == (
        "fallback_served",
        "mini",
        1,
    )


def test_configured_waits_are_litellm_schedule_and_are_skipped(stocked) -> None:
    data = _test(stocked, "gpt-4o", "--failure", "rate_limit", "--depth", "1")
    expected = schedule("rate_limit", {"RateLimitErrorRetries": 3})
    waits = [a for a in data["attempts"] if a["waited_configured_s"] is not None]
    # Before each retry, and once more after the last one before falling back.
    assert [a["waited_range_s"] for a in waits] == [[w.low, w.high] for w in expected.waits]
    for attempt in waits:
        low, high = attempt["waited_range_s"]
        assert low <= attempt["waited_configured_s"] < high
    assert expected.total_low <= data["configured_wait_s"] <= expected.total_high
    assert data["waits_compressed"] is True
    assert data["elapsed_wait_s"] < 0.5 < expected.total_low
    assert data["total_ms"] < expected.total_low * 1000


def test_a_test_is_stored_as_an_event_and_shown_as_last_test(stocked, home: Path) -> None:
    assert _last_test(stocked, "gpt-4o") is None
    data = _test(stocked, "gpt-4o", "--failure", "server_error", "--depth", "2")
    db = sqlite3.connect(db_path(home))
    row = db.execute(
        "SELECT id, group_name, trigger, status_code, served_by, served_position, outcome,"
        " attempts, latency_ms, source, detail FROM fallback_events"
    ).fetchall()
    db.close()
    assert len(row) == 1
    event_id, group, trigger, status, served_by, position, outcome, attempts, ms, source, detail = (
        row[0]
    )
    assert event_id == data["event_id"]
    assert (group, trigger, status, source) == ("gpt-4o", "server_error", 500, "simulated")
    assert (served_by, position, outcome) == ("mini", 2, "served")  # as metrics count
    # Fallback groups tried (claude, mini), as the proxy recorder counts them; not the 9 tries.
    assert len(data["attempts"]) == 9
    assert attempts == 2 and ms == pytest.approx(data["total_ms"])
    assert json.loads(detail) == {k: v for k, v in data.items() if k != "event_id"}
    last = _last_test(stocked, "gpt-4o")
    assert last is not None
    assert (last["outcome"], last["served_by"], last["trigger"]) == (
        "fallback_served",
        "mini",
        "server_error",
    )
    assert last["label"] == "fallback 2 served" and last["at"] > 0
    shown = stocked.ok("fallback", "show", "gpt-4o").stdout.splitlines()
    assert shown[0].split()[-2:] == ["LAST", "TEST"]
    assert shown[1].endswith("fallback 2 served, just now")
    assert _last_test(stocked, "claude") is None
    _test(stocked, "gpt-4o", "--failure", "timeout", "--depth", "all")
    assert _last_test(stocked, "gpt-4o")["outcome"] == "all_failed"
    audit = json.loads(stocked.ok("audit", "--json").output)[0]
    assert (audit["action"], audit["entity_name"]) == ("fallback.test", "gpt-4o")
    assert audit["affects_config"] is False


def _last_test(run_cli, group: str) -> dict[str, Any] | None:
    (view,) = json.loads(run_cli.ok("fallback", "show", group, "--json").output)
    return view["last_test"]


def test_context_window_and_content_policy_use_their_own_chains(stocked) -> None:
    stocked.ok("fallback", "set", "gpt-4o", "local", "--kind", "context_window")
    stocked.ok("fallback", "set", "claude", "mini")
    cw = _test(stocked, "gpt-4o", "--failure", "context_window")
    assert (cw["chain_kind"], cw["chain"], cw["served_by"]) == (
        "context_window",
        ["gpt-4o", "local"],
        "local",
    )
    # No content-policy chains at all: LiteLLM walks the general chain.
    cp = _test(stocked, "gpt-4o", "--failure", "content_policy")
    assert (cp["chain_kind"], cp["served_by"]) == ("general", "claude")
    # Context-window chains exist, but not for claude: LiteLLM does not fall back at all,
    # not even along claude's general chain.
    alone = _test(stocked, "claude", "--failure", "context_window")
    assert (alone["chain_kind"], alone["chain"], alone["outcome"]) == (
        None,
        ["claude"],
        "all_failed",
    )
    assert _groups(alone) == ["claude"]
    general = _test(stocked, "claude", "--failure", "rate_limit")
    assert general["served_by"] == "mini"


def test_a_group_with_two_deployments_retries_at_once_then_waits(stocked) -> None:
    stocked.ok("provider", "add", "oa2", "--type", "openai", "--key-stdin", input=KEY2)
    stocked.ok("model", "add", "oa2", "gpt-4o")
    data = _test(stocked, "gpt-4o", "--failure", "rate_limit")
    first, second, *rest = data["attempts"]
    assert first["group"] == second["group"] == "gpt-4o"
    assert first["deployment_id"] != second["deployment_id"]  # the router moved on
    assert second["waited_configured_s"] == 0 and second["waited_range_s"] == [0, 0]
    # Both deployments now cool down: the router refuses the remaining retries itself.
    refused = [a for a in rest if a["group"] == "gpt-4o"]
    assert refused and all(a["deployment"] is None for a in refused)
    assert {a["error_type"] for a in refused} == {"RouterRateLimitError"}
    assert data["served_by"] == "claude"


def test_plain_output_is_the_timeline(stocked) -> None:
    result = stocked.ok("test-fallback", "gpt-4o", "--failure", "rate_limit")
    lines = result.output.splitlines()
    assert lines[0] == "Test gpt-4o · rate_limit · depth 1 · simulated"
    assert lines[1] == "chain (general): gpt-4o → claude → mini"
    assert lines[2].split() == ["#", "GROUP", "DEPLOYMENT", "RESULT", "WAITED", "(CFG)", "TOOK"]
    assert lines[3].split()[:5] == ["1", "gpt-4o", "openai/gpt-4o", "✖", "RateLimitError"]
    assert lines[7].split()[:5] == ["5", "claude", "anthropic/claude-3-5-sonnet…", "✔", "served"]
    assert lines[8].startswith("served by claude (fallback 1) · ")
    assert lines[8].endswith(" s in production waits")
    assert lines[9] == '"pong from claude (anthropic/claude-3-5-sonnet-20241022)"'
    assert all(len(line) <= 80 for line in lines)


def test_refusals_and_edge_cases(stocked) -> None:
    cases = [
        (["nosuch", "--failure", "timeout"], 1, "no model group named 'nosuch'"),
        (["off", "--failure", "timeout"], 1, "'off' has no enabled deployment"),
        (["gpt-4o", "--failure", "meteor"], 2, "Invalid value for '--failure'"),
        (["gpt-4o", "--failure", "timeout", "--depth", "0"], 2, "depth must be at least 1"),
        (["gpt-4o", "--failure", "timeout", "--depth", "x"], 2, "depth must be a number"),
        (["gpt-4o", "--failure", "timeout", "--depth", "4"], 2, "reaches past the end"),
        (["local", "--failure", "timeout", "--depth", "2"], 2, "use a depth up to 1"),
    ]
    for args, code, message in cases:
        result = stocked("test-fallback", *args)
        assert result.exit_code == code and message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    # A group without a chain still gets a primary-only test.
    alone = _test(stocked, "local", "--failure", "connection")
    assert (alone["chain"], alone["outcome"], len(alone["attempts"])) == (
        ["local"],
        "all_failed",
        4,
    )
    assert _last_test(stocked, "local")["outcome"] == "all_failed"


def _add_passthrough(home: Path, key: str, value: Any) -> None:
    async def go() -> None:
        ctx = AppContext.open(home)
        try:
            async with ctx.store.write() as session:
                session.add(
                    ProxySetting(section="router_settings", key=key, value=value, updated_at=now())
                )
        finally:
            await ctx.close()

    asyncio.run(go())


def test_stopping_short_of_the_depth_exits_1_and_other_settings_are_named(
    stocked, home: Path
) -> None:
    _add_passthrough(home, "max_fallbacks", 0)  # as an imported config could carry
    _add_passthrough(home, "redis_host", "10.9.9.9")
    result = stocked("test-fallback", "gpt-4o", "--failure", "timeout", "--json")
    assert result.exit_code == 1
    assert "every attempt failed (Timeout)" in result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "all_failed" and data["ignored_settings"] == ["redis_host"]
    assert _groups(data) == ["gpt-4o"] * 4  # max_fallbacks 0: LiteLLM never falls back


def test_no_secret_reaches_output_event_or_audit(stocked, home: Path) -> None:
    out = stocked.ok("test-fallback", "gpt-4o", "--failure", "connection", "--json").output
    out += stocked.ok("test-fallback", "gpt-4o", "--failure", "rate_limit", "--depth", "all").output
    out += stocked.ok("audit", "--json").output
    db = sqlite3.connect(db_path(home))
    details = " ".join(str(r) for r in db.execute("SELECT detail FROM fallback_events"))
    db.close()
    for secret in (KEY, ANT, KEY[-12:], ANT[-12:]):
        assert secret not in out and secret not in details


async def test_real_waits_are_slept_including_the_one_after_the_last_retry(
    ctx: AppContext, run_cli
) -> None:
    from llmtui.services.fallback_test import run_simulated

    run_cli.ok("provider", "add", "lab", "--type", "ollama")
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local")
    run_cli.ok("model", "add", "lab", "qwen", "--group", "other")
    run_cli.ok("fallback", "set", "local", "other")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "1")
    run = await run_simulated(ctx, "local", "rate_limit", 1, compress_waits=False)
    result = run.result
    assert [a.group for a in result.attempts] == ["local", "local", "other"]
    # retry 1 after 0.5-1.25 s, then 1-1.75 s before falling back: 1.5-3 s in all.
    assert 1.5 <= result.configured_wait_s < 3.0
    assert result.elapsed_wait_s == pytest.approx(result.configured_wait_s, abs=0.25)
    assert result.total_ms >= 1500 and result.waits_compressed is False


def test_a_config_litellm_refuses_is_one_clear_error(stocked, home: Path) -> None:
    _add_passthrough(home, "routing_strategy", "fastest-please")
    result = stocked("test-fallback", "gpt-4o", "--failure", "timeout")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: LiteLLM cannot build a router from this config")
    assert "fastest-please" in result.stderr and len(result.stderr.splitlines()) == 1


def test_default_fallbacks_route_an_unknown_group_to_the_real_server(stocked, home: Path) -> None:
    # An imported config can carry default_fallbacks: LiteLLM then answers a fallback
    # group it has no deployment for from the default group, within one attempt.
    _add_passthrough(home, "default_fallbacks", ["local"])
    _add_passthrough(home, "fallbacks", [{"gpt-4o": ["ghost"]}])
    stocked.ok("fallback", "clear", "gpt-4o")
    data = _test(stocked, "gpt-4o", "--failure", "server_error")
    last = data["attempts"][-1]
    assert (last["group"], last["routed_group"], last["ok"]) == ("ghost", "local", True)
    assert (data["served_by"], data["outcome"]) == ("local", "fallback_served")
