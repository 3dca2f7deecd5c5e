"""No usable keyring: the app offers key files explicitly; a passphrase home asks at start."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from llmtui.secrets.keysource import KeySource, KeyStore
from llmtui.services.context import AppContext
from llmtui.services.providers import list_providers
from tests.support.tui import screen_text, wait_for, wait_for_text

KEY = "sk-keysetup-0123456789abcdef"
PASSPHRASE = "a long passphrase"


@pytest.fixture
def no_keyring(home: Path):
    """`home` installs the memory keyring; replace it with the refusing one."""
    keyring.set_keyring(fail.Keyring())
    yield


async def add_provider_with_key(pilot) -> None:
    await pilot.press("a")
    await wait_for_text(pilot, "Add provider")
    await pilot.press(*"oa", "tab", "tab", "tab", *KEY, "ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen.id == "providers-screen", what="saved")
    await wait_for_text(pilot, "sk-…def")


async def test_passphrase_file_when_the_keyring_is_unusable(
    make_app, home: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for_text(pilot, "Where should the master key live?")
        assert "not a secure secret store" in app.keyring_problem and "PLAINTEXT" in text
        await pilot.press("enter")  # the first, recommended option
        await wait_for_text(pilot, "Choose a passphrase")
        await pilot.press(*"short", "tab", *"short")
        await wait_for_text(pilot, "at least 8 characters")
        await pilot.press("shift+tab", "ctrl+u", *PASSPHRASE, "tab", "ctrl+u", *"a long passphrasX")
        await wait_for_text(pilot, "the two passphrases differ")
        await pilot.press("backspace", "e", "enter")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen", what="dialogs closed")
        await wait_for_text(pilot, "master key in a passphrase file")
        assert (home / "master-key.scrypt").exists()
        await add_provider_with_key(pilot)
    # The store opens with the same passphrase; the key was encrypted with that master key.
    monkeypatch.setenv("LLMTUI_PASSPHRASE", PASSPHRASE)
    ctx = AppContext.open(home)
    try:
        (view,) = await list_providers(ctx)
        from llmtui.services.providers import reveal_secrets

        assert (await reveal_secrets(ctx, "oa"))["api_key"] == KEY
    finally:
        await ctx.close()
    assert view.key_mask == "sk-…def"
    assert KEY.encode() not in (home / "llmtui.db").read_bytes()


async def test_plaintext_file_only_after_an_explicit_confirm(
    make_app, home: Path, no_keyring: None
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "Where should the master key live?")
        await pilot.press("down", "enter")
        text = await wait_for_text(pilot, "Store the master key in PLAINTEXT?")
        assert "decrypt" in text and "0600" in text
        await pilot.press("escape")  # changed my mind: nothing written
        await wait_for_text(pilot, "Where should the master key live?")
        assert not (home / "master-key.plaintext").exists()
        await pilot.press("enter")  # the highlight stayed on the plaintext option
        await wait_for_text(pilot, "Store the master key in PLAINTEXT?")
        await pilot.press("y")
        await wait_for_text(pilot, "master key in a PLAINTEXT file")
        await add_provider_with_key(pilot)
    path = home / "master-key.plaintext"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "PLAINTEXT" in json.loads(path.read_text())["warning"]


async def test_not_now_keeps_a_visible_warning(make_app, home: Path, no_keyring: None) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "Where should the master key live?")
        await pilot.press("escape")
        text = await wait_for_text(pilot, "no usable keyring")
        await pilot.press("a")
        await wait_for_text(pilot, "Add provider")
        await pilot.press(*"oa", "tab", "tab", "tab", *KEY, "ctrl+s")
        text = await wait_for_text(pilot, "Master key")  # the error dialog, not a crash
        assert "key setup" in text
        assert KEY not in screen_text(app)


async def test_passphrase_home_asks_at_start(make_app, home: Path, memory_keyring) -> None:
    # A store whose key lives in a passphrase file (as `llmtui key setup` would leave it).
    ctx = AppContext.open(home)
    try:
        ctx.keystore.set_passphrase(PASSPHRASE)
        from llmtui.services.keys import move_key

        await move_key(ctx, KeySource.PASSPHRASE_FILE)
    finally:
        await ctx.close()
    assert KeyStore(home).source() is KeySource.PASSPHRASE_FILE
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "Unlock the master key")
        assert "(locked)" in screen_text(app)
        await pilot.press(*"wrong passphrase", "enter")
        await wait_for_text(pilot, "wrong passphrase, try again")
        await pilot.press(*PASSPHRASE, "enter")
        await wait_for(pilot, lambda: app.screen.id == "providers-screen", what="unlocked")
        await wait_for(pilot, lambda: "(locked)" not in screen_text(app), what="notice")
        assert app.ctx.unlocked
        await add_provider_with_key(pilot)


async def test_passphrase_from_the_environment_is_not_asked_for(
    make_app, home: Path, memory_keyring, monkeypatch
) -> None:
    ctx = AppContext.open(home)
    try:
        ctx.keystore.set_passphrase(PASSPHRASE)
        from llmtui.services.keys import move_key

        await move_key(ctx, KeySource.PASSPHRASE_FILE)
    finally:
        await ctx.close()
    monkeypatch.setenv("LLMTUI_PASSPHRASE", PASSPHRASE)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for_text(pilot, "master key in a passphrase file")
        assert "(locked)" not in text and "Unlock the master key" not in text
        await add_provider_with_key(pilot)
