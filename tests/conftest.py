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
from llmtui.services.settings import SETTINGS
from tests.support.apply_stack import Stack, build_stack
from tests.support.fake_upstream import FakeUpstream
from tests.support.litellm_harness import LiteLLMHarness
from tests.support.memory_keyring import MemoryKeyring
from tests.support.secret_scan import REGISTRY

_ISOLATED_ENV = (
    "LLMTUI_HOME",
    "LLMTUI_MASTER_KEY",
    "LLMTUI_PASSPHRASE",
    *(d.env for d in SETTINGS.values() if d.env),
)


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _secret_registry() -> Iterator[None]:
    """Records every key, home and written file for the scan at session end."""
    with REGISTRY.watch():
        yield


_SCAN_DIR = "LLMTUI_TEST_SCAN_DIR"


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist the workers scan what they recorded and the controller reports it all."""
    if not hasattr(config, "workerinput") and _SCAN_DIR not in os.environ:
        import tempfile

        os.environ[_SCAN_DIR] = tempfile.mkdtemp(prefix="llmtui-scan-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any test key is left in plaintext or any private file is not."""
    import json

    out = Path(os.environ[_SCAN_DIR])
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    if REGISTRY.keys:
        REGISTRY.images = sorted(
            [
                *(ROOT / "tests").rglob("__snapshots__/**/*.svg"),
                *(ROOT / "screenshots").glob("*.svg"),
            ]
        )
        problems = REGISTRY.scan()
        summary = [len(REGISTRY.keys), len(REGISTRY.files()), len(REGISTRY.images), problems]
        (out / f"{worker or 'main'}.json").write_text(json.dumps(summary))
    if worker is not None:
        return  # the controller reports
    results = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    if not results:
        return  # nothing stored a key (e.g. only pure tests were selected)
    problems = [p for r in results for p in r[3]]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        keys, files = sum(r[0] for r in results), sum(r[1] for r in results)
        reporter.write_line(
            f"secrets scan: {keys} keys, {files} files, {results[0][2]} images "
            f"in {len(results)} process(es): {len(problems)} problems"
        )
        for problem in problems[:50]:
            reporter.write_line(f"  {problem}", red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def litellm_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of LiteLLM's accepted keys for the session: extracting it takes ~15 s."""
    return tmp_path_factory.mktemp("llmtui-cache")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, litellm_cache_dir: Path) -> None:
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLMTUI_CACHE_DIR", str(litellm_cache_dir))


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
    REGISTRY.add_home(path)
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


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiteLLMHarness]:
    """`docker` first on PATH (and the proxy URL/config path set) for this test.

    Nothing runs until llmtui calls `docker restart litellm`; then a real LiteLLM proxy
    starts on a free loopback port. Teardown kills whatever was started.
    """
    harness = LiteLLMHarness.create(tmp_path / "docker")
    for name, value in harness.env().items():
        monkeypatch.setenv(name, value)
    yield harness
    harness.close()


@pytest.fixture
def stack(
    run_cli: Cli,
    home: Path,
    tmp_path: Path,
    upstream: FakeUpstream,
    monkeypatch: pytest.MonkeyPatch,
) -> Stack:
    """One provider + model, a recording restart command and a health server (no proxy)."""
    return build_stack(run_cli, home, tmp_path, upstream, monkeypatch)


def pytest_report_header() -> str:
    return f"llmtui tests; cwd={os.getcwd()}"
