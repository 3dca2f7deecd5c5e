"""The e2e harness's own behaviour, checked quickly with a stand-in for the proxy binary."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.fake_docker import port_open, process_gone
from tests.support.litellm_harness import LiteLLMHarness

STANDIN = Path(__file__).parent / "support" / "standin_proxy.py"


@pytest.fixture
def harness(tmp_path: Path) -> LiteLLMHarness:
    config = tmp_path / "conf" / "litellm-config.yaml"
    config.parent.mkdir()
    config.write_text("model_list: []\n")
    made = LiteLLMHarness.create(
        tmp_path / "h",
        config_path=config,
        env_file=config.with_suffix(".env"),
        litellm=STANDIN,
        start_timeout=20,
    )
    yield made
    made.close()


def docker(harness: LiteLLMHarness, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **harness.env()}
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, timeout=60)


def get(harness: LiteLLMHarness, path: str) -> object:
    return httpx.get(harness.url + path, timeout=5, trust_env=False).json()


def test_restart_runs_the_proxy_on_the_current_config(harness: LiteLLMHarness) -> None:
    assert docker(harness, "restart", "litellm").returncode == 0
    first = harness.proxy_pid()
    assert first and get(harness, "/") == {"config": "model_list: []\n"}
    assert get(harness, "/env/LITELLM_MASTER_KEY") == harness.master_key
    assert get(harness, "/env/LLMTUI_MASTER_KEY") is None  # llmtui's own env stays out
    harness.config_path.write_text("model_list: [changed]\n")
    assert docker(harness, "restart", "litellm").returncode == 0
    assert harness.proxy_pid() not in (None, first) and process_gone(first)
    assert get(harness, "/") == {"config": "model_list: [changed]\n"}
    assert harness.calls() == [["docker", "restart", "litellm"]] * 2


def test_env_is_captured_at_create_like_real_docker(harness: LiteLLMHarness) -> None:
    assert harness.env_file is not None
    harness.env_file.write_text("PROVIDER_KEY=one\n")
    assert docker(harness, "restart", "litellm").returncode == 0
    harness.env_file.write_text("PROVIDER_KEY=two\n")
    assert docker(harness, "restart", "litellm").returncode == 0
    assert get(harness, "/env/PROVIDER_KEY") == "one"  # a restart keeps the old env
    project = str(harness.config_path.parent)
    up = docker(harness, "compose", "--project-directory", project, "up", "-d",
                "--force-recreate", "litellm")  # fmt: skip
    assert up.returncode == 0, up.stdout + up.stderr
    assert get(harness, "/env/PROVIDER_KEY") == "two"


def test_a_proxy_dying_at_start_fails_the_command_with_its_log(harness: LiteLLMHarness) -> None:
    harness.config_path.write_text("refuse: true\n")
    done = docker(harness, "restart", "litellm")
    assert done.returncode == 1
    assert "refused to start" in done.stdout and "exited with code 3" in done.stdout
    assert harness.proxy_pid() is None and not port_open(harness.port)


def test_behaviour_switches_hang_and_fail(harness: LiteLLMHarness) -> None:
    harness.set_behaviour(exit_code=7)
    assert docker(harness, "restart", "litellm").returncode == 7
    harness.set_behaviour(hang=True)
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            ["docker", "restart", "litellm"],
            env={**os.environ, **harness.env()},
            capture_output=True,
            timeout=1,
        )
    assert harness.calls()[-1] == ["docker", "restart", "litellm"]


def test_the_proxy_dies_with_its_owner(tmp_path: Path) -> None:
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    config = tmp_path / "litellm-config.yaml"
    config.write_text("model_list: []\n")
    harness = LiteLLMHarness.create(
        tmp_path / "h", config_path=config, litellm=STANDIN, owner_pid=owner.pid
    )
    try:
        assert docker(harness, "restart", "litellm").returncode == 0
        supervisor = harness.proxy_pid()
        assert supervisor and port_open(harness.port)
        owner.kill()
        owner.wait()
        deadline = time.monotonic() + 10
        while (port_open(harness.port) or harness.proxy_pid()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not port_open(harness.port) and harness.proxy_pid() is None
    finally:
        harness.close()
