"""Turns take slots first come, first served; a turn back from a slow call goes before new ones."""

import asyncio
from typing import Any, Awaitable, Callable, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.rasa_speedups import turn_slots
from backpain_assistant.rasa_speedups.turn_slots import (
    TurnSlots,
    in_a_turn,
    use_turn_slots,
    waiting,
)

Log = List[str]


@pytest.fixture
def one_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turn_slots, "SLOTS", 1)
    monkeypatch.setattr(turn_slots, "_slots", {})


@pytest.fixture
def slots_given_up_after_10_ms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turn_slots, "KEEP_SLOT_WHILE_WAITING_S", 0.01)


def turn(log: Log, name: str, body: Callable[[], Awaitable[Any]]) -> "asyncio.Task[None]":
    async def handle() -> None:
        log.append(f"{name} starts")
        await body()
        log.append(f"{name} ends")

    return asyncio.ensure_future(in_a_turn(handle))


async def test_slots_go_to_returning_turns_first_then_new_ones_in_order() -> None:
    slots = TurnSlots(1)
    await slots.acquire()
    served: List[str] = []

    async def wait(name: str, returning: bool) -> None:
        await slots.acquire(returning=returning)
        served.append(name)

    waiters = [
        asyncio.ensure_future(wait(name, name.startswith("back")))
        for name in ("new 1", "back 1", "new 2", "back 2")
    ]
    await asyncio.sleep(0)
    for _ in waiters:
        slots.release()
        await asyncio.sleep(0)
    assert served == ["back 1", "back 2", "new 1", "new 2"]
    await asyncio.gather(*waiters)


async def test_a_new_turn_waits_when_a_free_slot_is_owed_to_a_returning_one() -> None:
    slots = TurnSlots(1)
    await slots.acquire()
    back = asyncio.ensure_future(slots.acquire(returning=True))
    await asyncio.sleep(0)
    slots.release()
    new = asyncio.ensure_future(slots.acquire())
    await asyncio.sleep(0)
    assert back.done() and not new.done()
    slots.release()
    await new


async def test_a_waiter_cancelled_as_it_is_handed_the_slot_passes_it_on() -> None:
    slots = TurnSlots(1)
    await slots.acquire()
    first = asyncio.ensure_future(slots.acquire())
    second = asyncio.ensure_future(slots.acquire())
    await asyncio.sleep(0)
    slots.release()  # hands the slot to `first`...
    first.cancel()  # ...which is cancelled before it runs
    await asyncio.wait_for(second, timeout=1)
    assert first.cancelled()
    slots.release()
    assert slots.free == 1


async def test_a_quick_call_keeps_the_slot(one_slot: None) -> None:
    log: Log = []
    first = turn(log, "A", lambda: waiting(asyncio.sleep(turn_slots.KEEP_SLOT_WHILE_WAITING_S / 5)))
    await asyncio.sleep(0)
    second = turn(log, "B", lambda: asyncio.sleep(0))
    await asyncio.gather(first, second)
    assert log == ["A starts", "A ends", "B starts", "B ends"]


async def test_a_slow_call_lets_new_turns_run_and_its_turn_comes_back_before_newer_ones(
    one_slot: None, slots_given_up_after_10_ms: None
) -> None:
    log: Log = []
    reply = asyncio.get_running_loop().create_future()
    b_may_end = asyncio.Event()

    async def b_body() -> None:
        reply.set_result("the action server's reply")  # A's call returns while B holds the slot
        await asyncio.sleep(0)
        turn(log, "C", lambda: asyncio.sleep(0))  # a new turn arrives too
        await b_may_end.wait()  # not a call through `waiting`: B keeps its slot

    a = turn(log, "A", lambda: waiting(reply))
    await asyncio.sleep(0.05)  # A gave its slot up
    b = turn(log, "B", b_body)
    await asyncio.sleep(0.01)
    assert log == ["A starts", "B starts"]
    b_may_end.set()
    await asyncio.gather(a, b)
    await asyncio.sleep(0.01)
    assert log == ["A starts", "B starts", "B ends", "A ends", "C starts", "C ends"]


async def test_a_cancelled_turn_gives_its_slot_back(
    one_slot: None, slots_given_up_after_10_ms: None
) -> None:
    never = asyncio.get_running_loop().create_future()
    log: Log = []
    holding = turn(log, "holding", lambda: asyncio.sleep(3600))
    given_up = turn(log, "slow call", lambda: waiting(never))
    await asyncio.sleep(0.01)
    holding.cancel()
    await asyncio.sleep(0.05)
    given_up.cancel()
    last = turn(log, "next", lambda: asyncio.sleep(0))
    await asyncio.wait_for(last, timeout=1)
    assert log == ["holding starts", "slow call starts", "next starts", "next ends"]
    assert turn_slots.slots_of_this_loop().free == 1


async def test_outside_a_turn_calls_are_awaited_as_they_are() -> None:
    assert await waiting(asyncio.sleep(0, result="reply")) == "reply"


async def test_rasas_processor_runs_its_messages_in_turns(
    monkeypatch: pytest.MonkeyPatch, one_slot: None
) -> None:
    for name in ("handle_message", "_send_bot_messages"):
        monkeypatch.setattr(MessageProcessor, name, MessageProcessor.__dict__[name])
    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    seen: List[Any] = []

    async def rasas_handle_message(processor: Any, message: Any) -> str:
        seen.append(turn_slots._current_turn.get())
        await MessageProcessor._send_bot_messages(
            [BotUttered("hello")], DialogueStateTracker("me", []), output
        )
        return "handled"

    monkeypatch.setattr(turn_slots, "RASAS_HANDLE_MESSAGE", rasas_handle_message)
    output = CollectingOutputChannel()
    use_turn_slots()
    use_turn_slots()  # a second install is harmless

    assert await MessageProcessor.handle_message(object(), "message") == "handled"  # type: ignore[arg-type]
    assert isinstance(seen[0], turn_slots.Turn)
    assert output.messages == [{"recipient_id": "me", "text": "hello"}]
    assert MessageProcessor._send_bot_messages.__wrapped__ is turn_slots.RASAS_SEND_BOT_MESSAGES
    assert EndpointConfig.request.__wrapped__ is turn_slots.RASAS_REQUEST
    assert turn_slots.slots_of_this_loop().free == 1


async def test_installing_fails_loudly_when_rasas_sending_has_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        MessageProcessor, "handle_message", MessageProcessor.__dict__["handle_message"]
    )

    async def sends_elsewhere(events: Any, tracker: Any, output_channel: Any) -> None:
        return None

    monkeypatch.setattr(MessageProcessor, "_send_bot_messages", staticmethod(sends_elsewhere))
    with pytest.raises(RuntimeError, match="_send_bot_messages has changed"):
        use_turn_slots()


async def test_a_task_started_during_a_turn_does_not_give_the_turns_slot_away(
    one_slot: None, slots_given_up_after_10_ms: None
) -> None:
    log: Log = []
    never = asyncio.get_running_loop().create_future()
    spawned: List["asyncio.Task[Any]"] = []

    async def body() -> None:
        spawned.append(asyncio.ensure_future(waiting(never)))  # copies the turn into its context
        await asyncio.sleep(0.05)  # the turn keeps its slot

    first = turn(log, "A", body)
    await asyncio.sleep(0)
    second = turn(log, "B", lambda: asyncio.sleep(0))
    await asyncio.gather(first, second)
    assert log == ["A starts", "A ends", "B starts", "B ends"]
    spawned[0].cancel()
    assert turn_slots.slots_of_this_loop().free == 1
