"""Privacy with the running assistant: "forget me" deletes the conversation; logs never hold what people wrote."""

import sqlite3
import uuid
from pathlib import Path
from typing import List

from backpain_assistant.channels.conversation_ids import conversation_id
from tests.support import servers
from tests.support.chat import Chat


def stored_user_messages(database: Path, sender: str) -> List[str]:
    """What the REST client `sender` wrote, as stored."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT json_extract(data, '$.text') FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (conversation_id("rest", sender),),
        )
        return [text for (text,) in rows]


def test_forget_me_asks_first_then_deletes_the_whole_conversation(
    assistant: str, server_dir: Path
) -> None:
    database = servers.database_of(server_dir, assistant)
    chat, bystander = Chat(assistant, "forget"), Chat(assistant, "bystander")
    chat.say("does trazodone help back pain?")
    bystander.say("does xanax help back pain?")

    [question] = chat.say("please delete my data")
    assert question["metadata"] == {"kind": "privacy"} and "can't be undone" in question["text"]
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]
    assert (
        len(stored_user_messages(database, chat.sender)) == 2
    ), "nothing is deleted before the person confirms"

    [done] = chat.say("yes")
    assert done["metadata"] == {"kind": "privacy", "forgotten": True} and "deleted" in done["text"]
    assert stored_user_messages(database, chat.sender) == []
    assert stored_user_messages(database, bystander.sender) == ["does xanax help back pain?"]

    assert chat.kinds("what are its side effects?") == [
        "greeting",
        "clarify",
    ], "a new conversation, no memory of trazodone"
    assert stored_user_messages(database, chat.sender) == ["what are its side effects?"]


def test_saying_no_keeps_the_conversation(assistant: str, server_dir: Path) -> None:
    database = servers.database_of(server_dir, assistant)
    chat = Chat(assistant, "keep")
    chat.say("does trazodone help back pain?")
    chat.say("forget me")
    [kept] = chat.say("no, keep it")
    assert kept["metadata"] == {"kind": "privacy"} and "nothing was deleted" in kept["text"]
    assert len(stored_user_messages(database, chat.sender)) == 3
    assert chat.kinds("what are its side effects?") == ["answer"], "the conversation goes on"


def test_a_yes_out_of_the_blue_deletes_nothing(assistant: str, server_dir: Path) -> None:
    chat = Chat(assistant, "blue")
    chat.say("does xanax help back pain?")
    chat.say("yes")
    assert len(stored_user_messages(servers.database_of(server_dir, assistant), chat.sender)) == 2


def test_logs_never_contain_what_people_wrote(
    assistant: str, server_dir: Path, action_url: str
) -> None:
    marker = f"zq{uuid.uuid4().hex[:10]}"
    chat = Chat(assistant, "logs")
    for message in (
        f"does trazodone help back pain {marker}?",
        f"my back hurts and I have a fever {marker}",
        f"I want to end my life {marker}",
        f"{marker}",
    ):
        chat.say(message)
    for log in (
        servers.log_of(server_dir, assistant),
        servers.log_of(server_dir, action_url, "actions"),
    ):
        text = log.read_text()
        assert text, f"{log} is empty: the check would prove nothing"
        assert marker not in text, f"{log} contains a message's text"
