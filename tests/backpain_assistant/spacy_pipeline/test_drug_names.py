from pathlib import Path

from backpain_assistant.spacy_pipeline.drug_names import UNCOVERED, DrugNameFinder, dictionary_names


def test_the_dictionary_leaves_out_covered_names_english_words_and_short_spellings() -> None:
    variants = {
        "xanax": ["alprazolam"],
        "valium": ["diazepam"],
        "sits": ["a chemical"],
        "opioids": ["opioid analgesics"],
        "ice": ["methamphetamine"],
        "asa": ["aspirin"],
        "fish oil": ["fish oil"],
    }
    names = dictionary_names(
        variants,
        covered_names=["Xanax"],
        not_medicines=["ice"],
        english_words={"sits", "opioids"},
        keep=["opioids"],
    )
    assert names == {"valium": "diazepam", "opioids": "opioid analgesics", "fish oil": "fish oil"}


def test_the_longest_spelling_wins_and_carries_its_class(nlp) -> None:
    finder = DrugNameFinder(
        {"fish oil": "fish oil", "fish": "x", "advil": "ibuprofen"}, {"ibuprofen": "pain_relievers"}
    )
    mentions = finder.find(nlp.make_doc("is fish oil or Advil better"))
    assert [(m.generic, m.drug_class) for m in mentions] == [
        ("fish oil", UNCOVERED),
        ("ibuprofen", "pain_relievers"),
    ]


def test_it_is_saved_with_the_pipeline(tmp_path: Path) -> None:
    saved = DrugNameFinder({"valium": "diazepam"}, {"diazepam": "benzo"})
    saved.to_disk(tmp_path)
    loaded = DrugNameFinder().from_disk(tmp_path)
    assert (loaded.names, loaded.classes) == (saved.names, saved.classes)


def test_the_built_pipeline_knows_other_medicines_and_not_everyday_words(nlp) -> None:
    def found(text):
        return [(m.generic, m.drug_class) for m in nlp(text)._.other_medications]

    assert found("is gabapentin good for sciatica") == [("gabapentin", UNCOVERED)]
    assert found("Flexeril or Tylenol?") == [
        ("cyclobenzaprine", "muscle_relaxants"),
        ("acetaminophen", "pain_relievers"),
    ]
    assert found("what are benzodiazepines") == [("benzodiazepines", "benzodiazepines")]
    assert found("I need some rest, I sits all day with ice on my back") == []
    assert (
        found("does trazodone help with sleep") == []
    ), "the lexicon's medicines are not listed twice"
