from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from backpain_assistant import yaml_data

TIER_ORDER = ("emergency", "urgent")
Span = Tuple[int, int]

if not Doc.has_extension("red_flags"):
    Doc.set_extension("red_flags", default=[])


@dataclass(frozen=True)
class RedFlag:
    category: str
    tier: str
    label: str
    evidence: str


@dataclass(frozen=True)
class Category:
    name: str
    tier: str
    label: str
    rules: Tuple[Tuple[str, ...], ...]
    hypotheticals_suppress: bool


class RedFlagMatcher:
    """Finds red-flag categories in a doc (see data/red_flags.yml and data/negation.yml).

    Matching is on NORM, which the lexicon normalizer sets to the (typo-corrected) lemma.
    Patterns are built on first use so that they pass through the same earlier components.
    """

    def __init__(self, nlp: Language, name: str, red_flags: Dict[str, Any], negation: Dict[str, Any]):
        self._nlp = nlp
        self._name = name
        self._concepts: Dict[str, List[str]] = red_flags["concepts"]
        self._categories = [
            Category(
                name=category,
                tier=spec["tier"],
                label=spec["label"],
                rules=tuple(tuple(rule) for rule in spec["rules"]),
                hypotheticals_suppress=spec.get("hypotheticals_suppress", True),
            )
            for category, spec in red_flags["categories"].items()
        ]
        self._categories.sort(key=lambda c: TIER_ORDER.index(c.tier))
        self._negation = negation
        self._matchers: Optional[Dict[str, PhraseMatcher]] = None

    def __call__(self, doc: Doc) -> Doc:
        doc._.red_flags = self.find(doc)
        return doc

    def find(self, doc: Doc) -> List[RedFlag]:
        matchers = self._get_matchers()
        concept_spans = _spans_by_key(matchers["concepts"], doc)
        inside_concepts = {i for spans in concept_spans.values() for start, end in spans for i in range(start, end)}
        context = {
            kind: [span for span in _spans_by_key(matchers[kind], doc).get(kind, []) if span[0] not in inside_concepts]
            for kind in ("negation_before", "negation_after", "hypothetical_before", "terminators")
        }
        negated = {
            concept: [s for s in spans if not self._is_negated(s, context)] for concept, spans in concept_spans.items()
        }
        found = []
        for category in self._categories:
            usable = negated
            if category.hypotheticals_suppress:
                usable = {c: [s for s in spans if not self._is_hypothetical(s, context)] for c, spans in negated.items()}
            evidence = _first_satisfied_rule(category.rules, usable)
            if evidence is not None:
                text = " … ".join(doc[start:end].text for start, end in evidence)
                found.append(RedFlag(category.name, category.tier, category.label, text))
        return found

    def _is_negated(self, span: Span, context: Dict[str, List[Span]]) -> bool:
        window, post_window = self._negation["window"], self._negation["post_window"]
        before = self._triggers_before(span, context["negation_before"], context["terminators"], window)
        after = any(span[1] <= start <= span[1] + post_window for start, _ in context["negation_after"])
        return before or after

    def _is_hypothetical(self, span: Span, context: Dict[str, List[Span]]) -> bool:
        window = self._negation["window"]
        return self._triggers_before(span, context["hypothetical_before"], context["terminators"], window)

    @staticmethod
    def _triggers_before(span: Span, triggers: List[Span], terminators: List[Span], window: int) -> bool:
        for trigger_start, trigger_end in triggers:
            if trigger_end <= span[0] and span[0] - trigger_end <= window:
                if not any(trigger_end <= t_start < span[0] for t_start, _ in terminators):
                    return True
        return False

    def _get_matchers(self) -> Dict[str, PhraseMatcher]:
        if self._matchers is None:
            self._matchers = {"concepts": self._phrase_matcher(self._concepts)}
            for kind in ("negation_before", "negation_after", "hypothetical_before", "terminators"):
                self._matchers[kind] = self._phrase_matcher({kind: self._negation[kind]})
        return self._matchers

    def _phrase_matcher(self, terms_by_key: Dict[str, Iterable[str]]) -> PhraseMatcher:
        matcher = PhraseMatcher(self._nlp.vocab, attr="NORM")
        for key, terms in terms_by_key.items():
            matcher.add(key, [self._pattern_doc(str(term)) for term in terms])
        return matcher

    def _pattern_doc(self, term: str) -> Doc:
        doc = self._nlp.make_doc(term.lower())
        for name, component in self._nlp.pipeline:
            if name == self._name:
                break
            doc = component(doc)
        return doc


def _spans_by_key(matcher: PhraseMatcher, doc: Doc) -> Dict[str, List[Span]]:
    spans: Dict[str, List[Span]] = defaultdict(list)
    for match_id, start, end in matcher(doc):
        spans[doc.vocab.strings[match_id]].append((start, end))
    return spans


def _first_satisfied_rule(
    rules: Sequence[Tuple[str, ...]], spans: Dict[str, List[Span]]
) -> Optional[List[Span]]:
    """The spans that satisfy the first rule whose concepts all occur (a concept listed
    twice needs two different mentions), or None."""
    for rule in rules:
        chosen: List[Span] = []
        used: Set[Span] = set()
        for concept in rule:
            candidate = next((s for s in spans.get(concept, []) if not _overlaps_any(s, used)), None)
            if candidate is None:
                break
            used.add(candidate)
            chosen.append(candidate)
        else:
            return sorted(chosen)
    return None


def _overlaps_any(span: Span, others: Set[Span]) -> bool:
    return any(span[0] < other[1] and other[0] < span[1] for other in others)


@Language.factory("red_flag_matcher", default_config={"red_flags": "red_flags", "negation": "negation"})
def make_red_flag_matcher(nlp: Language, name: str, red_flags: str, negation: str) -> RedFlagMatcher:
    """`red_flags` and `negation` name YAML files of backpain_assistant/data."""
    return RedFlagMatcher(nlp, name, yaml_data.load(red_flags), yaml_data.load(negation))
