from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from backpain_assistant import yaml_data

TIER_ORDER = ("emergency", "urgent")
CONTEXT_KINDS = (
    "negation_before",
    "negation_after",
    "informational_before",
    "informational_after",
    "conditional_before",
    "terminators",
)
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
    conditionals_suppress: bool


def concept_phrases(spec: Any) -> List[str]:
    """A concept is a list of phrases, or a mapping with `phrases` and `token_patterns`."""
    return [str(p) for p in (spec.get("phrases", []) if isinstance(spec, dict) else spec)]


def concept_token_patterns(spec: Any) -> List[List[Dict[str, Any]]]:
    return spec.get("token_patterns", []) if isinstance(spec, dict) else []


class RedFlagMatcher:
    """Finds red-flag categories in a doc (see data/red_flags.yml and data/negation.yml).

    Matching is on NORM, which the lexicon normalizer sets to the (typo-corrected) lemma,
    or the canonical name for medications. Phrase patterns are built on first use so that
    they pass through the same earlier components. A mention is dropped when it is negated
    or asked about in general (informational), and, for categories that say so, when it is
    conditional ("if I get a fever").
    """

    def __init__(self, nlp: Language, name: str, red_flags: Dict[str, Any], negation: Dict[str, Any]):
        self._nlp = nlp
        self._name = name
        self._concepts: Dict[str, Any] = red_flags["concepts"]
        self._categories = [
            Category(
                name=category,
                tier=spec["tier"],
                label=spec["label"],
                rules=tuple(tuple(rule) for rule in spec["rules"]),
                conditionals_suppress=spec.get("conditionals_suppress", True),
            )
            for category, spec in red_flags["categories"].items()
        ]
        self._categories.sort(key=lambda c: TIER_ORDER.index(c.tier))
        self._negation = negation
        self._matchers: Optional[Dict[str, Union[PhraseMatcher, Matcher]]] = None

    def __call__(self, doc: Doc) -> Doc:
        doc._.red_flags = self.find(doc)
        return doc

    def find(self, doc: Doc) -> List[RedFlag]:
        matchers = self._get_matchers()
        concept_spans = _spans_by_key(matchers["concepts"], doc)
        for concept, spans in _spans_by_key(matchers["concept_token_patterns"], doc).items():
            concept_spans[concept].extend(spans)
        inside_concepts = {i for spans in concept_spans.values() for start, end in spans for i in range(start, end)}
        context = {
            kind: [span for span in _spans_by_key(matchers[kind], doc).get(kind, []) if span[0] not in inside_concepts]
            for kind in CONTEXT_KINDS
        }
        asserted = {
            concept: [s for s in spans if not self._is_negated(s, context) and not self._is_informational(s, context)]
            for concept, spans in concept_spans.items()
        }
        unconditional = {
            concept: [s for s in spans if not self._is_conditional(s, context)] for concept, spans in asserted.items()
        }
        found = []
        for category in self._categories:
            usable = unconditional if category.conditionals_suppress else asserted
            evidence = _first_satisfied_rule(category.rules, usable)
            if evidence is not None:
                text = " … ".join(doc[start:end].text for start, end in evidence)
                found.append(RedFlag(category.name, category.tier, category.label, text))
        return found

    def _is_negated(self, span: Span, context: Dict[str, List[Span]]) -> bool:
        return self._in_scope(span, context, "negation_before", "negation_after")

    def _is_informational(self, span: Span, context: Dict[str, List[Span]]) -> bool:
        return self._in_scope(span, context, "informational_before", "informational_after")

    def _is_conditional(self, span: Span, context: Dict[str, List[Span]]) -> bool:
        return self._in_scope(span, context, "conditional_before", None)

    def _in_scope(self, span: Span, context: Dict[str, List[Span]], before: str, after: Optional[str]) -> bool:
        window, post_window = self._negation["window"], self._negation["post_window"]
        if self._triggers_before(span, context[before], context["terminators"], window):
            return True
        return after is not None and any(span[1] <= start <= span[1] + post_window for start, _ in context[after])

    @staticmethod
    def _triggers_before(span: Span, triggers: List[Span], terminators: List[Span], window: int) -> bool:
        for trigger_start, trigger_end in triggers:
            if trigger_end <= span[0] and span[0] - trigger_end <= window:
                if not any(trigger_end <= t_start < span[0] for t_start, _ in terminators):
                    return True
        return False

    def _get_matchers(self) -> Dict[str, Union[PhraseMatcher, Matcher]]:
        if self._matchers is None:
            self._matchers = {
                "concepts": self._phrase_matcher({c: concept_phrases(s) for c, s in self._concepts.items()}),
                "concept_token_patterns": self._token_matcher(),
            }
            for kind in CONTEXT_KINDS:
                self._matchers[kind] = self._phrase_matcher({kind: self._negation[kind]})
        return self._matchers

    def _token_matcher(self) -> Matcher:
        matcher = Matcher(self._nlp.vocab)
        for concept, spec in self._concepts.items():
            if concept_token_patterns(spec):
                matcher.add(concept, concept_token_patterns(spec))
        return matcher

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


def _spans_by_key(matcher: Union[PhraseMatcher, Matcher], doc: Doc) -> Dict[str, List[Span]]:
    spans: Dict[str, List[Span]] = defaultdict(list)
    for match_id, start, end in matcher(doc):
        spans[doc.vocab.strings[match_id]].append((start, end))
    return spans


def _first_satisfied_rule(
    rules: Sequence[Tuple[str, ...]], spans: Dict[str, List[Span]]
) -> Optional[List[Span]]:
    """The spans that satisfy the first rule whose concepts all occur (a concept listed
    twice needs two mentions that don't overlap), or None."""
    for rule in rules:
        chosen: List[Span] = []
        used: Dict[str, Set[Span]] = defaultdict(set)
        for concept in rule:
            candidate = next((s for s in spans.get(concept, []) if not _overlaps_any(s, used[concept])), None)
            if candidate is None:
                break
            used[concept].add(candidate)
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
