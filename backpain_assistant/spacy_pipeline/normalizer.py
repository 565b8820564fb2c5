from functools import lru_cache
from typing import List, Optional, Set

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc

# Contractions the English tokenizer splits off ("can't" -> "ca" + "n't") and the lookup
# table leaves alone; normalising them lets "can't" match a term written "can not".
CONTRACTION_NORMS = {"ca": "can", "n't": "not", "wo": "will", "'m": "be", "'re": "be", "'s": "'s"}


class LexiconNormalizer:
    """Sets each token's NORM to its lemma, correcting misspelt words to lexicon terms.

    A word is corrected only when it is long enough, unknown to the English lemma table
    and close to exactly one vocabulary word; its lemma is then replaced too, so that
    later components and featurizers see the corrected word.
    """

    def __init__(self, nlp: Language, vocabulary: List[str], min_length: int, score_cutoff: int):
        self._nlp = nlp
        self._vocabulary = sorted(set(vocabulary))
        self._vocabulary_set = set(self._vocabulary)
        self._min_length = min_length
        self._score_cutoff = score_cutoff
        self._known_words: Optional[Set[str]] = None
        self.correct = lru_cache(maxsize=20_000)(self._correct)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lemma = CONTRACTION_NORMS.get(token.lower_, token.lemma_ or token.lower_)
            corrected = self.correct(token.lower_)
            if corrected is not None:
                lemma = corrected
                token.lemma_ = corrected
            token.norm_ = lemma
        return doc

    def _correct(self, word: str) -> Optional[str]:
        if word in self._vocabulary_set or len(word) < self._min_length or not word.isalpha():
            return None
        if self._is_english(word):
            return None
        match = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=self._score_cutoff)
        return match[0] if match else None

    def _is_english(self, word: str) -> bool:
        table = self._nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        if self._known_words is None:
            self._known_words = set(table.values())
        return word in table or word in self._known_words


@Language.factory(
    "lexicon_normalizer",
    default_config={"vocabulary": [], "min_length": 5, "score_cutoff": 85},
)
def make_lexicon_normalizer(
    nlp: Language, name: str, vocabulary: List[str], min_length: int, score_cutoff: int
) -> LexiconNormalizer:
    return LexiconNormalizer(nlp, vocabulary, min_length, score_cutoff)
