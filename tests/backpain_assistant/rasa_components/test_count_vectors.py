"""The featurizer must give every message exactly the features Rasa's CountVectorsFeaturizer gives."""

import copy
from pathlib import Path
from typing import Any, Dict, List

import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain_assistant.rasa_components.count_vectors import DirectCountVectorsFeaturizer

ROOT = Path(__file__).parents[3]
CONFIGS = {
    "words": {},
    "characters, as config.yml": {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
    "binary word pairs": {"min_ngram": 1, "max_ngram": 2, "use_shared_vocab": False},
    "out-of-vocabulary token": {"OOV_token": "oov", "min_df": 2},
}
UNSEEN = ["xyzzy plugh", "TRAZODONE!!! and, xanax?", "a", "   ", "Ça va? naïve café", "1 2 3 mg/kg"]


def context(name: str) -> ExecutionContext:
    execution_context = ExecutionContext.__new__(ExecutionContext)
    execution_context.node_name = name
    return execution_context


@pytest.fixture(scope="module")
def training_data() -> TrainingData:
    data = load_data(str(ROOT / "data" / "nlu"))
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), None, None, context("t")
    )
    tokenizer.process_training_data(data)
    return data


def tokenized(texts: List[str]) -> List[Message]:
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), None, None, context("t")
    )
    return tokenizer.process([Message(data={TEXT: text}) for text in texts])


def features_of(message: Message) -> List[Dict[str, Any]]:
    result = []
    for feature in message.features:
        matrix = feature.features
        assert isinstance(matrix, scipy.sparse.coo_matrix)
        result.append(
            {
                "type": feature.type,
                "attribute": feature.attribute,
                "origin": feature.origin,
                "shape": matrix.shape,
                "dtypes": (matrix.row.dtype, matrix.col.dtype, matrix.data.dtype),
                "entries": list(
                    zip(matrix.row.tolist(), matrix.col.tolist(), matrix.data.tolist())
                ),
            }
        )
    return result


@pytest.mark.parametrize("name", CONFIGS)
def test_features_are_rasas(name: str, training_data: TrainingData, tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    config = {**DirectCountVectorsFeaturizer.get_default_config(), **CONFIGS[name]}
    trained = CountVectorsFeaturizer.create(config, storage, Resource("cvf"), context("cvf"))
    trained.train(copy.deepcopy(training_data))
    rasas, ours = (
        cls.load(config, storage, Resource("cvf"), context("cvf"))
        for cls in (CountVectorsFeaturizer, DirectCountVectorsFeaturizer)
    )
    messages = [Message(data=dict(m.data)) for m in training_data.intent_examples[::3]] + tokenized(
        UNSEEN
    )
    by_rasa, by_us = copy.deepcopy(messages), copy.deepcopy(messages)
    rasas.process(by_rasa)
    ours.process(by_us)
    for rasa_message, our_message in zip(by_rasa, by_us):
        assert features_of(our_message) == features_of(rasa_message), rasa_message.get(TEXT)
    assert sum(bool(features_of(m)) for m in by_us) >= len(training_data.intent_examples[::3])


def test_training_data_gets_rasas_features(training_data: TrainingData, tmp_path: Path) -> None:
    config = {**CountVectorsFeaturizer.get_default_config(), **CONFIGS["characters, as config.yml"]}
    featurized = []
    for cls in (CountVectorsFeaturizer, DirectCountVectorsFeaturizer):
        data = copy.deepcopy(training_data)
        (tmp_path / cls.__name__).mkdir()
        featurizer = cls.create(
            config, LocalModelStorage(tmp_path / cls.__name__), Resource("cvf"), context("cvf")
        )
        featurizer.train(data)
        featurizer.process_training_data(data)
        featurized.append([features_of(m) for m in data.training_examples])
    assert featurized[0] == featurized[1]


def test_without_sequence_features_the_sentence_features_are_rasas(
    training_data: TrainingData, tmp_path: Path
) -> None:
    storage = LocalModelStorage(tmp_path)
    config = {**CountVectorsFeaturizer.get_default_config(), **CONFIGS["characters, as config.yml"]}
    CountVectorsFeaturizer.create(config, storage, Resource("cvf"), context("cvf")).train(
        copy.deepcopy(training_data)
    )
    rasas = CountVectorsFeaturizer.load(config, storage, Resource("cvf"), context("cvf"))
    ours = DirectCountVectorsFeaturizer.load(
        {**config, "sequence_features": False}, storage, Resource("cvf"), context("cvf")
    )
    by_rasa, by_us = tokenized(UNSEEN[:3]), tokenized(UNSEEN[:3])
    rasas.process(by_rasa)
    ours.process(by_us)
    for rasa_message, our_message in zip(by_rasa, by_us):
        sentence = [f for f in features_of(rasa_message) if f["type"] == FEATURE_TYPE_SENTENCE]
        assert features_of(our_message) == sentence and sentence


def test_an_untrained_featurizer_adds_nothing_as_rasas(tmp_path: Path) -> None:
    config = CountVectorsFeaturizer.get_default_config()
    featurizer = DirectCountVectorsFeaturizer.create(
        config, LocalModelStorage(tmp_path), Resource("cvf"), context("cvf")
    )
    message = tokenized(["hello there"])[0]
    featurizer.process([message])
    assert message.features == []
