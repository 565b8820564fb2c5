"""The article-to-answer map in domain.yml: complete, unambiguous, and citing real sections."""

import itertools
import json
import re
from typing import Any, Dict, List, Optional, Set

import pytest
import yaml

from tests.conftest import ARTICLES, ROOT
from tests.support.articles import ARTICLE_FILES, snake_case

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
# Titles and scraping leftovers that the heading heuristic also picks up.
ARTICLE_TITLES = {
    "trazodone": ["Back", "Get startedSign In / Sign Up"],
    "xanax": ["Back"],
    "antidepressants": [],
}
MEDICATIONS = DOMAIN["slots"]["medication"]["values"]
TOPICS = DOMAIN["slots"]["topic"]["values"]
PAIRS = DOMAIN["slots"]["medication_pair"]["values"]
NOT_CONTENT = ["Laser Spine", "Linear", "Sign In", "Get started", "MRI", "outpatient"]
TELL_ME_MORE = {"title": "Tell me more", "payload": "/tell_me_more"}


def article_sections(article: str) -> Set[str]:
    """Snake-cased headings of an article: short lines without sentence punctuation."""
    lines = (ARTICLES / ARTICLE_FILES[article]).read_text(encoding="utf-8").splitlines()
    headings = {
        snake_case(line)
        for line in lines
        if line.strip()
        and line == line.lstrip()
        and len(line.split()) <= 5
        and not line.rstrip().endswith((".", ":", "?"))
        and not line.startswith(("•", "-", "*"))
    }
    return headings | {"introduction"}


def variants(response: str) -> List[Dict[str, Any]]:
    return DOMAIN["responses"][response]


def conditions(variant: Dict[str, Any]) -> Dict[str, Any]:
    return {c["name"]: c["value"] for c in variant.get("condition", [])}


def chosen(response: str, slots: Dict[str, Optional[str]]) -> List[Dict[str, Any]]:
    matching = [
        v
        for v in variants(response)
        if v.get("condition") and all(slots.get(k) == val for k, val in conditions(v).items())
    ]
    return matching or [v for v in variants(response) if not v.get("condition")]


def all_cited(variant: Dict[str, Any]) -> List[Dict[str, str]]:
    metadata = variant["metadata"]
    return metadata.get("sources") or ([metadata["source"]] if "source" in metadata else [])


ANSWER_VARIANTS = [
    v
    for name in ("utter_answer", "utter_more")
    for v in variants(name)
    if v["metadata"]["kind"] in ("answer", "referral")
]


@pytest.mark.parametrize(
    "topic, medication",
    itertools.product(sorted(set(TOPICS) - {"comparison"}), MEDICATIONS + [None]),
)
def test_every_question_and_medication_has_exactly_one_answer(
    topic: str, medication: Optional[str]
) -> None:
    assert len(chosen("utter_answer", {"topic": topic, "medication": medication})) == 1


@pytest.mark.parametrize("pair", PAIRS + [None])
def test_every_comparison_has_exactly_one_answer(pair: Optional[str]) -> None:
    assert len(chosen("utter_answer", {"topic": "comparison", "medication_pair": pair})) == 1


@pytest.mark.parametrize("variant", ANSWER_VARIANTS, ids=lambda v: str(conditions(v)))
def test_answers_cite_real_sections_in_text_and_metadata(variant: Dict[str, Any]) -> None:
    cited = all_cited(variant)
    if variant["metadata"]["kind"] == "answer":
        assert cited, "an answer must cite its article"
    for source in cited:
        assert source["section"] in article_sections(source["article"]), source
    if cited:
        assert re.search(r"\(Sources?: .+\)$", variant["text"]), "the text ends with its citation"
        if "sources" in variant["metadata"]:
            assert variant["metadata"]["source"] == variant["metadata"]["sources"][0]


@pytest.mark.parametrize("variant", ANSWER_VARIANTS, ids=lambda v: str(conditions(v)))
def test_answers_leave_out_the_advert_and_scraping_leftovers(variant: Dict[str, Any]) -> None:
    for leftover in NOT_CONTENT:
        assert leftover not in variant["text"]


def test_tell_me_more_is_offered_exactly_where_there_is_more() -> None:
    offered = [
        conditions(v) for v in variants("utter_answer") if TELL_ME_MORE in (v.get("buttons") or [])
    ]
    available = [conditions(v) for v in variants("utter_more") if v.get("condition")]
    assert sorted(map(str, offered)) == sorted(map(str, available))


def test_every_red_flag_category_has_its_own_warning() -> None:
    categories = yaml.safe_load(
        (ROOT / "backpain_assistant" / "data" / "red_flag_detection.yml").read_text()
    )["categories"]
    warned = {
        conditions(v)["red_flag_category"]: v
        for v in variants("utter_red_flag")
        if v.get("condition")
    }
    assert set(warned) == set(categories)
    for category, variant in warned.items():
        assert variant["metadata"]["red_flag"] == {
            "category": category,
            "tier": categories[category]["tier"],
        }


def test_every_response_says_what_kind_it_is() -> None:
    kinds = {
        "answer",
        "referral",
        "red_flag",
        "out_of_scope",
        "clarify",
        "greeting",
        "help",
        "privacy",
    }
    for name, response_variants in DOMAIN["responses"].items():
        for variant in response_variants:
            assert variant["metadata"]["kind"] in kinds, name


def test_referrals_give_no_numbers() -> None:
    for variant in ANSWER_VARIANTS:
        if variant["metadata"]["kind"] == "referral":
            assert not re.search(r"\d", variant["text"])


def test_no_slot_mapping_makes_rasa_run_an_action_after_every_message() -> None:
    for name, slot in DOMAIN["slots"].items():
        for mapping in slot["mappings"]:
            assert not (mapping["type"] == "custom" and "action" in mapping), name


def test_button_payloads_render_to_intents_with_known_entity_values() -> None:
    from rasa.core.nlg.interpolator import interpolate_text

    slot_values = {name: None for name in DOMAIN["slots"]}
    for name, response_variants in DOMAIN["responses"].items():
        for variant in response_variants:
            for button in variant.get("buttons") or []:
                payload = interpolate_text(button["payload"], slot_values)
                match = re.fullmatch(r"/([a-z_]+)(\{.*\})?", payload)
                assert match and match.group(1) in DOMAIN["intents"], (name, payload)
                if match.group(2):
                    for entity, value in json.loads(match.group(2)).items():
                        assert value in DOMAIN["slots"][entity]["values"], (name, payload)


NOT_SECTIONS = {
    ("xanax", "source"),
    ("antidepressants", "other_options"),
}  # an empty heading; the advert


@pytest.mark.parametrize("article", sorted(ARTICLE_FILES))
def test_every_section_of_every_article_is_cited_by_some_answer(article: str) -> None:
    cited = {s["section"] for v in ANSWER_VARIANTS for s in all_cited(v) if s["article"] == article}
    headings = {h for h in article_sections(article) if (article, h) not in NOT_SECTIONS}
    headings -= {snake_case(line) for line in ARTICLE_TITLES[article]}
    assert headings - cited == set()
