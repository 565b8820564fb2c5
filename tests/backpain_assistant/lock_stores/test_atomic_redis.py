"""Several processes sharing the lock store must never handle one conversation at once."""

import asyncio
import threading
import time
import uuid
from collections import deque
from typing import List, Tuple

import pytest
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.lock_stores.atomic_redis import AtomicRedisLockStore

THREADS = 6


def store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(
        EndpointConfig(url="127.0.0.1", port=port, db=0, poll_seconds=0.001)
    )


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
    assert all(
        earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])
    ), "two holders at once"
    assert store(redis_port).get_lock(conversation) is None, "an empty queue is deleted"


def test_an_unreachable_redis_is_a_lock_error(redis_port: int) -> None:
    unreachable = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=1, db=0))
    with pytest.raises(LockError):
        unreachable.issue_ticket("someone")


def test_queues_are_stored_as_rasas_ticket_lock_stores_them(redis_port: int) -> None:
    conversation, ours = f"c-{uuid.uuid4().hex}", store(redis_port)
    rasas = RedisLockStore(host="127.0.0.1", port=redis_port, db=0)
    expired, live = Ticket(4, time.time() - 1), Ticket(5, time.time() + 60)
    rasas.save_lock(TicketLock(conversation, deque([expired, live])))

    assert ours.issue_ticket(conversation, lock_lifetime=30) == 6
    queue = rasas.get_lock(conversation)
    assert queue.conversation_id == conversation
    assert [ticket.number for ticket in queue.tickets] == [5, 6], "the expired ticket is dropped"
    assert queue.tickets[0].expires == pytest.approx(live.expires, abs=1e-3)
    assert queue.tickets[1].expires == pytest.approx(time.time() + 30, abs=1)

    ours.finish_serving(conversation, 5)
    assert [ticket.number for ticket in rasas.get_lock(conversation).tickets] == [6]
    ours.cleanup(conversation, 6)
    assert rasas.get_lock(conversation) is None, "an empty queue is deleted"
    ours.update_lock(conversation)
    assert rasas.get_lock(conversation) is None, "nothing is created for a queue that is gone"


def test_a_ticket_left_by_a_dead_process_expires(redis_port: int) -> None:
    conversation, ours = f"c-{uuid.uuid4().hex}", store(redis_port)
    assert ours.issue_ticket(conversation, lock_lifetime=0.05) == 0  # never finished
    time.sleep(0.1)

    async def held() -> List[int]:
        async with ours.lock(conversation) as queue:
            return [ticket.number for ticket in queue.tickets]

    assert asyncio.run(asyncio.wait_for(held(), timeout=1)) == [
        1
    ], "served at once, the dead ticket gone"
    assert ours.get_lock(conversation) is None


def test_a_message_served_at_once_costs_two_round_trips(
    redis_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation, ours = f"c-{uuid.uuid4().hex}", store(redis_port)

    async def hold() -> None:
        async with ours.lock(conversation):
            pass

    asyncio.run(hold())  # loads the script into Redis
    sent: List[str] = []
    send = ours.red.execute_command
    monkeypatch.setattr(
        ours.red,
        "execute_command",
        lambda *args, **options: sent.append(args[0]) or send(*args, **options),
    )
    asyncio.run(hold())
    assert sent == ["EVALSHA", "EVALSHA"]
