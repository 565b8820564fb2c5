"""Conversations belong to whoever started them: a Telegram chat id or a Slack user id (neither
is secret) used as a widget session id or a REST sender reaches nobody's conversation."""

import json
from typing import Any, Dict, List

import requests

from backpain_assistant.channels.conversation_ids import is_issued_session_id, issue_session_id
from backpain_assistant.channels.socketio import NO_SESSION
from tests.support.channels import REST_TOKEN, SlackUser, TelegramUser, WidgetUser

FOLLOW_UP = "what are its side effects?"


def rest_say(base_url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    reply = requests.post(
        f"{base_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers={"Authorization": f"Bearer {REST_TOKEN}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def mentions_trazodone(turns: List[Dict[str, Any]]) -> bool:
    return any("trazodone" in json.dumps(turn.get("metadata", {})) for turn in turns)


def telegram_conversation_about_trazodone(base_url: str, standins) -> TelegramUser:
    telegram = TelegramUser(base_url, standins.telegram_api)
    assert any(
        "trazodone" in post["text"].lower()
        for post in telegram.say("does trazodone help back pain?")
    )
    return telegram


def test_a_widget_that_names_a_telegram_chat_gets_a_new_session(
    channels_assistant: str, channel_standins
) -> None:
    telegram = telegram_conversation_about_trazodone(channels_assistant, channel_standins)
    widget = WidgetUser(channels_assistant, session_id=str(telegram.chat_id))
    try:
        assert widget.session_id != str(telegram.chat_id) and is_issued_session_id(
            widget.session_id
        )
        assert not mentions_trazodone(widget.say(FOLLOW_UP)), "the Telegram chat's context leaked"
        widget.say("forget me")
        widget.say("yes")
    finally:
        widget.close()
    assert any(
        "trazodone" in post["text"].lower() for post in telegram.say(FOLLOW_UP)
    ), "Telegram's conversation must survive"


def test_a_widget_message_naming_a_telegram_chat_is_refused(
    channels_assistant: str, channel_standins
) -> None:
    telegram = telegram_conversation_about_trazodone(channels_assistant, channel_standins)
    widget = WidgetUser(channels_assistant, session_id=str(telegram.chat_id), request_session=False)
    try:
        assert [t["text"] for t in widget.say(FOLLOW_UP)] == [NO_SESSION]
    finally:
        widget.close()


def test_a_rest_sender_that_names_a_telegram_chat_or_slack_user_starts_its_own_conversation(
    channels_assistant: str, channel_standins
) -> None:
    telegram = telegram_conversation_about_trazodone(channels_assistant, channel_standins)
    slack = SlackUser(channels_assistant, channel_standins.slack_api)
    slack.say("does trazodone help back pain?")
    for sender in (
        str(telegram.chat_id),
        slack.user,
        f"telegram:{telegram.chat_id}",
        f"slack:{slack.user}",
    ):
        turns = rest_say(channels_assistant, sender, FOLLOW_UP)
        assert not mentions_trazodone(turns), sender
        assert turns[0]["recipient_id"] == sender


def test_a_made_up_or_altered_session_id_is_not_resumed(channels_assistant: str) -> None:
    first = WidgetUser(channels_assistant)
    first.say("does trazodone help back pain?")
    first.close()
    random_part, tag = first.session_id.split(".")
    for forged in (
        f"{random_part}.{'0' * len(tag)}",
        f"{'f' * len(random_part)}.{tag}",
        random_part,
    ):
        widget = WidgetUser(channels_assistant, session_id=forged)
        try:
            assert widget.session_id != forged and widget.session_id != first.session_id
        finally:
            widget.close()
    resumed = WidgetUser(channels_assistant, session_id=first.session_id)
    try:
        assert resumed.session_id == first.session_id
        assert mentions_trazodone(resumed.say(FOLLOW_UP))
    finally:
        resumed.close()


def test_issued_session_ids_carry_128_random_bits_and_a_tag() -> None:
    ids = {issue_session_id() for _ in range(1_000)}
    assert len(ids) == 1_000
    random_part, tag = next(iter(ids)).split(".")
    assert len(bytes.fromhex(random_part)) * 8 == 128 and len(tag) == 32
    assert all(is_issued_session_id(i) for i in ids)
    assert not any(
        is_issued_session_id(x)
        for x in (None, 42, "", "a.b", "é" * 32 + "." + tag, random_part + "." + tag.upper())
    )
