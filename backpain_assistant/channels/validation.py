"""What a message must look like on channels where clients send whatever they like (REST, socket.io)."""
import json
from typing import Any, Optional, Text, Tuple

MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
MAX_METADATA_CHARS = 5_000

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
    if metadata is not None and not isinstance(metadata, dict):
        return 400, '"metadata" must be a JSON object.'
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA_CHARS:
        return 413, f'"metadata" is larger than {MAX_METADATA_CHARS} characters of JSON.'
    return None


def is_unicode(text: Text) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
