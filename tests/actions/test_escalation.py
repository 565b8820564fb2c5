from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import ActionEscalateRedFlag, asked_a_question, notify_staff
from tests.support.staff_webhook import StaffWebhook


def tracker(
    category: Optional[str],
    tier: Optional[str],
    predicted: str = "red_flag",
    escalations=None,
    flags=(),
) -> Tracker:
    latest = {
        "text": "...",
        "intent": {"name": "red_flag"},
        "red_flags": {"predicted_intent": predicted, "flags": list(flags)},
    }
    slots = {"red_flag_category": category, "red_flag_tier": tier, "escalations": escalations}
    return Tracker("person-1", slots, latest, [], False, None, {}, "action_listen")


async def run(tracker_: Tracker) -> Tuple[List[Dict[str, Any]], List[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionEscalateRedFlag().run(dispatcher, tracker_, {})
    return dispatcher.messages, events


@pytest.fixture
def private_staff_webhook() -> Iterator[StaffWebhook]:
    """Its own, since the session's staff webhook also records the live servers' escalations."""
    webhook = StaffWebhook()
    yield webhook
    webhook.close()


async def test_an_emergency_says_to_call_the_emergency_number_and_is_recorded() -> None:
    messages, events = await run(tracker("cauda_equina", "emergency"))
    assert len(messages) == 1
    assert (
        "emergency department" in messages[0]["text"]
        and "112" in messages[0]["text"]
        and "911" in messages[0]["text"]
    )
    assert messages[0]["metadata"] == {
        "kind": "red_flag",
        "red_flag": {"category": "cauda_equina", "tier": "emergency"},
    }
    assert events == [SlotSet("escalations", ["cauda_equina:emergency"])]


async def test_suicidal_thoughts_get_a_crisis_line() -> None:
    messages, _ = await run(tracker("suicidal_thoughts", "emergency"))
    assert "988" in messages[0]["text"] and "findahelpline.com" in messages[0]["text"]


async def test_an_overdose_gets_poison_control() -> None:
    messages, _ = await run(tracker("overdose", "emergency"))
    assert "1-800-222-1222" in messages[0]["text"]


async def test_urgent_flags_say_to_see_a_doctor_today() -> None:
    messages, _ = await run(tracker("infection_signs", "urgent"))
    assert "contact a doctor today" in messages[0]["text"]


@pytest.mark.parametrize(
    "category, tier", [(None, None), ("nonsense", 3), (["a"], "emergency"), (42, "urgent")]
)
async def test_a_flag_the_detector_does_not_define_is_an_urgent_unnamed_flag(
    category: Any, tier: Any
) -> None:
    """Clients can send any `/red_flag{...}` payload; found by tests/test_rest_fuzz.py."""
    messages, events = await run(tracker(category, tier))
    assert messages[0]["metadata"] == {
        "kind": "red_flag",
        "red_flag": {"category": "possible_red_flag", "tier": "urgent"},
    }
    assert "contact a doctor today" in messages[0]["text"]
    assert events == [SlotSet("escalations", ["possible_red_flag:urgent"])]


async def test_the_tier_comes_from_the_category() -> None:
    messages, _ = await run(tracker("overdose", "urgent"))
    assert messages[0]["metadata"]["red_flag"] == {"category": "overdose", "tier": "emergency"}


async def test_each_escalation_is_appended_to_the_record() -> None:
    _, events = await run(tracker("leg_numbness", "urgent", escalations=["overdose:emergency"]))
    assert events == [SlotSet("escalations", ["overdose:emergency", "leg_numbness:urgent"])]


async def test_a_question_asked_with_the_red_flag_is_answered_after() -> None:
    messages, _ = await run(tracker("leg_numbness", "urgent", predicted="ask_side_effects"))
    assert messages[-1]["response"] == "utter_answer"


def test_only_questions_are_answered_after_a_warning() -> None:
    assert asked_a_question({"red_flags": {"predicted_intent": "inform_medication"}})
    assert not asked_a_question({"red_flags": {"predicted_intent": "greet"}})
    assert not asked_a_question({})


async def test_the_deployment_can_set_its_own_numbers(tmp_path, monkeypatch) -> None:
    contacts = tmp_path / "contacts.yml"
    contacts.write_text('contacts:\n  emergency_number: "999 (UK)"\n')
    monkeypatch.setenv("ESCALATION_CONTACTS_FILE", str(contacts))
    messages, _ = await run(tracker("major_trauma", "emergency"))
    assert "999 (UK)" in messages[0]["text"]


async def test_staff_are_notified_without_the_message_text(
    private_staff_webhook: StaffWebhook, monkeypatch
) -> None:
    monkeypatch.setenv("STAFF_WEBHOOK_URL", private_staff_webhook.url)
    await run(tracker("priapism", "emergency"))
    assert private_staff_webhook.posts == [
        {"text": "Red flag (emergency): priapism in conversation person-1. Please review."}
    ]


async def test_an_unreachable_staff_webhook_does_not_stop_the_warning(monkeypatch) -> None:
    monkeypatch.setenv("STAFF_WEBHOOK_URL", "http://127.0.0.1:9/unreachable")
    messages, _ = await run(tracker("overdose", "emergency"))
    assert messages and await notify_staff("x") is False


async def test_other_red_flags_in_the_same_message_are_named_too() -> None:
    flags = [
        {
            "category": "cauda_equina",
            "tier": "emergency",
            "label": "loss of bladder or bowel control, or numbness in the groin",
        },
        {
            "category": "infection_signs",
            "tier": "urgent",
            "label": "back pain with fever or chills",
        },
    ]
    messages, _ = await run(tracker("cauda_equina", "emergency", flags=flags))
    assert "I also noticed back pain with fever or chills" in messages[0]["text"]
    assert "bladder" not in messages[0]["text"].split("I also noticed")[1]
