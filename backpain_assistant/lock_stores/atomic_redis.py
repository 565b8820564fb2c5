"""Rasa's Redis lock store, safe when several Rasa processes share it.

Rasa Open Source's `RedisLockStore` keeps each conversation's ticket queue in one Redis
key, but changes it with a separate read and write (issue a ticket, finish, clean up).
Two servers taking messages of one conversation at the same moment can both read the
queue before either writes it back: they get the same ticket, or one's ticket is
overwritten or its queue deleted, and both handle the conversation at once. (Rasa's fix,
a concurrent Redis lock store, is in Rasa Pro only.) Here every change to a queue is one
optimistic Redis transaction (WATCH/MULTI), retried if another process changed the key
in between. Waiting messages check the queue every `poll_seconds` instead of every
second.
"""
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

DEFAULT_POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        self.poll_seconds = float(settings.pop("poll_seconds", DEFAULT_POLL_SECONDS))
        super().__init__(host=endpoint_config.url or "localhost", **settings)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        wait = self.poll_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        async with super().lock(conversation_id, lock_lifetime, wait) as ticket_lock:
            yield ticket_lock

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes the ticket and deletes the queue if it is then empty, in one step."""
        self.finish_serving(conversation_id, ticket_number)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], Any], create: bool = False) -> Any:
        """Applies `change` to the conversation's queue atomically; deletes a queue left empty."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            stored = pipe.get(key)
            if stored is None and not create:
                return None
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

