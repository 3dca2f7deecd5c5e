"""The Apply screen against the real LiteLLM proxy: `docker restart litellm` (the fake
docker first on PATH) restarts a real proxy from the file the screen wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmtui.secrets.cipher import generate_key
from tests.conftest import Cli
from tests.support.fake_upstream import FakeUpstream
from tests.support.litellm_harness import LiteLLMHarness, require_proxy
from tests.support.tui import screen_text, wait_for, wait_for_text, wait_idle
from tests.tui.test_apply import open_apply

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

KEY = "sk-tuie2e-0123456789abcdef"


async def test_apply_from_the_screen_restarts_the_real_proxy(
    make_app, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_proxy()
    harness = LiteLLMHarness.create(tmp_path / "e2e", start_timeout=240)
    upstream = FakeUpstream(name="primary", expected_key=KEY).start()
    try:
        env = harness.env(
            LLMTUI_MASTER_KEY=generate_key(),
            LLMTUI_HEALTH_TIMEOUT="240",
            LLMTUI_RESTART_TIMEOUT="300",
        )
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        cli = Cli(home)
        add = ["provider", "add", "up", "--type", "openai_compatible"]
        cli.ok(*add, "--api-base", f"{upstream.url}/v1", "--key-stdin", input=KEY)
        cli.ok("model", "add", "up", "gpt-4o", "--group", "chat")
        app = make_app()
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_idle(pilot)
            text = await open_apply(pilot)
            assert "✔ valid" in text and "restart docker restart litellm" in text
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen.state == "done", 400, "the apply")
            await wait_idle(pilot)
            text = screen_text(app)
            assert "✔ restart" in text and "✔ health" in text and "✔ Applied" in text
            assert KEY not in text
            await wait_for_text(pilot, "all applied")
        assert harness.calls() == [["docker", "restart", "litellm"]]
        with harness.client() as client:
            models = client.get("/v1/models")
            assert [m["id"] for m in models.json()["data"]] == ["chat"]
            body = {"model": "chat", "messages": [{"role": "user", "content": "ping"}]}
            reply = client.post("/v1/chat/completions", json=body).json()
        assert reply["choices"][0]["message"]["content"] == "pong from primary"
    finally:
        harness.close()
        upstream.stop()
