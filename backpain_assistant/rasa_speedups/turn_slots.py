"""A turn that has started finishes before many new ones start: a few turn slots per process.

Rasa lets a process work on every message it has received at once. A turn that waits for the
action server (the red-flag escalation) is put back at the end of the event loop's queue when
the reply comes, behind every message that arrived meanwhile: with 32 conversations it waited
its turn twice and took three times as long as any other, and set the p95.

`use_turn_slots` makes `MessageProcessor.handle_message` (inside the conversation's lock, so a
message waiting for its conversation holds no slot) take one of `SLOTS` slots of its process,
first come, first served. A turn keeps its slot while it waits for the action server or an
output channel for up to `KEEP_SLOT_WHILE_WAITING_S`: a quick call resumes at once. A slower
one gives the slot up, so a slow action server or chat platform does not hold up other
conversations; the turn takes a slot back before any new turn when its call returns.
"""

import asyncio
import contextvars
import functools
from collections import deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, TypeVar

from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.rasa_speedups.event_loops import pop_closed_loops
from backpain_assistant.rasa_speedups.source_checks import require_source

SLOTS = 2
KEEP_SLOT_WHILE_WAITING_S = 0.05

T = TypeVar("T")


class TurnSlots:
    """A semaphore whose returning turns (`returning=True`) are served before new ones."""

    def __init__(self, size: int) -> None:
        self.free = size
        self._returning: Deque[asyncio.Future] = deque()
        self._new: Deque[asyncio.Future] = deque()

    def _can_take(self, returning: bool) -> bool:
        return self.free > 0 and not self._returning and (returning or not self._new)

    async def acquire(self, returning: bool = False) -> None:
        if self._can_take(returning):
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        (self._returning if returning else self._new).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a slot as it was cancelled
                self.release()
            raise

    def release(self) -> None:
        """Hands the slot straight to the next waiter, returning turns first."""
        for queue in (self._returning, self._new):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self.free += 1


class Turn:
    """One message's hold on a slot, for the task handling the message (a task started during
    the turn sees the turn in its copied context, but does not act for it)."""

    def __init__(self, slots: TurnSlots) -> None:
        self.slots = slots
        self.holds_slot = False
        self.task = asyncio.current_task()

    async def start(self) -> None:
        await self.slots.acquire()
        self.holds_slot = True

    def give_up_slot(self) -> None:
        if self.holds_slot:
            self.holds_slot = False
            self.slots.release()

    async def take_slot_back(self) -> None:
        await self.slots.acquire(returning=True)
        self.holds_slot = True


_slots: Dict[asyncio.AbstractEventLoop, TurnSlots] = {}
_current_turn: contextvars.ContextVar[Optional[Turn]] = contextvars.ContextVar("turn", default=None)


def slots_of_this_loop() -> TurnSlots:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        pop_closed_loops(_slots)
        _slots[loop] = TurnSlots(SLOTS)
    return _slots[loop]


async def in_a_turn(handle: Callable[[], Awaitable[T]]) -> T:
    turn = Turn(slots_of_this_loop())
    await turn.start()
    token = _current_turn.set(turn)
    try:
        return await handle()
    finally:
        _current_turn.reset(token)
        turn.give_up_slot()


async def waiting(call: Awaitable[T]) -> T:
    """Awaits `call`, keeping the turn's slot for a while and giving it up if the call is slow."""
    turn = _current_turn.get()
    if turn is None or turn.task is not asyncio.current_task() or not turn.holds_slot:
        return await call
    timer = asyncio.get_running_loop().call_later(KEEP_SLOT_WHILE_WAITING_S, turn.give_up_slot)
    try:
        return await call
    finally:
        timer.cancel()
        if not turn.holds_slot:
            await turn.take_slot_back()


RASAS_HANDLE_MESSAGE = MessageProcessor.handle_message
RASAS_SEND_BOT_MESSAGES = MessageProcessor._send_bot_messages
RASAS_REQUEST = EndpointConfig.request


@functools.wraps(RASAS_HANDLE_MESSAGE)
async def handle_message(processor: MessageProcessor, message: Any) -> Any:
    return await in_a_turn(lambda: RASAS_HANDLE_MESSAGE(processor, message))


@functools.wraps(RASAS_SEND_BOT_MESSAGES)
async def send_bot_messages(*args: Any, **kwargs: Any) -> None:
    await waiting(RASAS_SEND_BOT_MESSAGES(*args, **kwargs))


@functools.wraps(RASAS_REQUEST)
async def request(endpoint: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
    return await waiting(RASAS_REQUEST(endpoint, *args, **kwargs))


def use_turn_slots() -> None:
    if MessageProcessor.handle_message is handle_message:
        return
    changed = "MessageProcessor._send_bot_messages has changed in this Rasa version; review rasa_speedups.turn_slots."
    method = MessageProcessor.__dict__.get("_send_bot_messages")
    if not isinstance(method, staticmethod):
        raise RuntimeError(changed)
    require_source(method.__func__, "output_channel.send_response", message=changed)
    MessageProcessor.handle_message = handle_message
    MessageProcessor._send_bot_messages = staticmethod(send_bot_messages)
    EndpointConfig.request = request
