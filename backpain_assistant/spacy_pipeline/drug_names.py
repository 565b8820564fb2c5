"""Finds medicines the three articles do not name, so the assistant knows what it can't answer.

The names come from the maintained `drug-named-entity-recognition` dictionary (about 100,000
brand, generic and synonym spellings resolved to a generic name), read when the pipeline is
built and saved with it; the running assistant never imports the library (its dictionary takes
seconds to load). Each mention carries its generic name and its class from
data/medication_classes.yml ("uncovered" when the articles say nothing of it).
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Container, Dict, Iterable, List, Mapping, Optional

from spacy.language import Language
from spacy.tokens import Doc

UNCOVERED = "uncovered"
MAX_WORDS = 3
MIN_LENGTH = 4
FILE_NAME = "drug_names.json"

if not Doc.has_extension("other_medications"):
    Doc.set_extension("other_medications", default=[])


@dataclass(frozen=True)
class DrugMention:
    start: int
    end: int
    generic: str
    drug_class: str


def class_of_generics(classes: Mapping[str, Mapping]) -> Dict[str, str]:
    return {generic: name for name, spec in classes.items() for generic in spec["generics"]}


def dictionary_names(
    variants: Mapping[str, List[str]],
    covered_names: Iterable[str],
    not_medicines: Iterable[str],
    english_words: Container[str],
    keep: Iterable[str] = (),
) -> Dict[str, str]:
    """Spelling -> generic name, leaving out the three articles' own names (the lexicon finds
    those), everyday words ("sits" is a chemical's synonym), and spellings too short or too long
    to match safely. `keep` names words to keep although they are English (class names)."""
    skip = {n.lower() for n in covered_names} | {w.lower() for w in not_medicines}
    kept = {k.lower() for k in keep}
    names = {}
    for variant, generics in variants.items():
        words = variant.split()
        if len(variant) < MIN_LENGTH or len(words) > MAX_WORDS or variant in skip or not generics:
            continue
        if len(words) == 1 and variant in english_words and variant not in kept:
            continue
        names[variant] = generics[0]
    return names


class DrugNameFinder:
    def __init__(
        self, names: Optional[Dict[str, str]] = None, classes: Optional[Dict[str, str]] = None
    ):
        self.names: Dict[str, str] = names or {}
        self.classes: Dict[str, str] = classes or {}

    def __call__(self, doc: Doc) -> Doc:
        doc._.other_medications = self.find(doc)
        return doc

    def find(self, doc: Doc) -> List[DrugMention]:
        words = [token.lower_ for token in doc]
        found: List[DrugMention] = []
        start = 0
        while start < len(words):
            match = self._longest_match(words, start)
            if match is None:
                start += 1
                continue
            end, generic = match
            found.append(DrugMention(start, end, generic, self.classes.get(generic, UNCOVERED)))
            start = end
        return found

    def _longest_match(self, words: List[str], start: int):
        for end in range(min(len(words), start + MAX_WORDS), start, -1):
            generic = self.names.get(" ".join(words[start:end]))
            if generic is not None:
                return end, generic
        return None

    def to_disk(self, path: Path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / FILE_NAME).write_text(
            json.dumps({"names": self.names, "classes": self.classes}), "utf-8"
        )

    def from_disk(self, path: Path, exclude=()) -> "DrugNameFinder":
        data = json.loads((Path(path) / FILE_NAME).read_text("utf-8"))
        self.names, self.classes = data["names"], data["classes"]
        return self


@Language.factory("drug_name_finder")
def make_drug_name_finder(nlp: Language, name: str) -> DrugNameFinder:
    """Empty until the build fills it (build.py) or the saved pipeline is loaded."""
    return DrugNameFinder()
