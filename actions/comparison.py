from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionPairMedications(Action):
    """Sets the pair a comparison is about: two medications named in the question, or the one
    named with the one discussed before ("is it better than Xanax?" while on trazodone)."""

    def name(self) -> Text:
        return "action_pair_medications"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        named = [
            e["value"]
            for e in tracker.latest_message.get("entities", [])
            if e["entity"] == "medication"
        ]
        if not named:
            return []
        return [
            SlotSet(
                "medication_pair", pair_for(named, medication_before_latest_message(tracker.events))
            )
        ]


def pair_for(named: List[Text], previous: Optional[Text]) -> Optional[Text]:
    candidates = list(dict.fromkeys(named + ([previous] if previous else [])))
    return "_".join(sorted(candidates[:2])) if len(candidates) >= 2 else None


def medication_before_latest_message(events: List[Dict[Text, Any]]) -> Optional[Text]:
    latest_user = max(
        (i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events)
    )
    for event in reversed(events[:latest_user]):
        if event.get("event") == "slot" and event.get("name") == "medication":
            return event.get("value")
    return None
