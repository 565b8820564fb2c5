"""Python's full garbage collections skip the objects loaded at start-up.

A served model leaves about 550,000 objects (Rasa, TensorFlow, spaCy, the trained model)
tracked by the cyclic garbage collector, and a full (generation 2) collection walks every
one of them: about 250 ms in which the process answers nobody, about once every 6,000
messages under load. `use_frozen_startup_objects` calls `gc.freeze()` once the model has
loaded in each server process, which moves them to the permanent generation; a full
collection then takes about 30 ms. Frozen objects are still freed by reference counting; only
a reference cycle among them is never collected, which would matter only if the model were
replaced at run time (`PUT /model`, which needs `--enable-api`, off here).
"""

import gc
from typing import Any

import rasa.core.run
from rasa.core.agent import Agent

from backpain_assistant.rasa_speedups.source_checks import require_source

RASAS_LOAD_AGENT_ON_START = rasa.core.run.load_agent_on_start


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Agent:
    agent = await RASAS_LOAD_AGENT_ON_START(*args, **kwargs)
    gc.freeze()
    return agent


def use_frozen_startup_objects() -> None:
    if rasa.core.run.load_agent_on_start is load_agent_then_freeze:
        return
    require_source(
        rasa.core.run.serve_application,
        "partial(load_agent_on_start,",
        message="rasa.core.run.serve_application no longer loads the agent through load_agent_on_start; "
        "review rasa_speedups.frozen_startup_objects.",
    )
    rasa.core.run.load_agent_on_start = load_agent_then_freeze
