"""Event (de)serialisation for tracker stores, without Rasa's per-event class search.

`rasa.shared.core.events.Event.from_parameters` walks every Event subclass for each
event it decodes (about 80 µs an event here); this module looks the class up in a
table built once, then calls the same `_from_parameters`.

`DecodedEvents` also remembers the events it decoded, by their stored JSON text: a turn stays
in a conversation's window for several messages, and decoding it again each time was 8% of a
message. Keyed by the whole text, an entry can only ever stand for that exact text (row ids
can be reused after a deletion; texts hold a timestamp and are decoded the same way every
time). Each caller gets its own shallow copy, so what Rasa sets on an event (such as
`use_text_for_featurization`) stays in that caller's tracker.
"""

import copy
import functools
import json
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Text, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses


@functools.lru_cache(maxsize=None)
def event_classes() -> Dict[Text, Type[Event]]:
    classes: Dict[Text, Type[Event]] = {}
    for cls in all_subclasses(Event):
        # Same precedence as Event.resolve_by_type: the first subclass with the name wins.
        classes.setdefault(cls.type_name, cls)
    return classes


def event_from_dict(parameters: Dict[Text, Any]) -> Optional[Event]:
    name = parameters.get("event")
    if name is None:
        return None
    cls = event_classes().get(name)
    if cls is None:
        # Unknown or legacy names: defer to Rasa, which knows its exceptions.
        return Event.from_parameters(parameters)
    return cls._from_parameters(parameters)


class DecodedEvents:
    """Events from their stored JSON texts, remembering the last `capacity` distinct ones decoded."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._decoded: "OrderedDict[Text, Event]" = OrderedDict()

    def from_json(self, rows: Iterable[Text]) -> List[Event]:
        # One table for the whole call: `forget_all` may swap it from another thread (the
        # retention timer) meanwhile, and this call then finishes on the table it began with.
        decoded = self._decoded
        events = []
        for row in rows:
            event = decoded.get(row)
            if event is None:
                event = event_from_dict(json.loads(row))
                if event is None:
                    continue
                self._remember(decoded, row, event)
            else:
                decoded.move_to_end(row)
            events.append(copy.copy(event))
        return events

    def forget_all(self) -> None:
        """After a deletion: a forgotten conversation's text must not stay here either. A new
        table replaces the old rather than clearing it, so that a decode running on another
        thread never sees rows vanish under it."""
        self._decoded = OrderedDict()

    def _remember(self, decoded: "OrderedDict[Text, Event]", row: Text, event: Event) -> None:
        decoded[row] = event
        if len(decoded) > self.capacity:
            decoded.popitem(last=False)
