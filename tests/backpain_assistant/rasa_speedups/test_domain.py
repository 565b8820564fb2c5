"""`Domain.is_empty` must answer as Rasa's does."""

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from backpain_assistant.rasa_speedups.domain import use_cached_empty_domain

DOMAINS = {
    "empty": lambda: Domain.empty(),
    "from an empty dictionary": lambda: Domain.from_dict({}),
    "one intent": lambda: Domain.from_dict({"intents": ["greet"]}),
    "one response": lambda: Domain.from_dict({"responses": {"utter_hi": [{"text": "hi"}]}}),
    "this assistant's": lambda: Domain.load(str(Path(__file__).parents[3] / "domain.yml")),
}


def answers() -> dict:
    return {name: make().is_empty() for name, make in DOMAINS.items()}


def test_is_empty_answers_as_rasas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Domain, "is_empty", Domain.is_empty)
    rasas = answers()
    use_cached_empty_domain()
    use_cached_empty_domain()  # a second install is harmless
    assert answers() == rasas
    assert rasas["empty"] and rasas["from an empty dictionary"] and not rasas["this assistant's"]


def test_installing_fails_loudly_when_rasas_check_has_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Domain, "is_empty", lambda self: not self.intents)
    with pytest.raises(RuntimeError, match="is_empty has changed"):
        use_cached_empty_domain()
