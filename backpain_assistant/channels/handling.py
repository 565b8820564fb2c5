"""What every channel does with a message: hand it to Rasa, and find out whether that worked."""

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered

from backpain_assistant.log_privacy import pseudonym
from backpain_assistant.tracker_stores.unavailable import ConversationStoreUnavailable

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "The assistant could not handle this message just now. Please try again in a moment. "
    "If this is an emergency, call your local emergency number now."
)
UNAVAILABLE_RESPONSE = {"text": UNAVAILABLE, "metadata": {"kind": "error"}}
NOTHING_SAID = (
    "I have no reply to that. Ask me about trazodone, Xanax or antidepressants for back pain. "
    "If this is an emergency, call your local emergency number now."
)
NOTHING_SAID_RESPONSE = {"text": NOTHING_SAID, "metadata": {"kind": "out_of_scope"}}

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class CountsReplies:
    """An output channel that counts the bot turns it sends. Some turns produce none (Rasa's
    own intents typed as payloads, such as `/session_start`), and a person must never be met
    with silence."""

    replies_sent = 0

    def count_reply(self) -> None:
        self.replies_sent += 1


async def handle(on_new_message: OnNewMessage, message: UserMessage) -> Optional[BaseException]:
    """None when the message was answered, else the error (a store or lock down, a bug).

    The error's text is logged only at DEBUG: database errors quote the statement's
    parameters, which hold what the person wrote.
    """
    try:
        await on_new_message(message)
        await reply_if_silent(message)
    except (ConversationStoreUnavailable, CancelledError, Exception) as error:
        logger.error(
            "%s.message.failure conversation=%s error=%s",
            message.input_channel,
            pseudonym(message.sender_id),
            type(error).__name__,
        )
        logger.debug("message failure details", exc_info=error)
        return error
    return None


async def reply_if_silent(message: UserMessage) -> None:
    output = message.output_channel
    if isinstance(output, CountsReplies) and output.replies_sent == 0:
        await output.send_response(message.sender_id, dict(NOTHING_SAID_RESPONSE))


async def handle_or_apologise(on_new_message: OnNewMessage, message: UserMessage) -> bool:
    """For channels that cannot answer with an HTTP error: when the message could not be
    handled, the person is told so in the conversation. True when it was answered."""
    if await handle(on_new_message, message) is None:
        return True
    try:
        await message.output_channel.send_response(message.sender_id, dict(UNAVAILABLE_RESPONSE))
    except Exception as error:
        logger.error(
            "%s.apology.failure conversation=%s error=%s",
            message.input_channel,
            pseudonym(message.sender_id),
            type(error).__name__,
        )
    return False


async def already_handled(agent: Any, sender_id: Text, message_id: Optional[Text]) -> bool:
    """Whether the conversation already holds a user message with this id (a platform's
    redelivery of an update it thinks was lost)."""
    if not message_id or agent is None or agent.tracker_store is None:
        return False
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except (ConversationStoreUnavailable, Exception):
        return False
    if tracker is None:
        return False
    return any(isinstance(e, UserUttered) and e.message_id == message_id for e in tracker.events)
