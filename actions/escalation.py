import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from backpain_assistant.log_privacy import pseudonym
from backpain_assistant.parse_data import QUESTION_PREFIX, RED_FLAGS_KEY
from backpain_assistant.yaml_data import load, load_file

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).parent / "data"

FOLLOW_UP_INTENT = "inform_medication"
STAFF_WEBHOOK_TIMEOUT_SECONDS = 3
# The classifier saw a red flag that the detector could not name.
UNNAMED_FLAG = ("possible_red_flag", "urgent")


class ActionEscalateRedFlag(Action):
    """Follows the red-flag warning with what to do now, records and reports the escalation,
    then answers the question the message also asked, if it asked one."""

    def name(self) -> Text:
        return "action_escalate_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        category, tier = known_flag(tracker.get_slot("red_flag_category"))
        config = load_file(DATA_DIR / "escalation.yml")
        contacts = {**config["contacts"], **deployment_contacts()}
        text = advice_for(category, tier, config["advice"]).format(**contacts)
        also = other_flags(tracker.latest_message, category)
        if also:
            text += " I also noticed " + "; ".join(also) + ": please mention it to the doctor too."
        dispatcher.utter_message(
            text=text,
            metadata={"kind": "red_flag", "red_flag": {"category": category, "tier": tier}},
        )
        logger.info(
            "red_flag.escalated category=%s tier=%s conversation=%s",
            category,
            tier,
            pseudonym(tracker.sender_id),
        )
        await notify_staff(
            config["staff_notice"].format(
                tier=tier, category=category, conversation=tracker.sender_id
            )
        )
        if asked_a_question(tracker.latest_message):
            dispatcher.utter_message(response="utter_answer")
        escalations = (tracker.get_slot("escalations") or []) + [f"{category}:{tier}"]
        return [SlotSet("escalations", escalations)]


def known_flag(category: Any) -> Tuple[Text, Text]:
    """The category and its tier as the detector defines them. Anything else (no category,
    or whatever a client put in a `/red_flag{...}` payload) is an unnamed, urgent flag."""
    categories = load("red_flag_detection")["categories"]
    if isinstance(category, str) and category in categories:
        return category, categories[category]["tier"]
    return UNNAMED_FLAG


def advice_for(category: Text, tier: Text, advice: Dict[Text, Text]) -> Text:
    return advice.get(category) or advice[tier]


def other_flags(parse_data: Dict[Text, Any], shown: Text) -> List[Text]:
    """Labels of the other red flags recognised in the same message, most severe first."""
    flags = (parse_data.get(RED_FLAGS_KEY) or {}).get("flags") or []
    return [flag["label"] for flag in flags if flag["category"] != shown]


def asked_a_question(parse_data: Dict[Text, Any]) -> bool:
    predicted = (parse_data.get(RED_FLAGS_KEY) or {}).get("predicted_intent") or ""
    return predicted.startswith(QUESTION_PREFIX) or predicted == FOLLOW_UP_INTENT


def deployment_contacts() -> Dict[Text, Text]:
    path = os.environ.get("ESCALATION_CONTACTS_FILE")
    return (load_file(path) or {}).get("contacts", {}) if path else {}


async def notify_staff(text: Text, url: Optional[Text] = None) -> bool:
    """Posts `{"text": ...}` (Slack incoming-webhook format) to STAFF_WEBHOOK_URL, if set."""
    url = url or os.environ.get("STAFF_WEBHOOK_URL")
    if not url:
        return False
    timeout = aiohttp.ClientTimeout(total=STAFF_WEBHOOK_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, json={"text": text}) as reply:
                if reply.status >= 300:
                    logger.error("red_flag.staff_notice_failed status=%s", reply.status)
                    return False
                return True
    except Exception as error:
        logger.error("red_flag.staff_notice_failed error=%s", type(error).__name__)
        return False
