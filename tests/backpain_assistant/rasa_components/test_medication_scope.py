from typing import Any, List

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain_assistant.rasa_components.medication_entities import medication_entities
from backpain_assistant.rasa_components.medication_scope import MedicationScope


def scoped(nlp, text: str, intent: str) -> Message:
    doc = nlp(text)
    message = Message({TEXT: text})
    message.set(SPACY_DOCS[TEXT], doc)
    message.set("intent", {"name": intent, "confidence": 0.6})
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": 0.6}, {"name": "ask_recovery", "confidence": 0.3}],
    )
    message.set("entities", medication_entities(doc))
    MedicationScope().process([message])
    return message


def medications(message: Message) -> List[Any]:
    return [e["value"] for e in message.get("entities", []) if e["entity"] == "medication"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("what is gabapentin?", "ask_what_is"),
        ("does Valium help back spasms?", "ask_effectiveness"),
        ("what are the side effects of ibuprofen?", "ask_side_effects"),
        ("tramadol, blorf", "nlu_fallback"),
    ],
)
def test_a_question_about_an_uncovered_medicine_is_declined(nlp, text: str, intent: str) -> None:
    message = scoped(nlp, text, intent)
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "out_of_scope"
    assert message.get("other_medications")


@pytest.mark.parametrize(
    "text, intent",
    [
        ("I took Advil, should I use heat or ice?", "ask_home_remedies"),
        ("can I take gabapentin with my other pills?", "ask_personal_advice"),
        ("can I take buspar with zoloft", "ask_personal_advice"),
        ("is flexeril safer than trazodone", "ask_comparison"),
    ],
)
def test_back_pain_personal_and_article_medicine_questions_keep_their_intent(
    nlp, text: str, intent: str
) -> None:
    assert scoped(nlp, text, intent).get("intent")["name"] == intent


def test_pain_relievers_and_muscle_relaxants_are_answered_by_the_conventional_treatments(
    nlp,
) -> None:
    assert (
        scoped(nlp, "does flexeril help back pain?", "ask_effectiveness").get("intent")["name"]
        == "ask_conventional_treatments"
    )
    assert (
        scoped(nlp, "is tylenol or advil better for back pain?", "ask_comparison").get("intent")[
            "name"
        ]
        == "ask_conventional_treatments"
    )


def test_a_class_the_xanax_article_speaks_of_is_answered_from_it(nlp) -> None:
    message = scoped(nlp, "what are benzodiazepines?", "ask_what_is")
    assert message.get("intent")["name"] == "ask_what_is"
    assert medications(message) == ["xanax"]


def test_a_message_without_other_medicines_is_left_alone(nlp) -> None:
    message = scoped(nlp, "does xanax help back pain", "ask_effectiveness")
    assert (
        message.get("intent")["name"] == "ask_effectiveness"
        and message.get("other_medications") is None
    )
