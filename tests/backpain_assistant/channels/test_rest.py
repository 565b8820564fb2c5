from backpain_assistant.channels.rest import MetadataCollectingOutputChannel


async def test_each_turn_keeps_its_text_whole_with_its_metadata() -> None:
    channel = MetadataCollectingOutputChannel()
    await channel.send_response(
        "me", {"text": "one\n\ntwo", "metadata": {"kind": "answer"}, "buttons": None}
    )
    await channel.send_response(
        "me",
        {
            "text": "pick",
            "buttons": [{"title": "a", "payload": "/a"}],
            "metadata": {"kind": "clarify"},
        },
    )
    assert channel.messages == [
        {"recipient_id": "me", "text": "one\n\ntwo", "metadata": {"kind": "answer"}},
        {
            "recipient_id": "me",
            "text": "pick",
            "buttons": [{"title": "a", "payload": "/a"}],
            "metadata": {"kind": "clarify"},
        },
    ]


async def test_a_turn_without_metadata_gets_an_empty_object() -> None:
    channel = MetadataCollectingOutputChannel()
    await channel.send_text_message("me", "plain")
    assert channel.messages == [{"recipient_id": "me", "text": "plain", "metadata": {}}]


def test_with_a_token_set_the_webhook_needs_it(channels_assistant) -> None:
    import requests

    from tests.support.channels import REST_TOKEN

    url, body = (
        f"{channels_assistant}/webhooks/rest/webhook",
        {"sender": "token-test", "message": "hi"},
    )
    assert requests.post(url, json=body, timeout=30).status_code == 401
    assert (
        requests.post(
            url, json=body, headers={"Authorization": "Bearer wrong"}, timeout=30
        ).status_code
        == 401
    )
    reply = requests.post(
        url, json=body, headers={"Authorization": f"Bearer {REST_TOKEN}"}, timeout=30
    )
    assert reply.status_code == 200 and reply.json()
