"""A `docker` stand-in that runs "containers" as local LiteLLM proxy processes.

Invoked as `python fake_docker.py --state DIR <docker args>` by a wrapper script named
`docker` that a fixture puts first on PATH (see tests/support/litellm_harness.py). It
understands the commands llmtui's restart templates use:

    docker restart NAME            docker start NAME      docker stop NAME
    docker compose [-f FILE] [--project-directory DIR] [-p P] up -d [--force-recreate] [SVC]
    docker compose [...] restart [SVC]      docker compose [...] stop|down [SVC]
    docker ps                      docker version

Like the real thing, a container's environment is captured when it is created: `restart`
keeps it, `compose up --force-recreate` re-reads the env file. Each container is a
supervisor process (own session) running `litellm --config FILE --host 127.0.0.1 --port P`;
the supervisor kills the proxy and exits when the test process (owner pid) is gone, so
nothing outlives the test. Start waits until the port accepts connections; if the proxy
dies first, the command exits 1 with the tail of its log. Every invocation's argv is
appended to DIR/calls.jsonl.

DIR/state.json (written by the harness):
    {"owner_pid": int, "litellm": path, "behaviour": {"hang": bool, "exit_code": int|null},
     "containers": {NAME: {"config": path, "port": int, "env": {..},
                           "env_file": path|null, "start_timeout": float}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STOP_GRACE = 10.0


# -- process helpers (also used by the harness for teardown) ---------------


def process_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def kill_group(pid: int, grace: float = STOP_GRACE) -> None:
    """SIGTERM the process group led by pid, wait, then SIGKILL it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process_gone(pid):
                return
            time.sleep(0.05)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def read_env_file(path: str | None) -> dict[str, str]:
    pairs: dict[str, str] = {}
    if not path or not Path(path).exists():
        return pairs
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            pairs[name.strip()] = value
    return pairs


# -- the fake daemon -------------------------------------------------------


class Docker:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir
        self.state: dict[str, Any] = json.loads((state_dir / "state.json").read_text())

    def runtime_path(self, name: str) -> Path:
        return self.dir / f"{name}.runtime.json"

    def runtime(self, name: str) -> dict[str, Any] | None:
        path = self.runtime_path(name)
        return json.loads(path.read_text()) if path.exists() else None

    def spec(self, name: str) -> dict[str, Any]:
        try:
            return self.state["containers"][name]
        except KeyError:
            raise SystemExit(f"Error response from daemon: No such container: {name}") from None

    def running_pid(self, name: str) -> int | None:
        runtime = self.runtime(name)
        if runtime and runtime.get("pid") and not process_gone(runtime["pid"]):
            return int(runtime["pid"])
        return None

    def stop(self, name: str) -> None:
        pid = self.running_pid(name)
        if pid is not None:
            kill_group(pid)
        runtime = self.runtime(name)
        if runtime is not None:
            runtime["pid"] = None
            self.runtime_path(name).write_text(json.dumps(runtime))

    def create(self, name: str) -> dict[str, Any]:
        """Capture the environment, as `docker create` does (env_file read now)."""
        spec = self.spec(name)
        env = {**spec.get("env", {}), **read_env_file(spec.get("env_file"))}
        runtime = {"env": env, "pid": None, "created_at": time.time()}
        self.runtime_path(name).write_text(json.dumps(runtime))
        return runtime

    def start(self, name: str) -> int:
        spec = self.spec(name)
        runtime = self.runtime(name) or self.create(name)
        if self.running_pid(name) is not None:
            return 0
        log_path = self.dir / f"{name}.log"
        offset = log_path.stat().st_size if log_path.exists() else 0
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLMTUI_")}
        env.update(runtime["env"])
        env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        with open(log_path, "ab") as log:
            supervisor = subprocess.Popen(
                [sys.executable, __file__, "--state", str(self.dir), "_supervise", name],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        runtime["pid"] = supervisor.pid
        self.runtime_path(name).write_text(json.dumps(runtime))
        deadline = time.monotonic() + float(spec.get("start_timeout", 180))
        while time.monotonic() < deadline:
            code = supervisor.poll()
            if code is not None:
                tail = log_path.read_bytes()[offset:].decode("utf-8", "replace")
                print("\n".join(tail.splitlines()[-30:]))
                print(f"Error response from daemon: container {name} exited with code {code}")
                return 1
            if port_open(int(spec["port"])):
                return 0
            time.sleep(0.1)
        return 0  # still starting: like docker, leave it to the health check

    def supervise(self, name: str) -> int:
        """Run the proxy; stop it when asked or when the test process is gone."""
        spec = self.spec(name)
        argv = [self.state["litellm"], "--config", spec["config"]]
        argv += ["--host", "127.0.0.1", "--port", str(spec["port"])]
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        stopping = False

        def on_term(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_term)
        owner = int(self.state["owner_pid"])
        while child.poll() is None:
            if stopping or process_gone(owner):
                child.terminate()
                try:
                    child.wait(STOP_GRACE)
                except subprocess.TimeoutExpired:
                    child.kill()
                break
            time.sleep(0.2)
        return child.wait()


# -- command line ----------------------------------------------------------


def _compose(docker: Docker, args: list[str]) -> int:
    services: list[str] = []
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in ("-f", "--file", "--project-directory", "-p", "--project-name", "--env-file"):
            args.pop(0)
    if not args:
        print("docker compose: missing command", file=sys.stderr)
        return 1
    command, rest = args[0], args[1:]
    services = [a for a in rest if not a.startswith("-")] or list(docker.state["containers"])
    for name in services:
        if command == "up":
            if "--force-recreate" in rest or docker.running_pid(name) is None:
                docker.stop(name)
                docker.create(name)
            if docker.start(name) != 0:
                return 1
        elif command == "restart":
            docker.stop(name)
            if docker.start(name) != 0:
                return 1
        elif command in ("stop", "down"):
            docker.stop(name)
        else:
            print(f"fake docker compose: unsupported command {command!r}", file=sys.stderr)
            return 1
        print(f" Container {name}  Started" if command != "stop" else f" Container {name}  Stopped")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--state":
        print("usage: fake_docker.py --state DIR <docker args>", file=sys.stderr)
        return 2
    docker = Docker(Path(argv[1]))
    args = argv[2:]
    if args[:1] == ["_supervise"]:
        return docker.supervise(args[1])
    with open(docker.dir / "calls.jsonl", "a") as calls:
        calls.write(json.dumps({"argv": ["docker", *args], "at": time.time()}) + "\n")
    behaviour = docker.state.get("behaviour", {})
    if behaviour.get("hang"):
        time.sleep(3600)
    if behaviour.get("exit_code") is not None:
        print(behaviour.get("message", "fake docker: failing as told"))
        return int(behaviour["exit_code"])
    if not args or args[0] in ("version", "--version"):
        print("Docker version 0.0.0-fake (llmtui tests)")
        return 0
    command, rest = args[0], args[1:]
    if command == "compose":
        return _compose(docker, rest)
    if command == "ps":
        for name in docker.state["containers"]:
            pid = docker.running_pid(name)
            print(f"{name}\t" + (f"Up (pid {pid})" if pid else "Exited"))
        return 0
    if command in ("restart", "start", "stop") and rest:
        for name in rest:
            if command in ("restart", "stop"):
                docker.stop(name)
            if command in ("restart", "start") and docker.start(name) != 0:
                return 1
            print(name)
        return 0
    print(f"fake docker: unsupported command {' '.join(args)!r}", file=sys.stderr)
    return 125


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
