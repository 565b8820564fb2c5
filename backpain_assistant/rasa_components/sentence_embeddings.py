"""Dense sentence features from the pretrained sentence encoder (all-MiniLM-L6-v2).

Count features only know the words of the training examples we wrote; the encoder was trained
on a billion sentence pairs and places "my toes drag on the floor" near "foot drop". The
classifier reads both side by side. `scale` sets the embedding's weight against the counts
under the classifier's single regularisation strength (a unit vector is small beside counts).
"""

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain_assistant.sentence_encoder import encoder

MODEL_DIR = "model_dir"
SCALE = "scale"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            MODEL_DIR: "build/encoder/all-MiniLM-L6-v2",
            SCALE: 1.0,
        }

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.validate_config(self._config)
        self._encoder = encoder.load(str(self._config[MODEL_DIR]))
        self._scale = float(self._config[SCALE])

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config[SCALE]) <= 0:
            raise ValueError(f"{cls.__name__}: scale must be positive, not {config[SCALE]}")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context.node_name)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._add(message, self._encoder.embed(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        vectors = self._encoder.embed_many([m.get(TEXT) for m in examples])
        for message, vector in zip(examples, vectors):
            self._add(message, vector)
        return training_data

    def _add(self, message: Message, vector: np.ndarray) -> None:
        sentence = (vector * self._scale).reshape(1, -1).astype(np.float32)
        self.add_features_to_message(
            sequence=None, sentence=sentence, attribute=TEXT, message=message
        )
