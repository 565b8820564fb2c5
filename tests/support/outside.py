"""Scoring on the outside sets (backpain_assistant/outside_sets.py): the test part is scored,
never printed item by item.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from backpain_assistant import outside_sets
from backpain_assistant.outside_sets import PARTS, Item  # noqa: F401  (re-exported for the scripts)
from tests.support.articles import ARTICLE_FILES, snake_case

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_DIR = ROOT / "tests" / "outside"
TIERS = ("emergency", "urgent")


def load_items(directory: Path = OUTSIDE_DIR, part: Optional[str] = None) -> List[Item]:
    return outside_sets.load_items(directory, part)


@dataclass
class Reply:
    """What one message got back, reduced to what is scored."""

    kinds: List[str]
    sources: List[str]
    tier: Optional[str]

    @classmethod
    def from_turns(cls, turns: Iterable[Dict[str, Any]]) -> "Reply":
        kinds, sources, tiers = [], [], []
        for turn in turns:
            metadata = turn.get("metadata") or {}
            kinds.append(metadata.get("kind"))
            for source in metadata.get("sources") or (
                [metadata["source"]] if "source" in metadata else []
            ):
                sources.append(f"{source['article']}/{source['section']}")
            if metadata.get("kind") == "red_flag":
                tiers.append(metadata["red_flag"]["tier"])
        tier = min(tiers, key=TIERS.index) if tiers else None
        return cls(kinds, sources, tier)

    @property
    def behaviour(self) -> str:
        """The one reply kind that counts: an answer, a referral, a decline, a clarifying question…"""
        for kind in ("answer", "referral", "out_of_scope", "clarify"):
            if kind in self.kinds:
                return kind
        return next((k for k in self.kinds if k and k not in ("disclaimer", "red_flag")), "none")


def answered_acceptably(item: Item, reply: Reply) -> bool:
    return "answer" in reply.kinds and any(
        source in item.answer_sections for source in reply.sources
    )


def escalated_acceptably(item: Item, reply: Reply) -> bool:
    return reply.tier is not None and reply.tier in item.tiers


def acceptable(item: Item, reply: Reply) -> bool:
    if item.escalate == "must":
        return escalated_acceptably(item, reply)
    if item.escalate == "must_not" and reply.tier is not None:
        return False
    if item.escalate == "either" and reply.tier is not None:
        return True
    behaviour = reply.behaviour
    if behaviour == "answer":
        return answered_acceptably(item, reply)
    return behaviour in item.acceptable


@dataclass
class Figures:
    counts: Dict[str, List[int]] = field(default_factory=dict)

    def add(self, name: str, passed: bool) -> None:
        hits, total = self.counts.setdefault(name, [0, 0])
        self.counts[name] = [hits + int(passed), total + 1]

    def rate(self, name: str) -> float:
        hits, total = self.counts.get(name, [0, 0])
        return hits / total if total else float("nan")

    def lines(self) -> List[str]:
        return [
            f"{name}: {hits}/{total} ({hits / total:.1%})"
            for name, (hits, total) in self.counts.items()
            if total
        ]


def score(items: List[Item], replies: List[Reply]) -> Figures:
    figures = Figures()
    for item, reply in zip(items, replies):
        figures.add("acceptable behaviour", acceptable(item, reply))
        if item.escalate != "must" and item.answer_sections:
            figures.add(
                "answerable answered from an acceptable section", answered_acceptably(item, reply)
            )
        if item.escalate == "must":
            figures.add(
                "must escalate: escalated at an acceptable tier", escalated_acceptably(item, reply)
            )
            figures.add("must escalate: escalated at all", reply.tier is not None)
            if item.tiers == ["emergency"]:
                figures.add("emergencies at emergency tier", reply.tier == "emergency")
        if item.escalate == "must_not":
            figures.add("benign escalated (lower is better)", reply.tier is not None)
    return figures


def replies_over_rest(url: str, items: List[Item], prefix: str = "outside") -> List[Reply]:
    """Each message sent as a new conversation to a running assistant's REST webhook."""
    import requests

    result = []
    for number, item in enumerate(items):
        response = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": f"{prefix}-{number}", "message": item.text},
            timeout=60,
        )
        response.raise_for_status()
        result.append(Reply.from_turns(response.json()))
    return result


def baseline_replies(items: List[Item], behaviour: Callable[[Item], Reply]) -> List[Reply]:
    return [behaviour(item) for item in items]


def always_out_of_scope(_: Item) -> Reply:
    return Reply(["out_of_scope"], [], None)


# The articles' headings that start content; "Other Options" is an advertisement and "Sources"
# a scraping leftover, so their text belongs to no section.
CONTENT_HEADINGS = {
    "Introduction",
    "Causes",
    "Symptoms",
    "When to see a doctor",
    "Treatment Options",
    "Conventional Treatments",
    "Alternative Therapies",
    "Home Remedies",
    "Recovery",
    "Conclusion",
    "Benefits of Antidepressants",
    "Side Effects",
}
NOT_CONTENT_HEADINGS = {"Other Options", "Sources"}


def article_sections(articles_dir: Path) -> Dict[str, str]:
    """`article/section` -> the section's text, for the TF-IDF baseline."""
    sections: Dict[str, str] = {}
    for article, name in ARTICLE_FILES.items():
        current: Optional[str] = "introduction"
        for line in (articles_dir / name).read_text("utf-8").splitlines():
            if line.strip() in CONTENT_HEADINGS | NOT_CONTENT_HEADINGS:
                current = snake_case(line) if line.strip() in CONTENT_HEADINGS else None
            elif current and line.strip():
                key = f"{article}/{current}"
                sections[key] = sections.get(key, "") + " " + line.strip()
    return sections


def tfidf_nearest_section(articles_dir: Path) -> Callable[[Item], Reply]:
    """Answers every message with the article section nearest to it by TF-IDF cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    sections = article_sections(articles_dir)
    keys = list(sections)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(
        list(sections.values())
    )
    matrix = vectorizer.transform(list(sections.values()))

    def reply(item: Item) -> Reply:
        similarities = (matrix @ vectorizer.transform([item.text]).T).toarray().ravel()
        return Reply(["answer"], [keys[int(similarities.argmax())]], None)

    return reply
