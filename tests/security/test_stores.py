"""The stores keep nothing longer than they should, and a server cannot release another's lock."""

import asyncio
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.lock_stores.atomic_redis import AtomicRedisLockStore
from backpain_assistant.tracker_stores.recent_turns import RecentTurnsSQLTrackerStore
from tests.conftest import ROOT


def conversation_at(sender: str, timestamp: float) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start", timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
        ActionExecuted("action_listen", timestamp=timestamp),
        UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=timestamp),
    ]
    return DialogueStateTracker.from_events(sender, events)


def stored_count(store: RecentTurnsSQLTrackerStore, sender: str) -> int:
    with store.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
        return connection.execute(query, {"s": sender}).scalar()


def test_expired_conversations_are_purged_on_a_timer_without_any_new_message(
    tmp_path: Path,
) -> None:
    store = RecentTurnsSQLTrackerStore(
        Domain.load(ROOT / "domain.yml"),
        retention_days=1,
        purge_interval_seconds=0.2,
        dialect="sqlite",
        db=str(tmp_path / "idle.db"),
    )
    idle = f"idle-{uuid.uuid4().hex}"
    # The save's own purge ran before the save: only the timer can delete it now.
    asyncio.run(store.save(conversation_at(idle, time.time() - 2 * 86400)))
    assert stored_count(store, idle) == 4
    deadline = time.monotonic() + 5
    while stored_count(store, idle) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored_count(store, idle) == 0


def test_a_server_whose_ticket_expired_cannot_finish_the_next_holders_ticket(
    redis_port: int,
) -> None:
    """Once a queue empties (its only ticket expired), numbering does not start again at 0."""
    config = EndpointConfig(url="127.0.0.1", port=redis_port, db=0)
    conversation, locks = f"c-{uuid.uuid4().hex}", AtomicRedisLockStore(config)
    expired = locks.issue_ticket(conversation, lock_lifetime=0.05)
    time.sleep(0.1)
    holder = locks.issue_ticket(conversation, lock_lifetime=30)
    assert holder != expired
    locks.finish_serving(conversation, expired)
    assert locks.get_lock(conversation).now_serving == holder, "the holder's ticket must survive"
