"""The same short conversation (a question, a follow-up, a red flag) through REST, socket.io,
Slack and Telegram: the same answers, citations and escalation arrive on each."""

from typing import Callable, Dict, Iterator, List

import pytest
import requests

from tests.support.channels import REST_TOKEN, SlackUser, TelegramUser, WidgetUser

CONVERSATION = [
    ("does trazodone help back pain?", "Source: trazodone article, Conclusion"),
    ("and xanax?", "Source: Xanax article, Conclusion"),
    ("my dad took a whole bottle of xanax and won't wake up", "overdose"),
]
Say = Callable[[str], str]


def rest_channel(base_url: str, standins) -> Iterator[Say]:
    def say(text: str) -> str:
        reply = requests.post(
            f"{base_url}/webhooks/rest/webhook",
            json={"sender": "parity-rest", "message": text},
            headers={"Authorization": f"Bearer {REST_TOKEN}"},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        return "\n".join(turn["text"] for turn in reply.json())

    yield say


def widget_channel(base_url: str, standins) -> Iterator[Say]:
    user = WidgetUser(base_url)
    yield lambda text: "\n".join(turn["text"] for turn in user.say(text))
    user.close()


def slack_channel(base_url: str, standins) -> Iterator[Say]:
    user = SlackUser(base_url, standins.slack_api)
    yield lambda text: "\n".join(post["text"] for post in user.say(text))


def telegram_channel(base_url: str, standins) -> Iterator[Say]:
    user = TelegramUser(base_url, standins.telegram_api)
    yield lambda text: "\n".join(post["text"] for post in user.say(text))


CHANNELS: Dict[str, Callable[..., Iterator[Say]]] = {
    "rest": rest_channel,
    "socketio": widget_channel,
    "slack": slack_channel,
    "telegram": telegram_channel,
}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_the_same_conversation_on_every_channel(
    channel: str, channels_assistant: str, channel_standins
) -> None:
    replies: List[str] = []
    for say in CHANNELS[channel](channels_assistant, channel_standins):
        replies = [say(text) for text, _ in CONVERSATION]
    for (text, expected), reply in zip(CONVERSATION, replies):
        assert expected in reply, f"{channel}: {text!r} got {reply!r}"
    escalation = replies[-1].lower()
    assert "poison" in escalation and "emergency" in escalation, replies[-1]
