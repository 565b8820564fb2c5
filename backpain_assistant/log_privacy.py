"""What the logs may say about a person: a pseudonym for their conversation, never its id or text.

On Slack and Telegram the conversation id is the person's account id, and a log line such as
"escalated, category overdose" next to it is health data about a named account. Log lines
carry a keyed pseudonym instead: the same conversation always gets the same one (so a
deployment can follow a conversation through its logs, and, holding the key, find the lines
of a conversation it knows), but the pseudonym does not reveal the id. A pseudonym is hex, so
an id holding a line break cannot forge log lines either.

The key is LOG_PSEUDONYM_KEY, or else the deployment's key file (backpain_assistant.keys), so
that every process gives a conversation the same pseudonym.
"""

import logging
from functools import lru_cache
from typing import Optional, Text

from backpain_assistant.keys import deployment_key, keyed_digest

KEY_VARIABLE = "LOG_PSEUDONYM_KEY"
PSEUDONYM_HEX_CHARS = 16
# Rasa logs, at WARNING and with the whole text, a message that starts like an intent payload
# ("/…") but is not one.
RASA_PAYLOAD_PARSER_LOGGER = "rasa.shared.core.training_data.story_reader.yaml_story_reader"
PARSING_FAILED_EVENT = "message.parsing.failed"
PARSING_FAILED_WITHHELD = (
    f"{PARSING_FAILED_EVENT}: the message is read as text (its text is not logged)"
)


@lru_cache(maxsize=1)
def _key() -> bytes:
    return deployment_key("log-pseudonym", KEY_VARIABLE)


def pseudonym(conversation_id: Optional[Text]) -> Text:
    return "c-" + keyed_digest(_key(), conversation_id or "", PSEUDONYM_HEX_CHARS)


class WithholdPayloadParsingText(logging.Filter):
    """Keeps Rasa's warning (a person typed something that looks like a payload) without the
    text they typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if PARSING_FAILED_EVENT in str(record.msg):
            record.msg, record.args = PARSING_FAILED_WITHHELD, ()
        return True


def withhold_message_text_in_rasa_warnings() -> None:
    logger = logging.getLogger(RASA_PAYLOAD_PARSER_LOGGER)
    if not any(isinstance(f, WithholdPayloadParsingText) for f in logger.filters):
        logger.addFilter(WithholdPayloadParsingText())
