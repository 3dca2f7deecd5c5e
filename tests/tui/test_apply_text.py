"""The Apply screen's wording and the diff colouring, without running the app."""

from __future__ import annotations

from pathlib import Path

from llmtui.services.apply_steps import ApplyResult, Outcome, StepEvent
from llmtui.tui.widgets.apply_text import (
    RESTART_OUTPUT_LINES,
    result_text,
    short_path,
    steps_text,
)
from llmtui.tui.widgets.diff_view import line_kind


def test_long_paths_are_cut_on_the_left_keeping_the_file_name() -> None:
    path = "/srv/very/long/directory/name/that/goes/on/litellm-config.yaml"
    assert short_path(path, 80) == path
    cut = short_path(path, 30)
    assert len(cut) == 30 and cut.startswith("…") and cut.endswith("litellm-config.yaml")


def test_diff_lines_are_told_apart() -> None:
    kinds = [line_kind(x) for x in ("--- a", "+++ b", "@@ -1 +1 @@", "+new", "-old", " same")]
    assert kinds == ["header", "header", "hunk", "added", "removed", "context"]


def test_steps_in_order_with_rollback_after_and_pending_ones_dimmed() -> None:
    events = {
        "health": StepEvent("health", "failed", "HTTP 503", 30.0),
        "validate": StepEvent("validate", "ok", "valid", 0.3),
        "restart": StepEvent("restart", "ok", "docker restart litellm", 1.2),
        "rollback": StepEvent("rollback", "running", "restoring the previous file"),
    }
    lines = steps_text(events, 2.5, 0, finished=False).plain.splitlines()
    assert [line.split()[1] for line in lines] == [
        "validate", "back", "write", "restart", "health", "roll",
    ]  # fmt: skip
    assert lines[0].startswith("✔ validate") and "0.3 s" in lines[0]
    assert lines[1].startswith("· back up")  # not reported yet
    assert lines[4].startswith("✖ health") and "30.0 s  HTTP 503" in lines[4]
    assert "2.5 s" in lines[5]  # the running step counts up
    done = steps_text(events, 0, 0, finished=True).plain
    assert "· back up" not in done  # a finished run shows only what happened


def test_a_rollback_shows_the_last_lines_of_the_restart_output() -> None:
    output = "\n".join(f"line {i}" for i in range(100))
    result = ApplyResult(
        Outcome.ROLLED_BACK,
        "the proxy did not come back; the previous config is back",
        "rollback_health",
        backups=[Path("/x/litellm-config.yaml.backup.1")],
        restart_output=output,
        health_error="HTTP 503",
        elapsed=12.0,
    )
    text = result_text(result, restore=False).plain
    assert text.startswith("✖ Rolled back in 12.0 s")
    assert "health error  HTTP 503" in text
    assert f"(last {RESTART_OUTPUT_LINES} of 100 lines)" in text
    assert "│ line 99" in text and "│ line 59" not in text
    ok = ApplyResult(Outcome.SUCCESS, "healthy", "health", restart_output=output)
    assert "restart output" not in result_text(ok, restore=True).plain
    assert result_text(ok, restore=True).plain.startswith("✔ Restored")
