"""Rasa's Redis lock store, safe when several Rasa processes share it.

Rasa Open Source's `RedisLockStore` keeps each conversation's ticket queue in one Redis
key, but changes it with a separate read and write (issue a ticket, finish, clean up).
Two servers taking messages of one conversation at the same moment can both read the
queue before either writes it back: they get the same ticket, or one's ticket is
overwritten or its queue deleted, and both handle the conversation at once. (Rasa's fix,
a concurrent Redis lock store, is in Rasa Pro only.) Here every change to a queue is one
Lua script run inside Redis (`ticket_queue.lua`), which Redis runs with nothing else in
between, in one round trip; the queue is stored exactly as Rasa's `TicketLock` stores it.
Issuing a ticket also returns the queue, so a message whose ticket is served at once goes
on without asking again: two round trips a message (issue, finish) instead of Rasa's
seven or more. Waiting messages check the queue every `poll_seconds` instead of every
second.
"""

import json
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncGenerator, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.time_limits import STORE_SECONDS

DEFAULT_POLL_SECONDS = 0.02
ISSUED_COUNT_SUFFIX = ":issued"
TICKET_QUEUE_SCRIPT = (Path(__file__).parent / "ticket_queue.lua").read_text()


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        self.poll_seconds = float(settings.pop("poll_seconds", DEFAULT_POLL_SECONDS))
        # Rasa's default waits 10 s for each call (redis-py uses it for connecting too).
        settings.setdefault("socket_timeout", STORE_SECONDS)
        super().__init__(host=endpoint_config.url or "localhost", **settings)
        self._ticket_queue = self.red.register_script(TICKET_QUEUE_SCRIPT)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's `LockStore.lock`, without asking for the queue again when the new ticket is served at once."""
        wait = self.poll_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        ticket, queue = self._issue(conversation_id, lock_lifetime)
        try:
            if queue.is_locked(ticket):
                queue = await self._acquire_lock(conversation_id, ticket, wait)
            yield queue
        finally:
            self.cleanup(conversation_id, ticket)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue(conversation_id, lock_lifetime)[0]

    def update_lock(self, conversation_id: Text) -> None:
        self._change("expire", conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change("finish", conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes the ticket and deletes the queue if it is then empty, in one step."""
        self.finish_serving(conversation_id, ticket_number)

    def _issue(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, TicketLock]:
        try:
            ticket, stored = self._change("issue", conversation_id, lock_lifetime)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(ticket), TicketLock.from_dict(json.loads(stored))

    def _change(self, operation: Text, conversation_id: Text, argument: float = 0) -> Any:
        """Runs one operation of `ticket_queue.lua` on the conversation's queue."""
        key = self.key_prefix + conversation_id
        keys = [key, key + ISSUED_COUNT_SUFFIX]
        return self._ticket_queue(
            keys=keys, args=[operation, repr(time.time()), conversation_id, repr(argument)]
        )
