import pytest

from backpain_assistant.channels.validation import (
    MAX_MESSAGE_CHARS,
    MAX_METADATA_CHARS,
    MAX_SENDER_CHARS,
    is_unicode,
    problem_with,
)


@pytest.mark.parametrize(
    "sender, text, metadata, status, words",
    [
        ("", "hi", None, 400, "sender"),
        ("   ", "hi", None, 400, "sender"),
        (42, "hi", None, 400, "sender"),
        ("x" * (MAX_SENDER_CHARS + 1), "hi", None, 400, "sender"),
        ("me", "", None, 400, "message"),
        ("me", ["hi"], None, 400, "message"),
        ("me", "x" * (MAX_MESSAGE_CHARS + 1), None, 413, "shorten"),
        ("me", "hi \ud800", None, 400, "surrogates"),
        ("me", "hi", ["a"], 400, "object"),
        ("me", "hi", {"padding": "x" * MAX_METADATA_CHARS}, 413, "larger"),
    ],
)
def test_each_problem_gets_its_status_and_says_what_is_wrong(
    sender, text, metadata, status, words
) -> None:
    found = problem_with(sender, text, metadata)
    assert found is not None and found[0] == status and words in found[1]


@pytest.mark.parametrize(
    "sender, text, metadata",
    [
        ("me", "hi", None),
        ("x" * MAX_SENDER_CHARS, "x" * MAX_MESSAGE_CHARS, {}),
        ("me", "😀 ¿qué?", {"page": "/faq"}),
    ],
)
def test_messages_within_the_limits_pass(sender, text, metadata) -> None:
    assert problem_with(sender, text, metadata) is None


def test_lone_surrogates_are_not_unicode_text() -> None:
    assert is_unicode("😀") and not is_unicode("\udc80")
