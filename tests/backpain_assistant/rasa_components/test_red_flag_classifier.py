import json
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain_assistant.outside_sets import part_of
from backpain_assistant.rasa_components.red_flag_classifier import (
    NONE,
    SEMANTIC_RED_FLAG_KEY,
    RedFlagClassifier,
    labelled_messages,
)


def outside_line(text: str, url: str, escalate: str, category=None) -> str:
    return json.dumps(
        {
            "id": text[:8],
            "text": text,
            "source_url": url,
            "acceptable": [],
            "escalate": escalate,
            "tiers": ["emergency"] if escalate == "must" else [],
            "category": category,
        }
    )


def url_in(part: str, start: int = 0) -> str:
    return next(
        f"https://example.org/{n}"
        for n in range(start, 10_000)
        if part_of(f"https://example.org/{n}") == part
    )


def test_labelled_messages_come_from_red_flag_sets_and_the_outside_dev_part_only(
    tmp_path: Path,
) -> None:
    (tmp_path / "flags.yml").write_text(
        'messages:\n  - {category: overdose, text: "took the whole bottle"}\n'
    )
    (tmp_path / "benign.yml").write_text('messages:\n  - "no fever"\n')
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "set.jsonl").write_text(
        "\n".join(
            [
                outside_line("our toddler ate a laundry pod", url_in("dev"), "must", "overdose"),
                outside_line("heat or ice?", url_in("dev", 1000), "must_not"),
                outside_line("maybe, maybe not", url_in("dev", 2000), "either", "overdose"),
                outside_line("a test item never trains", url_in("test"), "must", "overdose"),
            ]
        )
        + "\n"
    )
    found = labelled_messages(
        [str(tmp_path / "flags.yml"), str(tmp_path / "benign.yml"), str(outside)], "dev"
    )
    assert found == [
        ("took the whole bottle", "overdose"),
        ("no fever", NONE),
        ("our toddler ate a laundry pod", "overdose"),
        ("heat or ice?", NONE),
    ]


@pytest.fixture
def classifier(tmp_path: Path):
    """Trained on a few messages, persisted and loaded again as Rasa does."""
    (tmp_path / "flags.yml").write_text(
        "messages:\n"
        + "".join(
            f'  - {{category: suicidal_thoughts, text: "{t}"}}\n'
            for t in [
                "i want to end my life",
                "i don't want to be alive anymore",
                "thinking of killing myself tonight",
            ]
        )
        + "".join(
            f'  - {{category: overdose, text: "{t}"}}\n'
            for t in [
                "i took the whole bottle of pills",
                "my toddler swallowed my tablets",
                "he drank bleach",
            ]
        )
    )
    (tmp_path / "storage").mkdir()
    storage, context = (
        LocalModelStorage(tmp_path / "storage"),
        ExecutionContext.__new__(ExecutionContext),
    )
    context.node_name = "red_flag_classifier"
    config = {
        **RedFlagClassifier.get_default_config(),
        "labelled_sets": [str(tmp_path / "flags.yml")],
        "threshold": 0.3,
    }
    resource = Resource("red_flag_classifier")
    trained = RedFlagClassifier.create(config, storage, resource, context)
    others = [
        "does trazodone help back pain",
        "what are the side effects of xanax",
        "hello there",
        "thanks a lot",
        "how long does recovery take",
        "is heat or ice better",
    ]
    trained.train(TrainingData([Message({TEXT: t, INTENT: "ask_effectiveness"}) for t in others]))
    return RedFlagClassifier.load(config, storage, resource, context)


def semantic(classifier: RedFlagClassifier, text: str):
    message = Message({TEXT: text})
    classifier.process([message])
    return message.get(SEMANTIC_RED_FLAG_KEY)


def test_a_loaded_classifier_finds_the_category_in_new_words(classifier) -> None:
    assert (
        semantic(classifier, "I just want to die, I can't go on")["category"] == "suicidal_thoughts"
    )
    assert semantic(classifier, "my little boy ate a handful of my pills")["category"] == "overdose"


def test_an_ordinary_question_gets_no_category(classifier) -> None:
    assert semantic(classifier, "what are the side effects of trazodone?")["category"] is None


def test_only_a_long_message_the_classifier_is_sure_of_vetoes_urgent_findings(classifier) -> None:
    classifier._config = {**classifier._config, "urgent_veto": 0.0, "veto_min_words": 5}
    assert semantic(classifier, "heat or ice?")["veto_urgent"] is False
    assert (
        semantic(classifier, "is heat or ice better for my sore back after the gym")["veto_urgent"]
        is True
    )


def test_an_untrained_classifier_adds_nothing(tmp_path: Path) -> None:
    storage, context = LocalModelStorage(tmp_path), ExecutionContext.__new__(ExecutionContext)
    loaded = RedFlagClassifier.load(
        RedFlagClassifier.get_default_config(), storage, Resource("x"), context
    )
    message = Message({TEXT: "i want to die"})
    loaded.process([message])
    assert message.get(SEMANTIC_RED_FLAG_KEY) is None


def test_probabilities_are_a_softmax_over_the_stored_weights(classifier) -> None:
    weights = classifier._weights
    assert weights["coef"].shape == (len(weights["classes"]), 384) and NONE in weights["classes"]
    assert np.isfinite(weights["intercept"]).all()
