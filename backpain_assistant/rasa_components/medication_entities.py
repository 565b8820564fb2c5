from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

from backpain_assistant.rasa_components.stateless import StatelessComponent
from backpain_assistant.spacy_pipeline.medication_lemmas import MEDICATION_LABEL

MEDICATION = "medication"
MEDICATION_PAIR = "medication_pair"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MedicationEntityExtractor(StatelessComponent, EntityExtractorMixin):
    """Turns the spaCy pipeline's MEDICATION entities into Rasa entities.

    Each mention becomes a `medication` entity whose value is the canonical name
    (`trazodone`, `xanax` or `antidepressants`), whatever brand or misspelling was typed.
    A message naming two different medications also gets a `medication_pair` entity
    (the two names sorted and joined by "_") for comparisons.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc: Optional[Doc] = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            found = self.add_extractor_name(medication_entities(doc))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


def medication_entities(doc: Doc) -> List[Dict[Text, Any]]:
    mentions = [ent for ent in doc.ents if ent.label_ == MEDICATION_LABEL]
    entities = [
        {"entity": MEDICATION, "value": ent.ent_id_, "start": ent.start_char, "end": ent.end_char}
        for ent in mentions
    ]
    distinct = sorted({ent.ent_id_ for ent in mentions})
    if len(distinct) == 2:
        first, last = mentions[0], mentions[-1]
        entities.append(
            {
                "entity": MEDICATION_PAIR,
                "value": "_".join(distinct),
                "start": first.start_char,
                "end": last.end_char,
            }
        )
    return entities
