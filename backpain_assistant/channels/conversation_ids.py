"""Whose conversation a message belongs to.

Every channel names its conversations in its own space (`web:…`, `rest:…`, `slack:…`,
`telegram:…`), so an id that one channel's client chooses can never name a conversation held on
another: a Telegram chat id or a Slack user id (neither is secret) sent as a widget or REST
session id reaches a new, empty conversation, not that person's.

The widget resumes only a session id this server issued: 128 random bits and an HMAC of them
under the deployment's key, so a client cannot make one up and must have been given it.
"""

import secrets
from functools import lru_cache
from typing import Any, Optional, Text

from backpain_assistant.channels.settings import same_secret
from backpain_assistant.keys import deployment_key, keyed_digest

SEPARATOR = ":"
SESSION_RANDOM_BYTES = 16
SESSION_TAG_HEX_CHARS = 32
SESSION_KEY_VARIABLE = "WIDGET_SESSION_KEY"


def conversation_id(channel: Text, sender: Any) -> Text:
    return f"{channel}{SEPARATOR}{sender}"


def recipient_of(channel: Text, conversation: Text) -> Text:
    """The id the channel's platform knows (a chat, a socket.io room, the client's sender)."""
    prefix = channel + SEPARATOR
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


@lru_cache(maxsize=1)
def _session_key() -> bytes:
    return deployment_key("widget-session", SESSION_KEY_VARIABLE)


def _tag(random_part: Text) -> Text:
    return keyed_digest(_session_key(), random_part, SESSION_TAG_HEX_CHARS)


def issue_session_id() -> Text:
    random_part = secrets.token_hex(SESSION_RANDOM_BYTES)
    return f"{random_part}.{_tag(random_part)}"


def is_issued_session_id(session_id: Any) -> bool:
    if not isinstance(session_id, str) or session_id.count(".") != 1:
        return False
    random_part, tag = session_id.split(".")
    if len(random_part) != 2 * SESSION_RANDOM_BYTES or not _is_hex(random_part):
        return False
    return same_secret(tag, _tag(random_part))


def _is_hex(text: Text) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def issued_or_new(session_id: Optional[Any]) -> Text:
    """The session id a client asked to resume if this server issued it, else a new one."""
    return session_id if is_issued_session_id(session_id) else issue_session_id()
