"""Objects alive once the model has loaded are frozen out of full garbage collections."""

import asyncio
import gc
from typing import Any, Iterator, List

import pytest
import rasa.core.run

from backpain_assistant.rasa_speedups import frozen_startup_objects
from backpain_assistant.rasa_speedups.frozen_startup_objects import (
    load_agent_then_freeze,
    use_frozen_startup_objects,
)


class LoadedAtStartUp:
    pass


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture
def rasas_loader_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        rasa.core.run, "load_agent_on_start", frozen_startup_objects.RASAS_LOAD_AGENT_ON_START
    )


def test_the_agent_and_all_it_loaded_are_frozen_after_loading(
    monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    loaded: List[Any] = []

    async def rasas_load(model_path: str, *rest: Any) -> Any:
        loaded.append(LoadedAtStartUp())
        assert gc.get_freeze_count() == 0, "frozen before the model had loaded"
        return model_path

    monkeypatch.setattr(frozen_startup_objects, "RASAS_LOAD_AGENT_ON_START", rasas_load)
    assert asyncio.run(load_agent_then_freeze("models", None, None, object(), None)) == "models"
    assert gc.get_freeze_count() > 0
    assert not any(
        obj is loaded[0] for obj in gc.get_objects()
    ), "the loaded object is still collected"
    created_later = LoadedAtStartUp()
    assert any(obj is created_later for obj in gc.get_objects())


def test_rasa_serves_through_the_freezing_loader(rasas_loader_back: None) -> None:
    use_frozen_startup_objects()
    use_frozen_startup_objects()  # a second install is harmless
    assert rasa.core.run.load_agent_on_start is load_agent_then_freeze


def test_installing_fails_loudly_when_rasa_loads_the_agent_another_way(
    monkeypatch: pytest.MonkeyPatch, rasas_loader_back: None
) -> None:
    monkeypatch.setattr(rasa.core.run, "serve_application", lambda: None)
    with pytest.raises(RuntimeError, match="load_agent_on_start"):
        use_frozen_startup_objects()
