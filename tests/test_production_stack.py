"""The production profile (scripts/stack.sh): two Rasa servers behind nginx on PostgreSQL and
Redis. Conversations move between servers, survive faults and lose no answered turn.

The tests share one stack and run in order; the last one kills a Rasa server.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
import sqlalchemy as sa

from backpain_assistant.channels.conversation_ids import conversation_id
from tests.conftest import ROOT
from tests.support import servers
from tests.support.chat import sources

STACK = str(ROOT / "scripts" / "stack.sh")
REST_TOKEN = "production-stack-test-token"
AUTHORISED = {"Authorization": f"Bearer {REST_TOKEN}"}
REPORT = ROOT / "results" / "production_stack" / "report.json"
report: Dict[str, Any] = {}


@dataclass
class Stack:
    dir: Path
    url: str
    rasa_ports: List[int]
    db_port: int
    redis_port: int

    @property
    def servers(self) -> List[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def kill(self, process: str) -> None:
        os.kill(int((self.dir / "pids" / f"{process}.pid").read_text()), signal.SIGKILL)

    def kill_rasa_server(self, index: int) -> None:
        self.kill(f"rasa-{self.rasa_ports[index]}")

    def service(self, script: str, command: str, port: int = 0) -> None:
        name = script.split(".")[0]
        args = [str(ROOT / "scripts" / script), command, str(self.dir / name)] + (
            [str(port)] if port else []
        )
        subprocess.run(args, check=True, timeout=120)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # PostgreSQL runs as user postgres, which cannot enter pytest's private temporary folders.
    directory = Path(tempfile.mkdtemp(prefix="backpain-stack-"))
    directory.chmod(0o755)
    rasa_ports = [servers.free_port(), servers.free_port()]
    ports = {name: servers.free_port() for name in ("PORT", "ACTION_PORT", "DB_PORT", "REDIS_PORT")}
    env = servers.base_env(
        {
            "STACK_DIR": str(directory),
            "RASA_PORTS": " ".join(map(str, rasa_ports)),
            "REST_TOKEN": REST_TOKEN,
            # The load tests play many clients from one address (tests/security checks the limits).
            "CLIENT_RATE": "10000r/s",
            "CLIENT_BURST": "10000",
            "CLIENT_CONNECTIONS": "10000",
            **{name: str(port) for name, port in ports.items()},
        }
    )
    try:
        subprocess.run([STACK, "start"], check=True, env=env, timeout=600)
        yield Stack(
            directory,
            f"http://127.0.0.1:{ports['PORT']}",
            rasa_ports,
            ports["DB_PORT"],
            ports["REDIS_PORT"],
        )
    finally:
        subprocess.run([STACK, "stop"], env=env, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2))


def say(base_url: str, sender: str, text: str) -> Tuple[int, Any]:
    reply = requests.post(
        f"{base_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=AUTHORISED,
        timeout=60,
    )
    return reply.status_code, reply.json()


def stored(stack: Stack, sender: str) -> List[Tuple[str, Any, float]]:
    """The REST client's conversation's events in PostgreSQL: (type, action or user text, timestamp)."""
    engine = sa.create_engine(f"postgresql://postgres@127.0.0.1:{stack.db_port}/rasa")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT type_name, action_name, data, timestamp FROM events WHERE sender_id = :s ORDER BY id"
            ),
            {"s": conversation_id("rest", sender)},
        ).all()
    engine.dispose()
    return [
        (
            row.type_name,
            json.loads(row.data).get("text") if row.type_name == "user" else row.action_name,
            row.timestamp,
        )
        for row in rows
    ]


def user_texts(stack: Stack, sender: str) -> List[str]:
    return [text for kind, text, _ in stored(stack, sender) if kind == "user"]


def test_turns_alternating_between_two_servers_keep_context_and_order(stack: Stack) -> None:
    first, second = stack.servers
    turns = [
        (
            first,
            "does trazodone help back pain?",
            {"article": "trazodone", "section": "conclusion"},
        ),
        (second, "what are its side effects?", {"article": "trazodone", "section": "recovery"}),
        (first, "and Xanax?", {"article": "xanax", "section": "conclusion"}),
        (second, "how long does it take to work?", {"article": "xanax", "section": "recovery"}),
    ]
    for server, text, source in turns:
        status, reply = say(server, "alternating", text)
        assert status == 200 and sources(reply) == [source], (text, reply)
    assert user_texts(stack, "alternating") == [text for _, text, _ in turns]


def test_through_nginx_the_widget_connects_from_the_page_origin_only(stack: Stack) -> None:
    """nginx passes the Host header with its port, so the page's own Origin matches it."""
    import socketio

    page = socketio.Client(reconnection=False)
    page.connect(stack.url, transports=["polling"], wait_timeout=10, headers={"Origin": stack.url})
    assert page.connected
    threading.Thread(target=page.disconnect, daemon=True).start()
    elsewhere = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        elsewhere.connect(
            stack.url,
            transports=["polling"],
            wait_timeout=10,
            headers={"Origin": "https://attacker.example"},
        )


def test_the_rest_channel_needs_the_token(stack: Stack) -> None:
    assert (
        requests.post(
            f"{stack.url}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}, timeout=30
        ).status_code
        == 401
    )


def test_nginx_refuses_bodies_over_64_kb(stack: Stack) -> None:
    body = json.dumps({"sender": "large", "message": "x" * (70 * 1024)})
    reply = requests.post(
        f"{stack.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == 413


def test_concurrent_messages_to_one_conversation_are_handled_one_at_a_time(stack: Stack) -> None:
    """Each message's events (user message to next listen) must not overlap in time with another's."""
    messages = [f"does xanax help back pain? ({i})" for i in range(10)]
    with ThreadPoolExecutor(len(messages)) as pool:
        replies = list(pool.map(lambda text: say(stack.url, "concurrent", text), messages))
    assert all(status == 200 and reply for status, reply in replies), replies

    events = stored(stack, "concurrent")
    assert sorted(text for kind, text, _ in events if kind == "user") == sorted(messages)
    spans, start = [], None
    for kind, name, timestamp in events:
        if kind == "user":
            start = timestamp
        elif kind == "action" and name == "action_listen" and start is not None:
            spans.append((start, timestamp))
            start = None
    assert len(spans) == len(messages)
    overlaps = [(a, b) for a, b in zip(spans, spans[1:]) if b[0] < a[1]]
    assert not overlaps, "two servers handled this conversation at the same time"


@pytest.mark.parametrize(
    "service, script, port",
    [("postgresql", "postgres.sh", "db_port"), ("redis", "redis.sh", "redis_port")],
)
def test_a_restart_gives_a_clear_error_then_recovers_without_restarting_rasa(
    stack: Stack, service: str, script: str, port: str
) -> None:
    sender = f"{service}-restart"
    assert say(stack.url, sender, "does trazodone help back pain?")[0] == 200
    stack.service(script, "stop")
    try:
        status, reply = say(stack.url, sender, "what are its side effects?")
        assert status == 503 and "try again" in reply["error"]
    finally:
        stack.service(script, "start", getattr(stack, port))
    status, reply = say(stack.url, sender, "what are its side effects?")
    assert status == 200 and sources(reply) == [{"article": "trazodone", "section": "recovery"}]
    report[f"{service}_restart"] = (
        "503 with a retry message during the outage; the next message answered in context"
    )


def test_without_the_action_server_answers_and_emergency_warnings_still_arrive(
    stack: Stack,
) -> None:
    stack.kill("actions")
    status, reply = say(stack.url, "no-actions", "does xanax help back pain?")
    assert status == 200 and sources(reply) == [{"article": "xanax", "section": "conclusion"}]
    status, reply = say(
        stack.url, "no-actions", "my husband took a whole bottle of xanax and won't wake up"
    )
    assert status == 200
    assert reply[0]["metadata"] == {
        "kind": "red_flag",
        "red_flag": {"category": "overdose", "tier": "emergency"},
    }
    report["action_server_down"] = (
        "FAQ answers and the emergency warning (from the domain) still arrive"
    )


CONVERSATION = [
    "hi",
    "does trazodone help back pain?",
    "what are its side effects?",
    "and Xanax?",
    "tell me more",
    "how long does it take to work?",
    "is it addictive?",
    "what about antidepressants?",
    "thanks",
    "bye",
]


def converse_with_retries(
    stack: Stack, sender: str, answered: List[str], errors: List[int], waits: List[float]
) -> None:
    """A client that, like the chat widget, sends a message again after an error."""
    for text in CONVERSATION:
        started = time.monotonic()
        for _ in range(20):
            status, _ = say(stack.url, sender, text)
            if status == 200:
                answered.append(text)
                break
            errors.append(status)
            time.sleep(0.25)
        waits.append(time.monotonic() - started)


def test_killing_a_rasa_server_under_load_loses_no_answered_turn(stack: Stack) -> None:
    conversations = 16
    answered: Dict[str, List[str]] = {f"load-{i}": [] for i in range(conversations)}
    errors: List[int] = []
    waits: List[float] = []

    def kill_a_third_of_the_way_through() -> None:
        while sum(map(len, answered.values())) < conversations * len(CONVERSATION) // 3:
            time.sleep(0.01)
        stack.kill_rasa_server(0)

    killer = threading.Thread(target=kill_a_third_of_the_way_through)
    killer.start()
    with ThreadPoolExecutor(conversations) as pool:
        list(
            pool.map(
                lambda sender: converse_with_retries(
                    stack, sender, answered[sender], errors, waits
                ),
                answered,
            )
        )
    killer.join()

    lost = {
        sender: [t for t in texts if t not in user_texts(stack, sender)]
        for sender, texts in answered.items()
    }
    report["kill_one_server"] = {
        "conversations": conversations,
        "turns_answered": sum(map(len, answered.values())),
        "errors_seen_by_clients": len(errors),
        "error_statuses": sorted(set(errors)),
        "turns_lost": sum(map(len, lost.values())),
        "longest_wait_for_an_answer_seconds": round(max(waits), 1),
    }
    assert not any(lost.values()), lost
    assert all(
        texts == CONVERSATION for texts in answered.values()
    ), "the other server did not carry on"
    assert all(status in (502, 503) for status in errors), errors
    for sender in answered:
        stored_texts = user_texts(stack, sender)
        assert [t for t in stored_texts if t in CONVERSATION] == stored_texts
        assert (
            sorted(set(stored_texts), key=stored_texts.index) == CONVERSATION
        ), "turns stored out of order"
