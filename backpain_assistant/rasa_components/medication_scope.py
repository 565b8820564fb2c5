"""Declines questions about medicines the articles do not cover, instead of answering them with
a section about another drug.

A question about a medicine beyond the three articles' (what gabapentin is, whether Valium
helps, tramadol's side effects…) gets `out_of_scope`; a personal question about it stays a
referral, and a back-pain question that only mentions one ("I took Advil, should I use heat
or ice?") keeps its answer, since the articles answer it whatever was taken. Where the articles speak
of the medicine's class, the question is kept: a class article's answers (benzodiazepines ->
the Xanax article; antidepressants are recognised by the lexicon already), or the articles'
treatment sections for pain relievers and muscle relaxants (data/medication_classes.yml).
What was found is added to the parse data as `other_medications`.
"""

import logging
from typing import Any, Dict, List, Optional, Set

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

from backpain_assistant import yaml_data
from backpain_assistant.parse_data import QUESTION_PREFIX
from backpain_assistant.rasa_components.medication_entities import MEDICATION
from backpain_assistant.rasa_components.stateless import StatelessComponent

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
PERSONAL_ADVICE = "ask_personal_advice"
FALLBACK = "nlu_fallback"
# Topics whose answers are about the medication itself; the others are about back pain.
MEDICATION_TOPICS = frozenset(
    {
        "what_is",
        "effectiveness",
        "side_effects",
        "dependency",
        "time_to_work",
        "evidence",
        "comparison",
    }
)
OTHER_MEDICATIONS_KEY = "other_medications"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MedicationScope(StatelessComponent, IntentClassifier, EntityExtractorMixin):
    def __init__(self) -> None:
        self._classes: Dict[str, Dict[str, Any]] = yaml_data.load("medication_classes")["classes"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc: Optional[Doc] = message.get(SPACY_DOCS[TEXT])
            mentions = list(doc._.other_medications) if doc is not None else []
            if mentions:
                message.set(
                    OTHER_MEDICATIONS_KEY,
                    [{"name": m.generic, "class": m.drug_class} for m in mentions],
                    add_to_output=True,
                )
                self._scope(message, {m.drug_class for m in mentions})
        return messages

    def _scope(self, message: Message, classes: Set[str]) -> None:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
        if any(e.get("entity") == MEDICATION for e in message.get(ENTITIES, [])):
            return  # a named article medicine leads; the other one is context ("Flexeril and trazodone")
        if intent == FALLBACK:
            _set_intent(message, OUT_OF_SCOPE)  # unsure what was asked, sure it's another medicine
            return
        if not intent.startswith(QUESTION_PREFIX) or intent == PERSONAL_ADVICE:
            return
        topic = intent[len(QUESTION_PREFIX) :]
        if topic not in MEDICATION_TOPICS:
            return
        specs = [self._classes.get(c, {}) for c in classes]
        articles = {spec.get("article") for spec in specs}
        answered_as = {
            spec.get("answered_as") if topic in spec.get("for", ()) else None for spec in specs
        }
        if len(articles) == 1 and None not in articles:
            self._add_class_article(message, articles.pop())
        elif len(answered_as) == 1 and None not in answered_as:
            _set_intent(message, QUESTION_PREFIX + answered_as.pop())
        else:
            _set_intent(message, OUT_OF_SCOPE)

    def _add_class_article(self, message: Message, article: str) -> None:
        entity = {"entity": MEDICATION, "value": article, "start": 0, "end": 0}
        message.set(
            ENTITIES,
            message.get(ENTITIES, []) + self.add_extractor_name([entity]),
            add_to_output=True,
        )


def _set_intent(message: Message, intent: str) -> None:
    chosen = {INTENT_NAME_KEY: intent, "confidence": 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
    logger.debug("medication_scope.intent intent=%s", intent)
