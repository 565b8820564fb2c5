"""Decoding stored events must give Rasa's events, however often a text is decoded."""

import json
from typing import List

from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from backpain_assistant.tracker_stores.events import DecodedEvents

EVENTS: List[Event] = [
    ActionExecuted("action_session_start", timestamp=1.0),
    SessionStarted(timestamp=2.0),
    UserUttered(
        "my back hurts and I have a fever",
        {"name": "red_flag", "confidence": 0.9},
        [{"entity": "medication", "value": "xanax", "start": 0, "end": 5}],
        timestamp=3.0,
    ),
    DefinePrevUserUtteredFeaturization(False, timestamp=4.0),
    SlotSet("escalations", ["infection_signs:urgent"], timestamp=5.0),
    BotUttered(
        "Please see a doctor today.",
        {"buttons": [{"title": "ok", "payload": "/thank"}]},
        {"kind": "red_flag"},
        timestamp=6.0,
    ),
    ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=7.0),
]
ROWS = [json.dumps(event.as_dict()) for event in EVENTS]


def rasas(rows: List[str]) -> List[Event]:
    return [Event.from_parameters(json.loads(row)) for row in rows]


def test_events_are_rasas_decoded_the_first_time_and_every_time_after() -> None:
    decoded = DecodedEvents(capacity=100)
    first, again = decoded.from_json(ROWS), decoded.from_json(ROWS)
    assert first == again == rasas(ROWS) == EVENTS
    assert [e.as_dict() for e in again] == [e.as_dict() for e in rasas(ROWS)]
    assert all(
        a is not b for a, b in zip(first, again)
    ), "two trackers were handed the same event objects"


def test_what_one_tracker_sets_on_an_event_does_not_reach_the_next() -> None:
    decoded = DecodedEvents(capacity=100)
    user = decoded.from_json(ROWS[2:3])[0]
    user.use_text_for_featurization = True
    assert decoded.from_json(ROWS[2:3])[0].use_text_for_featurization is None


def test_it_keeps_at_most_its_capacity_and_still_decodes_the_rest() -> None:
    decoded = DecodedEvents(capacity=3)
    assert decoded.from_json(ROWS) == EVENTS
    assert len(decoded._decoded) == 3
    assert decoded.from_json(ROWS[:2]) == EVENTS[:2]


def test_a_row_that_is_not_an_event_is_skipped_as_rasa_skips_it() -> None:
    assert DecodedEvents(capacity=10).from_json([json.dumps({"name": "no type"}), ROWS[1]]) == [
        EVENTS[1]
    ]


def test_after_forgetting_it_remembers_nothing_and_still_decodes() -> None:
    decoded = DecodedEvents(capacity=100)
    decoded.from_json(ROWS)
    decoded.forget_all()
    assert len(decoded._decoded) == 0
    assert decoded.from_json(ROWS) == EVENTS
