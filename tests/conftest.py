from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner, Result

from llmtui.cli import cli
from llmtui.services.context import AppContext
from tests.support.fake_upstream import FakeUpstream
from tests.support.memory_keyring import MemoryKeyring

_ISOLATED_ENV = (
    "LLMTUI_HOME",
    "LLMTUI_MASTER_KEY",
    "LLMTUI_PASSPHRASE",
    "LLMTUI_CONFIG_PATH",
    "LLMTUI_PROXY_URL",
    "LLMTUI_PROXY_KEY",
    "LLMTUI_RESTART_CMD",
    "LLMTUI_HEALTH_TIMEOUT",
    "LLMTUI_RECORDER",
    "LLMTUI_EVENTS_DIR",
    "LLMTUI_EVENTS_DIR_IN_CONTAINER",
    "LLMTUI_CONTAINER_CONFIG_DIR",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def home(tmp_path: Path, memory_keyring: MemoryKeyring) -> Path:
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
async def ctx(home: Path) -> AsyncIterator[AppContext]:
    context = AppContext.open(home)
    yield context
    await context.close()


class Cli:
    """Runs the real click CLI in-process against one home."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        def invoke() -> Result:
            return self.runner.invoke(
                cli, ["--home", str(self.home), *args], input=input, env=env, catch_exceptions=False
            )

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return invoke()
        # Inside an async test: the CLI starts its own loop, so give it its own thread.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(invoke).result()

    def ok(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        result = self(*args, input=input, env=env)
        assert result.exit_code == 0, (
            f"{args} -> {result.exit_code}\n{result.output}\n{result.stderr}"
        )
        return result


@pytest.fixture
def run_cli(home: Path) -> Cli:
    return Cli(home)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


def pytest_report_header() -> str:
    return f"llmtui tests; cwd={os.getcwd()}"
