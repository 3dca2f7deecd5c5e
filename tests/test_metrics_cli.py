"""`llmtui metrics` and `llmtui recorder ...` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import yaml

from llmtui.cli.metrics import RANGE_CHOICES, SOURCE_CHOICES
from llmtui.services.metrics import RANGES, SOURCES
from llmtui.services.recorder import (
    EVENTS_FILE,
    RECORDER_CALLBACK,
    module_text,
    recorder_files,
    volume_line,
)
from llmtui.store.schema import ProxySetting


def request_line(request: str, group: str, served_by: str | None, error: str, age: float) -> str:
    at = time.time() - age
    return json.dumps(
        {
            "v": 1,
            "kind": "request",
            "request": request,
            "at": at,
            "started": at - 0.25,
            "group": group,
            "error": error,
            "status": None,
            "outcome": "served" if served_by else "failed",
            "served_by": served_by,
            "position": 1 if served_by else None,
            "attempts": 1,
            "latency_ms": 250.0 if served_by else None,
            "tried": [group, served_by or "fb"],
            "dropped": 0,
        }
    )


def write_events(home: Path, *lines: str) -> None:
    events = home / "events"
    events.mkdir(exist_ok=True)
    with (events / EVENTS_FILE).open("a") as handle:
        handle.write("".join(f"{x}\n" for x in lines))


def test_cli_choices_match_the_service() -> None:
    assert set(RANGE_CHOICES) == set(RANGES) and set(SOURCE_CHOICES) == set(SOURCES)


def test_empty_metrics_explain_how_to_turn_the_recorder_on(run_cli) -> None:
    result = run_cli.ok("metrics")
    assert "no fallback events" in result.output and "llmtui recorder enable" in result.output
    data = json.loads(run_cli.ok("metrics", "--json", "--since", "30d").output)
    assert data["groups"] == [] and len(data["over_time"]) == 31


def test_enable_prints_the_mounts_and_adds_the_callback(run_cli, home) -> None:
    result = run_cli.ok("recorder", "enable")
    events = home / "events"
    assert f"-v {events}:/llmtui-events" in result.output
    assert f"{home}/llmtui_recorder.py:/app/llmtui_recorder.py:ro" in result.output
    assert "llmtui apply" in result.output and events.is_dir()
    rendered = yaml.safe_load(run_cli.ok("config", "render").output)
    assert rendered["litellm_settings"]["callbacks"] == [RECORDER_CALLBACK]
    status = json.loads(run_cli.ok("recorder", "status", "--json").output)
    assert (status["enabled"], status["module"], status["apply_needed"]) == (True, "missing", True)
    # What apply will write, and the state once it has.
    (home / "litellm-config.yaml").write_text(run_cli.ok("config", "render").output)
    (home / "llmtui_recorder.py").write_text(module_text("/llmtui-events"))
    status = json.loads(run_cli.ok("recorder", "status", "--json").output)
    assert (status["module"], status["callback_in_config"], status["apply_needed"]) == (
        "current",
        True,
        False,
    )
    run_cli.ok("recorder", "disable")
    assert "litellm_settings" not in yaml.safe_load(run_cli.ok("config", "render").output)
    assert json.loads(run_cli.ok("recorder", "status", "--json").output)["apply_needed"] is True
    actions = [e["action"] for e in json.loads(run_cli.ok("audit", "--json").output)]
    assert actions[:2] == ["setting.set", "setting.set"]


async def test_an_imported_recorder_callback_follows_the_setting(ctx, run_cli) -> None:
    async with ctx.store.write() as session:
        session.add(
            ProxySetting(
                section="litellm_settings",
                key="callbacks",
                value=["prometheus", RECORDER_CALLBACK],
                updated_at=time.time(),
            )
        )
    rendered = yaml.safe_load(run_cli.ok("config", "render").output)
    assert rendered["litellm_settings"]["callbacks"] == ["prometheus"]
    run_cli.ok("recorder", "enable")
    rendered = yaml.safe_load(run_cli.ok("config", "render").output)
    assert rendered["litellm_settings"]["callbacks"] == ["prometheus", RECORDER_CALLBACK]


def test_enable_refuses_an_events_dir_it_cannot_create(run_cli, home) -> None:
    (home / "file").write_text("")
    run_cli.ok("settings", "set", "events_dir", str(home / "file" / "events"))
    result = run_cli("recorder", "enable")
    assert result.exit_code == 1 and "the recorder stays off" in result.stderr
    assert json.loads(run_cli.ok("recorder", "status", "--json").output)["enabled"] is False


async def test_recorder_files_follow_the_settings(ctx, run_cli, home) -> None:
    assert await recorder_files(ctx) == []
    run_cli.ok("settings", "set", "events_dir_in_container", "/data/events")
    run_cli.ok("settings", "set", "events_dir", str(home / "ev"))
    run_cli.ok("recorder", "enable")
    ((path, text),) = await recorder_files(ctx)
    assert path == home / "llmtui_recorder.py"
    assert "DEFAULT_EVENTS_DIR = '/data/events'" in text
    assert await volume_line(ctx) == f"-v {home}/ev:/data/events"
    assert await volume_line(ctx, compose=True) == f'- "{home}/ev:/data/events"'
    bad = run_cli("settings", "set", "events_dir_in_container", "relative/path")
    assert bad.exit_code == 2 and "absolute container path" in bad.stderr


def test_metrics_ingest_first_then_report(run_cli, home) -> None:
    write_events(
        home,
        request_line("a", "gpt-4o", "claude", "RateLimitError", 60),
        request_line("b", "gpt-4o", None, "InternalServerError", 120),
        "{ torn",
        request_line("c", "local", "gpt-4o", "APIConnectionError", 3 * 86400),
    )
    result = run_cli.ok("metrics")
    assert "ingested 3 new events; skipped 1 unreadable line(s)" in result.stderr
    assert "gpt-4o" in result.output and "50.0%" in result.output
    assert "local" not in result.output  # three days old: outside 24h
    data = json.loads(run_cli.ok("metrics", "--since", "7d", "--json").output)
    assert [(g["group"], g["triggers"], g["success_rate"]) for g in data["groups"]] == [
        ("gpt-4o", 2, 0.5),
        ("local", 1, 1.0),
    ]
    assert data["by_trigger"] == {"connection": 1, "rate_limit": 1, "server_error": 1}
    assert data["served_by"] == {"claude": 1, "gpt-4o": 1}
    rows = list(csv.reader(io.StringIO(run_cli.ok("metrics", "--since", "7d", "--csv").output)))
    assert rows[0] == list(data["groups"][0]) and len(rows) == 3
    only = json.loads(run_cli.ok("metrics", "--since", "7d", "--group", "local", "--json").output)
    assert [g["group"] for g in only["groups"]] == ["local"]
    none = json.loads(
        run_cli.ok("metrics", "--since", "7d", "--source", "simulated", "--json").output
    )
    assert none["groups"] == []
    status = json.loads(run_cli.ok("recorder", "status", "--json").output)
    assert (status["ingest"]["inserted"], status["ingest"]["garbage"]) == (3, 1)


def test_bad_usage_exits_2_and_unknown_group_exits_1(run_cli) -> None:
    both = run_cli("metrics", "--json", "--csv")
    assert both.exit_code == 2 and "choose one of --json and --csv" in both.stderr
    assert run_cli("metrics", "--since", "1y").exit_code == 2
    assert run_cli("metrics", "--source", "prod").exit_code == 2
    missing = run_cli("metrics", "--group", "nosuch")
    assert missing.exit_code == 1 and "'nosuch'" in missing.stderr


def test_unreadable_events_warn_but_metrics_still_answer(run_cli, home) -> None:
    (home / "events" / EVENTS_FILE).mkdir(parents=True)  # a directory where the file should be
    result = run_cli.ok("metrics")
    assert "warning: cannot read the recorder's events" in result.stderr
    failed = run_cli("recorder", "ingest")
    assert failed.exit_code == 1 and "cannot read the recorder's events" in failed.stderr


def test_ingest_command_and_the_env_override(run_cli, home) -> None:
    write_events(home, request_line("a", "gpt-4o", "claude", "RateLimitError", 5))
    report = json.loads(run_cli.ok("recorder", "ingest", "--json").output)
    assert (report["lines"], report["inserted"]) == (1, 1)
    assert "0 new events, 0 already stored" in run_cli.ok("recorder", "ingest").output
    refused = run_cli("recorder", "enable", env={"LLMTUI_RECORDER": "0"})
    assert refused.exit_code == 1 and "LLMTUI_RECORDER" in refused.stderr
    rendered = run_cli.ok("config", "render", env={"LLMTUI_RECORDER": "1"}).output
    assert RECORDER_CALLBACK in rendered
