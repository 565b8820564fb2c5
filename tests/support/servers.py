"""Starts the real action server and Rasa server as subprocesses on free loopback ports."""

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 120


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_SERVICE_PORT = 10000
_handed_out: Set[int] = set()


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range, never the same one twice.

    A port from `bind(0)` is an ephemeral one, and the client sockets that servers open while a
    stack starts (Rasa to PostgreSQL and Redis) are drawn from the same range: one of them can
    take the port before the service that was given it binds it (nginx then fails with
    "Address already in use")."""
    ephemeral_low = (
        int(EPHEMERAL_RANGE.read_text().split()[0]) if EPHEMERAL_RANGE.exists() else 32768
    )
    candidates = [
        port for port in range(LOWEST_SERVICE_PORT, ephemeral_low) if port not in _handed_out
    ]
    for port in random.sample(candidates, len(candidates)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port between {LOWEST_SERVICE_PORT} and {ephemeral_low}")


@contextmanager
def local_service(script: str) -> Iterator[int]:
    """A private server on loopback started by one of the project's scripts (postgres.sh,
    redis.sh) in a temporary directory; yields its port."""
    data, port, path = (
        tempfile.mkdtemp(prefix="backpain-service-"),
        free_port(),
        str(ROOT / "scripts" / script),
    )
    subprocess.run([path, "start", data, str(port)], check=True)
    try:
        yield port
    finally:
        subprocess.run([path, "stop", data], check=True)
        shutil.rmtree(data, ignore_errors=True)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early; log:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{url} did not come up within {START_TIMEOUT_SECONDS} s; log:\n{log.read_text()[-3000:]}"
    )


class Server:
    def __init__(
        self, args: List[str], health_url: str, workdir: Path, name: str, env: Dict[str, str]
    ):
        self.log = workdir / f"{name}.log"
        self._handle = self.log.open("w")
        self.process = subprocess.Popen(
            args, cwd=ROOT, stdout=self._handle, stderr=subprocess.STDOUT, env=env
        )
        wait_until_up(health_url, self.process, self.log)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._handle.close()


def base_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    # INFO, as in production: the privacy test checks what is logged at that level.
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "LOG_LEVEL": "INFO",
    }
    env.update(extra or {})
    return env


def start_action_server(workdir: Path, env: Optional[Dict[str, str]] = None) -> Tuple[Server, str]:
    """The running action server and its webhook URL."""
    port = free_port()
    server = Server(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        workdir,
        f"actions-{port}",
        base_env({"SANIC_HOST": "127.0.0.1", **(env or {})}),
    )
    return server, f"http://127.0.0.1:{port}/webhook"


@contextmanager
def action_server(workdir: Path, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    server, url = start_action_server(workdir, env)
    try:
        yield url
    finally:
        server.stop()


def rasa_run_args(model: Path, endpoints: Path, port: int) -> List[str]:
    """`rasa run` as `make run` gives it, on loopback: for the test servers and the bench."""
    return [
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        "credentials.yml",
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
    ]


def endpoints_for(action_url: str, database: Path) -> Dict[str, Any]:
    """The project's endpoints.yml, pointed at this test's action server and database."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = action_url
    endpoints["tracker_store"]["db"] = str(database)
    return endpoints


def port_of(url: str) -> str:
    return url.rsplit(":", 1)[1].split("/")[0]


def database_of(workdir: Path, base_url: str) -> Path:
    """The SQLite file of a Rasa server started by `rasa_server`."""
    return workdir / f"conversations-{port_of(base_url)}.db"


def log_of(workdir: Path, url: str, name: str = "rasa") -> Path:
    """The log of a server started here (`name`: rasa or actions)."""
    return workdir / f"{name}-{port_of(url)}.log"


@contextmanager
def rasa_server(
    workdir: Path,
    action_url: str,
    model: Path,
    env: Optional[Dict[str, str]] = None,
    stores: Optional[Dict[str, Any]] = None,
) -> Iterator[str]:
    """A Rasa server as `make run` starts it; `env` sets channel secrets and the like, `stores`
    replaces endpoints.yml's `tracker_store` or adds a `lock_store`."""
    port = free_port()
    endpoints = workdir / f"endpoints-{port}.yml"
    settings = {**endpoints_for(action_url, workdir / f"conversations-{port}.db"), **(stores or {})}
    endpoints.write_text(yaml.safe_dump(settings))
    server = Server(
        [
            str(BIN / "python"),
            "-m",
            "backpain_assistant.rasa_cli",
            *rasa_run_args(model, endpoints, port),
        ],
        f"http://127.0.0.1:{port}/",
        workdir,
        f"rasa-{port}",
        base_env(env),
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
