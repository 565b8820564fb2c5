"""The checks behind the live tests, one by one: what counts as JSON, how deep metadata may
nest, secrets with any characters, origins, and what the logs say about a person."""

import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from backpain_assistant.channels.handling import handle
from backpain_assistant.channels.settings import same_secret
from backpain_assistant.channels.socketio import WebsiteSocketIO, metadata_of, origins_of
from backpain_assistant.channels.validation import (
    MAX_METADATA_DEPTH,
    is_json,
    nesting_depth,
    problem_with,
)
from backpain_assistant.log_privacy import (
    PARSING_FAILED_WITHHELD,
    RASA_PAYLOAD_PARSER_LOGGER,
    pseudonym,
    withhold_message_text_in_rasa_warnings,
)


@pytest.mark.parametrize(
    "content_type, expected",
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("text/plain; charset=json", False),
        ("application/jsonp", False),
        ("text/json", False),
        ("", False),
        (None, False),
    ],
)
def test_only_the_json_media_type_is_json(content_type, expected) -> None:
    assert is_json(content_type) is expected


def test_depth_is_counted_without_recursion_and_stops_past_the_limit() -> None:
    value: object = 1
    for _ in range(100_000):
        value = [value]
    assert nesting_depth(value, MAX_METADATA_DEPTH) == MAX_METADATA_DEPTH + 1
    assert nesting_depth({"a": [1, {"b": 2}]}, MAX_METADATA_DEPTH) == 3
    assert nesting_depth("text", MAX_METADATA_DEPTH) == 0


def test_metadata_at_the_depth_limit_passes_and_one_deeper_does_not() -> None:
    def nested(depth: int) -> dict:
        value: dict = {}
        for _ in range(depth - 1):
            value = {"k": value}
        return value

    assert problem_with("me", "hi", nested(MAX_METADATA_DEPTH)) is None
    assert problem_with("me", "hi", nested(MAX_METADATA_DEPTH + 1))[0] == 400


@pytest.mark.parametrize("given", ["sécret", "秘密", "\udcff", ""])
def test_secrets_compare_whatever_characters_they_hold(given: str) -> None:
    assert same_secret(given, "the-secret") is False
    assert same_secret("the-secret", "the-secret") is True


def test_a_deep_json_string_of_metadata_stays_a_string_for_validation_to_refuse() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert metadata_of(deep) == deep
    assert problem_with("me", "hi", metadata_of(deep))[0] == 400


def test_widget_origins_come_from_the_variable_credentials_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "WIDGET_ORIGINS_FOR_TEST", " https://clinic.example.org/ , https://www.clinic.example.org"
    )
    channel = WebsiteSocketIO.from_credentials(
        {"allowed_origins_env": "WIDGET_ORIGINS_FOR_TEST", "session_persistence": True}
    )
    assert channel.allowed_origins == [
        "https://clinic.example.org",
        "https://www.clinic.example.org",
    ]
    assert WebsiteSocketIO.from_credentials({}).allowed_origins == []
    assert origins_of(None) == origins_of("") == []


def test_a_pseudonym_is_stable_hex_and_does_not_show_the_id() -> None:
    forged = "700123456\nINFO red_flag.escalated conversation=someone-else"
    assert pseudonym(forged) == pseudonym(forged) != pseudonym("700123456")
    assert pseudonym(forged).startswith("c-") and "\n" not in pseudonym(forged)
    assert "700123456" not in pseudonym(forged)
    int(pseudonym(forged)[2:], 16)


async def test_a_failed_message_is_logged_under_a_pseudonym(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def failing(message: UserMessage) -> None:
        raise RuntimeError("store down")

    sender = "U123456\nforged line"
    message = UserMessage("hi", CollectingOutputChannel(), sender, input_channel="slack")
    with caplog.at_level(logging.ERROR):
        assert isinstance(await handle(failing, message), RuntimeError)
    assert pseudonym(sender) in caplog.text and "U123456" not in caplog.text


def test_rasa_payload_warning_keeps_its_name_but_not_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    withhold_message_text_in_rasa_warnings()
    withhold_message_text_in_rasa_warnings()  # installing twice adds one filter
    logger = logging.getLogger(RASA_PAYLOAD_PARSER_LOGGER)
    assert len(logger.filters) == 1
    with caplog.at_level(logging.WARNING):
        logger.warning('{"user_text": "/@my private words", "event": "message.parsing.failed"}')
    assert PARSING_FAILED_WITHHELD in caplog.text and "private words" not in caplog.text
