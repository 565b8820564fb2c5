
from backpain_assistant.channels.rest import MetadataCollectingOutputChannel


async def test_each_turn_keeps_its_text_whole_with_its_metadata() -> None:
    channel = MetadataCollectingOutputChannel()
    await channel.send_response("me", {"text": "one\n\ntwo", "metadata": {"kind": "answer"}, "buttons": None})
    await channel.send_response(
        "me", {"text": "pick", "buttons": [{"title": "a", "payload": "/a"}], "metadata": {"kind": "clarify"}}
    )
    assert channel.messages == [
        {"recipient_id": "me", "text": "one\n\ntwo", "metadata": {"kind": "answer"}},
        {"recipient_id": "me", "text": "pick", "buttons": [{"title": "a", "payload": "/a"}], "metadata": {"kind": "clarify"}},
    ]


async def test_a_turn_without_metadata_gets_an_empty_object() -> None:
    channel = MetadataCollectingOutputChannel()
    await channel.send_text_message("me", "plain")
    assert channel.messages == [{"recipient_id": "me", "text": "plain", "metadata": {}}]
