"""Tables of per-event-loop state (kept sessions, turn slots)."""

import asyncio
from typing import Dict, List, TypeVar

V = TypeVar("V")


def pop_closed_loops(table: Dict[asyncio.AbstractEventLoop, V]) -> List[V]:
    """Removes the entries of loops that have closed and returns their values. A table keyed
    weakly would never let go: what it holds (a session, a semaphore's futures) refers to its loop."""
    return [table.pop(loop) for loop in [loop for loop in table if loop.is_closed()]]
