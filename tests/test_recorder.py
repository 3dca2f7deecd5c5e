"""The recorder module as the proxy loads it, driven by a real litellm.Router."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmtui.services import recorder as recorder_service
from llmtui.services.ingest import ingest
from llmtui.services.metrics import compute
from llmtui.services.recorder import EVENTS_FILE

SECRET = "sk-fake-DO-NOT-LEAK-0123456789"


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm


@pytest.fixture
def events_dir(tmp_path: Path) -> Path:
    return tmp_path / "events"


@pytest.fixture
def recorder(tmp_path: Path, events_dir: Path) -> Iterator[Any]:
    """Write the module as apply would and load it with the proxy's own loader."""
    litellm = _litellm()
    from litellm.proxy.types_utils.utils import get_instance_fn

    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / recorder_service.RECORDER_FILENAME).write_text(
        recorder_service.module_text(str(events_dir))
    )
    instance = get_instance_fn(
        recorder_service.RECORDER_CALLBACK, config_file_path=str(config_dir / "config.yaml")
    )
    instance.settle_seconds = 0.2
    previous = litellm.callbacks
    litellm.callbacks = [instance]
    yield instance
    litellm.callbacks = previous


def router(chain: list[str], **mocks: str) -> Any:
    litellm = _litellm()
    model_list = [
        {
            "model_name": name,
            "litellm_params": {"model": "openai/fake", "api_key": SECRET, "mock_response": mock},
        }
        for name, mock in mocks.items()
    ]
    return litellm.Router(
        model_list=model_list, fallbacks=[{chain[0]: chain[1:]}], num_retries=0, allowed_fails=100
    )


async def ask(r: Any, group: str, **extra: Any) -> str:
    messages = [{"role": "user", "content": "hi"}]
    response = await r.acompletion(model=group, messages=messages, **extra)
    return response.choices[0].message.content


def lines(events_dir: Path, name: str = EVENTS_FILE) -> list[dict[str, Any]]:
    path = events_dir / name
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def requests(events_dir: Path) -> list[dict[str, Any]]:
    return [x for x in lines(events_dir) if x["kind"] == "request"]


async def test_written_module_is_the_packaged_one_with_the_container_path() -> None:
    text = recorder_service.module_text("/srv/events")
    assert "DEFAULT_EVENTS_DIR = '/srv/events'" in text
    _litellm()  # the packaged module imports litellm: never before the local cost map is set
    from llmtui.litellm import proxy_recorder
    from llmtui.services import ingest as ingest_service

    assert proxy_recorder.EVENTS_FILE == EVENTS_FILE
    assert proxy_recorder.SCHEMA_VERSION == ingest_service.SCHEMA_VERSION
    assert "import llmtui" not in text and "from llmtui" not in text  # self-contained


async def test_primary_fails_and_the_first_fallback_serves(recorder, events_dir) -> None:
    r = router(["gpt-4o", "claude"], **{"gpt-4o": "litellm.RateLimitError", "claude": "hello"})
    assert await ask(r, "gpt-4o") == "hello"
    assert recorder.flush()
    attempt, request = lines(events_dir)
    assert (attempt["kind"], attempt["target"], attempt["outcome"]) == (
        "attempt",
        "claude",
        "served",
    )
    assert request["request"] == attempt["request"]
    assert {k: request[k] for k in ("group", "error", "status", "outcome", "served_by")} == {
        "group": "gpt-4o",
        "error": "RateLimitError",
        "status": 429,
        "outcome": "served",
        "served_by": "claude",
    }
    assert (request["position"], request["attempts"], request["tried"]) == (
        1,
        1,
        ["gpt-4o", "claude"],
    )
    assert 0 < request["latency_ms"] < 30_000 and request["started"] <= request["at"]
    assert request["drill"] is None


async def test_live_test_requests_are_marked_as_drills(recorder, events_dir) -> None:
    r = router(["gpt-4o", "claude"], **{"gpt-4o": "litellm.RateLimitError", "claude": "hello"})
    assert await ask(r, "gpt-4o", metadata={"llmtui_drill": "test-12"}) == "hello"
    assert recorder.flush()
    assert requests(events_dir)[0]["drill"] == "test-12"


async def test_second_fallback_serves_after_the_first_fails(recorder, events_dir) -> None:
    r = router(
        ["gpt-4o", "mini", "claude"],
        **{
            "gpt-4o": "litellm.RateLimitError",
            "mini": "litellm.InternalServerError",
            "claude": "ok",
        },
    )
    assert await ask(r, "gpt-4o") == "ok"
    await asyncio.sleep(0.3)  # late hooks must not add a second request line
    assert recorder.flush()
    attempts = [x for x in lines(events_dir) if x["kind"] == "attempt"]
    assert [(a["position"], a["target"], a["outcome"], a["error"]) for a in attempts] == [
        (1, "mini", "failed", "InternalServerError"),
        (2, "claude", "served", None),
    ]
    (request,) = requests(events_dir)
    assert (request["served_by"], request["position"], request["attempts"]) == ("claude", 2, 2)


async def test_everything_fails_gives_one_failed_request_line(recorder, events_dir) -> None:
    litellm = _litellm()
    r = router(
        ["gpt-4o", "mini", "claude"],
        **{
            "gpt-4o": "litellm.RateLimitError",
            "mini": "litellm.InternalServerError",
            "claude": "litellm.RateLimitError",
        },
    )
    with pytest.raises(litellm.RateLimitError):
        await ask(r, "gpt-4o")
    await asyncio.sleep(0.6)  # settle time in-process (the proxy has a post-call hook)
    assert recorder.flush()
    (request,) = requests(events_dir)
    assert (request["outcome"], request["served_by"], request["latency_ms"]) == (
        "failed",
        None,
        None,
    )
    assert (request["error"], request["attempts"]) == ("RateLimitError", 2)
    assert request["tried"] == ["gpt-4o", "mini", "claude"]
    assert SECRET not in (events_dir / EVENTS_FILE).read_text()


async def test_requests_without_a_fallback_write_nothing(recorder, events_dir) -> None:
    r = router(["gpt-4o", "claude"], **{"gpt-4o": "fine", "claude": "unused"})
    assert await ask(r, "gpt-4o") == "fine"
    await asyncio.sleep(0.3)
    assert recorder.flush()
    assert lines(events_dir) == [] and not recorder._pending


async def test_a_failing_write_never_breaks_the_request(recorder, tmp_path, events_dir) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    recorder.events_dir = str(blocker / "events")  # cannot be created: every write fails
    recorder.path = os.path.join(recorder.events_dir, EVENTS_FILE)
    r = router(["gpt-4o", "claude"], **{"gpt-4o": "litellm.RateLimitError", "claude": "served"})
    assert await ask(r, "gpt-4o") == "served"
    assert recorder.flush()
    assert recorder.stats["errors"] >= 1 and recorder.stats["dropped"] == 2
    assert recorder.stats["last_error"] in ("NotADirectoryError", "FileExistsError")
    recorder.events_dir, recorder.path = str(events_dir), str(events_dir / "fallback-events.jsonl")
    assert await ask(r, "gpt-4o") == "served"
    assert recorder.flush()
    (request,) = requests(events_dir)
    assert request["dropped"] == 2  # the loss is reported with the next line that gets through


async def test_the_file_rotates_at_its_size_bound(recorder, events_dir) -> None:
    recorder.max_bytes = 1500  # about two requests' lines
    r = router(["gpt-4o", "claude"], **{"gpt-4o": "litellm.RateLimitError", "claude": "ok"})
    for _ in range(3):
        await ask(r, "gpt-4o")
        assert recorder.flush()
    live = events_dir / EVENTS_FILE
    rotated = events_dir / f"{EVENTS_FILE}.1"
    assert live.stat().st_size <= 1500 and rotated.stat().st_size <= 1500
    kept = lines(events_dir, rotated.name) + lines(events_dir)
    assert len([x for x in kept if x["kind"] == "request"]) == 3


async def test_recorded_traffic_reaches_the_metrics(recorder, events_dir, ctx) -> None:
    litellm = _litellm()
    served = router(["gpt-4o", "claude"], **{"gpt-4o": "litellm.RateLimitError", "claude": "ok"})
    broken = router(
        ["local", "claude"], local="litellm.InternalServerError", claude="litellm.RateLimitError"
    )
    for _ in range(2):
        await ask(served, "gpt-4o")
    with pytest.raises(litellm.InternalServerError):
        await ask(broken, "local")
    await asyncio.sleep(0.6)
    assert recorder.flush()
    report = await ingest(ctx, events_dir)
    assert (report.inserted, report.attempt_lines, report.garbage) == (3, 3, 0)
    metrics = {g.group: g for g in (await compute(ctx, "24h")).groups}
    assert (metrics["gpt-4o"].triggers, metrics["gpt-4o"].success_rate) == (2, 1.0)
    assert metrics["gpt-4o"].top_trigger == "rate_limit" and metrics["gpt-4o"].p50_ms > 0
    assert (metrics["local"].triggers, metrics["local"].success_rate) == (1, 0.0)
    assert metrics["local"].top_trigger == "server_error"
