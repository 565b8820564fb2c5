"""Telegram: HTML rendering and callback data, and real Update JSON posted to a running
assistant whose Bot API calls go to a local stand-in."""

import pytest

from backpain_assistant.channels.rendering import Turn
from backpain_assistant.channels.telegram import (
    CALLBACK_DATA_BYTES,
    callback_data,
    html_of,
    text_of_callback,
)
from tests.support.channels import TELEGRAM_SECRET_TOKEN, TelegramUser


def test_text_is_escaped_for_telegram_html() -> None:
    html = html_of(
        Turn(text="<b>5 < 6</b> & more", heading="🚨 Possible emergency", citation="Source: x")
    )
    assert (
        html
        == "<b>🚨 Possible emergency</b>\n&lt;b&gt;5 &lt; 6&lt;/b&gt; &amp; more\n<i>Source: x</i>"
    )


def test_callback_data_fits_in_64_bytes() -> None:
    short = {"title": "Yes", "payload": "/affirm"}
    long = {
        "title": "Side effects of trazodone ✓ " * 3,
        "payload": '/ask_side_effects{"medication": "trazodone", "x": "' + "y" * 80 + '"}',
    }
    assert callback_data(short) == "/affirm"
    data = callback_data(long)
    assert len(data.encode("utf-8")) <= CALLBACK_DATA_BYTES and text_of_callback(data).startswith(
        "Side effects"
    )


@pytest.fixture
def telegram(channels_assistant, channel_standins) -> TelegramUser:
    return TelegramUser(channels_assistant, channel_standins.telegram_api)


def test_the_webhook_is_registered_with_the_secret_token(
    telegram: TelegramUser, channel_standins
) -> None:
    registrations = channel_standins.telegram_api.posts_to("/setWebhook")
    assert registrations and registrations[-1]["secret_token"] == TELEGRAM_SECRET_TOKEN
    assert registrations[-1]["url"] == channel_standins.telegram_webhook_url


def test_a_message_is_answered_as_html_with_its_citation(telegram: TelegramUser) -> None:
    answers = telegram.say("does trazodone help back pain?")
    assert all(a["parse_mode"] == "HTML" for a in answers)
    assert any(
        "<i>Source: trazodone article, Conclusion</i>" in a["text"] for a in answers
    ), answers


def test_a_red_flag_arrives_in_bold_under_its_heading(telegram: TelegramUser) -> None:
    answers = telegram.say("i peed myself and my back is agony")
    assert answers[0]["text"].startswith("<b>🚨 Possible emergency</b>")


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_an_update_without_the_secret_token_is_rejected(telegram: TelegramUser, secret) -> None:
    reply = telegram.post(telegram.message_update("does xanax help back pain?"), secret=secret)
    assert reply.status_code == 401
    assert telegram.answers() == []


def test_a_button_press_is_acknowledged_and_answered(
    telegram: TelegramUser, channel_standins
) -> None:
    telegram.say("hi")
    before = len(channel_standins.telegram_api.posts_to("/answerCallbackQuery"))
    answers = telegram.send(telegram.button_update("does xanax help back pain?"))
    assert (
        answers
        and len(channel_standins.telegram_api.posts_to("/answerCallbackQuery")) == before + 1
    )


def test_a_redelivered_update_is_not_answered_twice(telegram: TelegramUser) -> None:
    update = telegram.message_update("what are the side effects of xanax?")
    first = telegram.send(update)
    assert first
    assert telegram.send(update) == []


def test_a_message_without_text_is_told_so(telegram: TelegramUser) -> None:
    update = telegram.message_update("")
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "x"}
    answers = telegram.send(update)
    assert len(answers) == 1 and "only read text" in answers[0]["text"]


@pytest.mark.parametrize("raw", [b"[1, 2]", b"{not json", b'"text"'])
def test_a_malformed_body_gets_a_400(telegram: TelegramUser, raw: bytes) -> None:
    assert telegram.post(None, raw=raw).status_code == 400


def test_an_update_of_another_kind_is_acknowledged_and_ignored(telegram: TelegramUser) -> None:
    reply = telegram.post({"update_id": 5, "edited_message": {"text": "hi"}})
    assert reply.status_code == 200 and reply.json() == {"status": "ignored"}
