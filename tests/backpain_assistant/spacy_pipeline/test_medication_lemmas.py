def test_medication_mentions_share_one_lemma_for_the_classifier(nlp) -> None:
    lemmas = [
        [t.lemma_ for t in nlp(text)]
        for text in ("side effects of xanex", "side effects of desyrel")
    ]
    assert lemmas[0] == lemmas[1] == ["side", "effect", "of", "medication"]
