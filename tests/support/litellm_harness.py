"""End-to-end harness: a `docker` first on PATH that runs the real LiteLLM proxy locally.

    harness = LiteLLMHarness.create(tmp_path)       # nothing runs yet
    run_cli(..., env=harness.env())                  # llmtui's `docker restart litellm`
    harness.client().get("/v1/models")               # ... reaches a real proxy
    harness.close()                                  # kills every process it started

The proxy lives in `.venv-proxy` (litellm[proxy] pins rich<14, Textual needs >=14), reads
the config llmtui wrote and LITELLM_MASTER_KEY from the "container" environment, and
listens on a free loopback port. See tests/support/fake_docker.py for the commands.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.fake_docker import kill_group, process_gone
from tests.support.fake_upstream import closed_port

REPO = Path(__file__).resolve().parents[2]
PROXY_BIN = REPO / ".venv-proxy" / "bin" / "litellm"
FAKE_DOCKER = Path(__file__).with_name("fake_docker.py")


def require_proxy() -> None:
    """End-to-end tests need the real proxy; say how to get it rather than skip."""
    if not PROXY_BIN.exists():
        raise RuntimeError(f"{PROXY_BIN} is missing: run `make proxy-venv` (or link .venv-proxy)")


def strong_master_key() -> str:
    return "sk-e2e-" + secrets.token_hex(24)


@dataclass
class LiteLLMHarness:
    root: Path
    config_path: Path
    port: int
    master_key: str
    name: str = "litellm"
    env_file: Path | None = None
    start_timeout: float = 180.0
    behaviour: dict[str, Any] = field(default_factory=dict)
    container_env: dict[str, str] = field(default_factory=dict)  # besides the master key
    # What a container runs, and whose death stops it (the harness's own tests swap these).
    litellm: Path = PROXY_BIN
    owner_pid: int = field(default_factory=os.getpid)

    @classmethod
    def create(
        cls,
        root: Path,
        *,
        config_path: Path | None = None,
        env_file: Path | None = None,
        start_timeout: float = 180.0,
        litellm: Path = PROXY_BIN,
        owner_pid: int | None = None,
        master_key: str | None = None,
        container_env: dict[str, str] | None = None,
    ) -> LiteLLMHarness:
        """Lay out bin/docker and the fake daemon's state under root; start nothing."""
        root.mkdir(parents=True, exist_ok=True)
        config_dir = root / "proxy"
        config_dir.mkdir(mode=0o700, exist_ok=True)
        harness = cls(
            root=root,
            config_path=config_path or config_dir / "litellm-config.yaml",
            port=closed_port(),
            master_key=master_key or strong_master_key(),
            env_file=env_file,
            start_timeout=start_timeout,
            litellm=litellm,
            owner_pid=owner_pid or os.getpid(),
            container_env=dict(container_env or {}),
        )
        harness.bin_dir.mkdir(exist_ok=True)
        harness.state_dir.mkdir(exist_ok=True)
        docker = harness.bin_dir / "docker"
        command = shlex.join([sys.executable, str(FAKE_DOCKER), "--state", str(harness.state_dir)])
        docker.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        docker.chmod(0o755)
        harness.write_state()
        return harness

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def state_dir(self) -> Path:
        return self.root / "docker-state"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_state(self) -> None:
        state = {
            "owner_pid": self.owner_pid,
            "litellm": str(self.litellm),
            "behaviour": self.behaviour,
            "containers": {
                self.name: {
                    "config": str(self.config_path),
                    "port": self.port,
                    "env": {**self.container_env, "LITELLM_MASTER_KEY": self.master_key},
                    "env_file": str(self.env_file) if self.env_file else None,
                    "start_timeout": self.start_timeout,
                }
            },
        }
        (self.state_dir / "state.json").write_text(json.dumps(state, indent=2))

    def set_behaviour(self, *, hang: bool = False, exit_code: int | None = None) -> None:
        """Make every later `docker ...` hang, or fail with exit_code, before doing anything."""
        self.behaviour = {"hang": hang, "exit_code": exit_code}
        self.write_state()

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for llmtui: the fake docker first on PATH, proxy URL and config path."""
        return {
            "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "LLMTUI_PROXY_URL": self.url,
            "LLMTUI_CONFIG_PATH": str(self.config_path),
            **extra,
        }

    def start(self) -> None:
        """`docker restart NAME` as llmtui's apply runs it, then wait until it is ready."""
        docker = [str(self.bin_dir / "docker"), "restart", self.name]
        done = subprocess.run(
            docker,
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=self.start_timeout + 30,
        )
        if done.returncode != 0:
            raise AssertionError(f"the proxy did not start:\n{done.stdout[-3000:]}{done.stderr}")
        self.wait_ready()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll /health/readiness (no key needed) until it answers 200."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/health/readiness", timeout=2, trust_env=False).is_success:
                    return
            time.sleep(0.2)
        raise AssertionError(f"the proxy at {self.url} never became ready:\n{self.log()[-3000:]}")

    def calls(self) -> list[list[str]]:
        """argv of every `docker` invocation so far, oldest first."""
        path = self.state_dir / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["argv"] for line in path.read_text().splitlines() if line]

    def proxy_pid(self) -> int | None:
        """The running container's supervisor pid (it leads the proxy's process group)."""
        path = self.state_dir / f"{self.name}.runtime.json"
        if not path.exists():
            return None
        pid = json.loads(path.read_text()).get("pid")
        return pid if pid and not process_gone(pid) else None

    def log(self) -> str:
        path = self.state_dir / f"{self.name}.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.master_key}"},
            timeout=timeout,
            trust_env=False,
        )

    def close(self) -> None:
        """Kill every proxy this harness started (its supervisor's whole process group)."""
        pid = self.proxy_pid()
        if pid is not None:
            kill_group(pid)
        with contextlib.suppress(OSError):
            (self.bin_dir / "docker").unlink()
