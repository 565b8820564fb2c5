"""How long a message waits for each service before the assistant gives up on it.

Rasa waits up to 300 s for the action server and 10 s for each Redis call, and a PostgreSQL
call that gets no answer waits for ever. A channel's or nginx's 60 s time-out fires first, so
the person gets nothing (not even a red-flag warning the domain had already produced), and
while a synchronous database call waits, every conversation of that process waits with it.

With these limits a service that hangs costs a message a few seconds: without the action
server's reply, Rasa carries on (the domain's warning has been sent); a conversation store that
does not answer becomes `ConversationStoreUnavailable`, which the channels answer with a 503
and `Retry-After` (or an apology in the chat).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, TypeVar

from backpain_assistant.rasa_speedups.source_checks import require_source

ACTION_SERVER_SECONDS = 5.0
STORE_SECONDS = 3.0
# Threads for the conversation store's database calls: a call stuck on a server that never
# answers holds one, and the others still serve (and time out) the next messages.
STORE_THREADS = 8

Result = TypeVar("Result")


class StoreTimedOut(Exception):
    """A database call did not finish within STORE_SECONDS."""


def limit_action_server_wait() -> None:
    import rasa.core.actions.action as rasa_actions

    require_source(
        rasa_actions.RemoteAction.run,
        "timeout=DEFAULT_REQUEST_TIMEOUT",
        message="Rasa's RemoteAction.run no longer reads DEFAULT_REQUEST_TIMEOUT: the action server wait cannot be limited",
    )
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = ACTION_SERVER_SECONDS


def postgresql_connect_args() -> Dict[str, Any]:
    """libpq's own limits: connecting (the whole handshake) and, on the server, each statement."""
    return {
        "connect_timeout": int(STORE_SECONDS),
        "options": f"-c statement_timeout={int(STORE_SECONDS * 1000)}",
    }


class BoundedCalls:
    """Runs blocking calls off the event loop and stops waiting for them after a limit."""

    def __init__(self, seconds: float = STORE_SECONDS, threads: int = STORE_THREADS):
        self.seconds = seconds
        self._threads: Optional[ThreadPoolExecutor] = None
        self._thread_count = threads

    async def run(self, call: Callable[..., Result], *args: Any) -> Result:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(self._thread_count, thread_name_prefix="store")
        future = asyncio.get_running_loop().run_in_executor(self._threads, call, *args)
        try:
            return await asyncio.wait_for(future, self.seconds)
        except asyncio.TimeoutError as error:
            raise StoreTimedOut(f"no answer within {self.seconds:g} s") from error
