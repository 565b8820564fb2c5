import pytest


@pytest.mark.parametrize(
    "typed, corrected", [("numbnss", "numbness"), ("siezure", "seizure"), ("bladdder", "bladder")]
)
def test_misspellings_are_read_as_lexicon_terms(nlp, typed: str, corrected: str) -> None:
    assert nlp(f"my {typed} thing")[1].norm_ == corrected


@pytest.mark.parametrize(
    "typed, medication",
    [
        ("trazadonne", "trazodone"),
        ("xanaxx", "xanax"),
        ("alprazalm", "xanax"),
        ("duloxetin", "antidepressants"),
    ],
)
def test_misspelt_medications_become_entities(nlp, typed: str, medication: str) -> None:
    assert [e.ent_id_ for e in nlp(f"is {typed} good").ents] == [medication]


@pytest.mark.parametrize("word", ["relax", "bladders", "trains", "because", "walking"])
def test_ordinary_english_words_are_left_alone(nlp, word: str) -> None:
    token = nlp(word)[0]
    assert token.norm_ == token.lemma_


def test_contractions_normalise_so_cant_matches_can_not(nlp) -> None:
    assert [t.norm_ for t in nlp("i can't")] == ["i", "can", "not"]


def test_does_is_the_verb_not_the_deer(nlp) -> None:
    assert [t.norm_ for t in nlp("she doesn't know")] == ["she", "do", "not", "know"]
