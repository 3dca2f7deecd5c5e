"""Start-up stays cheap: no litellm ever, and no SQLAlchemy before the first frame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from llmtui.store.migrate import prepare_database

PROBE = r"""
import json, sys
from pathlib import Path

import llmtui.tui.app as app_module
from llmtui.store.migrate import prepare_database

report = {"after_import": sorted(m for m in ("litellm", "sqlalchemy", "httpx") if m in sys.modules)}
home = Path(sys.argv[1])
prepare_database(home / "llmtui.db")


class Probe(app_module.LlmtuiApp):
    def on_ready(self) -> None:
        report["at_first_paint"] = sorted(
            m for m in ("litellm", "sqlalchemy", "httpx", "keyring") if m in sys.modules
        )
        super().on_ready()

    def on_store_opened(self, message) -> None:
        super().on_store_opened(message)
        self.set_timer(0.5, self.exit)


Probe(home).run(headless=True, size=(80, 24))
report["after_run"] = sorted(m for m in ("litellm", "sqlalchemy") if m in sys.modules)
print(json.dumps(report))
"""


def test_app_imports_nothing_heavy_before_first_paint(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # An existing store at head: the start-up check is then one sqlite3 query (a new or
    # old store runs Alembic first, before the event loop, which does import SQLAlchemy).
    prepare_database(home / "llmtui.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMTUI_")}
    env["LLMTUI_MASTER_KEY"] = "aW1wb3J0LWh5Z2llbmUtaW1wb3J0LWh5Z2llbmUtMDA="
    env["LLMTUI_PROXY_URL"] = "http://127.0.0.1:9"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["after_import"] == []
    assert report["at_first_paint"] == []  # the store, keyring and httpx load after it
    assert report["after_run"] == ["sqlalchemy"]  # the store did open; litellm never did


def test_the_executable_fast_path_skips_the_cli() -> None:
    code = (
        "import sys; from llmtui.entry import tui_home, _CLI;"
        "print(tui_home([]) is None, tui_home(['--home', 'x']), tui_home(['--home=y']),"
        " tui_home(['provider', 'list']) is _CLI, tui_home(['--help']) is _CLI,"
        " 'click' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "LLMTUI_HOME"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out == ["True", "x", "y", "True", "True", "False"]
