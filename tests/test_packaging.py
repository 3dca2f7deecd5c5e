"""A non-editable install (a built wheel) carries its migrations and creates a store."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_built_wheel_ships_migrations_and_creates_a_store(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("llmtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "llmtui/_migrations/env.py" in names
    assert any(n.startswith("llmtui/_migrations/versions/0001") for n in names)

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    # Dependencies come from the dev venv; llmtui itself only from the unpacked wheel.
    env = os.environ | {
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "LLMTUI_HOME": str(tmp_path / "h"),
    }
    where = subprocess.run(
        [
            python,
            "-c",
            "import llmtui, llmtui.store.migrate as m;"
            "print(llmtui.__file__); print(m.migrations_dir())",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert where[0].startswith(site) and where[1].startswith(site)
    listing = subprocess.run(
        [python, "-m", "llmtui", "provider", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert (tmp_path / "h" / "llmtui.db").stat().st_size > 0
