"""The assistant on messages nobody on this project wrote (tests/outside/), through the REST
webhook as people reach it, and the sets' own soundness.

Only the test part is scored here, in aggregate: it trains nothing, and nobody reads it item by
item. The floors are today's measured figures less a small margin, so a change that loses
ground fails; they are far below the issues' targets (see README, "How good it is").
Reports: results/outside/test.json.
"""

import collections
import json
from typing import Dict, List

import pytest

from scripts.outside_to_nlu import OUTPUT, examples_by_intent, topics_by_section
from tests.conftest import ARTICLES, ROOT
from tests.support import outside

FLOORS = {
    "acceptable behaviour": 0.55,
    "answerable answered from an acceptable section": 0.20,
    "must escalate: escalated at an acceptable tier": 0.50,
    "emergencies at emergency tier": 0.55,
}
CEILINGS = {"benign escalated (lower is better)": 0.18}
REPORT = ROOT / "results" / "outside" / "test.json"
# The maintainers evaluate on these; they are never used here (their names, as they appear in URLs).
FORBIDDEN_SOURCES = ("k-qa", "kqa", "medicationqa", "liveqa", "meqsum", "mediqa")


@pytest.fixture(scope="module")
def items() -> List[outside.Item]:
    return outside.load_items()


@pytest.fixture(scope="module")
def test_figures(assistant: str) -> outside.Figures:
    test_part = outside.load_items(part="test")
    figures = outside.score(test_part, outside.replies_over_rest(assistant, test_part))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(figures.counts, indent=2))
    print("\n".join(figures.lines()))
    return figures


def test_the_sets_are_large_and_labelled(items: List[outside.Item]) -> None:
    escalate = collections.Counter(item.escalate for item in items)
    assert len(items) >= 400 and escalate["must"] >= 150 and escalate["must_not"] >= 300
    assert len({item.id for item in items}) == len(items)
    assert len({" ".join(item.text.lower().split()) for item in items}) == len(items)
    sections = set(outside.article_sections(ARTICLES))
    for item in items:
        assert item.source_url.startswith(("http://", "https://")), item.id
        assert not any(name in item.source_url.lower() for name in FORBIDDEN_SOURCES), item.id
        assert set(item.answer_sections) <= sections, item.id
        assert item.escalate in ("must", "must_not", "either"), item.id
        assert set(item.tiers) <= set(outside.TIERS) and bool(item.tiers) == (
            item.escalate != "must_not"
        ), item.id


def test_both_parts_are_sizeable_and_no_page_straddles_them(items: List[outside.Item]) -> None:
    parts: Dict[str, set] = collections.defaultdict(set)
    for item in items:
        parts[item.part].add(item.source_url)
    assert not parts["dev"] & parts["test"]
    assert min(sum(1 for i in items if i.part == p) for p in outside.PARTS) >= 0.4 * len(items)


def test_the_generated_training_data_is_the_dev_part_and_up_to_date() -> None:
    import yaml

    topics = topics_by_section(yaml.safe_load((ROOT / "domain.yml").read_text()))
    expected = examples_by_intent(outside.load_items(part="dev"), topics)
    written = {
        block["intent"]: [line[2:] for line in block["examples"].splitlines()]
        for block in yaml.safe_load(OUTPUT.read_text())["nlu"]
    }
    assert written == expected, "run scripts/outside_to_nlu.py"
    test_texts = {" ".join(i.text.split()) for i in outside.load_items(part="test")}
    assert not test_texts & {t for texts in written.values() for t in texts}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_test_part_meets_its_floor(test_figures: outside.Figures, name: str) -> None:
    assert test_figures.rate(name) >= FLOORS[name], test_figures.lines()


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_the_test_part_stays_under_its_ceiling(test_figures: outside.Figures, name: str) -> None:
    assert test_figures.rate(name) <= CEILINGS[name], test_figures.lines()
