from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Union

import yaml


@lru_cache(maxsize=None)
def load_file(path: Union[str, Path]) -> Any:
    """Parsed content of a YAML file, read once."""
    return yaml.safe_load(Path(path).read_text("utf-8"))


def load(name: str) -> Any:
    """Parsed content of `backpain_assistant/data/<name>.yml`."""
    return load_file(str(resources.files("backpain_assistant.data").joinpath(f"{name}.yml")))
