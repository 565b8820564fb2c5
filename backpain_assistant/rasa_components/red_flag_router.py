import logging
from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

from backpain_assistant import yaml_data
from backpain_assistant.rasa_components.red_flag_classifier import SEMANTIC_RED_FLAG_KEY
from backpain_assistant.rasa_components.stateless import StatelessComponent
from backpain_assistant.parse_data import QUESTION_PREFIX, RED_FLAGS_KEY
from backpain_assistant.spacy_pipeline.red_flag_matcher import TIER_ORDER, RedFlag

logger = logging.getLogger(__name__)

RED_FLAG_INTENT = "red_flag"
CATEGORY_ENTITY = "red_flag_category"
TIER_ENTITY = "red_flag_tier"
TOPIC_ENTITY = "topic"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagRouter(StatelessComponent, IntentClassifier, EntityExtractorMixin):
    """Makes every message in which the spaCy red-flag matcher, or the semantic red-flag
    classifier under it, found something a `red_flag`.

    Runs after the intent classifiers (FallbackClassifier included), so escalation wins over
    any FAQ answer whatever was predicted. The two detectors decide: a `red_flag` the intent
    classifier predicted without their evidence is replaced by its next guess (as a second net
    it cried wolf on ordinary statements about back pain; see README).

    What was found is added to the parse data as `red_flags` (category, tier, label; most
    severe first) together with the intent the classifiers had predicted, and the most severe
    one as `red_flag_category` and `red_flag_tier` entities, which fill the slots the domain
    responses depend on. When the predicted intent was a question (`ask_<topic>`), a `topic`
    entity keeps that question, so the escalation action can still answer it after the warning.
    """

    def __init__(self) -> None:
        self._categories = yaml_data.load("red_flag_detection")["categories"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc: Optional[Doc] = message.get(SPACY_DOCS[TEXT])
            flags: List[RedFlag] = list(doc._.red_flags) if doc is not None else []
            flags = self._with_semantic_flag(flags, message.get(SEMANTIC_RED_FLAG_KEY))
            if flags:
                self._route(message, flags)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == RED_FLAG_INTENT:
                _demote_red_flag(message)
        return messages

    def _with_semantic_flag(self, flags: List[RedFlag], semantic: Optional[dict]) -> List[RedFlag]:
        """The matcher's flags (less the urgent ones the classifier vetoes), and the
        classifier's category when the matcher missed it."""
        if not semantic:
            return flags
        if semantic.get("veto_urgent"):
            flags = [f for f in flags if f.tier != TIER_ORDER[1]]  # never an emergency
        if not semantic.get("category") or any(f.category == semantic["category"] for f in flags):
            return flags
        spec = self._categories[semantic["category"]]
        found = RedFlag(
            semantic["category"], spec["tier"], spec["label"], evidence="sentence encoder"
        )
        return sorted(flags + [found], key=lambda f: TIER_ORDER.index(f.tier))

    def _route(self, message: Message, flags: List[RedFlag]) -> None:
        predicted = message.get(INTENT) or {}
        ranking = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT
        ]
        red_flag = {INTENT_NAME_KEY: RED_FLAG_INTENT, "confidence": 1.0}
        message.set(INTENT, red_flag, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [red_flag] + ranking, add_to_output=True)
        message.set(
            RED_FLAGS_KEY,
            {
                "flags": [
                    {"category": f.category, "tier": f.tier, "label": f.label} for f in flags
                ],
                "predicted_intent": predicted.get(INTENT_NAME_KEY),
            },
            add_to_output=True,
        )
        most_severe = flags[0]
        entities = [
            {"entity": CATEGORY_ENTITY, "value": most_severe.category, "start": 0, "end": 0},
            {"entity": TIER_ENTITY, "value": most_severe.tier, "start": 0, "end": 0},
        ]
        predicted_name = predicted.get(INTENT_NAME_KEY) or ""
        if predicted_name.startswith(QUESTION_PREFIX):
            topic = predicted_name[len(QUESTION_PREFIX) :]
            entities.append({"entity": TOPIC_ENTITY, "value": topic, "start": 0, "end": 0})
        entities = self.add_extractor_name(entities)
        message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        logger.info("red_flag.detected category=%s tier=%s", most_severe.category, most_severe.tier)


def _demote_red_flag(message: Message) -> None:
    ranking = [
        r
        for r in message.get(INTENT_RANKING_KEY) or []
        if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT
    ]
    if ranking:
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
