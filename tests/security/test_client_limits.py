"""nginx in the production profile limits each client address: a flood, or too many
connections at once, gets 429s with a clear JSON error and Retry-After, and the Rasa servers
see only what the limits let through."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

import requests

from tests.conftest import ROOT
from tests.support.recording_server import RecordingServer
from tests.support.servers import free_port, port_of

NGINX = str(ROOT / "scripts" / "nginx.sh")


@contextmanager
def nginx_in_front(upstream: RecordingServer, directory: Path, **limits: str) -> Iterator[str]:
    port = free_port()
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", **limits}
    subprocess.run(
        [NGINX, "start", str(directory), str(port), port_of(upstream.url)],
        check=True,
        env=env,
        timeout=120,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([NGINX, "stop", str(directory)], env=env, timeout=60)


def post(url: str) -> requests.Response:
    return requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": "f", "message": "hi"}, timeout=10
    )


def test_a_flood_from_one_address_gets_429s_with_a_clear_error(tmp_path: Path) -> None:
    upstream = RecordingServer()
    try:
        with nginx_in_front(
            upstream, tmp_path, CLIENT_RATE="5r/s", CLIENT_BURST="5", CLIENT_CONNECTIONS="100"
        ) as url:
            replies = [post(url) for _ in range(30)]
    finally:
        upstream.close()
    statuses = [reply.status_code for reply in replies]
    assert statuses[:6] == [200] * 6, "the first request and the burst pass"
    refused = [reply for reply in replies if reply.status_code == 429]
    assert len(refused) >= 20
    assert refused[0].headers["Retry-After"] == "1" and "emergency" in refused[0].json()["error"]
    assert len(upstream.received) == statuses.count(200)


def test_too_many_connections_at_once_from_one_address_are_refused(tmp_path: Path) -> None:
    upstream = RecordingServer(lambda path, body: time.sleep(1) or {"ok": True})
    try:
        with nginx_in_front(
            upstream, tmp_path, CLIENT_RATE="1000r/s", CLIENT_BURST="1000", CLIENT_CONNECTIONS="3"
        ) as url:
            with ThreadPoolExecutor(12) as pool:
                statuses: List[int] = [
                    reply.status_code for reply in pool.map(lambda _: post(url), range(12))
                ]
    finally:
        upstream.close()
    assert statuses.count(200) <= 3 + 1 and statuses.count(429) >= 8, statuses
