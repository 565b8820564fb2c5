"""Checks the action server's replies against Rasa's schema compiled once, not on every call.

Rasa 3.6 checks each reply of the action server with `jsonschema.validate`
(`RemoteAction._validate_action_result`), which first checks the schema itself against
JSON Schema's meta-schema: 40 ms of CPU for every custom action, the red-flag escalation
included, against 0.1 ms for the check of the reply. `use_compiled_action_response_schema`
makes `RemoteAction` use a validator built once; a reply is accepted or refused exactly as
before, with the same error message.
"""

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result`, with the compiled validator."""
    try:
        action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


def use_compiled_action_response_schema() -> None:
    if not callable(getattr(RemoteAction, "_validate_action_result", None)):
        raise RuntimeError(
            "RemoteAction no longer has _validate_action_result; this Rasa version checks replies differently."
        )
    action_response_validator()  # compiled now, not in the first escalation
    RemoteAction._validate_action_result = validate_action_result
