"""Master key: sources, refusal of insecure keyrings, fingerprint check, rotation."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import keyring
import pytest
from cryptography.fernet import Fernet, InvalidToken
from keyring.backends import fail
from sqlalchemy import select

from llmtui.errors import MasterKeyError
from llmtui.secrets.cipher import generate_key
from llmtui.secrets.keysource import KEYRING_SERVICE, KeySource, keyring_username
from llmtui.secrets.masking import mask_secret
from llmtui.services import settings as settings_service
from llmtui.services.context import AppContext
from llmtui.services.providers import ProviderFields, add_provider, provider_secrets
from llmtui.store.schema import Provider
from tests.support.memory_keyring import MemoryKeyring

OPENAI_KEY = "sk-test-OPENAI-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-test-0123456789abcdefXYZ"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_masking_shows_first_and_last_three() -> None:
    assert mask_secret("sk-abcdefghijklmnop") == "sk-…nop"
    assert mask_secret("short") == "••••"
    assert mask_secret(None) is None


async def test_first_use_creates_a_key_in_the_keyring(ctx: AppContext, memory_keyring) -> None:
    box = await ctx.box()
    stored = memory_keyring.get_password(KEYRING_SERVICE, keyring_username(ctx.home))
    assert stored == box.key
    assert await ctx.stored_fingerprint() == box.fingerprint


async def test_each_home_has_its_own_keyring_entry(tmp_path: Path, memory_keyring) -> None:
    boxes = []
    for name in ("a", "b"):
        context = AppContext.open(tmp_path / name)
        boxes.append(await context.box())
        await context.close()
    assert boxes[0].key != boxes[1].key
    assert len(memory_keyring.entries) == 2


async def test_insecure_keyring_backend_is_refused(home: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    context = AppContext.open(home)
    try:
        with pytest.raises(MasterKeyError, match="not a secure secret store"):
            await context.box()
        assert await context.stored_fingerprint() is None
    finally:
        await context.close()


async def test_wrong_master_key_is_refused_and_changes_nothing(
    ctx: AppContext, home: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    await add_provider(
        ctx, "openai", ProviderFields(type="openai", secrets={"api_key": OPENAI_KEY})
    )
    await ctx.close()
    db = ctx.store.db_path
    before = _digest(db)
    monkeypatch.setenv("LLMTUI_MASTER_KEY", generate_key())
    result = run_cli(
        "provider", "add", "other", "--type", "openai", "--key-stdin", input=OPENAI_KEY
    )
    assert result.exit_code == 1
    assert "does not belong to the store" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digest(db) == before
    monkeypatch.delenv("LLMTUI_MASTER_KEY")
    listing = run_cli.ok("provider", "list", "--json").output
    assert [p["name"] for p in json.loads(listing)] == ["openai"]


async def test_key_rotate_reencrypts_everything_under_the_new_key_only(
    ctx: AppContext, memory_keyring: MemoryKeyring, run_cli
) -> None:
    await add_provider(
        ctx, "openai", ProviderFields(type="openai", secrets={"api_key": OPENAI_KEY})
    )
    await add_provider(
        ctx, "claude", ProviderFields(type="anthropic", secrets={"api_key": ANTHROPIC_KEY})
    )
    await settings_service.set_value(ctx, "proxy_key", "sk-proxy-master-0123456789")
    old_key = (await ctx.box()).key
    await ctx.close()

    result = run_cli.ok("key", "rotate")
    assert "3 secrets re-encrypted" in result.output

    new_key = memory_keyring.get_password(KEYRING_SERVICE, keyring_username(ctx.home))
    assert new_key and new_key != old_key and " " not in new_key
    fresh = AppContext.open(ctx.home)
    try:
        async with fresh.store.read() as session:
            rows = (await session.scalars(select(Provider).order_by(Provider.name))).all()
        for row in rows:
            with pytest.raises(InvalidToken):
                Fernet(old_key.encode()).decrypt(row.secret_token.encode())
            Fernet(new_key.encode()).decrypt(row.secret_token.encode())
        assert [await provider_secrets(fresh, r) for r in rows] == [
            {"api_key": ANTHROPIC_KEY},
            {"api_key": OPENAI_KEY},
        ]
        assert await settings_service.get(fresh, "proxy_key") == "sk-proxy-master-0123456789"
    finally:
        await fresh.close()


async def test_passphrase_file_round_trip(
    home: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("LLMTUI_PASSPHRASE", "correct horse battery staple")
    run_cli.ok("key", "setup", "--passphrase-file")
    path = home / "master-key.scrypt"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    run_cli.ok("provider", "add", "openai", "--type", "openai", "--key-stdin", input=OPENAI_KEY)
    assert OPENAI_KEY not in path.read_text()

    monkeypatch.setenv("LLMTUI_PASSPHRASE", "wrong passphrase")
    result = run_cli("provider", "edit", "openai", "--key-stdin", input=OPENAI_KEY + "2")
    assert result.exit_code == 1 and "wrong passphrase" in result.stderr

    monkeypatch.delenv("LLMTUI_PASSPHRASE")
    context = AppContext.open(home)
    context.keystore.set_passphrase("correct horse battery staple")
    try:
        assert (await context.box()).fingerprint == await context.stored_fingerprint()
        assert context.keystore.source() is KeySource.PASSPHRASE_FILE
    finally:
        await context.close()


async def test_plaintext_file_is_explicit_and_doctor_warns(home: Path, run_cli) -> None:
    keyring.set_keyring(fail.Keyring())
    result = run_cli.ok("key", "setup", "--plaintext-file")
    assert "PLAINTEXT" in result.stderr
    path = home / "master-key.plaintext"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    run_cli.ok("provider", "add", "openai", "--type", "openai", "--key-stdin", input=OPENAI_KEY)
    doctor = run_cli.ok("doctor", "--json")
    report = json.loads(doctor.output)
    assert report["key_source"] == "plaintext-file"
    assert report["key_status"] == "ok"
    assert any("PLAINTEXT" in w for w in report["warnings"])


async def test_moving_the_key_back_to_the_keyring_keeps_secrets(
    home: Path, memory_keyring: MemoryKeyring, run_cli
) -> None:
    run_cli.ok("key", "setup", "--plaintext-file")
    run_cli.ok("provider", "add", "openai", "--type", "openai", "--key-stdin", input=OPENAI_KEY)
    run_cli.ok("key", "setup", "--keyring")
    assert not (home / "master-key.plaintext").exists()
    context = AppContext.open(home)
    try:
        async with context.store.read() as session:
            row = await session.scalar(select(Provider))
        assert await provider_secrets(context, row) == {"api_key": OPENAI_KEY}
    finally:
        await context.close()
