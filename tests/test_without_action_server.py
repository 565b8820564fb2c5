"""Safety must not depend on the action server: with it down, answers and warnings still arrive."""
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import MODEL
from tests.support import servers
from tests.support.chat import Chat, sources


@pytest.fixture(scope="module")
def assistant_without_actions(server_dir: Path) -> Iterator[str]:
    dead_action_server = f"http://127.0.0.1:{servers.free_port()}/webhook"
    with servers.rasa_server(server_dir, dead_action_server, MODEL) as url:
        yield url


def test_the_emergency_warning_still_arrives(assistant_without_actions: str) -> None:
    chat = Chat(assistant_without_actions)
    chat.say("hi")
    turns = chat.say("my husband took a whole bottle of xanax and won't wake up")
    assert turns[0]["metadata"] == {"kind": "red_flag", "red_flag": {"category": "overdose", "tier": "emergency"}}
    assert "emergency" in turns[0]["text"]


def test_answers_still_arrive(assistant_without_actions: str) -> None:
    chat = Chat(assistant_without_actions)
    chat.say("hi")
    assert sources(chat.say("does xanax help back pain?")) == [{"article": "xanax", "section": "conclusion"}]
