"""End to end with the real LiteLLM proxy: live fallback drills, and the recorder.

One proxy for the module, on configs llmtui applied: first without drill mode (live
drills are refused and send nothing), then with drill mode and the recorder on. The
recorder runs inside the proxy (loaded from beside the config), writing to a host
directory: with no container, `events_dir_in_container` is that same directory.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from llmtui.litellm.live_drill import INJECTIONS, TIMEOUT_DRILL_SECONDS
from llmtui.secrets.cipher import generate_key
from llmtui.services.recorder import EVENTS_FILE
from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream
from tests.support.litellm_harness import LiteLLMHarness, require_proxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

KEYS = {
    "primary": "sk-live-PRIMARY-0123456789abcdef",
    "fb1": "sk-live-FALLBACK1-0123456789abcdef",
    "fb2": "sk-live-FALLBACK2-0123456789abcdef",
}
GROUPS = {"primary": "chat", "fb1": "fb1", "fb2": "fb2"}
DRILL = ("test-fallback", "chat", "--live")


@dataclass
class Live:
    harness: LiteLLMHarness
    upstreams: dict[str, FakeUpstream]
    cli: Cli
    env: dict[str, str]
    home: Path
    events: Path
    first_apply: Result

    def run(self, *args: str) -> Result:
        return self.cli(*args, env=self.env)

    def ok(self, *args: str) -> Result:
        return self.cli.ok(*args, env=self.env)

    def upstream_modes(self, primary: str = "ok", fb1: str = "ok", fb2: str = "ok") -> None:
        for name, mode in (("primary", primary), ("fb1", fb1), ("fb2", fb2)):
            self.upstreams[name].mode = mode
            self.upstreams[name].requests.clear()

    def posts(self) -> dict[str, int]:
        """Chat completions each fake upstream received since the last upstream_modes()."""
        return {
            name: sum(1 for r in u.requests if r.path.endswith("/chat/completions"))
            for name, u in self.upstreams.items()
        }

    def live_events(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "llmtui.db") as db:
            return db.execute(
                "SELECT group_name, trigger, outcome, served_by, served_position, source, detail"
                " FROM fallback_events WHERE source = 'live' ORDER BY id"
            ).fetchall()

    def chat(self) -> int:
        with self.harness.client() as client:
            body = {"model": "chat", "messages": [{"role": "user", "content": "ping"}]}
            return client.post("/v1/chat/completions", json=body).status_code

    def event_lines(self) -> list[dict[str, Any]]:
        path = self.events / EVENTS_FILE
        text = path.read_text() if path.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_for_line(self, **match: Any) -> dict[str, Any]:
        """The recorder writes from a thread; a failed request after the proxy's hook."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for line in self.event_lines():
                if all(line.get(k) == v for k, v in match.items()):
                    return line
            time.sleep(0.1)
        raise AssertionError(f"no recorder line with {match}: {self.event_lines()}")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, litellm_cache_dir: Path) -> Iterator[Live]:
    require_proxy()
    root = tmp_path_factory.mktemp("live")
    harness = LiteLLMHarness.create(root, start_timeout=240)
    upstreams = {n: FakeUpstream(name=n, expected_key=k).start() for n, k in KEYS.items()}
    events = root / "events"
    env = harness.env(
        LLMTUI_MASTER_KEY=generate_key(),
        LLMTUI_HEALTH_TIMEOUT="240",
        LLMTUI_RESTART_TIMEOUT="300",
        LLMTUI_PROXY_KEY=harness.master_key,
        LLMTUI_EVENTS_DIR=str(events),
        LLMTUI_EVENTS_DIR_IN_CONTAINER=str(events),  # no container: the same directory
        LLMTUI_CACHE_DIR=str(litellm_cache_dir),  # set before the per-test env isolation
    )
    cli = Cli(root / "home")
    try:
        for name, upstream in upstreams.items():
            add = ["provider", "add", f"p-{name}", "--type", "openai_compatible"]
            add += ["--api-base", f"{upstream.url}/v1", "--key-stdin"]
            cli.ok(*add, input=KEYS[name], env=env)
            cli.ok("model", "add", f"p-{name}", "gpt-4o", "--group", GROUPS[name], env=env)
        cli.ok("fallback", "set", "chat", "fb1", "fb2", env=env)
        # Straight to the fallback: the retry waits are not what is tested here.
        for error in ("rate_limit", "server_error", "timeout"):
            cli.ok("trigger", "set", error, "--retries", "0", env=env)
        cli.ok("recorder", "enable", env=env)
        first = cli("apply", "--yes", env=env)
        yield Live(harness, upstreams, cli, env, root / "home", events, first)
    finally:
        harness.close()
        for upstream in upstreams.values():
            upstream.stop()


@pytest.fixture(scope="module")
def drill_mode(live: Live) -> Live:
    """Drill mode on and applied: the proxy restarts with the mock testing opt-in."""
    live.ok("settings", "set", "drill_mode", "true")
    result = live.run("apply", "--yes")  # restarts even when the file is already written
    assert result.exit_code == 0, result.output + result.stderr
    assert "dangerously_allow_mock_testing_request_params: true" in (
        live.harness.config_path.read_text()
    )
    return live


def test_without_drill_mode_a_live_drill_is_refused_and_sends_nothing(live: Live) -> None:
    assert live.first_apply.exit_code == 0, live.first_apply.output + live.first_apply.stderr
    live.upstream_modes()
    result = live.run(*DRILL, "--failure", "server_error", "--yes", "--json")
    assert result.exit_code == 1
    assert "live drills need drill mode" in result.stderr
    assert "settings set drill_mode true" in result.stderr and result.stdout == ""
    assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}
    assert live.live_events() == []


def test_a_proxy_not_restarted_into_drill_mode_refuses_the_drill(live: Live) -> None:
    live.ok("settings", "set", "drill_mode", "true")
    live.ok("apply", "--yes", "--no-restart")  # the file says drill mode; the proxy does not
    live.upstream_modes()
    result = live.run(*DRILL, "--failure", "server_error", "--yes", "--json")
    assert result.exit_code == 1, result.output
    assert "refuses mock testing parameters" in result.stderr and "llmtui apply" in result.stderr
    assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}
    assert live.live_events() == []


def test_without_a_terminal_or_yes_it_is_refused(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes()
    result = live.run(*DRILL, "--failure", "server_error", "--json")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr and result.stdout == ""
    assert "may cost money" in result.stderr  # what it would have done was said first
    assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}
    assert live.live_events() == []


def test_injected_server_error_is_served_by_the_first_fallback(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes(primary="429")
    result = live.ok(*DRILL, "--failure", "server_error", "--yes", "--json")
    out = json.loads(result.stdout)
    assert (out["mode"], out["outcome"], out["served_by"], out["served_position"]) == (
        "live",
        "fallback_served",
        "fb1",
        1,
    )
    # LiteLLM raised the mock error before calling the primary; fb1 was really called.
    assert live.posts() == {"primary": 0, "fb1": 1, "fb2": 0}
    assert out["response"] == "pong from fb1"
    (sent,) = [r.body for r in live.upstreams["fb1"].requests if r.method == "POST"]
    assert sent["max_tokens"] == 16 and not any(k.startswith("mock_") for k in sent)
    assert "include_fallback_errors" not in sent and "llmtui_drill" not in json.dumps(sent)
    primary, served = out["attempts"]
    assert (primary["group"], primary["ok"], primary["error_type"], primary["evidence"]) == (
        "chat",
        False,
        "InternalServerError",
        "injected",
    )
    assert (served["group"], served["ok"], served["evidence"]) == ("fb1", True, "reported")
    assert served["deployment"] == "openai/gpt-4o" and served["deployment_id"]
    headers = out["live"]["headers"]  # straight from the real proxy
    assert headers["x-litellm-model-group"] == "fb1"
    assert headers["x-litellm-attempted-fallbacks"] == "1"
    assert headers["x-litellm-model-api-base"] == f"{live.upstreams['fb1'].url}/v1"
    assert out["live"]["injected"] == ["mock_testing_fallbacks"]
    (event,) = live.live_events()
    assert event[:6] == ("chat", "server_error", "served", "fb1", 1, "live")
    assert json.loads(event[6])["live"]["drill_id"] == out["live"]["drill_id"]
    shown = json.loads(live.ok("fallback", "show", "chat", "--json").stdout)[0]["last_test"]
    assert (shown["source"], shown["outcome"], shown["served_by"]) == (
        "live",
        "fallback_served",
        "fb1",
    )
    # The recorder inside the proxy saw it too, marked as this drill.
    line = live.wait_for_line(kind="request", drill=out["live"]["drill_id"])
    assert (line["served_by"], line["error"]) == ("fb1", "InternalServerError")


def test_a_really_rate_limited_primary_without_injection(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes(primary="429")
    refused = live.run(*DRILL, "--failure", "rate_limit", "--yes", "--json")
    assert refused.exit_code == 2 and "--depth all" in refused.stderr  # honest about the mock
    assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}
    out = json.loads(
        live.ok(*DRILL, "--failure", "rate_limit", "--no-inject", "--yes", "--json").stdout
    )
    assert (out["outcome"], out["served_by"], out["live"]["injected"]) == (
        "fallback_served",
        "fb1",
        [],
    )
    assert live.posts() == {"primary": 1, "fb1": 1, "fb2": 0}
    assert [(a["group"], a["ok"], a["evidence"]) for a in out["attempts"]] == [
        ("chat", False, "inferred"),
        ("fb1", True, "reported"),
    ]
    assert live.live_events()[-1][:6] == ("chat", "rate_limit", "served", "fb1", 1, "live")


def test_injected_rate_limit_reaches_every_group(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes()
    result = live.ok(*DRILL, "--failure", "rate_limit", "--depth", "all", "--yes", "--json")
    out = json.loads(result.stdout)
    assert (out["outcome"], out["error_type"], out["live"]["http_status"]) == (
        "all_failed",
        "RateLimitError",
        429,
    )
    assert [(a["group"], a["error_type"]) for a in out["attempts"]] == [
        ("chat", "RateLimitError"),
        ("fb1", "RateLimitError"),
        ("fb2", "RateLimitError"),
    ]
    assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}  # mocks all the way down


def test_plain_output_says_how_each_attempt_is_known(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes()
    text = live.ok(*DRILL, "--failure", "context_window", "--yes").output
    assert "Test chat · context_window · depth 1 · live" in text
    assert "injected: mock_testing_context_fallbacks" in text
    assert "served by fb1 (fallback 1)" in text and '"pong from fb1"' in text
    assert "injected" in text and "proxy says" in text
    assert live.harness.master_key not in text


@pytest.mark.parametrize("failure", ["content_policy", "timeout"])
def test_the_other_injections_fail_only_the_primary(drill_mode: Live, failure: str) -> None:
    live = drill_mode
    live.upstream_modes()
    out = json.loads(live.ok(*DRILL, "--failure", failure, "--yes", "--json").stdout)
    assert (out["outcome"], out["served_by"]) == ("fallback_served", "fb1")
    assert out["attempts"][0]["error_type"] == INJECTIONS[failure].error_type
    assert live.posts() == {"primary": 0, "fb1": 1, "fb2": 0}
    if failure == "timeout":  # the mock sleeps the drill's request timeout first
        assert out["total_ms"] >= TIMEOUT_DRILL_SECONDS * 1000


def test_recorded_traffic_reaches_the_metrics(drill_mode: Live) -> None:
    live = drill_mode
    live.upstream_modes(primary="429")
    assert live.chat() == 200
    live.upstream_modes(primary="500")
    assert live.chat() == 200
    live.upstream_modes(primary="429", fb1="500", fb2="500")
    assert live.chat() == 429
    failed = live.wait_for_line(kind="request", outcome="failed", drill=None)
    assert failed["tried"] == ["chat", "fb1", "fb2"] and failed["error"] == "RateLimitError"
    result = live.ok("metrics", "--json", "--source", "proxy")
    assert "ingested 3 new events" in result.stderr  # the drills' lines were skipped
    report = json.loads(result.stdout)
    (chat,) = report["groups"]
    assert (chat["group"], chat["triggers"], chat["fallbacks"]) == ("chat", 3, 4)
    assert chat["success_rate"] == round(2 / 3, 4) and chat["top_trigger"] == "rate_limit"
    assert report["by_trigger"] == {"rate_limit": 2, "server_error": 1}
    assert report["served_by"] == {"fb1": 2}
    # The live drills are metrics of their own source, counted once.
    drills = json.loads(live.ok("metrics", "--json", "--source", "live").stdout)
    assert drills["groups"][0]["triggers"] == 6
    # Five drills were served by fb1; the rate limit injected everywhere failed.
    assert drills["groups"][0]["success_rate"] == round(5 / 6, 4)
    assert drills["served_by"] == {"fb1": 5}
    status = json.loads(live.ok("recorder", "status", "--json").stdout)
    assert status["ingest"]["drills"] == 6 and status["module"] == "current"


async def test_a_live_drill_from_the_fallbacks_screen(
    drill_mode: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`t`, `m` (live), the failure, enter, the cost confirm, then the proxy's timeline."""
    from llmtui.store.migrate import prepare_database
    from llmtui.tui.app import LlmtuiApp
    from tests.support.tui import screen_text, wait_for, wait_for_text

    live = drill_mode
    for name, value in live.env.items():
        monkeypatch.setenv(name, value)
    live.upstream_modes(primary="429")
    before = len(live.live_events())
    prepare_database(live.home / "llmtui.db")
    app = LlmtuiApp(live.home, poll_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ctx is not None)
        await pilot.press("3")
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False), what="fallbacks")
        await pilot.press("t", "m")
        await wait_for_text(pilot, "Test chat · live")
        await pilot.press("j", "j", "enter")  # server error (500), primary only
        text = await wait_for_text(pilot, "Send a live drill?", timeout=30)
        assert "may cost money" in text
        assert live.posts() == {"primary": 0, "fb1": 0, "fb2": 0}  # nothing before the yes
        await pilot.press("y")
        await wait_for(pilot, lambda: getattr(app.screen, "run", None) is not None, timeout=60)
        text = await wait_for_text(pilot, "served by fb1 (fallback 1)")
        assert "Test chat · server_error · depth 1 · live" in text
        assert live.harness.master_key not in screen_text(app)
    assert live.posts() == {"primary": 0, "fb1": 1, "fb2": 0}
    events = live.live_events()
    assert len(events) == before + 1
    assert events[-1][:6] == ("chat", "server_error", "served", "fb1", 1, "live")


def test_no_key_leaks_anywhere(drill_mode: Live) -> None:
    live = drill_mode
    secrets = [live.harness.master_key, *KEYS.values()]
    stored = b"".join(p.read_bytes() for p in live.home.glob("llmtui.db*"))
    events = "".join(p.read_text() for p in live.events.iterdir())
    for secret in secrets:
        assert secret.encode() not in stored
        assert secret not in events
