"""An SQL tracker store whose cost per message does not grow with the conversation.

Rasa's `SQLTrackerStore` loads every event of the current session on each message,
and the policies then replay all of them: at turn 1,000 a message costs about twenty
times what it costs at turn 1. This store keeps every event in the database (audit,
"forget me") but hands Rasa a tracker of bounded size:

- the current session's last `recent_turns` user turns, exactly as stored;
- preceded by the session start and the state those turns started from: the latest
  value of each slot, the active loop and the paused flag, read with one indexed
  query per key.

Rules, stories (`max_history`) and follow-ups therefore see the same states as with
the whole session, provided `recent_turns` is longer than any rule or story.
`save` writes only the events added since the tracker was loaded.
"""
import itertools
import json
import logging
import weakref
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from backpain_assistant.tracker_stores.events import events_from_json

logger = logging.getLogger(__name__)

DEFAULT_RECENT_TURNS = 10

# Events after which earlier slot values no longer apply.
_STATE_RESETS = (SessionStarted.type_name, Restarted.type_name, AllSlotsReset.type_name)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        recent_turns: int = DEFAULT_RECENT_TURNS,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, **kwargs)
        if int(recent_turns) < 2:
            raise ValueError("recent_turns must be at least 2 so a conversation start is never re-matched")
        self.recent_turns = int(recent_turns)
        self._stored_counts = _StoredEventCounts()
        self._create_lookup_indexes()

    def _create_lookup_indexes(self) -> None:
        table = self.SQLEvent.__table__
        for index in (
            sa.Index("ix_events_sender_type_id", table.c.sender_id, table.c.type_name, table.c.id),
            sa.Index(
                "ix_events_sender_type_name_id",
                table.c.sender_id,
                table.c.type_name,
                table.c.action_name,
                table.c.id,
            ),
        ):
            index.create(self.engine, checkfirst=True)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = _RecentTurnsQuery(session, self.SQLEvent, sender_id, self._slot_names()).rows(
                self.recent_turns
            )
        if not rows:
            return None
        tracker = DialogueStateTracker.from_events(sender_id, events_from_json(rows), self.domain.slots)
        self._stored_counts.remember(tracker)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve_full_tracker(conversation_id)
        if tracker is not None:
            self._stored_counts.remember(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = self._unsaved_events(session, tracker)
            session.add_all(self._row(tracker.sender_id, event) for event in new_events)
            session.commit()
        self._stored_counts.remember(tracker)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Unused: `save` streams exactly the events it writes."""

    def _unsaved_events(self, session: Any, tracker: DialogueStateTracker) -> List[Event]:
        stored = self._stored_counts.get(tracker)
        if stored is None:
            # A tracker this store did not hand out: Rasa's own rule (count the session's rows).
            return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, None))

    def _row(self, sender_id: Text, event: Event) -> "SQLTrackerStore.SQLEvent":
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _slot_names(self) -> Tuple[Text, ...]:
        return tuple(slot.name for slot in self.domain.slots)


class _RecentTurnsQuery:
    """The rows of a tracker limited to the last turns of the current session.

    Four indexed statements whatever the length of the conversation: the session
    start, the latest user turns, the ids of the state-setting events before them,
    then the rows themselves.
    """

    def __init__(self, session: Any, table: Any, sender_id: Text, slot_names: Iterable[Text]) -> None:
        self.session = session
        self.table = table
        self.sender_id = sender_id
        self.slot_names = tuple(slot_names)

    def rows(self, recent_turns: int) -> List[Text]:
        session_start = self._scalar(self._latest_id((SessionStarted.type_name,)))
        first_recent_turn = self._nth_latest_user_turn(recent_turns, after=session_start)
        if first_recent_turn is None:
            return self._data(from_id=session_start)
        window_start, state_ids = self._window_start_and_state_ids(first_recent_turn)
        return self._data(from_id=window_start, also=[session_start, *state_ids])

    def _of_sender(self) -> Any:
        return self.table.sender_id == self.sender_id

    def _latest_id(
        self, type_names: Tuple[Text, ...], action_name: Optional[Text] = None, before: Optional[int] = None
    ) -> Any:
        conditions = [self._of_sender(), self.table.type_name.in_(type_names)]
        if action_name is not None:
            conditions.append(self.table.action_name == action_name)
        if before is not None:
            conditions.append(self.table.id < before)
        return sa.select(sa.func.max(self.table.id)).where(*conditions).scalar_subquery()

    def _scalar(self, subquery: Any) -> Optional[int]:
        return self.session.execute(sa.select(subquery)).scalar()

    def _nth_latest_user_turn(self, n: int, after: Optional[int]) -> Optional[int]:
        statement = (
            sa.select(self.table.id)
            .where(self._of_sender(), self.table.type_name == UserUttered.type_name, self.table.id > (after or 0))
            .order_by(self.table.id.desc())
            .limit(n + 1)
        )
        ids = self.session.execute(statement).scalars().all()
        # Only worth a window when the session is longer than it.
        return ids[n - 1] if len(ids) > n else None

    def _window_start_and_state_ids(self, first_recent_turn: int) -> Tuple[int, List[int]]:
        """The `action_listen` before the first recent turn, and the latest event
        setting each slot, the active loop and the paused flag since the last reset."""
        state_keys: List[Tuple[Tuple[Text, ...], Optional[Text]]] = [
            *(((SlotSet.type_name,), name) for name in self.slot_names),
            ((ActiveLoop.type_name,), None),
            ((ConversationPaused.type_name, ConversationResumed.type_name), None),
        ]
        columns = [
            self._latest_id((ActionExecuted.type_name,), ACTION_LISTEN_NAME, before=first_recent_turn),
            self._latest_id(_STATE_RESETS, before=first_recent_turn),
            *(self._latest_id(types, name, before=first_recent_turn) for types, name in state_keys),
        ]
        listen, last_reset, *latest = self.session.execute(sa.select(*columns)).one()
        window_start = listen or first_recent_turn
        state_ids = [i for i in latest if i is not None and i > (last_reset or 0) and i < window_start]
        return window_start, state_ids

    def _data(self, from_id: Optional[int], also: Iterable[Optional[int]] = ()) -> List[Text]:
        """Rows from `from_id` on, after the rows `also` names before it (two indexed ranges:
        one OR-ed statement makes SQLite scan the sender's whole history)."""
        start = from_id or 0
        window = sa.select(self.table.id, self.table.data).where(self._of_sender(), self.table.id >= start)
        earlier = sorted({i for i in also if i is not None and i < start})
        if earlier:
            state = sa.select(self.table.id, self.table.data).where(self.table.id.in_(earlier))
            statement = sa.union_all(state, window).order_by("id")
        else:
            statement = window.order_by(self.table.id)
        return [row.data for row in self.session.execute(statement)]


class _StoredEventCounts:
    """How many of a live tracker's events are already in the database.

    Trackers define `__eq__` and so cannot be weak dictionary keys; entries are keyed
    by `id()` and dropped when the tracker is garbage collected.
    """

    def __init__(self) -> None:
        self._counts: Dict[int, Tuple["weakref.ref[DialogueStateTracker]", int]] = {}

    def remember(self, tracker: DialogueStateTracker) -> None:
        key = id(tracker)
        if key not in self._counts or self._counts[key][0]() is not tracker:
            ref = weakref.ref(tracker, lambda _: self._counts.pop(key, None))
        else:
            ref = self._counts[key][0]
        self._counts[key] = (ref, len(tracker.events))

    def get(self, tracker: DialogueStateTracker) -> Optional[int]:
        entry = self._counts.get(id(tracker))
        return entry[1] if entry is not None and entry[0]() is tracker else None
