from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple, Union

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
    "past_time",
    "resolved",
)
# Context kinds that a concept mention does not mask ("years ago" also reads as a history).
TIME_KINDS = ("past_time", "resolved")
Span = Tuple[int, int]

if not Doc.has_extension("red_flags"):
    Doc.set_extension("red_flags", default=[])


@dataclass(frozen=True)
class RedFlag:
    category: str
    tier: str
    label: str
    evidence: str


SUPPRESSORS = ("negated", "informational", "conditional", "general_question", "historical")
ANY_CONTEXT = "~"


@dataclass(frozen=True)
class Category:
    name: str
    tier: str
    label: str
    rules: Tuple[Tuple[str, ...], ...]
    suppressed_by: FrozenSet[str]
    unless: Tuple[str, ...]


def concept_phrases(spec: Any) -> List[str]:
    """A concept is a list of phrases, or a mapping with `phrases` and `token_patterns`."""
    return [str(p) for p in (spec.get("phrases", []) if isinstance(spec, dict) else spec)]


def concept_token_patterns(spec: Any) -> List[List[Dict[str, Any]]]:
    return spec.get("token_patterns", []) if isinstance(spec, dict) else []


def category_from_spec(name: str, spec: Dict[str, Any]) -> Category:
    suppressed_by = frozenset(spec.get("suppressed_by", SUPPRESSORS))
    unknown = suppressed_by - set(SUPPRESSORS)
    if unknown:
        raise ValueError(f"red flag category {name}: unknown suppressed_by {sorted(unknown)}")
    if spec.get("unless") and spec["tier"] == TIER_ORDER[0]:
        raise ValueError(
            f"red flag category {name}: an emergency is never ruled out by an `unless` concept"
        )
    return Category(
        name=name,
        tier=spec["tier"],
        label=spec["label"],
        rules=tuple(tuple(rule) for rule in spec["rules"]),
        suppressed_by=suppressed_by,
        unless=tuple(spec.get("unless", ())),
    )


class RedFlagMatcher:
    """Finds red-flag categories in a doc (see data/red_flag_detection.yml and data/negation.yml).

    Matching is on NORM, which the lexicon normalizer sets to the (typo-corrected) lemma,
    or the canonical name for medications. Phrase patterns are built on first use so that
    they pass through the same earlier components. Each mention is checked for the contexts
    that can cancel it: negated, informational ("what are the signs of…"), conditional
    ("if I get a fever"), a general question (a question with no one in it: "is fever with
    back pain a red flag?") and historical ("had a fever last month, it's gone now"). A
    category lists which of them cancel its mentions (`suppressed_by`, all five by default),
    and may name concepts that rule it out (`unless`).
    """

    def __init__(
        self, nlp: Language, name: str, red_flags: Dict[str, Any], negation: Dict[str, Any]
    ):
        self._nlp = nlp
        self._name = name
        self._concepts: Dict[str, Any] = red_flags["concepts"]
        self._categories = [
            category_from_spec(c, spec) for c, spec in red_flags["categories"].items()
        ]
        self._categories.sort(key=lambda c: TIER_ORDER.index(c.tier))
        self._negation = negation
        general = negation["general_questions"]
        self._question_starts = frozenset(general["question_starts"])
        self._personal_markers = frozenset(general["personal_markers"])
        self._sentence_ends = frozenset(general["sentence_ends"])
        self._matchers: Optional[Dict[str, Union[PhraseMatcher, Matcher]]] = None

    def __call__(self, doc: Doc) -> Doc:
        doc._.red_flags = self.find(doc)
        return doc

    def find(self, doc: Doc) -> List[RedFlag]:
        mentions = self._mentions(doc)
        any_context = {
            ANY_CONTEXT + concept: [span for span, _ in spans]
            for concept, spans in mentions.items()
        }
        found = []
        for category in self._categories:
            usable = {
                concept: [span for span, contexts in spans if not contexts & category.suppressed_by]
                for concept, spans in mentions.items()
            }
            usable.update(any_context)
            evidence = _first_satisfied_rule(
                category.rules, self._without_ruled_out(doc, category, usable)
            )
            if evidence is not None:
                text = " … ".join(doc[start:end].text for start, end in evidence)
                found.append(RedFlag(category.name, category.tier, category.label, text))
        return found

    def _without_ruled_out(
        self, doc: Doc, category: Category, usable: Dict[str, List[Span]]
    ) -> Dict[str, List[Span]]:
        """The mentions left once each `unless` mention has ruled out the category's mentions in
        its own sentence ("I had the flu in January" says nothing of another sentence's weight
        loss). An `unless` inside one of the category's own mentions ("dieting" in "not dieting")
        rules nothing out."""
        if not category.unless:
            return usable
        own_concepts = {c for rule in category.rules for c in rule}
        own = [span for concept in own_concepts for span in usable.get(concept, [])]
        ruling = [
            span
            for concept in category.unless
            for span in usable.get(concept, [])
            if not any(o[0] <= span[0] and span[1] <= o[1] for o in own)
        ]
        if not ruling:
            return usable
        sentences = [(s, e) for s, e in self._sentences(doc) if any(s <= r[0] < e for r in ruling)]

        def ruled_out(span: Span) -> bool:
            return any(s <= span[0] < e for s, e in sentences)

        return {
            concept: [span for span in spans if not ruled_out(span)]
            if concept.lstrip(ANY_CONTEXT) in own_concepts
            else spans
            for concept, spans in usable.items()
        }

    def _mentions(self, doc: Doc) -> Dict[str, List[Tuple[Span, FrozenSet[str]]]]:
        """Every concept mention, with the contexts that may cancel it."""
        matchers = self._get_matchers()
        concept_spans = _spans_by_key(matchers["concepts"], doc)
        for concept, spans in _spans_by_key(matchers["concept_token_patterns"], doc).items():
            concept_spans[concept].extend(spans)
        context_spans = _spans_by_key(matchers["context"], doc)
        masked = {
            i
            for start, end in [s for spans in concept_spans.values() for s in spans]
            + context_spans["pseudo_negations"]
            for i in range(start, end)
        }
        context = {
            kind: [
                span for span in context_spans[kind] if kind in TIME_KINDS or span[0] not in masked
            ]
            for kind in CONTEXT_KINDS
        }
        in_general_questions = self._general_question_tokens(doc)
        return {
            concept: [(span, self._contexts(span, context, in_general_questions)) for span in spans]
            for concept, spans in concept_spans.items()
        }

    def _contexts(
        self, span: Span, context: Dict[str, List[Span]], in_general_questions: Set[int]
    ) -> FrozenSet[str]:
        checks = {
            "negated": self._in_scope(span, context, "negation_before", "negation_after"),
            "informational": self._in_scope(
                span, context, "informational_before", "informational_after"
            ),
            "conditional": self._in_scope(span, context, "conditional_before", None),
            "general_question": span[0] in in_general_questions,
            "historical": self._is_historical(span, context),
        }
        return frozenset(kind for kind, applies in checks.items() if applies)

    @staticmethod
    def _is_historical(span: Span, context: Dict[str, List[Span]]) -> bool:
        """Told as over: its clause has both a time in the past ("years ago") and a resolution
        ("it healed")."""
        starts = [start for start, _ in context["terminators"]]
        clause_start = max([s + 1 for s in starts if s < span[0]], default=0)
        clause_end = min([s for s in starts if s >= span[1]], default=10**9)

        def in_clause(kind: str) -> bool:
            return any(clause_start <= start < clause_end for start, _ in context[kind])

        return in_clause("past_time") and in_clause("resolved")

    def _general_question_tokens(self, doc: Doc) -> Set[int]:
        """Tokens of the sentences that ask a question, when the message names no one (no I,
        my, she, my dad…): "is fever with back pain a red flag?"."""
        if self._personal_markers.intersection(t.lower_ for t in doc):
            return set()
        return {
            i
            for start, end in self._sentences(doc)
            if doc[start].lower_ in self._question_starts
            for i in range(start, end)
        }

    def _sentences(self, doc: Doc) -> List[Span]:
        """Spans ending at a sentence end or a line break, those with a word in them."""
        sentences, start = [], 0
        for token in doc:
            if token.lower_ in self._sentence_ends or token.is_space:
                sentences.append((start, token.i + 1))
                start = token.i + 1
        sentences.append((start, len(doc)))
        return [(s, e) for s, e in sentences if not all(t.is_space or t.is_punct for t in doc[s:e])]

    def _in_scope(
        self, span: Span, context: Dict[str, List[Span]], before: str, after: Optional[str]
    ) -> bool:
        window, post_window = self._negation["window"], self._negation["post_window"]
        if self._triggers_before(span, context[before], context["terminators"], window):
            return True
        return after is not None and any(
            span[1] <= start <= span[1] + post_window for start, _ in context[after]
        )

    @staticmethod
    def _triggers_before(
        span: Span, triggers: List[Span], terminators: List[Span], window: int
    ) -> bool:
        for trigger_start, trigger_end in triggers:
            if trigger_end <= span[0] and span[0] - trigger_end <= window:
                if not any(trigger_end <= t_start < span[0] for t_start, _ in terminators):
                    return True
        return False

    def _get_matchers(self) -> Dict[str, Union[PhraseMatcher, Matcher]]:
        if self._matchers is None:
            self._matchers = {
                "concepts": self._phrase_matcher(
                    {c: concept_phrases(s) for c, s in self._concepts.items()}
                ),
                "concept_token_patterns": self._token_matcher(),
                # One pass finds every kind of context phrase, each under its kind's key.
                "context": self._phrase_matcher(
                    {k: self._negation[k] for k in CONTEXT_KINDS + ("pseudo_negations",)}
                ),
            }
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
    twice needs two mentions that don't overlap; `~concept` takes a mention in any context),
    or None."""
    for rule in rules:
        chosen: List[Span] = []
        used: Dict[str, Set[Span]] = defaultdict(set)
        for concept in rule:
            candidate = next(
                (s for s in spans.get(concept, []) if not _overlaps_any(s, used[concept])), None
            )
            if candidate is None:
                break
            used[concept].add(candidate)
            chosen.append(candidate)
        else:
            return sorted(chosen)
    return None


def _overlaps_any(span: Span, others: Set[Span]) -> bool:
    return any(span[0] < other[1] and other[0] < span[1] for other in others)


@Language.factory(
    "red_flag_matcher", default_config={"red_flags": "red_flag_detection", "negation": "negation"}
)
def make_red_flag_matcher(
    nlp: Language, name: str, red_flags: str, negation: str
) -> RedFlagMatcher:
    """`red_flags` and `negation` name YAML files of backpain_assistant/data."""
    return RedFlagMatcher(nlp, name, yaml_data.load(red_flags), yaml_data.load(negation))
