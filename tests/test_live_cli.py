"""`test-fallback --live` refusals, checked before anything is sent or stored, and the
answers that say nothing about a chain (real HTTP servers on loopback, no proxy)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream, closed_port

PROXY_KEY = "sk-proxy-LIVE-TEST-0123456789abcdef"
DRILL = ("test-fallback", "chat", "--failure", "server_error", "--live", "--yes")


def _config(drill: bool = True, groups: tuple[str, ...] = ("chat", "fb1")) -> str:
    data = {
        "model_list": [{"model_name": g, "litellm_params": {"model": "openai/x"}} for g in groups],
        "router_settings": {"fallbacks": [{"chat": ["fb1"]}]},
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
    }
    if drill:
        data["general_settings"]["dangerously_allow_mock_testing_request_params"] = True
    return yaml.safe_dump(data)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "proxy" / "litellm-config.yaml"
    path.parent.mkdir()
    monkeypatch.setenv("LLMTUI_CONFIG_PATH", str(path))
    monkeypatch.setenv("LLMTUI_PROXY_KEY", PROXY_KEY)
    monkeypatch.setenv("LLMTUI_PROXY_URL", f"http://127.0.0.1:{closed_port()}")
    return path


def _events(home: Path) -> int:
    with sqlite3.connect(home / "llmtui.db") as db:
        return db.execute("SELECT count(*) FROM fallback_events").fetchone()[0]


def _refused(run_cli: Cli, *args: str, code: int = 1) -> str:
    result = run_cli(*args)
    assert result.exit_code == code, result.output + result.stderr
    assert result.stdout == "" and PROXY_KEY not in result.output + result.stderr
    return result.stderr


def test_each_missing_precondition_is_one_clear_refusal(
    run_cli: Cli, home: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "no config has been applied" in _refused(run_cli, *DRILL)
    config.write_text(_config(drill=False))
    assert "live drills need drill mode" in _refused(run_cli, *DRILL)
    monkeypatch.setenv("LLMTUI_DRILL_MODE", "true")
    assert "drill mode is on but not applied" in _refused(run_cli, *DRILL)
    config.write_text(_config(groups=("other",)))
    assert "'chat' is not a model group in the applied config" in _refused(run_cli, *DRILL)
    config.write_text(_config())
    monkeypatch.delenv("LLMTUI_PROXY_KEY")
    assert "settings set proxy_key" in _refused(run_cli, *DRILL)
    monkeypatch.setenv("LLMTUI_PROXY_KEY", PROXY_KEY)
    connection = ("test-fallback", "chat", "--failure", "connection", "--live", "--yes")
    assert "cannot inject connection" in _refused(run_cli, *connection, code=2)
    assert "applies to --live tests only" in _refused(
        run_cli, "test-fallback", "chat", "--failure", "timeout", "--no-inject", code=2
    )
    assert "a live drill waits for real" in _refused(run_cli, *DRILL, "--real-waits", code=2)
    assert "cannot reach the proxy" in _refused(run_cli, *DRILL)  # every check passed
    assert _events(home) == 0


def test_a_server_that_is_not_a_litellm_proxy_is_named_and_nothing_stored(
    run_cli: Cli, home: Path, config: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text(_config())
    monkeypatch.setenv("LLMTUI_PROXY_URL", upstream.url)
    assert "without any x-litellm header" in _refused(run_cli, *DRILL)
    (seen,) = upstream.requests
    assert seen.headers["authorization"] == f"Bearer {PROXY_KEY}"
    assert seen.body["metadata"]["llmtui_drill"].startswith("drill-")
    assert seen.body["mock_testing_fallbacks"] is True
    upstream.expected_key = "sk-some-other-key-0123456789"
    assert "refused the key (HTTP 401)" in _refused(run_cli, *DRILL)
    assert _events(home) == 0
