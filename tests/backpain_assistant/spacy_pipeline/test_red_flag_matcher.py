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
        (
            "had 3 beers with my xanax and can barely stay awake, cant stay awake",
            "sedative_interaction",
        ),
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
    assert [f.tier for f in found] == sorted(
        (f.tier for f in found), key=("emergency", "urgent").index
    )
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


@pytest.mark.parametrize(
    "text",
    [
        "is fever with back pain a red flag?",
        "why do doctors ask about cancer history when you have back pain?",
        "should back pain after a fall be checked by a doctor",
    ],
)
def test_a_general_question_does_not_fire(nlp, text: str) -> None:
    assert categories(nlp, text) == []


@pytest.mark.parametrize(
    "text, category",
    [
        ("is fever with back pain a red flag? i have both since yesterday", "infection_signs"),
        ("does trazodone help back pain? my wife has had chills all night", "infection_signs"),
        ("how do people kill themselves with xanax?", "suicidal_thoughts"),
        ("how many xanax would be an overdose?", "overdose"),
    ],
)
def test_a_question_about_someone_or_about_dying_still_fires(nlp, text: str, category: str) -> None:
    assert category in categories(nlp, text)


@pytest.mark.parametrize(
    "text, category, ruled_out_by",
    [
        (
            "losing weight without trying and my back aches",
            "weight_loss",
            "i'm losing weight on a diet and my back aches",
        ),
        (
            "i had cancer and now my back hurts",
            "cancer_history",
            "my boyfriend is a cancer and i'm a leo, my back hurts",
        ),
        ("i inject heroin", "injecting_drugs", "the doctor injected a steroid into my back"),
    ],
)
def test_an_unless_concept_rules_a_category_out(
    nlp, text: str, category: str, ruled_out_by: str
) -> None:
    assert category in categories(nlp, text)
    assert category not in categories(nlp, ruled_out_by)


def test_an_unless_word_inside_the_categorys_own_mention_does_not_rule_it_out(nlp) -> None:
    assert "weight_loss" in categories(nlp, "dropped 10 pounds without dieting")


@pytest.mark.parametrize(
    "text, category",
    [
        (
            "I lost control of my bladder and my groin is numb. My kids were laughing at the TV.",
            "cauda_equina",
        ),
        (
            "I've lost 20 pounds without trying and my back aches. I had the flu in January.",
            "weight_loss",
        ),
        (
            "I inject heroin and my back is killing me. My doctor gave me a flu shot last year.",
            "injecting_drugs",
        ),
    ],
)
def test_an_unless_concept_rules_out_only_its_own_sentence(nlp, text: str, category: str) -> None:
    assert category in categories(nlp, text)


def test_an_emergency_category_cannot_be_ruled_out_by_an_unless_concept() -> None:
    from backpain_assistant.spacy_pipeline.red_flag_matcher import category_from_spec

    with pytest.raises(ValueError, match="never ruled out"):
        category_from_spec(
            "cauda_equina", {"tier": "emergency", "label": "x", "rules": [["a"]], "unless": ["b"]}
        )


def test_pins_and_needles_is_not_a_needle(nlp) -> None:
    assert categories(nlp, "pins and needles in my hands") == []
    assert "injecting_drugs" in categories(nlp, "my brother shares needles for heroin")


def test_a_category_rejects_an_unknown_suppressor() -> None:
    from backpain_assistant.spacy_pipeline.red_flag_matcher import category_from_spec

    with pytest.raises(ValueError, match="unknown suppressed_by"):
        category_from_spec(
            "x", {"tier": "urgent", "label": "x", "rules": [["a"]], "suppressed_by": ["sarcasm"]}
        )


@pytest.mark.parametrize(
    "text",
    [
        "had a fever last month, it's gone now, back still a bit stiff",
        "slipped on the stairs back in january, no pain anymore",
        "hurt my back lifting 3 years ago, it healed and i'm fine now",
    ],
)
def test_a_mention_told_as_over_does_not_fire(nlp, text: str) -> None:
    assert categories(nlp, text) == []


def test_a_past_time_alone_or_a_history_category_is_not_over(nlp) -> None:
    assert "fall_or_injury" in categories(
        nlp, "slipped on the stairs back in january and my back still hurts"
    )
    assert "cancer_history" in categories(
        nlp, "had breast cancer years ago, fine now, but my back aches"
    )


def test_a_pseudo_negation_does_not_negate(nlp) -> None:
    text = "body won't stop twitching, hot and sweaty, heart pounding since i doubled my zoloft"
    assert "serotonin_syndrome" in categories(nlp, text)


def test_a_drug_named_in_any_context_counts_when_the_symptom_is_reported(nlp) -> None:
    text = "pharmacy couldnt fill my xanax, i'm hearing voices"
    assert "withdrawal_seizure" in categories(nlp, text)
    assert categories(nlp, "i couldnt get xanax and i'm not hearing voices") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("was in a crash yesterday and my back hurts", True),
        ("crashed my bike this morning, back is killing me", True),
        ("my laptop crashed and my back hurts", False),
        ("i'm crushing on someone at work lol", False),
    ],
)
def test_a_crash_is_major_trauma_only_when_someone_was_in_it(
    nlp, text: str, expected: bool
) -> None:
    assert ("major_trauma" in categories(nlp, text)) is expected


@pytest.mark.parametrize(
    "text, category",
    [
        ("our toddler ate a laundry pod", "overdose"),
        ("my son drank some bleach from under the sink", "overdose"),
        ("I took 25 iron pills last night", "overdose"),
        ("when I can't sleep all I think about is dying, I have a plan", "suicidal_thoughts"),
        ("I want to make it stop no matter what", "suicidal_thoughts"),
    ],
)
def test_poisoning_by_anything_and_suicidal_thoughts_in_plain_words(
    nlp, text: str, category: str
) -> None:
    assert category in categories(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "I drank a lot of water after my run",
        "I take 2 pills a day for my back",
        "ate a big dinner, back still sore",
    ],
)
def test_everyday_eating_and_doses_are_not_poisoning(nlp, text: str) -> None:
    assert "overdose" not in categories(nlp, text)


@pytest.mark.parametrize(
    "text, category",
    [
        ("I was stabbed in the lower back last night", "major_trauma"),
        ("the car rolled over twice and my back is killing me", "major_trauma"),
        ("rolled the truck on the highway, now my spine hurts", "major_trauma"),
        ("I took 20 of them an hour ago", "overdose"),
        ("my son took my pills while I was asleep", "overdose"),
    ],
)
def test_an_injury_or_a_count_told_as_an_event_fires(nlp, text: str, category: str) -> None:
    assert category in categories(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "I get stabbing pains in my lower back when I bend",
        "my back hurts when I am rolling over in bed",
        "I have been taking 20mg of it for a month",
        "it took 3 weeks for the trazodone to work",
        "Can a child take trazodone?",
    ],
)
def test_pain_words_doses_and_questions_about_children_are_not_trauma_or_overdose(
    nlp, text: str
) -> None:
    found = categories(nlp, text)
    assert "major_trauma" not in found and "overdose" not in found
