"""Red-flag floors on hard test sets, through the whole trained NLU pipeline.

tests/red_flags/red_flag_messages.yml: messages with their category, written to be hard.
tests/red_flags/benign_messages.yml plus every non-red-flag message of the NLU test set: must
not escalate. Floors: emergency-tier recall 100% (escalated at the emergency tier), overall
recall >= 98% (escalated at all), false positives <= 2%. The report goes to results/red_flags/.
"""
import asyncio
import json
from collections import defaultdict
from typing import Any, Dict, List

import pytest
import yaml

from tests.conftest import MODEL, ROOT
from tests.test_nlu_quality import TEST_SET, examples

RED_FLAGS = yaml.safe_load((ROOT / "backpain_assistant" / "data" / "red_flags.yml").read_text())["categories"]
DATA = ROOT / "tests" / "red_flags"
REPORT = ROOT / "results" / "red_flags" / "report.json"
EMERGENCY_RECALL_FLOOR = 1.0
OVERALL_RECALL_FLOOR = 0.98
FALSE_POSITIVE_CEILING = 0.02


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import load_agent

    agent = asyncio.run(load_agent(str(MODEL)))

    def parse_text(text: str) -> Dict[str, Any]:
        return asyncio.run(agent.parse_message(text))

    return parse_text


def escalation(parsed: Dict[str, Any]) -> List[Dict[str, str]]:
    if parsed["intent"]["name"] != "red_flag":
        return []
    return parsed["red_flags"]["flags"]


@pytest.fixture(scope="module")
def report(parse) -> Dict[str, Any]:
    labelled = yaml.safe_load((DATA / "red_flag_messages.yml").read_text())["messages"]
    benign = yaml.safe_load((DATA / "benign_messages.yml").read_text())["messages"]
    benign += [text for intent, text in examples(TEST_SET) if intent != "red_flag"]
    per_category: Dict[str, Dict[str, int]] = defaultdict(lambda: {"messages": 0, "escalated": 0, "right_tier": 0, "right_category": 0})
    missed, false_positives = [], []
    for item in labelled:
        flags = escalation(parse(item["text"]))
        tier = RED_FLAGS[item["category"]]["tier"]
        counts = per_category[item["category"]]
        counts["messages"] += 1
        counts["escalated"] += bool(flags)
        counts["right_tier"] += any(f["tier"] == tier for f in flags) or (tier == "urgent" and bool(flags))
        counts["right_category"] += any(f["category"] == item["category"] for f in flags)
        if not flags or (tier == "emergency" and not any(f["tier"] == "emergency" for f in flags)):
            missed.append({"category": item["category"], "text": item["text"], "got": flags})
    for text in benign:
        flags = escalation(parse(text))
        if flags:
            false_positives.append({"text": text, "got": [f["category"] for f in flags]})
    emergency = [c for c in per_category if RED_FLAGS[c]["tier"] == "emergency"]
    result = {
        "red_flag_messages": len(labelled),
        "benign_messages": len(benign),
        "recall_overall": sum(c["escalated"] for c in per_category.values()) / len(labelled),
        "recall_emergency_tier": sum(per_category[c]["right_tier"] for c in emergency) / sum(per_category[c]["messages"] for c in emergency),
        "category_accuracy": sum(c["right_category"] for c in per_category.values()) / len(labelled),
        "false_positive_rate": len(false_positives) / len(benign),
        "per_category": {c: {**v, "recall": v["escalated"] / v["messages"]} for c, v in sorted(per_category.items())},
        "missed": missed,
        "false_positives": false_positives,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(result, indent=2))
    print({k: v for k, v in result.items() if not isinstance(v, (dict, list))})
    return result


def test_the_sets_are_large_enough_and_cover_every_category(report) -> None:
    assert report["red_flag_messages"] >= 150 and report["benign_messages"] >= 300
    assert set(report["per_category"]) == set(RED_FLAGS)


def test_every_emergency_is_escalated_as_an_emergency(report) -> None:
    assert report["recall_emergency_tier"] >= EMERGENCY_RECALL_FLOOR, report["missed"]


def test_overall_recall_meets_the_floor(report) -> None:
    assert report["recall_overall"] >= OVERALL_RECALL_FLOOR, report["missed"]


def test_false_positives_stay_under_the_ceiling(report) -> None:
    assert report["false_positive_rate"] <= FALSE_POSITIVE_CEILING, report["false_positives"]
