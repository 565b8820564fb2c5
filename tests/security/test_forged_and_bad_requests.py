"""Bad input and forged requests against a running assistant with every channel on: each gets a
clear 4xx, never a 500, and nothing a person wrote reaches the logs."""

import json
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import servers
from tests.support.channels import REST_TOKEN, SlackUser, TelegramUser, WidgetUser

AUTHORISED = {"Authorization": f"Bearer {REST_TOKEN}"}


def rest_post(
    base_url: str, data: bytes, content_type: str = "application/json"
) -> requests.Response:
    headers = {**AUTHORISED, "Content-Type": content_type}
    return requests.post(
        f"{base_url}/webhooks/rest/webhook", data=data, headers=headers, timeout=30
    )


def nested_json(depth: int) -> str:
    """Written out by hand: `json.dumps` itself fails on values this deep."""
    return '{"inner": ' * depth + '"leaf"' + "}" * depth


def test_metadata_nested_a_thousand_deep_is_a_400_not_a_500(channels_assistant: str) -> None:
    body = (
        '{"sender": "deep-metadata", "message": "hi", "metadata": ' + nested_json(1_000) + "}"
    ).encode()
    reply = rest_post(channels_assistant, body)
    assert reply.status_code == 400 and "nested" in reply.json()["error"]


@pytest.mark.parametrize(
    "content_type", ["text/plain; charset=json", "text/plain", "application/jsonp", "text/json"]
)
def test_only_application_json_is_read(channels_assistant: str, content_type: str) -> None:
    """Browsers send text/plain cross-origin without a preflight: reading it would let any
    web page post messages in a visitor's name."""
    body = json.dumps({"sender": "content-type", "message": "hi"}).encode()
    assert rest_post(channels_assistant, body, content_type).status_code == 415


def test_application_json_with_a_charset_is_read(channels_assistant: str) -> None:
    body = json.dumps({"sender": "charset", "message": "hi"}).encode()
    assert rest_post(channels_assistant, body, "application/json; charset=utf-8").status_code == 200


def test_a_body_over_64_kb_is_refused_before_any_channel_reads_it(
    channels_assistant: str, channel_standins
) -> None:
    """Telegram's webhook, correctly signed, would otherwise read the whole body."""
    telegram = TelegramUser(channels_assistant, channel_standins.telegram_api)
    update = telegram.message_update("does xanax help back pain?")
    update["message"]["entities"] = [{"type": "bold", "offset": 0, "length": 4}] * 2_000
    assert len(json.dumps(update)) > 64 * 1024
    reply = telegram.post(update)
    assert reply.status_code == 413 and "64 KB" in reply.json()["error"]
    assert telegram.answers() == []


@pytest.mark.parametrize("secret", ["sécret", "秘密", "test-telegram-secret_1\u00e9"])
def test_a_non_ascii_telegram_secret_is_a_401(
    channels_assistant: str, channel_standins, secret: str
) -> None:
    telegram = TelegramUser(channels_assistant, channel_standins.telegram_api)
    update = json.dumps(telegram.message_update("does xanax help back pain?")).encode()
    reply = requests.post(
        telegram.url,
        data=update,
        timeout=30,
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": secret.encode("utf-8"),
        },
    )
    assert reply.status_code == 401


def test_an_unsigned_slack_body_is_rejected_before_it_is_parsed(
    channels_assistant: str, channel_standins
) -> None:
    """Unsigned and malformed: the signature decides (401), the body's shape is never looked at."""
    slack = SlackUser(channels_assistant, channel_standins.slack_api)
    reply = requests.post(
        slack.url, data=b"{not json", timeout=30, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 401


def test_the_widget_connects_only_from_its_own_origin(channels_assistant: str) -> None:
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            channels_assistant,
            transports=["polling"],
            wait_timeout=10,
            headers={"Origin": "https://attacker.example"},
        )
    own = socketio.Client(reconnection=False)
    own.connect(
        channels_assistant,
        transports=["polling"],
        wait_timeout=10,
        headers={"Origin": channels_assistant},
    )
    assert own.connected
    own.disconnect()


def test_widget_metadata_nested_deep_in_a_string_gets_an_error_reply(
    channels_assistant: str,
) -> None:
    widget = WidgetUser(channels_assistant)
    try:
        replies = widget.emit(
            {
                "message": "hi",
                "session_id": widget.session_id,
                "customData": "[" * 5_000 + "]" * 5_000,
            }
        )
    finally:
        widget.close()
    assert replies and replies[0]["metadata"]["kind"] == "error"


def test_a_message_that_looks_like_a_payload_is_not_logged(
    channels_assistant: str, server_dir: Path
) -> None:
    marker = f"private-words-{time.time_ns()}"
    body = json.dumps({"sender": "payload-like", "message": f"/@{marker}"}).encode()
    assert rest_post(channels_assistant, body).status_code == 200
    time.sleep(0.5)
    log = servers.log_of(server_dir, channels_assistant).read_text()
    assert "message.parsing.failed" in log
    assert marker not in log


def test_the_page_may_connect_to_its_own_server_only(channels_assistant: str) -> None:
    policy = requests.get(f"{channels_assistant}/webhooks/website/", timeout=10).headers[
        "Content-Security-Policy"
    ]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src")).split()
    assert connect == ["connect-src", "'self'"]
