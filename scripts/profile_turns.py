"""Where a message's time goes at given turns of one long conversation (cProfile, in-process).

    .venv/bin/python scripts/profile_turns.py --store rasa --turns 1,100,500
    .venv/bin/python scripts/profile_turns.py --store ours --turns 1,100,500

Sends the bench's message mix under one sender id with Rasa's SQL tracker store (`rasa`)
or this project's (`ours`), on a temporary SQLite file, and at each turn profiles the next
ten messages, printing the functions with the most cumulative time.
"""

import argparse
import asyncio
import cProfile
import itertools
import logging
import pstats
import sys
import tempfile
from pathlib import Path
from typing import List

import structlog
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from backpain_assistant.tracker_stores.recent_turns import RecentTurnsSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench import CONVERSATION  # noqa: E402

PROFILED_MESSAGES = 10


async def profile(store_name: str, turns: List[int], top: int) -> None:
    domain = Domain.load(ROOT / "domain.yml")
    database = {"dialect": "sqlite", "db": str(Path(tempfile.mkdtemp()) / "profile.db")}
    store_class = SQLTrackerStore if store_name == "rasa" else RecentTurnsSQLTrackerStore
    agent = Agent.load(
        str(ROOT / "models" / "backpain.tar.gz"), tracker_store=store_class(domain, **database)
    )
    messages = itertools.cycle(CONVERSATION)
    sent = 0
    for turn in turns:
        while sent < turn - 1:
            await agent.handle_text(next(messages), sender_id="profiled")
            sent += 1
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(PROFILED_MESSAGES):
            await agent.handle_text(next(messages), sender_id="profiled")
        profiler.disable()
        sent += PROFILED_MESSAGES
        print(f"\n=== turns {turn}-{turn + PROFILED_MESSAGES - 1}, {store_name} store")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=["rasa", "ours"], default="ours")
    parser.add_argument("--turns", default="1,100,500", help="comma-separated turns to profile at")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(profile(args.store, sorted(int(t) for t in args.turns.split(",")), args.top))


if __name__ == "__main__":
    main()
