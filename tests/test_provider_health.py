"""Background health rounds: every enabled provider tested in turn, quiet audit."""

from __future__ import annotations

import pytest

from llmtui.errors import InvalidInput
from llmtui.services import settings
from llmtui.services.audit import list_entries
from llmtui.services.provider_health import interval, run_round
from llmtui.services.providers import ProviderFields, add_provider, list_providers
from tests.support.fake_upstream import FakeUpstream, closed_port

KEY = "sk-health-round-0123456789"


async def _seed(ctx, upstream: FakeUpstream) -> None:
    good = ProviderFields(type="openai", api_base=f"{upstream.url}/v1", secrets={"api_key": KEY})
    await add_provider(ctx, "good", good)
    dead = ProviderFields(type="ollama", api_base=f"http://127.0.0.1:{closed_port()}")
    await add_provider(ctx, "dead", dead)
    await add_provider(ctx, "off", ProviderFields(type="ollama", enabled=False))


async def test_a_round_tests_enabled_providers_and_audits_only_changes(
    ctx, upstream: FakeUpstream
) -> None:
    await _seed(ctx, upstream)
    seen: list[str] = []
    first = await run_round(ctx, lambda outcome: seen.append(outcome.provider.name))
    assert sorted(first.tested) == ["dead", "good"] and first.failing == ["dead"]
    assert sorted(seen) == ["dead", "good"]  # each outcome reported as it landed
    status = {p.name: p.status for p in await list_providers(ctx)}
    assert status == {"dead": "failing", "good": "connected", "off": "never"}

    await run_round(ctx)  # same results: stored, not audited again
    tests = [e for e in await list_entries(ctx) if e.action == "provider.test"]
    assert sorted(e.entity_name for e in tests) == ["dead", "good"]
    assert all(e.after["background"] for e in tests)

    upstream.mode = "500"  # good starts failing: that change is audited
    changed = await run_round(ctx)
    assert sorted(changed.failing) == ["dead", "good"]
    tests = [e for e in await list_entries(ctx) if e.action == "provider.test"]
    assert tests[0].entity_name == "good" and len(tests) == 3
    assert tests[0].after["ok"] is False


async def test_the_interval_setting(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    assert await interval(ctx) == 0  # off by default
    await settings.set_value(ctx, "health_interval", "300")
    assert await interval(ctx) == 300
    monkeypatch.setenv("LLMTUI_HEALTH_INTERVAL", "45")
    assert await interval(ctx) == 45
    for bad in ("0.5", "-1", "soon", "100000"):
        with pytest.raises(InvalidInput):
            await settings.set_value(ctx, "health_interval", bad)


def test_settings_cli_sets_the_interval(run_cli) -> None:
    run_cli.ok("settings", "set", "health_interval", "120")
    listing = run_cli.ok("settings", "list", "--json").output
    assert '"health_interval"' in listing and "120" in listing
    assert run_cli("settings", "set", "health_interval", "0.2").exit_code == 2
