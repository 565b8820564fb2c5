import json
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from backpain_assistant.yaml_data import load_file

DATA_DIR = Path(__file__).parent / "data"


class ActionClarify(Action):
    """Asks what was meant, offering the classifier's best guesses as buttons."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        buttons = guess_buttons(tracker.latest_message, load_file(DATA_DIR / "clarify.yml"))
        if buttons:
            text = "I'm not sure I understood. Did you mean one of these?"
        else:
            text = "I'm not sure I understood. Could you rephrase? I can answer questions about trazodone, Xanax and antidepressants for back pain."
            buttons = [{"title": "What can you do?", "payload": "/help"}]
        dispatcher.utter_message(text=text, buttons=buttons, metadata={"kind": "clarify"})
        return []


def guess_buttons(parse_data: Dict[Text, Any], config: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    labels: Dict[Text, Text] = config["intent_labels"]
    entities = {
        e["entity"]: e["value"] for e in parse_data.get("entities", []) if e["entity"] in ("medication", "medication_pair")
    }
    suffix = json.dumps(entities, separators=(",", ":")) if entities else ""
    guesses = [r["name"] for r in parse_data.get("intent_ranking", []) if r.get("name") in labels]
    return [{"title": labels[name], "payload": f"/{name}{suffix}"} for name in guesses[: config["max_buttons"]]]
