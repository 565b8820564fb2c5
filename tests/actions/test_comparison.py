from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.comparison import ActionPairMedications, medication_before_latest_message, pair_for


def test_two_named_medications_make_the_pair() -> None:
    assert pair_for(["xanax", "trazodone"], "antidepressants") == "trazodone_xanax"


def test_one_named_medication_pairs_with_the_one_discussed_before() -> None:
    assert pair_for(["xanax"], "trazodone") == "trazodone_xanax"
    assert pair_for(["xanax"], "xanax") is None
    assert pair_for(["xanax"], None) is None


def test_the_previous_medication_is_the_one_set_before_the_latest_message() -> None:
    events = [
        {"event": "slot", "name": "medication", "value": "trazodone"},
        {"event": "user", "text": "is it better than xanax"},
        {"event": "slot", "name": "medication", "value": "xanax"},
    ]
    assert medication_before_latest_message(events) == "trazodone"


async def test_the_action_sets_the_pair_slot() -> None:
    events = [
        {"event": "slot", "name": "medication", "value": "antidepressants"},
        {"event": "user"},
    ]
    latest = {"entities": [{"entity": "medication", "value": "trazodone"}]}
    tracker = Tracker("p", {}, latest, events, False, None, {}, "action_listen")
    result = await ActionPairMedications().run(CollectingDispatcher(), tracker, {})
    assert result == [SlotSet("medication_pair", "antidepressants_trazodone")]
