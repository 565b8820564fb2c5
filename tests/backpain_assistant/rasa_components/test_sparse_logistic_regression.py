"""The classifier must see exactly the matrix Rasa's LogisticRegressionClassifier builds."""

from typing import List, Optional

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain_assistant.rasa_components.sparse_logistic_regression import (
    SparseLogisticRegressionClassifier,
)

WIDTHS = {"CountVectorsFeaturizer3": 37, "CountVectorsFeaturizer4": 211}


def message(
    random: np.random.Generator, dense: Optional[int] = None, intent: Optional[str] = None
) -> Message:
    tokens = int(random.integers(1, 6))
    features = []
    for origin, width in WIDTHS.items():
        sequence = scipy.sparse.random(
            tokens, width, density=0.05, random_state=random, format="coo"
        )
        sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0))
        features += [
            Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin),
            Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin),
        ]
    if dense:
        features.append(Features(random.random((1, dense)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    data = {TEXT: "text", INTENT: intent} if intent else {TEXT: "text"}
    return Message(data=data, features=features)


@pytest.fixture
def classifiers(tmp_path) -> List[LogisticRegressionClassifier]:
    storage, context = LocalModelStorage(tmp_path), ExecutionContext.__new__(ExecutionContext)
    context.node_name = "classifier"
    return [
        cls.create(cls.get_default_config(), storage, Resource("classifier"), context)
        for cls in (LogisticRegressionClassifier, SparseLogisticRegressionClassifier)
    ]


@pytest.mark.parametrize("count, dense", [(1, None), (7, None), (1, 5), (3, 5)])
def test_the_matrix_is_rasas_matrix(
    classifiers: List[LogisticRegressionClassifier], count: int, dense: Optional[int]
) -> None:
    random = np.random.default_rng(count * 10 + (dense or 0))
    messages = [message(random, dense) for _ in range(count)]
    rasas, ours = (classifier._create_X(messages) for classifier in classifiers)
    assert ours.shape == rasas.shape == (count, sum(WIDTHS.values()) + (dense or 0))
    assert ours.dtype == rasas.dtype
    assert (ours != rasas).nnz == 0
    assert rasas.nnz > 0


def test_unsorted_and_repeated_columns_are_summed_as_rasa_sums_them(
    classifiers: List[LogisticRegressionClassifier],
) -> None:
    features = []
    for origin, width in WIDTHS.items():
        sentence = scipy.sparse.coo_matrix(
            ([2, 1, 4, 3], ([0, 0, 0, 0], [5, 1, 5, 30])), shape=(1, width)
        )
        features.append(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
    messages = [Message(data={TEXT: "text"}, features=features)]
    rasas, ours = (classifier._create_X(messages) for classifier in classifiers)
    assert ours.shape == rasas.shape and ours.dtype == rasas.dtype
    assert (ours != rasas).nnz == 0 and ours.nnz == rasas.nnz == 6


def test_a_message_without_features_gives_rasas_empty_row(
    classifiers: List[LogisticRegressionClassifier],
) -> None:
    empty = Message(data={TEXT: ""}, features=[])
    rasas, ours = (classifier._create_X([empty]) for classifier in classifiers)
    assert ours.shape == rasas.shape == (1, 0) and ours.dtype == rasas.dtype


def test_a_loaded_classifier_scores_like_rasas_with_column_major_coefficients(tmp_path) -> None:
    storage, context = LocalModelStorage(tmp_path), ExecutionContext.__new__(ExecutionContext)
    context.node_name = "classifier"
    random = np.random.default_rng(5)
    training = [message(random, intent=f"intent_{i % 4}") for i in range(40)]
    config = SparseLogisticRegressionClassifier.get_default_config()
    trained = SparseLogisticRegressionClassifier.create(
        config, storage, Resource("classifier"), context
    )
    trained.train(TrainingData(training))
    rasas, ours = (
        cls.load(config, storage, Resource("classifier"), context)
        for cls in (LogisticRegressionClassifier, SparseLogisticRegressionClassifier)
    )
    assert ours.clf.coef_.T.flags.c_contiguous and not rasas.clf.coef_.T.flags.c_contiguous
    assert trained.clf.coef_.T.flags.c_contiguous
    X = ours._create_X([message(random) for _ in range(25)])
    assert np.array_equal(ours.clf.predict_proba(X), rasas.clf.predict_proba(X))
