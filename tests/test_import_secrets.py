"""Imported secrets are encrypted or sealed: never plaintext in the DB, its WAL, the audit
or any output; they still render, and survive a master-key rotation."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml

from tests.conftest import Cli

OPENAI = "sk-LEAKCHECK-openai-9f8e7d6c5b4a3928"
AZURE = "LEAKCHECKazure0123456789abcdefAB"
MASTER = "sk-LEAKCHECK-master-0a1b2c3d4e5f6071"
DB_PASSWORD = "LEAKCHECK-dbpass-77aa88bb"
REDIS_PASSWORD = "LEAKCHECK-redis-12cd34ef"
SESSION_TOKEN = "LEAKCHECK-session-token-5566"
LANGFUSE = "sk-lf-LEAKCHECK-99ee00ff"
SECRETS = (OPENAI, AZURE, MASTER, DB_PASSWORD, REDIS_PASSWORD, SESSION_TOKEN, LANGFUSE)

CONFIG = f"""\
model_list:
  - model_name: gpt-4o
    litellm_params: {{model: openai/gpt-4o, api_key: {OPENAI}}}
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt4o
      api_base: https://contoso.openai.azure.com
      api_version: "2024-06-01"
      api_key: {AZURE}
      azure_ad_token: os.environ/AZURE_AD_TOKEN
  - model_name: claude-bedrock
    litellm_params:
      model: bedrock/anthropic.claude-3-sonnet
      aws_region_name: us-east-1
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_session_token: {SESSION_TOKEN}
general_settings:
  master_key: {MASTER}
  database_url: postgresql://llm:{DB_PASSWORD}@db:5432/litellm
litellm_settings:
  cache: true
  cache_params: {{type: redis, host: redis, password: {REDIS_PASSWORD}}}
environment_variables:
  LANGFUSE_SECRET_KEY: {LANGFUSE}
"""


def test_imported_secrets_never_appear_in_plaintext(
    run_cli: Cli, home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    run_cli.ok("provider", "list")
    holder = sqlite3.connect(home / "llmtui.db")  # keeps the WAL file for us to search
    outputs: list[str] = []
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for args in (
            ["config", "import", str(path), "--dry-run"],
            ["config", "import", str(path), "--dry-run", "--json"],
            ["config", "import", str(path)],
            ["config", "import", str(path), "--json"],
            ["audit", "--limit", "1000"],
            ["audit", "--json", "--limit", "1000"],
            ["provider", "list", "--json"],
            ["model", "list", "--json"],
            ["settings", "list", "--json"],
            ["config", "render"],
            ["config", "diff"],
        ):
            result = run_cli.ok(*args)
            outputs.append(result.output + result.stderr)
        for file in (p for p in home.iterdir() if p.is_file()):
            data = file.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret} found in {file.name}"
    finally:
        holder.close()
    joined = "\n".join(outputs)
    for secret in SECRETS:
        assert secret not in joined, f"{secret} printed"
    assert "sk-…928" in joined  # masked forms are what people see


def test_sealed_secrets_render_and_survive_key_rotation(run_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    run_cli.ok("config", "import", str(path))
    run_cli.ok("key", "rotate")
    out = tmp_path / "out.yaml"
    run_cli.ok("config", "render", "--output", str(out))
    data = yaml.safe_load(out.read_text())
    by_model = {m["litellm_params"]["model"]: m["litellm_params"] for m in data["model_list"]}
    assert by_model["openai/gpt-4o"]["api_key"] == OPENAI
    assert by_model["azure/gpt4o"]["api_key"] == AZURE
    assert by_model["azure/gpt4o"]["azure_ad_token"] == "os.environ/AZURE_AD_TOKEN"
    bedrock = by_model["bedrock/anthropic.claude-3-sonnet"]
    assert bedrock["aws_session_token"] == SESSION_TOKEN
    assert bedrock["aws_access_key_id"] == "os.environ/AWS_ACCESS_KEY_ID"
    assert data["general_settings"]["master_key"] == MASTER
    assert DB_PASSWORD in data["general_settings"]["database_url"]
    assert data["litellm_settings"]["cache_params"]["password"] == REDIS_PASSWORD
    assert data["environment_variables"]["LANGFUSE_SECRET_KEY"] == LANGFUSE
    # still idempotent after the rotation: sealed values compare by their plaintext
    report = json.loads(run_cli.ok("config", "import", str(path), "--json").output)
    assert report["changed"] is False
