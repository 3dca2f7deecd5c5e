"""A store with one provider and model, a recording restart command, and a fake proxy.

The restart command is a real executable (tests/support/restart_recorder.py); the
"proxy" is a real HTTP server on loopback whose health answers follow the config on
disk (unhealthy while it has a group named `broken`). Used through the `stack` fixture.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_upstream import FakeUpstream

KEY = "sk-APPLYTEST-0123456789abcdefXYZ"
RECORDER = Path(__file__).with_name("restart_recorder.py")


@dataclass
class Stack:
    run_cli: Any
    home: Path
    config: Path
    restarts_log: Path
    proxy: FakeUpstream
    monkeypatch: pytest.MonkeyPatch

    def restart_with(self, *options: str) -> None:
        argv = [sys.executable, str(RECORDER), str(self.restarts_log), *options]
        self.monkeypatch.setenv("LLMTUI_RESTART_CMD", shlex.join(argv))

    def restarts(self) -> list[dict]:
        if not self.restarts_log.exists():
            return []
        return [json.loads(line) for line in self.restarts_log.read_text().splitlines()]

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.home / "llmtui.db") as db:
            return db.execute(sql).fetchall()

    def applies(self) -> list[tuple]:
        return self.rows("SELECT outcome, step, backup_path, health_error FROM applies ORDER BY id")


def build_stack(
    run_cli: Any,
    home: Path,
    tmp_path: Path,
    upstream: FakeUpstream,
    monkeypatch: pytest.MonkeyPatch,
    seed: bool = True,
) -> Stack:
    """The environment; with `seed`, also the provider `up` and its model in group chat."""
    config_dir = tmp_path / "proxy"
    config_dir.mkdir()
    config = config_dir / "litellm-config.yaml"
    # The "proxy" is unhealthy whenever the config on disk has a group named broken.
    upstream.health = lambda stage: (
        503 if config.exists() and b"model_name: broken" in config.read_bytes() else 200
    )
    monkeypatch.setenv("LLMTUI_CONFIG_PATH", str(config))
    monkeypatch.setenv("LLMTUI_PROXY_URL", upstream.url)
    monkeypatch.setenv("LLMTUI_HEALTH_TIMEOUT", "1")
    monkeypatch.setenv("RECORD_FILE", str(config))
    s = Stack(run_cli, home, config, tmp_path / "restarts.jsonl", upstream, monkeypatch)
    s.restart_with()
    if not seed:
        return s
    base = f"{upstream.url}/v1"
    run_cli.ok(
        "provider", "add", "up", "--type", "openai_compatible", "--api-base", base, "--key-stdin",
        input=KEY,
    )  # fmt: skip
    run_cli.ok("model", "add", "up", "gpt-4o", "--group", "chat")
    return s
