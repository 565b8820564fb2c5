import itertools
from typing import Any, Dict, List

import requests

_ids = itertools.count()


class Chat:
    """One conversation with a running Rasa server over the REST webhook."""

    def __init__(self, base_url: str, name: str = "chat"):
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = f"{name}-{next(_ids)}"

    def say(self, text: str) -> List[Dict[str, Any]]:
        reply = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def kinds(self, text: str) -> List[str]:
        return [turn["metadata"].get("kind") for turn in self.say(text)]


def sources(turns: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [turn["metadata"]["source"] for turn in turns if "source" in turn["metadata"]]


def answer(turns: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The one answer among a reply's turns."""
    answers = [t for t in turns if t["metadata"].get("kind") == "answer"]
    assert len(answers) == 1, turns
    return answers[0]
