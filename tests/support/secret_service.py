"""A real Secret Service for one test: gnome-keyring under its own D-Bus session.

`dbus-run-session` gives a private session bus; `gnome-keyring-daemon --unlock` creates and
unlocks a login collection under a temporary HOME. The script below runs inside that
session, waits until the daemon owns `org.freedesktop.secrets` (a condition, not a sleep),
then runs the commands it was given and exits, which ends the bus and the daemon.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TOOLS = ("dbus-run-session", "gnome-keyring-daemon")

_SESSION = r"""
import os, subprocess, sys, time
import jeepney
from jeepney.io.blocking import open_dbus_connection

daemon = subprocess.Popen(
    ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
daemon.stdin.write(b"llmtui-test-login")
daemon.stdin.close()
bus = open_dbus_connection(bus="SESSION")
proxy = jeepney.bus_messages.message_bus
deadline = time.monotonic() + 30
while True:
    reply = bus.send_and_get_reply(proxy.NameHasOwner("org.freedesktop.secrets"))
    if reply.body[0]:
        break
    if daemon.poll() is not None or time.monotonic() > deadline:
        sys.exit("gnome-keyring-daemon did not take org.freedesktop.secrets")
    time.sleep(0.02)  # polling the bus for the name, bounded by the deadline
rc = 0
for argv in [a.split("\x1f") for a in sys.argv[1:]]:
    done = subprocess.run(argv, capture_output=True, text=True)
    sys.stdout.write(f"\x1e{done.returncode}\x1d{done.stdout}\x1d{done.stderr}")
    sys.stdout.flush()
daemon.terminate()
daemon.wait()
"""


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def run_in_secret_service(
    commands: list[list[str]], home: Path, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run each argv in turn inside one D-Bus session with an unlocked gnome-keyring."""
    home.mkdir(parents=True, exist_ok=True)
    session_env = {
        **env,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(home / "run"),
    }
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    argv = [
        "dbus-run-session",
        "--",
        sys.executable,
        "-c",
        _SESSION,
        *("\x1f".join(c) for c in commands),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, env=session_env, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"secret service session failed: {done.stderr.strip()[-500:]}")
    results = []
    for part in done.stdout.split("\x1e")[1:]:
        code, out, err = part.split("\x1d")
        results.append(subprocess.CompletedProcess(commands[len(results)], int(code), out, err))
    return results
