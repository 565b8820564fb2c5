"""The compiled schema must accept and refuse the action server's replies exactly as Rasa does."""

from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from backpain_assistant.rasa_speedups.action_responses import use_compiled_action_response_schema

REPLIES = {
    "escalation": {
        "events": [
            {"event": "slot", "name": "escalations", "value": ["fever_or_infection:urgent"]}
        ],
        "responses": [
            {"text": "Please see a doctor today.", "metadata": {"kind": "red_flag"}},
            {"response": "utter_answer"},
        ],
    },
    "empty": {"events": [], "responses": []},
    "no responses": {"events": []},
    "events not a list": {"events": {"event": "slot"}, "responses": []},
    "an event without its type": {
        "events": [{"name": "escalations", "value": []}],
        "responses": [],
    },
    "an unknown event type": {"events": [{"event": "not_an_event"}], "responses": []},
    "a slot event without a name": {"events": [{"event": "slot", "value": 1}], "responses": []},
}


def verdict(reply: Dict[str, Any]) -> str:
    try:
        RemoteAction("action_escalate_red_flag", None)._validate_action_result(reply)
        return "accepted"
    except ValidationError as error:
        return f"refused: {error.message}"


@pytest.fixture
def rasas_verdicts() -> Dict[str, str]:
    return {name: verdict(reply) for name, reply in REPLIES.items()}


def test_replies_get_the_same_verdict_and_message_as_with_rasas_check(
    rasas_verdicts: Dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    use_compiled_action_response_schema()
    assert {name: verdict(reply) for name, reply in REPLIES.items()} == rasas_verdicts
    assert rasas_verdicts["escalation"] == "accepted"
    assert sum(v.startswith("refused") for v in rasas_verdicts.values()) >= 2


def test_installing_fails_loudly_when_rasa_no_longer_has_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(RemoteAction, "_validate_action_result")
    with pytest.raises(RuntimeError, match="no longer has _validate_action_result"):
        use_compiled_action_response_schema()
