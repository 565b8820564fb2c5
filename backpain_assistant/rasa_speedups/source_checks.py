"""Each speed-up replaces code of the pinned Rasa (or Sanic) and refuses to install, with a clear
error, when that code no longer reads as it did."""

import inspect
from typing import Any, Callable


def require_source(function: Callable[..., Any], *snippets: str, message: str) -> None:
    source = inspect.getsource(function)
    if not all(snippet in source for snippet in snippets):
        raise RuntimeError(message)
