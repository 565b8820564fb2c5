from typing import Dict, List, Optional, Set

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc

# Words the lookup table leaves alone or gets wrong: contractions the tokenizer splits off
# ("can't" -> "ca" + "n't", so "can't" matches a term written "can not"), and "does",
# which the table reads as the plural of "doe".
WORD_NORMS = {"ca": "can", "n't": "not", "wo": "will", "'m": "be", "'re": "be", "does": "do"}


class LexiconNormalizer:
    """Sets each token's NORM to its lemma, correcting misspelt words to lexicon terms.

    A word is corrected only when it is long enough, unknown to the English lemma table
    and close to a vocabulary word; its lemma is then replaced too, so that later
    components and featurizers see the corrected word. A word listed in `canonical_forms`
    (a medication's brand, generic name or misspelling) gets that form as its NORM, so
    matchers need only the canonical name.

    Corrections are not cached: a cache's keys would be the unknown words people typed
    (names, misspellings), kept in memory past "forget me" and retention. Only words that
    pass the cheap checks reach the fuzzy search, which takes tens of microseconds.
    """

    def __init__(
        self,
        nlp: Language,
        vocabulary: List[str],
        canonical_forms: Dict[str, str],
        min_length: int,
        score_cutoff: int,
    ):
        self._nlp = nlp
        self._canonical_forms = canonical_forms
        self._vocabulary = sorted(set(vocabulary) | set(canonical_forms))
        self._vocabulary_set = set(self._vocabulary)
        self._min_length = min_length
        self._score_cutoff = score_cutoff
        self._known_words: Optional[Set[str]] = None

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lemma = WORD_NORMS.get(token.lower_, token.lemma_ or token.lower_)
            corrected = self.correct(token.lower_)
            if corrected is not None:
                lemma = corrected
                token.lemma_ = corrected
            token.norm_ = self._canonical_forms.get(lemma, lemma)
        return doc

    def correct(self, word: str) -> Optional[str]:
        if word in self._vocabulary_set or len(word) < self._min_length or not word.isalpha():
            return None
        if self._is_english(word):
            return None
        match = process.extractOne(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=self._score_cutoff
        )
        return match[0] if match else None

    def _is_english(self, word: str) -> bool:
        table = self._nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        if self._known_words is None:
            self._known_words = set(table.values())
        return word in table or word in self._known_words


@Language.factory(
    "lexicon_normalizer",
    default_config={"vocabulary": [], "canonical_forms": {}, "min_length": 5, "score_cutoff": 85},
)
def make_lexicon_normalizer(
    nlp: Language,
    name: str,
    vocabulary: List[str],
    canonical_forms: Dict[str, str],
    min_length: int,
    score_cutoff: int,
) -> LexiconNormalizer:
    return LexiconNormalizer(nlp, vocabulary, canonical_forms, min_length, score_cutoff)
