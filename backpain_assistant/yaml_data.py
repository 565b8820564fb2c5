from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Parsed content of `backpain_assistant/data/<name>.yml`."""
    path = resources.files("backpain_assistant.data").joinpath(f"{name}.yml")
    return yaml.safe_load(path.read_text("utf-8"))
