"""Bad input to `config import`: one clear line on stderr, exit 2, and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Cli

GOOD = """\
model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_key: sk-good-0123456789abcdef}
"""


def store_dump(home: Path) -> list[str]:
    """Every row of every table, in SQL: equal dumps mean nothing was written."""
    db = sqlite3.connect(home / "llmtui.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()


@pytest.fixture
def stocked(run_cli: Cli, tmp_path: Path) -> Cli:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    run_cli.ok("config", "import", str(path))
    return run_cli


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("", "is empty"),
        (b"\xff\xfe\x00binary", "is not UTF-8 text"),
        ("model_list:\n  - model_name: a\n   bad: [", "is not valid YAML: "),
        ("model_list: [\n", "at line 2, column 1"),
        ("- just\n- a list\n", "expected a mapping"),
        ("general_settings:\n  master_key: x\n", "it has no model_list"),
        ("model_list: 3\n", "model_list must be a list"),
        ("model_list:\n  - model_name: a\n", r"model_list[0].litellm_params must be a mapping"),
        (
            "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x}\n"
            "router_settings:\n  fallbacks: {a: [b]}\n",
            "router_settings.fallbacks must be a list",
        ),
        (
            "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, "
            "api_key: os.environ/NOT_SET_ANYWHERE_42}\n",
            "environment variable NOT_SET_ANYWHERE_42",
        ),
    ],
)
def test_bad_file_is_one_line_exit_2_and_writes_nothing(
    stocked: Cli, home: Path, tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    before = store_dump(home)
    result = stocked("config", "import", str(path), "--resolve-env")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output + result.stderr
    assert store_dump(home) == before


def test_yaml_error_names_line_and_column(run_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model_list:\n  - model_name: a\n    litellm_params: {model: x\n")
    result = run_cli("config", "import", str(path))
    assert result.exit_code == 2
    assert f"Error: {path} is not valid YAML:" in result.stderr
    assert "at line 4, column 1" in result.stderr


def test_a_directory_is_refused(run_cli: Cli, tmp_path: Path) -> None:
    result = run_cli("config", "import", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_a_chain_breaking_a_rule_is_reported_and_the_rest_lands(
    stocked: Cli, home: Path, tmp_path: Path
) -> None:
    """A chain that cannot be kept is reported, and the rest of the file still lands."""
    path = tmp_path / "partial.yaml"
    path.write_text(
        GOOD + "  - model_name: cheap\n    litellm_params: {model: openai/gpt-4o-mini, "
        "api_key: sk-good-0123456789abcdef}\n"
        "router_settings:\n  fallbacks: [{gpt-4o: [cheap, gpt-4o]}, {cheap: [gpt-4o]}]\n"
    )
    result = stocked.ok("config", "import", str(path))
    assert "'gpt-4o' cannot fall back to itself" in result.stderr
    assert "added: chain cheap (general)" in result.output
    assert "added: model openai/gpt-4o-mini" in result.output
