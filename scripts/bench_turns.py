"""One long conversation sent in-process (`Agent.handle_text`, no HTTP), for `make bench`.

Loads the model with the given endpoints (tracker store, action server), sends `--turns`
messages cycling through the given mix under one sender id, and prints the latency of
every turn in milliseconds as a JSON list.
"""

import argparse
import asyncio
import itertools
import json
import logging
import time
from typing import List

import structlog

# Before Rasa: the launcher imports skops ahead of TensorFlow (see backpain_assistant.rasa_cli).
from backpain_assistant.rasa_cli import apply_speedups
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints


async def latencies(
    model: str, endpoints: str, messages: List[str], turns: int, sender: str
) -> List[float]:
    agent = await load_agent(
        model_path=model, endpoints=AvailableEndpoints.read_endpoints(endpoints)
    )
    timings = []
    for message in itertools.islice(itertools.cycle(messages), turns):
        started = time.perf_counter()
        await agent.handle_text(message, sender_id=sender)
        timings.append(round((time.perf_counter() - started) * 1000, 2))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--messages", required=True, help="JSON list of messages to cycle through")
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--sender", default="in-process", help="conversation id")
    parser.add_argument(
        "--speedups", action="store_true", help="with backpain_assistant.rasa_cli's speed-ups"
    )
    args = parser.parse_args()
    if args.speedups:
        apply_speedups()
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print(
        json.dumps(
            asyncio.run(
                latencies(
                    args.model, args.endpoints, json.loads(args.messages), args.turns, args.sender
                )
            )
        )
    )


if __name__ == "__main__":
    main()
