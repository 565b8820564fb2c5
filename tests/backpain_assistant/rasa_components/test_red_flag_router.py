from typing import Any, Dict

from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain_assistant.rasa_components.red_flag_router import RedFlagRouter


def routed(nlp, text: str, intent: str = "ask_effectiveness", confidence: float = 0.9) -> Message:
    message = Message({TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    RedFlagRouter().process([message])
    return message


def entity_values(message: Message) -> Dict[str, Any]:
    return {e["entity"]: e["value"] for e in message.get("entities", [])}


def test_a_red_flag_overrides_the_predicted_intent_and_keeps_the_question(nlp) -> None:
    message = routed(nlp, "does trazodone help my back, also i can't control my bladder")
    assert message.get("intent") == {"name": "red_flag", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["red_flag", "ask_effectiveness"]
    assert entity_values(message) == {
        "red_flag_category": "cauda_equina",
        "red_flag_tier": "emergency",
        "topic": "effectiveness",
    }
    assert message.get("red_flags")["predicted_intent"] == "ask_effectiveness"
    assert message.get("red_flags")["flags"][0] == {
        "category": "cauda_equina",
        "tier": "emergency",
        "label": "loss of bladder or bowel control, or numbness in the groin",
    }


def test_a_message_without_red_flags_is_left_alone(nlp) -> None:
    message = routed(nlp, "does trazodone help my back")
    assert message.get("intent") == {"name": "ask_effectiveness", "confidence": 0.9}
    assert message.get("red_flags") is None


def test_a_classifier_red_flag_without_the_matcher_s_evidence_falls_back_to_the_next_guess(
    nlp,
) -> None:
    message = Message({TEXT: "and if i took xanax instead?"})
    message.set(SPACY_DOCS[TEXT], nlp(message.get(TEXT)))
    message.set("intent", {"name": "red_flag", "confidence": 0.4})
    message.set(
        "intent_ranking",
        [{"name": "red_flag", "confidence": 0.4}, {"name": "inform_medication", "confidence": 0.3}],
    )
    RedFlagRouter().process([message])
    assert message.get("intent") == {"name": "inform_medication", "confidence": 0.3}
    assert message.get("red_flags") is None


def test_the_log_line_names_the_category_never_the_text(nlp, caplog) -> None:
    with caplog.at_level("INFO"):
        routed(nlp, "my secret words and i want to kill myself")
    assert "suicidal_thoughts" in caplog.text and "secret" not in caplog.text


def routed_with(nlp, text: str, semantic: Dict[str, Any]) -> Message:
    message = Message({TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    message.set("intent", {"name": "ask_effectiveness", "confidence": 0.9})
    message.set("intent_ranking", [{"name": "ask_effectiveness", "confidence": 0.9}])
    message.set("semantic_red_flag", semantic)
    RedFlagRouter().process([message])
    return message


def test_the_classifier_escalates_what_the_matcher_missed(nlp) -> None:
    message = routed_with(
        nlp,
        "our toddler ate a laundry pod",
        {"category": "overdose", "confidence": 0.8, "veto_urgent": False},
    )
    assert message.get("intent")["name"] == "red_flag"
    assert entity_values(message)["red_flag_category"] == "overdose"
    assert message.get("red_flags")["flags"][0]["tier"] == "emergency"


def test_the_classifier_does_not_repeat_the_matchers_category(nlp) -> None:
    message = routed_with(
        nlp,
        "i can't control my bladder",
        {"category": "cauda_equina", "confidence": 0.9, "veto_urgent": False},
    )
    assert [f["category"] for f in message.get("red_flags")["flags"]] == ["cauda_equina"]


def test_a_veto_drops_urgent_findings_but_never_an_emergency(nlp) -> None:
    urgent = routed_with(
        nlp,
        "i have back pain and a fever",
        {"category": None, "confidence": 0.1, "veto_urgent": True},
    )
    assert urgent.get("intent")["name"] == "ask_effectiveness" and urgent.get("red_flags") is None
    emergency = routed_with(
        nlp,
        "i can't control my bladder",
        {"category": None, "confidence": 0.1, "veto_urgent": True},
    )
    assert emergency.get("intent")["name"] == "red_flag"
