from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Parsed content of `actions/data/<name>.yml`."""
    return yaml.safe_load((DATA_DIR / f"{name}.yml").read_text("utf-8"))
