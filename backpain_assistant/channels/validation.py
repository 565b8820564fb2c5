"""What a message must look like on channels where clients send whatever they like (REST, socket.io)."""

import json
from typing import Any, Optional, Text, Tuple

# Every channel's request fits: 5,000 characters of text, metadata, a platform's envelope.
MAX_REQUEST_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
MAX_METADATA_CHARS = 5_000
# Deep enough for any real client's metadata, shallow enough that Rasa's own recursive code
# (events to JSON, tracker stores) never meets Python's recursion limit.
MAX_METADATA_DEPTH = 16
JSON_MEDIA_TYPE = "application/json"

Problem = Tuple[int, Text]


def problem_with(sender: Any, text: Any, metadata: Any) -> Optional[Problem]:
    """The HTTP status and error to answer with, or None when the message is fine."""
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return 400, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.'
    if not isinstance(text, str) or not text.strip():
        return 400, '"message" must be a non-empty string.'
    if len(text) > MAX_MESSAGE_CHARS:
        return 413, f'"message" is longer than {MAX_MESSAGE_CHARS} characters; please shorten it.'
    if not (is_unicode(sender) and is_unicode(text)):
        return 400, '"sender" and "message" must be valid Unicode text (no lone surrogates).'
    return None if metadata is None else problem_with_metadata(metadata)


def problem_with_metadata(metadata: Any) -> Optional[Problem]:
    if not isinstance(metadata, dict):
        return 400, '"metadata" must be a JSON object.'
    if nesting_depth(metadata, MAX_METADATA_DEPTH) > MAX_METADATA_DEPTH:
        return 400, f'"metadata" is nested more than {MAX_METADATA_DEPTH} levels deep.'
    if len(json.dumps(metadata)) > MAX_METADATA_CHARS:
        return 413, f'"metadata" is larger than {MAX_METADATA_CHARS} characters of JSON.'
    return None


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply lists and objects nest in a JSON value, counted without recursion (a
    value nested a thousand deep would exhaust Python's stack) and only up to limit + 1."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return deepest


def is_json(content_type: Optional[Text]) -> bool:
    """Exactly `application/json`, parameters aside. A looser check (any type that mentions
    json) would accept `text/plain; charset=json`, which browsers send cross-origin
    without a CORS preflight, so any web page could post messages in a visitor's name."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE


def is_unicode(text: Text) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
