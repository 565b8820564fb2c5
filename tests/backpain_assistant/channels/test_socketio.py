"""The website widget's socket.io channel, spoken to the way rasa-webchat does."""

from typing import Iterator

import pytest

from backpain_assistant.channels.socketio import NO_SESSION, widget_message
from tests.support.channels import WidgetUser


def test_a_red_flag_carries_the_widgets_css_class_and_a_heading() -> None:
    message = widget_message(
        {"text": "Call now.", "metadata": {"kind": "red_flag", "red_flag": {"tier": "emergency"}}}
    )
    assert message["metadata"]["customCss"] == {"style": "class", "css": "rw-red-flag"}
    assert message["text"].startswith("**🚨 Possible emergency**")


def test_the_citation_gets_a_line_of_its_own_and_buttons_become_quick_replies() -> None:
    message = widget_message(
        {"text": "A.\n(Source: x article, Y)", "buttons": [{"title": "More", "payload": "/more"}]}
    )
    assert message["text"] == "A.\n\n*Source: x article, Y*"
    assert message["quick_replies"] == [
        {"content_type": "text", "title": "More", "payload": "/more"}
    ]


@pytest.fixture
def widget(channels_assistant) -> Iterator[WidgetUser]:
    user = WidgetUser(channels_assistant)
    yield user
    user.close()


def test_answers_keep_their_metadata(widget: WidgetUser) -> None:
    turns = widget.say("does trazodone help back pain?")
    answer = next(t for t in turns if t["metadata"].get("kind") == "answer")
    assert answer["metadata"]["source"] == {"article": "trazodone", "section": "conclusion"}


def test_a_reconnect_with_the_same_session_continues_the_conversation(
    channels_assistant, widget: WidgetUser
) -> None:
    widget.say("does trazodone help back pain?")
    widget.close()
    reloaded = WidgetUser(channels_assistant, session_id=widget.session_id)
    try:
        turns = reloaded.say("what are its side effects?")
        sources = [t["metadata"].get("source") for t in turns if t["metadata"].get("source")]
        assert sources and sources[0]["article"] == "trazodone", turns
    finally:
        reloaded.close()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"message": ""}, "non-empty"),
        ({"message": "x" * 5001}, "longer than"),
        ({"message": None}, "non-empty"),
        ({"message": "hi", "customData": "{not json"}, "metadata"),
    ],
)
def test_a_bad_message_gets_an_error_reply(widget: WidgetUser, data, error: str) -> None:
    turns = widget.emit({**data, "session_id": widget.session_id})
    assert turns and turns[0]["metadata"] == {"kind": "error"} and error in turns[0]["text"]


def test_a_message_without_a_session_is_told_to_reload(widget: WidgetUser) -> None:
    turns = widget.emit("not an object")
    assert turns and "reload" in turns[0]["text"]


def test_a_session_id_the_server_did_not_issue_is_told_to_reload(channels_assistant) -> None:
    user = WidgetUser(channels_assistant, request_session=False)
    try:
        turns = user.say("does xanax help back pain?")
        assert [t["text"] for t in turns] == [NO_SESSION]
    finally:
        user.close()


def test_a_client_that_skipped_the_session_request_still_gets_its_answers(
    channels_assistant, widget: WidgetUser
) -> None:
    """An issued session id, used from a new connection that never asked for a session."""
    widget.close()
    user = WidgetUser(channels_assistant, session_id=widget.session_id, request_session=False)
    try:
        turns = user.say("does xanax help back pain?")
        assert any(t["metadata"].get("kind") == "answer" for t in turns), turns
    finally:
        user.close()
