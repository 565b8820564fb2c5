"""Per-loop tables let go of the loops that have closed."""

import asyncio

from backpain_assistant.rasa_speedups.event_loops import pop_closed_loops


def test_only_the_closed_loops_entries_are_removed_and_returned() -> None:
    closed, running = asyncio.new_event_loop(), asyncio.new_event_loop()
    closed.close()
    try:
        table = {closed: "closed loop's", running: "running loop's"}
        assert pop_closed_loops(table) == ["closed loop's"]
        assert table == {running: "running loop's"}
    finally:
        running.close()
