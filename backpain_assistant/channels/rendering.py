"""The parts of a bot turn that chat platforms show differently: a red-flag heading, the
text, the citation line, the suggestion buttons."""

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

CITATION = re.compile(r"\n\((Sources?: [^\n]*)\)\s*$")
RED_FLAG_HEADINGS = {
    "emergency": "🚨 Possible emergency",
    "urgent": "⚠️ See a doctor today",
}


@dataclass(frozen=True)
class Turn:
    text: Text
    heading: Optional[Text] = None
    citation: Optional[Text] = None
    buttons: List[Dict[Text, Any]] = field(default_factory=list)


def turn_of(message: Dict[Text, Any]) -> Turn:
    """A bot turn as Rasa hands it to an output channel (`text`, `buttons`, `metadata`…)."""
    text = (message.get("text") or "").strip()
    citation = None
    found = CITATION.search(text)
    if found:
        text, citation = text[: found.start()].rstrip(), found.group(1)
    metadata = message.get("metadata") or {}
    red_flag = metadata.get("red_flag") or {}
    heading = (
        RED_FLAG_HEADINGS.get(red_flag.get("tier")) if metadata.get("kind") == "red_flag" else None
    )
    buttons = [b for b in message.get("buttons") or [] if b.get("title") and b.get("payload")]
    return Turn(text=text, heading=heading, citation=citation, buttons=buttons)
