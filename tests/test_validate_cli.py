"""`llmtui config validate [FILE]`: output, exit codes, and what llmtui itself renders."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

KEY = "sk-test-OPENAI-0123456789abcdef"
ANT = "sk-ant-test-0123456789abcdefXYZ"

TYPO = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/LLMTUI_TEST_UNSET_KEY
router_settings:
  num_retires: 3
  fallbacks:
    - gpt-4o: [gpt-4o-mini]
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_file_with_errors_prints_one_line_each_and_exits_1(run_cli, tmp_path: Path) -> None:
    path = _write(tmp_path, TYPO)
    result = run_cli("config", "validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{path}:5:16: warning: model_list[0].litellm_params.api_key: "
        "environment variable LLMTUI_TEST_UNSET_KEY is not set here",
        f"{path}:7:3: error: router_settings.num_retires: not a Router setting; "
        "LiteLLM ignores it (did you mean num_retries?)",
        f"{path}:9:16: error: router_settings.fallbacks[0].gpt-4o[0]: "
        "no model group named 'gpt-4o-mini' in model_list",
        f"{path}: 2 errors, 1 warning",
    ]


def test_warnings_alone_exit_0(run_cli, tmp_path: Path) -> None:
    text = TYPO.replace("num_retires", "num_retries").replace("[gpt-4o-mini]", "[]")
    result = run_cli("config", "validate", str(_write(tmp_path, text)))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith(": 0 errors, 1 warning")


def test_json_report(run_cli, tmp_path: Path) -> None:
    path = _write(tmp_path, TYPO)
    result = run_cli("config", "validate", "--json", str(path))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["file"] == str(path) and report["ok"] is False
    assert (report["errors"], report["warnings"]) == (2, 1)
    typo = next(i for i in report["issues"] if i["path"] == "router_settings.num_retires")
    assert typo == {
        "level": "error",
        "path": "router_settings.num_retires",
        "message": "not a Router setting; LiteLLM ignores it",
        "line": 7,
        "column": 3,
        "suggestion": "num_retries",
    }


def test_yaml_error_and_unreadable_files(run_cli, tmp_path: Path) -> None:
    broken = _write(tmp_path, "model_list:\n  - model_name: [\n", "broken.yaml")
    result = run_cli("config", "validate", str(broken))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{broken}:3:1: error: not valid YAML: ")
    binary = _write(tmp_path, b"\xff\xfe\x00model", "binary.yaml")
    result = run_cli("config", "validate", str(binary))
    assert result.exit_code == 1 and "not UTF-8 text" in result.stderr
    missing = run_cli("config", "validate", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2


def _stock(run_cli) -> None:
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-stdin", input=KEY)
    run_cli.ok("provider", "add", "an", "--type", "anthropic", "--key-stdin", input=ANT)
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("model", "add", "oa", "gpt-4o-mini", "--group", "mini")
    run_cli.ok("model", "add", "an", "claude-3-5-sonnet-20241022", "--group", "claude")
    run_cli.ok("fallback", "set", "gpt-4o", "claude", "mini")
    run_cli.ok("fallback", "set", "mini", "claude", "--kind", "context_window")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "5", "--allowed-fails", "2")


def test_what_llmtui_renders_validates_clean(run_cli, tmp_path: Path) -> None:
    _stock(run_cli)
    run_cli.ok("settings", "set", "proxy_key", "sk-proxy-master-0123456789abcdef")
    result = run_cli.ok("config", "validate")
    assert result.stdout.splitlines() == ["<rendered>: no problems found"]
    # The same text, written by `config render`, is clean as a file too.
    out = tmp_path / "rendered.yaml"
    run_cli.ok("config", "render", "--output", str(out))
    assert yaml.safe_load(out.read_text())["router_settings"]["fallbacks"]
    assert run_cli.ok("config", "validate", str(out)).output.endswith("no problems found\n")
    assert KEY not in result.stdout + result.stderr


def test_env_mode_references_count_as_set(run_cli) -> None:
    _stock(run_cli)
    run_cli.ok("settings", "set", "secrets_mode", "env")
    result = run_cli.ok("config", "validate", "--json")
    report = json.loads(result.stdout)
    # The keys go to the env file beside the config, and the master key reference is
    # meant for the proxy's environment: nothing to warn about.
    assert report["issues"] == []
    assert KEY not in result.stdout and ANT not in result.stdout


def test_rendered_chain_problems_are_reported(run_cli) -> None:
    _stock(run_cli)
    run_cli.ok("model", "disable", "claude")
    result = run_cli("config", "validate")
    assert result.exit_code == 1
    # One error per place, with the store's reason rather than "no model group named".
    assert result.stdout.splitlines()[:2] == [
        "<rendered>:39:7: error: router_settings.fallbacks[0].gpt-4o[0]: "
        "model group 'claude' has no enabled deployment",
        "<rendered>:43:7: error: router_settings.context_window_fallbacks[0].mini[0]: "
        "model group 'claude' has no enabled deployment",
    ]
    assert "no model group named" not in result.stdout
