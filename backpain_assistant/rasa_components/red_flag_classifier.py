"""A safety net under the red-flag matcher: a classifier over the sentence encoder's embedding
of the whole message, for emergencies worded in ways no phrase list names ("our toddler ate a
laundry pod", "I just want it all to go away").

It is a multinomial logistic regression over the red-flag categories and `none`, trained on
labelled messages: the project's red-flag sets and the dev part of the outside sets (real
people's words), with every other NLU training example as `none`. A category whose
probability reaches `threshold` is added to the parse data as `semantic_red_flag`; the
RedFlagRouter escalates on it as on the matcher's findings. When the classifier is sure of
`none` (`urgent_veto`), it also vetoes the matcher's urgent-tier findings in long messages
(`veto_min_words`): stories, whose urgent-sounding phrases are mostly told as past ("I fell
off a ladder in 2015"). A short message keeps every finding, and an emergency is never vetoed.
Both operating points were chosen on the outside dev part by cross-validation (docs/red-flags.md).
"""

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from backpain_assistant import outside_sets, yaml_data
from backpain_assistant.sentence_encoder import encoder

logger = logging.getLogger(__name__)

NONE = "none"
SEMANTIC_RED_FLAG_KEY = "semantic_red_flag"
RED_FLAG_INTENT = "red_flag"
WEIGHTS_FILE = "red_flag_classifier.npz"


def labelled_messages(paths: List[str], outside_part: str) -> List[Tuple[str, str]]:
    """(text, category or `none`) from red-flag YAML sets and folders of outside sets."""
    found: List[Tuple[str, str]] = []
    for name in paths:
        path = Path(name)
        found.extend(
            _outside_examples(path, outside_part) if path.is_dir() else _yaml_examples(path)
        )
    return found


def _yaml_examples(path: Path) -> List[Tuple[str, str]]:
    messages = yaml.safe_load(path.read_text("utf-8"))["messages"]
    return [(m["text"], m["category"]) if isinstance(m, dict) else (m, NONE) for m in messages]


def _outside_examples(directory: Path, part: str) -> List[Tuple[str, str]]:
    categories = yaml_data.load("red_flag_detection")["categories"]
    examples = []
    for item in outside_sets.load_items(directory, part):
        if item.escalate == "must" and item.category in categories:
            examples.append((item.text, item.category))
        elif item.escalate == "must_not":
            examples.append((item.text, NONE))
    return examples


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RedFlagClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "model_dir": "build/encoder/all-MiniLM-L6-v2",
            "labelled_sets": [],
            "outside_part": "dev",
            "threshold": 0.7,
            "urgent_veto": 0.9,
            "veto_min_words": 30,
            "C": 30.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: Optional[Dict[str, np.ndarray]] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._encoder = encoder.load(str(config["model_dir"]))
        self._weights = weights

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RedFlagClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as stored:
                    weights = {name: stored[name] for name in stored.files}
        except ValueError:  # nothing was trained
            weights = None
        return cls(config, model_storage, resource, weights)

    def train(self, training_data: TrainingData) -> Resource:
        labelled = labelled_messages(self._config["labelled_sets"], self._config["outside_part"])
        labelled_texts = {text for text, _ in labelled}
        others = [
            (m.get(TEXT), NONE)
            for m in training_data.intent_examples
            if m.get(INTENT) != RED_FLAG_INTENT
            and m.get(TEXT) not in labelled_texts  # each message once
        ]
        texts, labels = zip(*(labelled + others))
        # No class weighting: balanced weights raised recall a little and false alarms on
        # negated messages ("no fever, no numbness") a lot.
        classifier = LogisticRegression(C=float(self._config["C"]), max_iter=3000)
        classifier.fit(self._encoder.embed_many(list(texts)), list(labels))
        self._weights = {
            "coef": classifier.coef_.astype(np.float32),
            "intercept": classifier.intercept_.astype(np.float32),
            "classes": np.array(classifier.classes_, dtype=str),
        }
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, **self._weights)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._weights is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(SEMANTIC_RED_FLAG_KEY, self.classify(text), add_to_output=True)
        return messages

    def classify(self, text: str) -> Dict[str, Any]:
        """The most probable red-flag category if it reaches the threshold, else None, and
        whether the message is surely not a red flag."""
        scores = self._weights["coef"] @ self._encoder.embed(text) + self._weights["intercept"]
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        classes = self._weights["classes"]
        none = float(probabilities[classes == NONE][0])
        probabilities[classes == NONE] = -1.0
        best = int(np.argmax(probabilities))
        found = probabilities[best] >= float(self._config["threshold"])
        return {
            "category": str(classes[best]) if found else None,
            "confidence": round(float(probabilities[best]), 4),
            "veto_urgent": none >= float(self._config["urgent_veto"])
            and len(text.split()) >= int(self._config["veto_min_words"]),
        }
