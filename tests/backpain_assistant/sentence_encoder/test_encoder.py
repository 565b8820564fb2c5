import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from backpain_assistant.sentence_encoder import encoder, model_files
from backpain_assistant.sentence_encoder.model_files import ModelFileMismatch
from tests.backpain_assistant.sentence_encoder import numpy_reference
from tests.conftest import ROOT

BUILT = ROOT / "build" / "encoder" / "all-MiniLM-L6-v2"
TEXTS = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "Does trazodone help with lower back pain, and will it make me groggy in the morning?",
    "my toes drag on the floor",
]


@pytest.fixture(scope="module")
def built() -> encoder.SentenceEncoder:
    return encoder.load(str(BUILT))


@pytest.fixture(scope="module")
def reference():
    files = model_files.verified_upstream_files()
    weights = load_file(str(files["model.safetensors"]))
    config = json.loads(files["config.json"].read_text())
    return lambda ids: numpy_reference.embed(ids, weights, config)


def test_embeddings_stay_close_to_the_float_model(built, reference) -> None:
    """int8 weights move each vector a little; the direction must stay the same."""
    for text in TEXTS:
        ids = built._tokenizer.encode(text).ids
        assert float(built.embed(text) @ reference(ids)) >= 0.98, text


def test_meaning_orders_similarity(built) -> None:
    food, bread, trazodone, toes = (built.embed(t) for t in TEXTS)
    assert food @ bread > 0.6 > max(food @ trazodone, food @ toes)


def test_a_batch_gives_what_one_message_gives(built) -> None:
    batch = built.embed_many(TEXTS)
    for text, vector in zip(TEXTS, batch):
        assert np.array_equal(vector, built.embed(text))


def test_vectors_have_unit_length(built) -> None:
    assert np.allclose(np.linalg.norm(built.embed_many(TEXTS), axis=1), 1.0, atol=1e-5)


def test_a_long_message_is_truncated_not_refused(built) -> None:
    assert built.embed("back pain " * 2000).shape == (encoder.DIMENSIONS,)


def test_a_tampered_build_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "encoder"
    shutil.copytree(BUILT, copy)
    with (copy / encoder.TOKENIZER_FILE).open("a") as handle:
        handle.write(" ")
    with pytest.raises(ModelFileMismatch):
        encoder.SentenceEncoder(copy)
