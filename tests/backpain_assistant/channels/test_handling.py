from types import SimpleNamespace
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from backpain_assistant.channels.handling import (
    NOTHING_SAID,
    UNAVAILABLE,
    CountsReplies,
    already_handled,
    handle,
    handle_or_apologise,
)
from backpain_assistant.tracker_stores.unavailable import ConversationStoreUnavailable


def message(output: Optional[Any] = None) -> UserMessage:
    return UserMessage("hi", output or CollectingOutputChannel(), "rest:me", input_channel="rest")


async def answered(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "hello"})


async def store_down(message: UserMessage) -> None:
    raise ConversationStoreUnavailable("OperationalError")


async def test_an_answered_message_is_no_error() -> None:
    assert await handle(answered, message()) is None


async def test_a_store_that_is_down_is_returned_not_raised() -> None:
    """ConversationStoreUnavailable is a BaseException (it must pass Rasa's fail-safe store)."""
    assert isinstance(await handle(store_down, message()), ConversationStoreUnavailable)


async def test_a_message_that_could_not_be_handled_is_apologised_for_in_the_chat() -> None:
    output = CollectingOutputChannel()
    assert await handle_or_apologise(store_down, message(output)) is False
    assert [m["text"] for m in output.messages] == [UNAVAILABLE]


async def test_an_apology_that_cannot_be_sent_is_logged_not_raised() -> None:
    class Unreachable(CollectingOutputChannel):
        async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
            raise ConnectionError("platform down")

    assert await handle_or_apologise(store_down, message(Unreachable())) is False


def agent_holding(events: List[Any], fail: bool = False) -> Any:
    async def retrieve(sender_id: str) -> Any:
        if fail:
            raise ConversationStoreUnavailable("down")
        return DialogueStateTracker.from_events(sender_id, events)

    return SimpleNamespace(tracker_store=SimpleNamespace(retrieve=retrieve))


async def test_a_redelivery_is_recognised_by_its_message_id() -> None:
    agent = agent_holding([UserUttered("hi", message_id="telegram-7")])
    assert await already_handled(agent, "telegram:1", "telegram-7")
    assert not await already_handled(agent, "telegram:1", "telegram-8")
    assert not await already_handled(agent, "telegram:1", None)
    assert not await already_handled(None, "telegram:1", "telegram-7")


async def test_when_the_store_is_down_a_redelivery_is_answered_rather_than_dropped() -> None:
    assert not await already_handled(agent_holding([], fail=True), "telegram:1", "telegram-7")


async def test_a_turn_that_produced_no_reply_still_gets_one() -> None:
    """Rasa's own intents typed as payloads (`/session_start`) produce no bot turn."""

    class Counting(CollectingOutputChannel, CountsReplies):
        async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
            self.count_reply()
            await super().send_response(recipient_id, message)

    async def silent(message: UserMessage) -> None:
        return None

    quiet, talkative = Counting(), Counting()
    assert await handle(silent, message(quiet)) is None
    assert [m["text"] for m in quiet.messages] == [NOTHING_SAID]
    assert await handle(answered, message(talkative)) is None
    assert [m["text"] for m in talkative.messages] == ["hello"]
