from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain_assistant.rasa_components.medication_entities import (
    MedicationEntityExtractor,
    medication_entities,
)


def values(nlp, text: str):
    return [(e["entity"], e["value"]) for e in medication_entities(nlp(text))]


def test_brands_and_misspellings_get_the_canonical_value(nlp) -> None:
    assert values(nlp, "is desyrel like xanex") == [
        ("medication", "trazodone"),
        ("medication", "xanax"),
        ("medication_pair", "trazodone_xanax"),
    ]


def test_one_medication_named_twice_is_no_pair(nlp) -> None:
    assert values(nlp, "cymbalta is an ssri?") == [
        ("medication", "antidepressants"),
        ("medication", "antidepressants"),
    ]


def test_messages_without_a_spacy_doc_pass_through() -> None:
    message = Message({TEXT: "/greet"})
    MedicationEntityExtractor().process([message])
    assert message.get("entities") is None


def test_the_component_adds_entities_with_its_name(nlp) -> None:
    message = Message({TEXT: "trazodone"})
    message.set(SPACY_DOCS[TEXT], nlp("trazodone"))
    MedicationEntityExtractor().process([message])
    assert message.get("entities") == [
        {
            "entity": "medication",
            "value": "trazodone",
            "start": 0,
            "end": 9,
            "extractor": "MedicationEntityExtractor",
        }
    ]
