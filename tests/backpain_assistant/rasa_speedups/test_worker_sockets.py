"""Several Sanic workers each listen on their own socket at the same address."""

import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sanic.server.runners as runners

from backpain_assistant.rasa_speedups import worker_sockets
from backpain_assistant.rasa_speedups.worker_sockets import (
    reserve_address,
    serve_on_own_socket,
    use_worker_sockets,
)
from tests.support.servers import free_port

CONNECTIONS = 40
# A Sanic app that answers with the id of the worker process, run with two workers.
TWO_WORKERS = textwrap.dedent(
    """
    import os, sys
    from sanic import Sanic, response
    from backpain_assistant.rasa_speedups.worker_sockets import use_worker_sockets

    use_worker_sockets()
    app = Sanic("two_workers")

    @app.get("/")
    async def pid(request):
        return response.text(str(os.getpid()))

    app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=2, access_log=False)
    """
)


@pytest.fixture
def sanics_runners_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runners, "bind_socket", runners.bind_socket)
    monkeypatch.setattr(runners, "serve", runners.serve)


@pytest.fixture
def served_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Dict[str, Any]]]:
    served: List[Dict[str, Any]] = []
    monkeypatch.setattr(worker_sockets, "SANICS_SERVE", lambda **settings: served.append(settings))
    yield served
    for settings in served:
        settings["sock"].close()


def test_the_main_process_reserves_the_address_without_accepting() -> None:
    port = free_port()
    reserved = reserve_address("127.0.0.1", port)
    try:
        assert reserved.getsockname() == ("127.0.0.1", port)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        reserved.close()


def test_the_address_family_is_chosen_as_sanic_chooses_it() -> None:
    for host, family in (
        ("127.0.0.1", socket.AF_INET),
        ("localhost", socket.AF_INET),
        ("::1", socket.AF_INET6),
    ):
        reserved = reserve_address(host, free_port())
        try:
            assert reserved.family == family, host
        finally:
            reserved.close()


def test_each_worker_listens_on_its_own_socket_and_both_get_connections(
    served_settings: List[Dict[str, Any]],
) -> None:
    port = free_port()
    reserved = reserve_address("127.0.0.1", port)
    for _ in range(2):
        serve_on_own_socket(
            sock=reserved.dup(), run_multiple=True, backlog=CONNECTIONS, host=None, port=None
        )
    reserved.close()
    listening = [settings["sock"] for settings in served_settings]
    assert len({sock.fileno() for sock in listening}) == 2
    clients = [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(CONNECTIONS)]
    try:
        for sock in listening:
            sock.setblocking(False)
        accepted = Counter()
        for index, sock in enumerate(listening):
            while True:
                try:
                    sock.accept()[0].close()
                except BlockingIOError:
                    break
                accepted[index] += 1
        assert sum(accepted.values()) == CONNECTIONS
        assert min(accepted[0], accepted[1]) >= 5, accepted
    finally:
        for client in clients:
            client.close()


def test_one_worker_and_unix_sockets_are_served_as_by_sanic(
    served_settings: List[Dict[str, Any]],
) -> None:
    tcp = socket.socket()
    unix = socket.socket(socket.AF_UNIX)
    try:
        serve_on_own_socket(sock=tcp, run_multiple=False)
        serve_on_own_socket(sock=unix, run_multiple=True)
        serve_on_own_socket(sock=None, run_multiple=False, host="127.0.0.1", port=1)
        assert [settings["sock"] for settings in served_settings[:2]] == [tcp, unix]
        assert served_settings[2]["sock"] is None
        served_settings.pop()
    finally:
        served_settings.clear()
        tcp.close()
        unix.close()


def test_two_sanic_workers_share_a_burst_of_new_connections() -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", TWO_WORKERS, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(port, server)
        assert listening_sockets(port) == 2
        clients = [
            socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CONNECTIONS)
        ]
        answered_by = Counter(answering_worker(client) for client in clients)
        for client in clients:
            client.close()
        assert len(answered_by) == 2, answered_by
        assert min(answered_by.values()) >= 5, answered_by
    finally:
        server.terminate()
        server.wait(timeout=30)


def listening_sockets(port: int) -> int:
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1 for row in rows if row.split()[1] == f"0100007F:{port:04X}" and row.split()[3] == "0A"
    )


def wait_until_answering(port: int, server: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
                answering_worker(client)
                return
        except OSError:
            assert server.poll() is None, "the two-worker server exited"
            assert time.monotonic() < deadline, "the two-worker server did not start"
            time.sleep(0.1)


def answering_worker(client: socket.socket) -> str:
    client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.split(b"\r\n\r\n", 1)[1]:
        chunk = client.recv(4096)
        if not chunk:
            raise ConnectionError("closed before answering")
        reply += chunk
    return reply.split(b"\r\n\r\n", 1)[1].decode()


def test_installing_is_harmless_twice_and_refused_when_sanic_has_changed(
    monkeypatch: pytest.MonkeyPatch, sanics_runners_back: None
) -> None:
    use_worker_sockets()
    use_worker_sockets()
    assert runners.serve is serve_on_own_socket and runners.bind_socket is reserve_address
    monkeypatch.setattr(runners, "serve", worker_sockets.SANICS_SERVE)
    monkeypatch.setattr(runners, "serve_multiple", lambda server_settings, workers: None)
    with pytest.raises(RuntimeError, match="serve_multiple has changed"):
        use_worker_sockets()
