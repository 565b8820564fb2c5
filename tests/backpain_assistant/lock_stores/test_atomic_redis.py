"""Several processes sharing the lock store must never handle one conversation at once."""
import asyncio
import threading
import time
import uuid
from typing import List, Tuple

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.lock_stores.atomic_redis import AtomicRedisLockStore

THREADS = 6


def store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=port, db=0, poll_seconds=0.001))


def in_threads(target, count: int = THREADS) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_tickets_are_all_different(redis_port: int) -> None:
    conversation, tickets = f"c-{uuid.uuid4().hex}", []

    def issue() -> None:
        own = store(redis_port)
        tickets.extend(own.issue_ticket(conversation) for _ in range(50))

    in_threads(issue)
    assert len(tickets) == THREADS * 50 and len(set(tickets)) == len(tickets)


def test_one_conversation_is_held_by_one_process_at_a_time(redis_port: int) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    held: List[Tuple[float, float]] = []

    async def hold_it_ten_times(own: AtomicRedisLockStore) -> None:
        for _ in range(10):
            async with own.lock(conversation):
                start = time.monotonic()
                time.sleep(0.002)
                held.append((start, time.monotonic()))

    in_threads(lambda: asyncio.run(hold_it_ten_times(store(redis_port))))

    spans = sorted(held)
    assert len(spans) == THREADS * 10
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])), "two holders at once"
    assert store(redis_port).get_lock(conversation) is None, "an empty queue is deleted"


def test_an_unreachable_redis_is_a_lock_error(redis_port: int) -> None:
    unreachable = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=1, db=0))
    with pytest.raises(LockError):
        unreachable.issue_ticket("someone")
