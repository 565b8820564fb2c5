import numpy as np
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain_assistant.rasa_components.sentence_embeddings import SentenceEmbeddingFeaturizer
from backpain_assistant.sentence_encoder import encoder
from tests.backpain_assistant.sentence_encoder.test_encoder import BUILT


def featurizer(scale: float) -> SentenceEmbeddingFeaturizer:
    config = {
        **SentenceEmbeddingFeaturizer.get_default_config(),
        "model_dir": str(BUILT),
        "scale": scale,
    }
    return SentenceEmbeddingFeaturizer(config, "embeddings")


def test_a_message_gets_the_scaled_embedding_as_its_sentence_features() -> None:
    message = Message({TEXT: "my toes drag on the floor"})
    featurizer(4.0).process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert np.allclose(
        sentence.features[0], 4.0 * encoder.load(str(BUILT)).embed("my toes drag on the floor")
    )


def test_training_examples_get_what_served_messages_get() -> None:
    text = "does trazodone help back pain?"
    data = TrainingData([Message({TEXT: text, INTENT: "ask_effectiveness"})])
    featurizer(1.0).process_training_data(data)
    served = Message({TEXT: text})
    featurizer(1.0).process([served])
    trained_row = data.training_examples[0].get_dense_features(TEXT)[1].features
    assert np.array_equal(trained_row, served.get_dense_features(TEXT)[1].features)


def test_an_empty_message_gets_no_features() -> None:
    message = Message({TEXT: ""})
    featurizer(1.0).process([message])
    assert message.get_dense_features(TEXT) == (None, None)


def test_scale_must_be_positive() -> None:
    import pytest

    with pytest.raises(ValueError):
        SentenceEmbeddingFeaturizer.validate_config({"scale": 0})
