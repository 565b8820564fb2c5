"""What each red-flag detector contributes on an outside set's part, in aggregate only.

    .venv/bin/python scripts/red_flag_contributions.py --part test

Parses every message with the trained model and scores four detectors on the same messages:
the phrase matcher alone, the sentence-encoder classifier alone, the matcher with the
classifier's veto, and all of it together (what the assistant does).
"""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Dict, List, Optional

import spacy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backpain_assistant.rasa_components.red_flag_router import RedFlagRouter  # noqa: E402
from tests.conftest import MODEL, SPACY_PIPELINE  # noqa: E402
from tests.support import outside  # noqa: E402


def detector_tiers(
    router: RedFlagRouter, matcher_flags: List, semantic: Dict
) -> Dict[str, Optional[str]]:
    """Each detector's most severe tier, combined by the router's own rule."""
    variants = {
        "matcher alone": (matcher_flags, {}),
        "classifier alone": ([], {**semantic, "veto_urgent": False}),
        "matcher with the classifier's veto": (matcher_flags, {**semantic, "category": None}),
        "all (the assistant)": (matcher_flags, semantic),
    }
    tiers = {}
    for name, (flags, signal) in variants.items():
        found = router._with_semantic_flag(list(flags), signal)
        tiers[name] = found[0].tier if found else None  # most severe first
    return tiers


def matcher_flags(nlp, text: str) -> List:
    """The matcher's findings on the text the pipeline gives it: Rasa's SpacyNLP lowercases
    every message first (`case_sensitive: false`), and the matcher's patterns rely on that."""
    return nlp(text.lower())._.red_flags


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=outside.PARTS, required=True)
    parser.add_argument(
        "--items", type=Path, default=outside.OUTSIDE_DIR, help="a folder of outside-set files"
    )
    args = parser.parse_args()
    from rasa.core.agent import load_agent

    agent = asyncio.run(load_agent(str(MODEL)))
    nlp = spacy.load(SPACY_PIPELINE)
    router = RedFlagRouter()
    items = outside.load_items(args.items, part=args.part)
    replies: Dict[str, List[outside.Reply]] = {}
    for item in items:
        parsed = asyncio.run(agent.parse_message(item.text))
        tiers = detector_tiers(
            router, matcher_flags(nlp, item.text), parsed.get("semantic_red_flag") or {}
        )
        for name, tier in tiers.items():
            replies.setdefault(name, []).append(outside.Reply([], [], tier))
    print(f"{args.part} part: {len(items)} messages")
    for name, got in replies.items():
        figures = outside.score(items, got)
        wanted = (
            "must escalate: escalated at an acceptable tier",
            "emergencies at emergency tier",
            "benign escalated (lower is better)",
        )
        print(f"\n{name}")
        for line in figures.lines():
            if line.startswith(wanted):
                print(f"  {line}")


if __name__ == "__main__":
    main()
