"""The outside sets (tests/outside/*.jsonl): messages real people wrote in public, each with
its source URL and the behaviours a careful pharmacist would accept.

Every item goes to the dev or the test part by a hash of its source URL, so messages of one
page never straddle the split. The dev part is for study, tuning and training; the test part
is only ever scored (tests/support/outside.py, scripts/outside_eval.py).
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

PARTS = ("dev", "test")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    source_url: str
    acceptable: List[str]
    escalate: str
    tiers: List[str]
    category: Optional[str]

    @property
    def part(self) -> str:
        return part_of(self.source_url)

    @property
    def answer_sections(self) -> List[str]:
        return [a.split(":", 1)[1] for a in self.acceptable if a.startswith("answer:")]


def part_of(source_url: str) -> str:
    """dev or test, from the URL alone (about half each)."""
    return PARTS[hashlib.sha256(source_url.encode("utf-8")).digest()[0] % 2]


def load_items(directory: Path, part: Optional[str] = None) -> List[Item]:
    items = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                items.append(
                    Item(
                        raw["id"],
                        raw["text"],
                        raw["source_url"],
                        list(raw["acceptable"]),
                        raw["escalate"],
                        list(raw.get("tiers") or []),
                        raw.get("category"),
                    )
                )
    return [item for item in items if part is None or item.part == part]
