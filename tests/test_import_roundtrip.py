"""`config render` -> `config import` into an empty home -> `config render` gives the same
bytes; importing the same file again changes and records nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Cli

OPENAI = "sk-test-OPENAI-0123456789abcdef"
OPENAI_2 = "sk-test-SECOND-fedcba9876543210"
ANT = "sk-ant-test-0123456789abcdefXYZ"
AZURE = "abcdef0123456789abcdef0123456789"
PROXY = "sk-proxy-MASTER-0123456789abcdef"


def build_rich_store(run_cli: Cli) -> None:
    """Several provider types, costs, context windows, capabilities, chains, policies."""
    run_cli.ok("provider", "add", "oa", "--type", "openai", "--key-stdin", input=OPENAI)
    run_cli.ok("provider", "add", "oa-team", "--type", "openai", "--key-stdin", input=OPENAI_2)
    run_cli.ok("provider", "add", "an", "--type", "anthropic", "--key-stdin", input=ANT)
    run_cli.ok(
        "provider", "add", "zaz", "--type", "azure_openai",
        "--api-base", "https://contoso.openai.azure.com", "--api-version", "2024-06-01",
        "--key-stdin", input=AZURE,
    )  # fmt: skip
    run_cli.ok("provider", "add", "lab", "--type", "ollama", "--api-base", "http://10.0.0.5:11434")
    run_cli.ok(
        "provider", "add", "box", "--type", "openai_compatible",
        "--api-base", "http://127.0.0.1:9999/v1", "--key-ref", "BOX_KEY",
    )  # fmt: skip
    run_cli.ok("model", "add", "oa", "gpt-4o")
    run_cli.ok("model", "add", "oa", "gpt-4o-mini", "--group", "mini")
    run_cli.ok("model", "add", "oa-team", "gpt-4o-mini", "--group", "mini")
    run_cli.ok("model", "add", "an", "claude-3-5-sonnet-20241022", "--group", "claude")
    run_cli.ok(
        "model", "add", "zaz", "gpt4o-westeu", "--group", "gpt-4o",
        "--input-cost", "2.5", "--output-cost", "10", "--context", "128000",
    )  # fmt: skip
    run_cli.ok("model", "add", "lab", "llama3", "--group", "local", "--context", "8192")
    run_cli.ok(
        "model", "add", "box", "qwen", "--group", "qwen",
        "--input-cost", "0.1", "--output-cost", "0.2",
    )  # fmt: skip
    run_cli.ok("model", "add", "lab", "qwen2", "--group", "spare", "--disabled")
    run_cli.ok("fallback", "set", "gpt-4o", "claude", "mini", "local")
    run_cli.ok("fallback", "set", "mini", "qwen", "local", "--kind", "context_window")
    run_cli.ok("fallback", "set", "claude", "gpt-4o", "mini", "--kind", "content_policy")
    run_cli.ok("trigger", "set", "rate_limit", "--retries", "5", "--allowed-fails", "7")
    run_cli.ok("trigger", "set", "timeout", "--allowed-fails", "2")
    run_cli.ok("trigger", "set", "auth", "--disable")
    run_cli.ok(
        "router", "set", "--timeout", "30", "--cooldown-time", "60",
        "--routing-strategy", "latency-based-routing", "--num-retries", "2",
    )  # fmt: skip
    run_cli.ok("settings", "set", "drill_mode", "true")
    run_cli.ok("settings", "set", "proxy_key", PROXY)


def render_to(run_cli: Cli, path: Path) -> bytes:
    run_cli.ok("config", "render", "--output", str(path))
    return path.read_bytes()


def audit_ids(run_cli: Cli) -> list[int]:
    return [e["id"] for e in json.loads(run_cli.ok("audit", "--json", "--limit", "10000").output)]


@pytest.fixture
def rendered(run_cli: Cli, tmp_path: Path) -> Path:
    build_rich_store(run_cli)
    path = tmp_path / "a.yaml"
    render_to(run_cli, path)
    return path


def fingerprint(home: Path) -> str:
    db = sqlite3.connect(home / "llmtui.db")
    try:
        return db.execute("SELECT value FROM meta WHERE key = 'master_key_fingerprint'").fetchone()[
            0
        ]
    finally:
        db.close()


def test_render_import_render_is_byte_identical(
    run_cli: Cli, home: Path, rendered: Path, tmp_path: Path
) -> None:
    empty = Cli(tmp_path / "empty-home")
    result = empty.ok("config", "import", str(rendered), "--json")
    report = json.loads(result.output)
    assert report["not_represented"] == []
    assert report["counts"]["provider"]["added"] == 6
    assert report["counts"]["model"]["added"] == 7  # the disabled model is not in the file
    assert report["counts"]["chain"]["added"] == 3
    again = render_to(empty, tmp_path / "b.yaml")
    assert again == rendered.read_bytes()
    assert OPENAI in again.decode() and AZURE in again.decode()  # inline keys in both files
    assert fingerprint(home) != fingerprint(tmp_path / "empty-home")  # different master keys
    providers = {p["name"]: p for p in json.loads(empty.ok("provider", "list", "--json").output)}
    assert set(providers) == {
        "openai",
        "openai-2",
        "anthropic",
        "azure-contoso",
        "ollama-10-0-0-5",
        "openai-compatible-127-0-0-1",
    }
    assert providers["openai-compatible-127-0-0-1"]["key_env"] == "BOX_KEY"
    assert providers["azure-contoso"]["api_version"] == "2024-06-01"


def test_second_import_changes_and_records_nothing(rendered: Path, tmp_path: Path) -> None:
    empty = Cli(tmp_path / "empty-home")
    empty.ok("config", "import", str(rendered))
    before = audit_ids(empty)
    second = empty.ok("config", "import", str(rendered))
    assert "the store already matches; nothing changed" in second.output
    assert "added" not in second.output and "updated:" not in second.output
    assert audit_ids(empty) == before
    report = json.loads(empty.ok("config", "import", str(rendered), "--json").output)
    assert report["changed"] is False
    assert all(c["action"] == "unchanged" for c in report["changes"])


def test_importing_its_own_render_back_changes_nothing(run_cli: Cli, rendered: Path) -> None:
    """Providers match by identity, deployments by stable id, policies by effect."""
    before = audit_ids(run_cli)
    report = json.loads(run_cli.ok("config", "import", str(rendered), "--json").output)
    assert report["changed"] is False, [c for c in report["changes"] if c["action"] != "unchanged"]
    assert audit_ids(run_cli) == before


def test_dry_run_writes_nothing_not_even_a_master_key(rendered: Path, tmp_path: Path) -> None:
    empty = Cli(tmp_path / "empty-home")
    result = empty.ok("config", "import", str(rendered), "--dry-run")
    assert "would be added: provider azure-contoso" in result.output
    assert "dry run: nothing was written" in result.output
    assert AZURE not in result.output and OPENAI not in result.output
    assert json.loads(empty.ok("provider", "list", "--json").output) == []
    assert audit_ids(empty) == []
    db = sqlite3.connect(tmp_path / "empty-home" / "llmtui.db")
    try:
        assert db.execute("SELECT count(*) FROM meta WHERE key LIKE 'master%'").fetchone() == (0,)
    finally:
        db.close()


def test_an_edited_file_updates_only_what_changed(rendered: Path, tmp_path: Path) -> None:
    empty = Cli(tmp_path / "empty-home")
    empty.ok("config", "import", str(rendered))
    edited = tmp_path / "edited.yaml"
    text = rendered.read_text()
    text = text.replace("RateLimitErrorRetries: 5", "RateLimitErrorRetries: 1")
    text = text.replace("max_input_tokens: 8192", "max_input_tokens: 4096")
    edited.write_text(text)
    report = json.loads(empty.ok("config", "import", str(edited), "--json").output)
    changed = {(c["entity"], c["name"]) for c in report["changes"] if c["action"] != "unchanged"}
    assert changed == {("policy", "rate_limit"), ("model", "ollama-10-0-0-5/llama3")}
    assert render_to(empty, tmp_path / "c.yaml") == edited.read_bytes()
    actions = [e["action"] for e in json.loads(empty.ok("audit", "--json").output)[:3]]
    assert actions[0] == "config.import" and set(actions[1:]) == {"trigger.set", "model.edit"}
