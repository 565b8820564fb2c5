"""Context still holds at turn 1,000 of one conversation, and the store keeps every turn."""

import itertools
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

from backpain_assistant.channels.conversation_ids import conversation_id
from tests.support.chat import Chat, sources
from tests.support.long_conversation import SCRIPT

TURNS = 1000


def test_a_follow_up_at_turn_1000_gets_the_right_context(assistant: str, server_dir: Path) -> None:
    chat = Chat(assistant, "long")
    for message in itertools.islice(itertools.cycle(SCRIPT), TURNS - 2):
        chat.say(message)

    assert sources(chat.say("what are the side effects of trazodone")) == [
        {"article": "trazodone", "section": "recovery"}
    ]
    assert sources(chat.say("and antidepressants?")) == [
        {"article": "antidepressants", "section": "side_effects"}
    ]

    database = server_dir / f"conversations-{urlparse(assistant).port}.db"
    with sqlite3.connect(database) as connection:
        (user_turns,) = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
            (conversation_id("rest", chat.sender),),
        ).fetchone()
    assert user_turns == TURNS
