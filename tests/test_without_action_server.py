"""Safety must not depend on the action server: after it stops, answers and warnings still arrive."""

from pathlib import Path

from tests.conftest import MODEL
from tests.support import servers
from tests.support.chat import Chat, sources


def test_answers_and_the_emergency_warning_arrive_after_the_action_server_stops(
    server_dir: Path,
) -> None:
    action_server, action_url = servers.start_action_server(server_dir)
    try:
        with servers.rasa_server(server_dir, action_url, MODEL) as assistant:
            chat = Chat(assistant)
            chat.say("hi")
            assert (
                len(chat.say("my back hurts and I have a fever")) == 2
            ), "the warning, then the action's advice"

            action_server.stop()

            assert sources(chat.say("does xanax help back pain?")) == [
                {"article": "xanax", "section": "conclusion"}
            ]
            turns = chat.say("my husband took a whole bottle of xanax and won't wake up")
            assert turns[0]["metadata"] == {
                "kind": "red_flag",
                "red_flag": {"category": "overdose", "tier": "emergency"},
            }
            assert "emergency" in turns[0]["text"]
    finally:
        action_server.stop()
