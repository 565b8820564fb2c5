import json
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from backpain_assistant.yaml_data import load_file

DATA_DIR = Path(__file__).parent / "data"


DECLINE_TEXT = (
    "I couldn't find an answer to that in the three articles I answer from (trazodone, Xanax and "
    "antidepressants for back pain), so please ask a doctor or pharmacist."
)


class ActionClarify(Action):
    """Runs when the classifier is unsure. Two question readings that compete get a clarifying
    question with both as buttons; otherwise the honest answer is that the articles don't cover
    it, with the nearest sections offered as buttons (a guess is not a reading)."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        config = load_file(DATA_DIR / "clarify.yml")
        buttons = guess_buttons(tracker.latest_message, config)
        if buttons and not readings_compete(tracker.latest_message, config):
            text = DECLINE_TEXT + " These sections may be close to what you asked:"
            dispatcher.utter_message(text=text, buttons=buttons, metadata={"kind": "out_of_scope"})
            return []
        if buttons:
            text = "I'm not sure I understood. Did you mean one of these?"
        else:
            text = "I'm not sure I understood. Could you rephrase? I can answer questions about trazodone, Xanax and antidepressants for back pain."
            buttons = [{"title": "What can you do?", "payload": "/help"}]
        dispatcher.utter_message(text=text, buttons=buttons, metadata={"kind": "clarify"})
        return []


def readings_compete(parse_data: Dict[Text, Any], config: Dict[Text, Any]) -> bool:
    """The two best guesses are both questions the articles answer, and close in confidence."""
    guesses = [
        r for r in parse_data.get("intent_ranking", []) if r.get("name") in config["intent_labels"]
    ]
    if len(guesses) < 2:
        return False
    first, second = guesses[0].get("confidence", 0.0), guesses[1].get("confidence", 0.0)
    return (
        first - second <= config["ambiguity_margin"] and second >= config["min_reading_confidence"]
    )


def guess_buttons(parse_data: Dict[Text, Any], config: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    labels: Dict[Text, Text] = config["intent_labels"]
    entities = {
        e["entity"]: e["value"]
        for e in parse_data.get("entities", [])
        if e["entity"] in ("medication", "medication_pair")
    }
    suffix = json.dumps(entities, separators=(",", ":")) if entities else ""
    guesses = [r["name"] for r in parse_data.get("intent_ranking", []) if r.get("name") in labels]
    return [
        {"title": labels[name], "payload": f"/{name}{suffix}"}
        for name in guesses[: config["max_buttons"]]
    ]
