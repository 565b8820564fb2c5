"""The served model's two SpacyNLP nodes share one loaded pipeline."""

from pathlib import Path

import pytest
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.nlu.model import InvalidModelError

from backpain_assistant.rasa_speedups.spacy_model import (
    RASAS_LOAD_MODEL,
    load_model_once,
    use_one_spacy_load,
)

PIPELINE = str(Path(__file__).resolve().parents[3] / "build" / "spacy" / "backpain_en")


@pytest.fixture
def rasas_load_model_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SpacyNLP, "load_model", SpacyNLP.__dict__["load_model"])
    load_model_once.cache_clear()


def test_rasa_loads_the_pipeline_for_each_node_and_we_load_it_once(
    rasas_load_model_back: None,
) -> None:
    assert RASAS_LOAD_MODEL(PIPELINE).model is not RASAS_LOAD_MODEL(PIPELINE).model
    use_one_spacy_load()
    use_one_spacy_load()  # a second install is harmless
    first, second = SpacyNLP.load_model(PIPELINE), SpacyNLP.load_model(PIPELINE)
    assert first is second
    assert first.model_name == PIPELINE
    assert [token.text for token in first.model("Does trazodone help?")] == [
        "Does",
        "trazodone",
        "help",
        "?",
    ]


def test_a_missing_pipeline_fails_as_in_rasa_every_time(
    rasas_load_model_back: None, tmp_path: Path
) -> None:
    use_one_spacy_load()
    for _ in range(2):
        with pytest.raises(InvalidModelError):
            SpacyNLP.load_model(str(tmp_path / "missing"))
    assert load_model_once.cache_info().currsize == 0


def test_installing_fails_loudly_when_rasas_loading_has_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(SpacyNLP, "load_model", staticmethod(lambda name: None))
    with pytest.raises(RuntimeError, match="load_model has changed"):
        use_one_spacy_load()
