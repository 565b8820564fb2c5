"""A service that accepts connections and never answers costs a message seconds, not the
conversation: the person gets the domain's red-flag warning, or a 503 with Retry-After, within
10 s, and the assistant recovers once the service answers again."""

import time
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
import requests

from tests.conftest import MODEL
from tests.support import servers
from tests.support.hanging_services import HangingProxy

DEADLINE_SECONDS = 10
EMERGENCY = "since this morning I can't control my bladder and my back is killing me"


def timed_post(base_url: str, sender: str, text: str) -> Tuple[requests.Response, float]:
    start = time.monotonic()
    reply = requests.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    return reply, time.monotonic() - start


@pytest.fixture(scope="module")
def silent_action_server() -> Iterator[HangingProxy]:
    silent = HangingProxy()
    yield silent
    silent.close()


def test_with_a_silent_action_server_the_warning_still_arrives_in_time(
    server_dir: Path, silent_action_server: HangingProxy
) -> None:
    with servers.rasa_server(server_dir, f"{silent_action_server.url}/webhook", MODEL) as url:
        reply, seconds = timed_post(url, "silent-actions", EMERGENCY)
    assert reply.status_code == 200 and seconds < DEADLINE_SECONDS, seconds
    turns = reply.json()
    assert turns[0]["metadata"]["red_flag"] == {"category": "cauda_equina", "tier": "emergency"}
    assert "emergency" in turns[0]["text"].lower()


@pytest.fixture(scope="module")
def proxied_stores(postgres: Dict[str, Any], redis_port: int) -> Iterator[Dict[str, HangingProxy]]:
    proxies = {
        "tracker_store": HangingProxy(int(postgres["port"])),
        "lock_store": HangingProxy(redis_port),
    }
    yield proxies
    for proxy in proxies.values():
        proxy.close()


@pytest.fixture(scope="module")
def assistant_on_proxied_stores(
    server_dir: Path,
    action_url: str,
    postgres: Dict[str, Any],
    proxied_stores: Dict[str, HangingProxy],
) -> Iterator[str]:
    base = servers.endpoints_for(action_url, server_dir / "unused.db")["tracker_store"]
    stores = {
        "tracker_store": {
            **base,
            "dialect": "postgresql",
            "url": "127.0.0.1",
            "db": postgres["db"],
            "username": postgres["username"],
            "port": proxied_stores["tracker_store"].port,
        },
        "lock_store": {
            "type": "backpain_assistant.lock_stores.atomic_redis.AtomicRedisLockStore",
            "url": "127.0.0.1",
            "port": proxied_stores["lock_store"].port,
            "db": 3,
        },
    }
    with servers.rasa_server(server_dir, action_url, MODEL, stores=stores) as url:
        yield url


@pytest.mark.parametrize("store", ["tracker_store", "lock_store"])
def test_a_store_that_stops_answering_gives_a_503_in_time_then_recovers(
    assistant_on_proxied_stores: str, proxied_stores: Dict[str, HangingProxy], store: str
) -> None:
    sender = f"hanging-{store}"
    assert (
        timed_post(assistant_on_proxied_stores, sender, "does xanax help back pain?")[0].status_code
        == 200
    )
    proxied_stores[store].hang()
    try:
        reply, seconds = timed_post(
            assistant_on_proxied_stores, sender, "what are its side effects?"
        )
    finally:
        proxied_stores[store].resume()
    assert reply.status_code == 503 and reply.headers["Retry-After"], reply.text
    assert seconds < DEADLINE_SECONDS, seconds
    again, _ = timed_post(assistant_on_proxied_stores, sender, "what are its side effects?")
    assert again.status_code == 200
    assert any(
        turn["metadata"].get("kind") == "answer" for turn in again.json()
    ), "the conversation kept its context"
