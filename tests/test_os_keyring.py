"""The master key in a real OS keyring: gnome-keyring's Secret Service on a private D-Bus.

Every other test uses the in-memory keyring backend; this one proves the real path: a fresh
`llmtui` process keeps the key in the Secret Service, a second fresh process reads it from
there to decrypt a provider key, and nothing on disk holds either in plaintext.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.support.secret_scan import REGISTRY
from tests.support.secret_service import missing_tools, run_in_secret_service

pytestmark = pytest.mark.skipif(
    bool(missing_tools()),
    reason=f"needs {', '.join(missing_tools())} (make test installs gnome-keyring)",
)

PROVIDER_KEY = "sk-realkeyring-0123456789abcdefXYZ"


def _llmtui(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "llmtui", "--home", str(home), *args]


def test_the_master_key_lives_in_the_secret_service_and_a_new_process_reads_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    REGISTRY.add_keys([PROVIDER_KEY])
    REGISTRY.homes.add(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMTUI_")}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env["LLMTUI_CACHE_DIR"] = str(tmp_path / "cache")
    add = (
        f"printf %s {PROVIDER_KEY} | {sys.executable} -m llmtui --home {home} "
        "provider add main --type openai --key-stdin"
    )
    read_keyring = (
        "import keyring, sys; "
        f"v = keyring.get_password('llmtui', 'master-key:{home}'); "
        "print(type(keyring.get_keyring()).__module__); print(len(v or ''))"
    )
    setup, added, model, render, doctor, stored = run_in_secret_service(
        [
            _llmtui(home, "key", "setup", "--keyring"),
            ["sh", "-c", add],
            _llmtui(home, "model", "add", "main", "gpt-4o-mini", "--group", "chat"),
            _llmtui(home, "config", "render", "--show-secrets"),
            _llmtui(home, "doctor", "--json"),
            [sys.executable, "-c", read_keyring],
        ],
        tmp_path / "session-home",
        env,
    )
    assert setup.returncode == 0, setup.stderr
    assert added.returncode == 0, added.stderr
    assert model.returncode == 0, model.stderr
    assert render.returncode == 0, render.stderr
    assert PROVIDER_KEY in render.stdout  # decrypted by a fresh process with the keyring's key
    backend, length = stored.stdout.split()
    assert backend == "keyring.backends.SecretService"
    assert int(length) > 20
    assert "SecretService" in doctor.stdout, doctor.stdout

    for path in home.rglob("*"):
        if path.is_file():
            assert PROVIDER_KEY.encode() not in path.read_bytes(), path
    assert not any("key" in p.name and p.suffix in ("", ".txt") for p in home.iterdir())

    # Outside the D-Bus session the keyring is not there: the key cannot be read, and
    # llmtui says so in one sentence instead of decrypting with anything else.
    outside = run_outside(home, env)
    assert outside.returncode != 0
    assert PROVIDER_KEY not in outside.stdout + outside.stderr
    assert "Traceback" not in outside.stderr
    assert "keyring" in (outside.stdout + outside.stderr).lower(), outside.stderr
    assert len(outside.stderr.strip().splitlines()) <= 2, outside.stderr


def run_outside(home: Path, env: dict[str, str]):
    import subprocess

    return subprocess.run(
        _llmtui(home, "config", "render", "--show-secrets"),
        capture_output=True,
        text=True,
        env={**env, "HOME": str(home.parent / "no-session")},
        timeout=60,
    )
