"""Deterministic stores and screen states for SVG snapshots and `make screenshots`.

Volatile values (test times, latencies, audit times and user) are pinned after seeding,
and the app runs on a fixed clock, so every frame is the same on every machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot

from tests.support import apply_scenarios as apply
from tests.support.tui import wait_for, wait_for_text, wait_idle

NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
MASTER_KEY = "c25hcHNob3Qtc25hcHNob3Qtc25hcHNob3Qtc25hcDA="
SECRET_MARK = "SNAPSHOTKEY"
SIZES = ((80, 24), (120, 40))

# Every secret contains SECRET_MARK so a test can grep snapshots for leaks.
PROVIDERS: list[tuple[str, dict[str, Any]]] = [
    ("openai-main", {"type": "openai", "secrets": {"api_key": "sk-SNAPSHOTKEY-0001-x7Q"}}),
    ("anthropic", {"type": "anthropic", "secrets": {"api_key": "sk-ant-SNAPSHOTKEY-9fA"}}),
    (
        "azure-eu",
        {
            "type": "azure_openai",
            "api_base": "https://contoso-westeu.openai.azure.com",
            "secrets": {"api_key": "SNAPSHOTKEY0003azureeuc2"},
        },
    ),
    ("ollama-lab", {"type": "ollama", "api_base": "http://192.168.1.20:11434"}),
    ("groq", {"type": "groq", "secrets": {"api_key": "gsk_SNAPSHOTKEY0005e1"}}),
    (
        "bedrock-us",
        {
            "type": "bedrock",
            "region": "us-east-1",
            "secrets": {
                "aws_access_key_id": "AKIASNAPSHOTKEY00006",
                "aws_secret_access_key": "SNAPSHOTKEY/secret+access/key0006abcdefgh",
            },
        },
    ),
]
# (provider, upstream, group, enabled, extra fields)
MODELS: list[tuple[str, str, str, bool, dict[str, Any]]] = [
    ("openai-main", "gpt-4o", "gpt-4o", True, {}),
    ("openai-main", "gpt-4o-mini", "gpt-4o-mini", True, {}),
    ("openai-main", "text-embedding-3-small", "embed", False, {}),
    (
        "azure-eu",
        "gpt4o-westeu",
        "gpt-4o",
        True,
        {"input_cost_per_1m": 2.5, "output_cost_per_1m": 10.0, "context_window": 128000},
    ),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet", True, {}),
    ("ollama-lab", "llama3.1:8b", "local-chat", True, {"context_window": 131072}),
    ("groq", "llama-guard-3-8b", "guard", False, {}),
]
# name: (seconds before NOW, ok, latency ms, models listed, error)
TESTS = {
    "openai-main": (120, True, 312.0, 42, None),
    "anthropic": (150, True, 401.0, 9, None),
    "azure-eu": (3 * 3600, True, 655.0, 12, None),
    "ollama-lab": (600, False, None, None, "connection refused (http://192.168.1.20:11434)"),
}


def seed_demo(home: Path) -> None:
    """Providers, models and their history through the services, on a ticking fake clock
    (the audit log is append-only, so its times are right from the start)."""
    import itertools

    from llmtui.services import audit, context, models, providers

    ticks = itertools.count()

    def clock() -> float:
        return NOW - 3600 + 97 * next(ticks)

    patched = [(m, "now", clock) for m in (audit, context, models, providers)]
    patched.append((audit, "os_user", lambda: "operator"))
    saved = [(m, name, getattr(m, name)) for m, name, _ in patched]
    os.environ["LLMTUI_MASTER_KEY"] = MASTER_KEY
    try:
        for module, name, value in patched:
            setattr(module, name, value)
        asyncio.run(_seed(home))
    finally:
        for module, name, value in saved:
            setattr(module, name, value)
        os.environ.pop("LLMTUI_MASTER_KEY", None)
    pin_tests(home / "llmtui.db")


async def _seed(home: Path) -> None:
    from llmtui.services.context import AppContext
    from llmtui.services.models import ModelFields, add_model
    from llmtui.services.providers import ProviderFields, add_provider

    ctx = AppContext.open(home)
    try:
        for name, fields in PROVIDERS:
            await add_provider(ctx, name, ProviderFields(**fields))
        for provider, upstream, group, enabled, extra in MODELS:
            fields = ModelFields(group=group, enabled=enabled, **extra)
            await add_model(ctx, provider, upstream, fields)
    finally:
        await ctx.close()


def pin_tests(db: Path) -> None:
    """Connection-test results as if tested at fixed times (no network while seeding)."""
    conn = sqlite3.connect(db)
    try:
        for name, (ago, ok, latency, count, error) in TESTS.items():
            conn.execute(
                "UPDATE providers SET last_test_at=?, last_test_ok=?, last_test_latency_ms=?,"
                " last_test_model_count=?, last_test_error=?, last_test_endpoint=? WHERE name=?",
                (NOW - ago, ok, latency, count, error, "GET …/models", name),
            )
        conn.commit()
    finally:
        conn.close()


def install_home(template: Path, home: Path, keyring_backend: Any) -> None:
    """A copy of the seeded store whose master key sits in the (test) keyring."""
    from llmtui.secrets.keysource import KEYRING_SERVICE, keyring_username

    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy2(template / "llmtui.db", home / "llmtui.db")
    keyring_backend.set_password(KEYRING_SERVICE, keyring_username(home.resolve()), MASTER_KEY)


def interrupt_an_apply(home: Path) -> None:
    """An apply that died after writing the new config, 3 h ago (what a SIGKILL leaves)."""
    import hashlib
    import time

    config = home / "litellm-config.yaml"
    config.write_text("model_list: []  # new\n")
    backup = home / "litellm-config.yaml.backup.2026-11-23T07-00-00"
    backup.write_text("model_list: []  # old\n")
    config.chmod(0o600)
    backup.chmod(0o600)
    digest = hashlib.sha256(config.read_bytes()).hexdigest()
    old = hashlib.sha256(backup.read_bytes()).hexdigest()
    started = time.time() - 3 * 3600 - 1800  # `ago` reads the real clock: "3 h ago"
    conn = sqlite3.connect(home / "llmtui.db")
    try:
        conn.execute(
            "INSERT INTO applies (id, started_at, config_path, new_sha256, old_sha256,"
            " backup_path, outcome, step, pid) VALUES (1, ?, ?, ?, ?, ?, 'in_progress',"
            " 'write', 4194999)",
            (started, str(config), digest, old, str(backup)),
        )
        conn.execute(
            "INSERT INTO backups (created_at, config_path, backup_path, sha256, size, apply_id)"
            " VALUES (?, ?, ?, ?, ?, 1)",
            (started, str(config), str(backup), old, backup.stat().st_size),
        )
        conn.commit()
    finally:
        conn.close()


Step = Callable[[Pilot[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: Step
    # seeded / empty / no_keyring / passphrase / metrics / metrics_empty / interrupted /
    # fallbacks / apply
    home: str = "seeded"


PASSPHRASE = "correct horse battery"


def prepare_home(kind: str, template: Path, home: Path, memory_keyring: Any) -> None:
    """Set up the home (and keyring) a scenario starts from."""
    import keyring

    from llmtui.secrets.keysource import KeySource, KeyStore

    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if kind in ("seeded", "passphrase", "interrupted", "fallbacks", "apply"):
        install_home(template, home, memory_keyring)
    if kind == "interrupted":
        interrupt_an_apply(home)
    if kind == "fallbacks":
        from tests.support.fallback_scenarios import seed_fallbacks

        seed_fallbacks(home)
    if kind == "apply":
        from tests.support.apply_scenarios import prepare_apply_home

        prepare_apply_home(home, NOW)
    if kind == "passphrase":
        store = KeyStore(home.resolve())
        store.set_passphrase(PASSPHRASE)
        store.save([MASTER_KEY], KeySource.PASSPHRASE_FILE)
    if kind in ("metrics", "metrics_empty"):
        from tests.support.metrics_seed import pin_events_dir, seed_events

        install_home(template, home, memory_keyring)
        pin_events_dir(home / "llmtui.db", NOW)
        if kind == "metrics":
            seed_events(home / "llmtui.db", NOW)
    if kind == "no_keyring":
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())


def build_app(scenario: Scenario, template: Path, home: Path, memory_keyring: Any) -> Any:
    from llmtui.store.migrate import prepare_database
    from llmtui.tui.app import LlmtuiApp

    prepare_home(scenario.home, template, home, memory_keyring)
    prepare_database(home / "llmtui.db")
    return LlmtuiApp(home.resolve(), clock=lambda: NOW, poll_interval=0)


async def settle(pilot: Pilot[Any]) -> None:
    """Workers done and the status line polled: nothing left that could change a frame."""
    await wait_for(pilot, lambda: pilot.app.ctx is not None, what="the store")
    await wait_idle(pilot)
    await wait_for(pilot, lambda: pilot.app.proxy.state != "checking", what="status poll")
    await pilot.pause(0.1)
    await wait_idle(pilot)


def keys(*pressed: str, wait: str = "") -> Step:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        if wait:
            await wait_for_text(pilot, wait)
        await settle(pilot)

    return run


async def _conflict(pilot: Pilot[Any]) -> None:
    """Edit azure-eu while "another instance" changes it, then save."""
    from llmtui.services.providers import ProviderFields, edit_provider

    await keys("j", "e", wait="Edit provider azure-eu")(pilot)
    await edit_provider(pilot.app.ctx, "azure-eu", ProviderFields(api_version="2025-01-01"))
    await pilot.press("ctrl+s")
    await wait_for_text(pilot, "Changed elsewhere")
    await settle(pilot)


async def _bedrock_form(pilot: Pilot[Any]) -> None:
    from textual.widgets import Select

    await keys("a", wait="Add provider")(pilot)
    pilot.app.screen.query_one("#type", Select).value = "bedrock"
    await pilot.press(*"bedrock-eu")
    await settle(pilot)


async def _invalid_form(pilot: Pilot[Any]) -> None:
    await keys("a", wait="Add provider")(pilot)
    await pilot.press(*"new one", "tab", "tab", *"ftp://x", "tab", *"abc", "ctrl+s")
    await wait_for_text(pilot, "nothing was saved")
    await settle(pilot)


async def _models_selected(pilot: Pilot[Any]) -> None:
    await keys("2", wait="of 7")(pilot)
    await pilot.press("slash", *"gpt", "enter", "v", "v")
    await wait_for_text(pilot, "2 selected")
    await settle(pilot)


async def _palette(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: CommandPalette.is_open(pilot.app))
    await pilot.press(*"test")
    await wait_for_text(pilot, "Test provider anthropic")
    # Hits arrive in batches; under load a late batch reorders the list after the first paint.
    await wait_for(pilot, lambda: not _palette_searching(pilot))
    await settle(pilot)


def _palette_searching(pilot: Pilot[Any]) -> bool:
    from textual.command import CommandPalette

    group = CommandPalette._GATHER_COMMANDS_GROUP
    return any(w.group == group and not w.is_finished for w in pilot.app.workers)


async def _light(pilot: Pilot[Any]) -> None:
    await keys("ctrl+t")(pilot)


async def _unlock(pilot: Pilot[Any]) -> None:
    await wait_for_text(pilot, "Unlock the master key")
    await pilot.press(*"wrong passphrase", "enter")
    await wait_for_text(pilot, "wrong passphrase, try again")
    await pilot.pause(0.2)


SCENARIOS: list[Scenario] = [
    Scenario("first_run", keys(wait="No providers yet"), home="empty"),
    Scenario("keyring_unusable", keys(wait="Where should the master key live"), home="no_keyring"),
    Scenario("passphrase_unlock", _unlock, home="passphrase"),
    Scenario("providers", keys(wait="openai-main")),
    Scenario("providers_light", _light),
    Scenario("provider_add", keys("a", wait="Add provider")),
    Scenario("provider_add_bedrock", _bedrock_form),
    Scenario("provider_form_invalid", _invalid_form),
    Scenario("provider_edit_azure", keys("j", "e", wait="Edit provider azure-eu")),
    Scenario("provider_delete_confirm", keys("j", "d", wait="Remove provider azure-eu")),
    Scenario("provider_reveal_confirm", keys("r", wait="Reveal the key")),
    Scenario("provider_conflict", _conflict),
    Scenario("help", keys("question_mark", wait="Keys · Providers")),
    Scenario("palette", _palette),
    Scenario("models", keys("2", wait="of 7")),
    Scenario("models_selected", _models_selected),
    Scenario("model_edit", keys("2", "e", wait="Edit ")),
    Scenario("models_provider_picker", keys("2", "p", wait="Show the models of")),
    Scenario("metrics", keys("4", wait="Triggers"), home="metrics"),
    Scenario("metrics_7d_group", keys("4", "r", "f", wait="Show the fallbacks of"), home="metrics"),
    Scenario("metrics_empty", keys("4", wait="No fallbacks recorded yet"), home="metrics_empty"),
    Scenario("models_status", keys("2", "j", "j", wait="Serving"), home="metrics"),
    Scenario("audit", keys("5", wait="provider.add")),
    Scenario("audit_detail", keys("5", "enter", wait="esc close")),
    Scenario("interrupted_apply", keys(wait="Interrupted apply"), home="interrupted"),
    Scenario("apply_diff", apply.open_apply, home="apply"),
    Scenario("apply_running", apply.apply_running, home="apply"),
    Scenario("apply_success", apply.apply_success, home="apply"),
    Scenario("apply_rolled_back", apply.apply_rolled_back, home="apply"),
    Scenario("backups", apply.backups_list, home="apply"),
    Scenario("backup_restore_confirm", apply.backup_restore_confirm, home="apply"),
    Scenario("import_dry_run", apply.import_dry_run, home="apply"),
]


def _fallback_scenarios() -> list[Scenario]:
    from tests.support.fallback_scenarios import fallback_scenarios

    return fallback_scenarios()


SCENARIOS += _fallback_scenarios()
