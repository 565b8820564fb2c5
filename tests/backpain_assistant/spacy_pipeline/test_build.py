from backpain_assistant.spacy_pipeline.build import (
    build_pipeline,
    canonical_forms,
    fuzzy_vocabulary,
    medication_patterns,
)
from backpain_assistant import yaml_data


def test_the_pipeline_is_built_from_code_and_repo_data_only() -> None:
    nlp = build_pipeline()
    assert nlp.pipe_names == [
        "lemmatizer",
        "lexicon_normalizer",
        "entity_ruler",
        "drug_name_finder",
        "red_flag_matcher",
        "mask_medication_lemmas",
    ]
    doc = nlp("does desyrel help my back")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("desyrel", "MEDICATION", "trazodone")
    ]


def test_the_saved_pipeline_loads_with_the_same_behaviour(nlp) -> None:
    doc = nlp("xanax and alcohol and now he won't wake up")
    assert [e.ent_id_ for e in doc.ents] == ["xanax"]
    assert [f.category for f in doc._.red_flags][0] == "sedative_interaction"


def test_fuzzy_vocabulary_is_the_single_words_of_the_red_flag_concepts() -> None:
    vocabulary = fuzzy_vocabulary(yaml_data.load("red_flag_detection"))
    assert {"bladder", "seizure", "numbness"} <= set(vocabulary)
    assert all(" " not in word for word in vocabulary)


def test_every_single_word_medication_name_has_its_canonical_form() -> None:
    forms = canonical_forms(yaml_data.load("lexicon"))
    assert forms["desyrel"] == forms["trazadone"] == "trazodone"
    assert forms["alprazolam"] == forms["zannies"] == "xanax"
    assert forms["cymbalta"] == forms["ssris"] == "antidepressants"
    assert "anti depressant" not in forms


def test_every_lexicon_term_becomes_a_medication_pattern() -> None:
    lexicon = yaml_data.load("lexicon")
    patterns = medication_patterns(lexicon)
    assert len(patterns) == sum(len(terms) for terms in lexicon["medications"].values())
    assert {"label": "MEDICATION", "pattern": "cymbalta", "id": "antidepressants"} in patterns
