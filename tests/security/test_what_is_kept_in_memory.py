"""What a server process keeps of what people typed, outside the conversation store."""


def test_the_typo_corrector_keeps_no_typed_words(nlp) -> None:
    normalizer = nlp.get_pipe("lexicon_normalizer")
    nlp("my neighbour Qorvatzki gave me her trazodne")
    kept = [
        value for value in vars(normalizer).values() if isinstance(value, (set, dict, list, tuple))
    ]
    assert not any("qorvatzki" in container for container in kept)
    assert not hasattr(
        normalizer.correct, "cache_info"
    ), "a cache would hold every unknown word typed"
    assert normalizer.correct("trazodne") == "trazodone"
