"""`test-fallback --live` refusals, checked before anything is sent or stored, and the
answers that say nothing about a chain (real HTTP servers on loopback, no proxy)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from llmtui.cli import fallback_test
from llmtui.services.context import AppContext
from llmtui.services.live_test import plan_live, run_live
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


SERVED_BY_FB1 = {  # what the real proxy sends when fb1 served after the primary failed
    "x-litellm-call-id": "call-1",
    "x-litellm-model-group": "fb1",
    "x-litellm-attempted-fallbacks": "1",
    "x-litellm-attempted-retries": "0",
    "x-litellm-model-id": "fb1-id",
    "x-litellm-model-name": "openai/gpt-4o",
    "x-litellm-model-api-base": "http://user:pw@127.0.0.1:9/v1?key=secret",
}


@pytest.fixture
def proxy(
    config: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeUpstream]:
    """A loopback server answering as the proxy would; it echoes the key to test scrubbing."""
    config.write_text(_config())
    upstream.expected_key = PROXY_KEY
    upstream.reply_headers = dict(SERVED_BY_FB1)
    upstream.reply_text = f"pong from fb1, you sent {PROXY_KEY}"
    monkeypatch.setenv("LLMTUI_PROXY_URL", upstream.url)
    yield upstream


def _stored(home: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(home / "llmtui.db") as db:
        return db.execute(
            "SELECT group_name, trigger, outcome, served_by, source, detail FROM fallback_events"
        ).fetchall()


def test_on_a_terminal_it_asks_first_and_a_no_sends_nothing(
    run_cli: Cli, home: Path, proxy: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fallback_test, "_stdin_is_terminal", lambda: True)
    result = run_cli(*DRILL[:-1], input="n\n")
    assert result.exit_code == 1, result.output + result.stderr
    assert "may cost money" in result.stderr and "Send it? [y/N]" in result.stderr
    assert "cancelled; nothing was sent" in result.stderr and result.stdout == ""
    assert proxy.requests == [] and _events(home) == 0


def test_a_confirmed_drill_is_shown_and_stored_as_live_without_the_key(
    run_cli: Cli, home: Path, proxy: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fallback_test, "_stdin_is_terminal", lambda: True)
    result = run_cli(*DRILL[:-1], input="y\n")
    assert result.exit_code == 0, result.output + result.stderr
    assert len(proxy.requests) == 1
    assert "served by fb1 (fallback 1)" in result.stdout and "request id: call-1" in result.stdout
    assert "injected: mock_testing_fallbacks" in result.stdout
    assert PROXY_KEY not in result.output + result.stderr
    ((group, trigger, outcome, served_by, source, detail),) = _stored(home)
    assert (group, trigger, outcome, served_by, source) == (
        "chat",
        "server_error",
        "served",  # as metrics count every source; the test's own outcome is in detail
        "fb1",
        "live",
    )
    assert PROXY_KEY not in detail
    assert json.loads(detail)["live"]["headers"]["x-litellm-model-api-base"] == (
        "http://127.0.0.1:9/v1"
    )
    db = b"".join(p.read_bytes() for p in home.glob("llmtui.db*"))
    assert PROXY_KEY.encode() not in db
    metrics = json.loads(run_cli("metrics", "--json", "--source", "live").stdout)
    assert [(g["group"], g["success_rate"]) for g in metrics["groups"]] == [("chat", 1.0)]
    assert metrics["served_by"] == {"fb1": 1}


def test_json_with_yes_prints_only_the_result(
    run_cli: Cli, home: Path, proxy: FakeUpstream
) -> None:
    result = run_cli(*DRILL, "--json")
    assert result.exit_code == 0, result.output + result.stderr
    out = json.loads(result.stdout)
    assert (out["mode"], out["outcome"], out["served_by"], out["event_id"]) == (
        "live",
        "fallback_served",
        "fb1",
        1,
    )
    assert [(a["group"], a["ok"], a["evidence"]) for a in out["attempts"]] == [
        ("chat", False, "injected"),
        ("fb1", True, "reported"),
    ]
    assert "may cost money" not in result.stderr  # --yes --json: a script, told nothing


async def test_run_live_is_the_service_the_tui_calls(ctx: AppContext, proxy: FakeUpstream) -> None:
    plan = await plan_live(ctx, "chat", "server_error", 1)
    assert plan.chain == ["chat", "fb1"] and "may cost money" in plan.describe()
    assert proxy.requests == []  # planning sends nothing
    run = await run_live(ctx, "chat", "server_error", 1)
    assert run.event_id is not None and run.result.served_by == "fb1"
    assert PROXY_KEY not in (run.result.response or "") and "pong from fb1" in run.result.response
    (seen,) = proxy.requests
    assert seen.body["metadata"] == {"llmtui_drill": run.result.drill_id}
