from typing import List

import pytest


def categories(nlp, text: str) -> List[str]:
    return [flag.category for flag in nlp(text.lower())._.red_flags]


@pytest.mark.parametrize(
    "text, category",
    [
        ("I can't control my bladder", "cauda_equina"),
        ("i peed myself and my back is agony", "cauda_equina"),
        ("my inner thighs and groin went numb", "cauda_equina"),
        ("my legs are getting weaker by the hour", "progressive_weakness"),
        ("was in a car crash and now my back hurts", "major_trauma"),
        ("my dad took a whole bottle of xanax", "overdose"),
        ("i want to kill myself", "suicidal_thoughts"),
        ("had 3 beers with my xanax and can barely stay awake, cant stay awake", "sedative_interaction"),
        ("stopped xanax cold turkey and had a seizure", "withdrawal_seizure"),
        ("on trazodone and my erection has lasted 5 hours", "priapism"),
        ("started an ssri and now i'm agitated, sweating and shaking", "serotonin_syndrome"),
        ("back pain and a fever since tuesday", "infection_signs"),
        ("numbness in both feet", "leg_numbness"),
        ("i had breast cancer and now my back hurts", "cancer_history"),
    ],
)
def test_red_flags_are_found(nlp, text: str, category: str) -> None:
    assert category in categories(nlp, text)


def test_emergencies_come_before_urgent_flags(nlp) -> None:
    found = nlp("fever and back pain and i can't control my bladder")._.red_flags
    assert [f.tier for f in found] == sorted((f.tier for f in found), key=("emergency", "urgent").index)
    assert found[0].category == "cauda_equina"


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no numbness, just a sore back",
        "I don't have any bladder problems",
        "what are the signs of cauda equina?",
        "if I get a fever with back pain should I worry",
        "the tingling in my legs is gone now",
        "does trazodone help back pain",
        "I fell asleep on the couch",
    ],
)
def test_negated_and_hypothetical_mentions_do_not_fire(nlp, text: str) -> None:
    assert categories(nlp, text) == []


def test_a_negation_does_not_reach_past_but(nlp) -> None:
    assert "leg_numbness" in categories(nlp, "no fever but my legs are numb")
