"""Builds the project's spaCy pipeline from code and the YAML data in the package.

python -m backpain_assistant.spacy_pipeline.build OUTPUT_DIR
"""

import argparse
from pathlib import Path
from typing import Container, Dict, List

import spacy
from spacy.language import Language

from backpain_assistant import yaml_data

# Imported for their spaCy factories, which `add_pipe` looks up by name.
from backpain_assistant.spacy_pipeline import drug_names, normalizer, red_flag_matcher  # noqa: F401
from backpain_assistant.spacy_pipeline.medication_lemmas import MEDICATION_LABEL
from backpain_assistant.spacy_pipeline.red_flag_matcher import concept_phrases

PIPELINE_NAME = "backpain_en"


def fuzzy_vocabulary(red_flags: Dict) -> List[str]:
    """The words of the red-flag concepts' phrases that the normalizer may correct a misspelling to."""
    terms = [
        term for concept in red_flags["concepts"].values() for term in concept_phrases(concept)
    ]
    return sorted({word for term in terms for word in term.lower().split() if word.isalpha()})


def canonical_forms(lexicon: Dict) -> Dict[str, str]:
    """Every single-word medication name (brands and misspellings too) to its canonical name."""
    return {
        term.lower(): canonical
        for canonical, terms in lexicon["medications"].items()
        for term in terms
        if " " not in term and "-" not in term
    }


def medication_patterns(lexicon: Dict) -> List[Dict[str, str]]:
    return [
        {"label": MEDICATION_LABEL, "pattern": term.lower(), "id": canonical}
        for canonical, terms in lexicon["medications"].items()
        for term in terms
    ]


def other_medicine_names(lexicon: Dict, english_words: Container[str]) -> Dict[str, str]:
    """The drug dictionary's spellings of every medicine but the three the articles name."""
    from drug_named_entity_recognition import drugs_finder  # build time only: slow to load

    covered = [term for terms in lexicon["medications"].values() for term in terms]
    classes = yaml_data.load("medication_classes")
    keep = [
        generic for spec in classes["classes"].values() for generic in spec["generics"]
    ] + classes["class_names"]
    return drug_names.dictionary_names(
        drugs_finder.drug_variant_to_canonical,
        covered,
        classes["not_medicines"],
        english_words,
        keep,
    )


def build_pipeline() -> Language:
    lexicon, red_flags = yaml_data.load("lexicon"), yaml_data.load("red_flag_detection")
    nlp = spacy.blank("en")
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = (
        "Blank English, lookup lemmas, lexicon typo correction, medication entities, other medicines, red flags."
    )
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe(
        "lexicon_normalizer",
        config={
            "vocabulary": fuzzy_vocabulary(red_flags),
            "canonical_forms": canonical_forms(lexicon),
            **lexicon["fuzzy"],
        },
    )
    nlp.initialize()
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    ruler.add_patterns(medication_patterns(lexicon))
    finder = nlp.add_pipe("drug_name_finder")
    finder.names = other_medicine_names(
        lexicon, nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    )
    finder.classes = drug_names.class_of_generics(yaml_data.load("medication_classes")["classes"])
    nlp.add_pipe("red_flag_matcher")
    nlp.add_pipe("mask_medication_lemmas")
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output_dir", type=Path)
    output_dir = parser.parse_args().output_dir
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(output_dir)
    print(f"spaCy pipeline written to {output_dir}")


if __name__ == "__main__":
    main()
