"""An SQL tracker store whose cost per message does not grow with the conversation.

Rasa's `SQLTrackerStore` loads every event of the current session on each message,
and the policies then replay all of them: at turn 1,000 a message costs about twenty
times what it costs at turn 1. This store keeps every event in the database (audit,
"forget me") but hands Rasa a tracker of bounded size:

- the current session's last `recent_turns` user turns, exactly as stored;
- preceded by the session start and the state those turns started from: the latest
  value of each slot, the active loop and the paused flag, each an indexed lookup.

Rules, stories (`max_history`) and follow-ups therefore see the same states as with
the whole session, provided `recent_turns` is longer than any rule or story.
`save` writes only the events added since the tracker was loaded, in one statement.

When the database cannot be reached, reading or saving raises
`ConversationStoreUnavailable`, which Rasa's fail-safe wrapper lets through (see there).

Privacy: when a conversation runs `forget_after_action` (the reply confirming a "forget
me"), its events are deleted instead of saved. With `retention_days`, a conversation whose
last message is older than that is deleted when it is next retrieved, and all such
conversations are purged at most once an hour.
"""

import itertools
import json
import logging
import weakref
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
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
)
from rasa.shared.core.trackers import DialogueStateTracker

from backpain_assistant.log_privacy import pseudonym
from backpain_assistant.time_limits import BoundedCalls, postgresql_connect_args
from backpain_assistant.tracker_stores.events import DecodedEvents
from backpain_assistant.tracker_stores.retention import (
    EXPIRED_SENDERS,
    PURGE_INTERVAL_SECONDS,
    Retention,
    purge_on_a_timer,
)
from backpain_assistant.tracker_stores.unavailable import unavailable_on_database_error

logger = logging.getLogger(__name__)

DEFAULT_RECENT_TURNS = 10
# Events kept decoded: about 40 per conversation window, so a few hundred live conversations.
DECODED_EVENTS_KEPT = 10_000

# Events after which earlier slot values no longer apply.
_STATE_RESETS = (SessionStarted.type_name, Restarted.type_name, AllSlotsReset.type_name)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        recent_turns: int = DEFAULT_RECENT_TURNS,
        forget_after_action: Optional[Text] = None,
        retention_days: Optional[float] = None,
        purge_interval_seconds: float = PURGE_INTERVAL_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, **kwargs)
        if int(recent_turns) < 2:
            raise ValueError(
                "recent_turns must be at least 2 so a conversation start is never re-matched"
            )
        self.recent_turns = int(recent_turns)
        self.forget_after_action = forget_after_action
        self.retention = Retention(retention_days, purge_interval_seconds)
        self._use_resilient_engine()
        self._stored_counts = _StoredEventCounts()
        self._decoded = DecodedEvents(DECODED_EVENTS_KEPT)
        self._prepared: Optional[_RecentTurnsQueries] = None
        self._database_calls = BoundedCalls()
        self._create_lookup_indexes()
        purge_on_a_timer(self.purge_expired, self.retention)

    def _use_resilient_engine(self) -> None:
        """Rasa's engine, but errors never quote statement parameters (they hold what people
        wrote), pooled server connections are checked before use, so a database restart
        costs no message once it is back, a server that does not answer is given up on
        (backpain_assistant.time_limits), and a SQLite file keeps its connections and a
        write-ahead log."""
        url = self.engine.url
        self.engine.dispose()
        options: Dict[Text, Any] = {"hide_parameters": True, **create_engine_kwargs(url)}
        if url.get_backend_name() == "postgresql":
            options["connect_args"] = with_time_limits(options.get("connect_args", {}))
        if url.get_backend_name() != "sqlite":
            options["pool_pre_ping"] = True
        elif _is_sqlite_file(url):
            options.update(SQLITE_FILE_ENGINE)
        self.engine = sa.create_engine(url, **options)
        if _is_sqlite_file(url):
            sa.event.listen(self.engine, "connect", _use_write_ahead_log)
        self.sessionmaker = sessionmaker(bind=self.engine)

    def _create_lookup_indexes(self) -> None:
        statements = [
            "CREATE INDEX IF NOT EXISTS ix_events_sender_type_id ON events (sender_id, type_name, id)",
            "CREATE INDEX IF NOT EXISTS ix_events_sender_type_name_id"
            " ON events (sender_id, type_name, action_name, id)",
        ]
        try:
            with self.engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as error:
            # Processes started together race to create them; one of them wins.
            logger.warning(f"Could not create the tracker store's indexes: {error}")

    @unavailable_on_database_error
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        rows, last_message_at = await self._database_calls.run(self._read_rows, sender_id)
        if not rows:
            return None
        if self.retention.expired(last_message_at):
            await self._database_calls.run(self.erase, sender_id)
            logger.info("conversation.expired conversation=%s", pseudonym(sender_id))
            return None
        tracker = DialogueStateTracker.from_events(
            sender_id, self._decoded.from_json(rows), self.domain.slots
        )
        self._stored_counts.remember(tracker)
        return tracker

    @unavailable_on_database_error
    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve_full_tracker(conversation_id)
        if tracker is not None:
            self._stored_counts.remember(tracker)
        return tracker

    @unavailable_on_database_error
    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.retention.purge_due():
            await self._database_calls.run(self.purge_expired)
        new_events = self._unsaved_events(tracker)
        if self._asks_to_forget(new_events):
            await self._database_calls.run(self.erase, tracker.sender_id)
            self._stored_counts.forget(tracker)
            logger.info("conversation.forgotten conversation=%s", pseudonym(tracker.sender_id))
            return
        if new_events:
            rows = [_row(tracker.sender_id, e) for e in new_events]
            await self._database_calls.run(self._insert_rows, rows)
        self._stored_counts.remember(tracker)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Unused: `save` streams exactly the events it writes."""

    def _read_rows(self, sender_id: Text) -> Tuple[List[Text], Optional[float]]:
        with self.engine.connect() as connection:
            return self._queries.rows(connection, sender_id, self.recent_turns)

    def _insert_rows(self, rows: List[Dict[Text, Any]]) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.SQLEvent.__table__.insert(), rows)

    def erase(self, sender_id: Text) -> None:
        """Deletes every stored event of the conversation, all sessions included."""
        with self.engine.begin() as connection:
            self._delete_events(connection, [sender_id])
        self._leave_no_copy_of_deleted_rows()

    def _delete_events(self, connection: Any, sender_ids: List[Text]) -> None:
        table = self.SQLEvent.__table__
        connection.execute(table.delete().where(self.SQLEvent.sender_id.in_(sender_ids)))

    def _leave_no_copy_of_deleted_rows(self) -> None:
        """The decoded events this process remembers are dropped. On a SQLite file, deleted rows
        are zeroed (`secure_delete`), and the write-ahead log, which still holds earlier versions
        of their pages, is written back and emptied."""
        self._decoded.forget_all()
        if not _is_sqlite_file(self.engine.url):
            return
        with self.engine.connect() as connection:
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy:
            logger.warning(
                "conversation.log_not_emptied: another process kept reading; the next deletion retries"
            )

    def purge_expired(self) -> int:
        """Deletes the conversations whose last event is older than the retention; how many."""
        if not self.retention.enabled:
            return 0
        with self.engine.begin() as connection:
            cutoff = {"cutoff": self.retention.cutoff()}
            senders = list(connection.execute(EXPIRED_SENDERS, cutoff).scalars())
            if senders:
                self._delete_events(connection, senders)
        if senders:
            self._leave_no_copy_of_deleted_rows()
            logger.info(f"conversation.purged count={len(senders)}")
        return len(senders)

    def _asks_to_forget(self, new_events: List[Event]) -> bool:
        return self.forget_after_action is not None and any(
            isinstance(event, ActionExecuted) and event.action_name == self.forget_after_action
            for event in new_events
        )

    @property
    def _queries(self) -> "_RecentTurnsQueries":
        slot_names = tuple(slot.name for slot in self.domain.slots)
        if self._prepared is None or self._prepared.slot_names != slot_names:
            self._prepared = _RecentTurnsQueries(slot_names)
        return self._prepared

    def _unsaved_events(self, tracker: DialogueStateTracker) -> List[Event]:
        stored = self._stored_counts.get(tracker)
        if stored is None:
            # A tracker this store did not hand out (a new conversation): Rasa's own rule.
            with self.engine.connect() as connection:
                stored = connection.execute(
                    self._queries.EVENTS_IN_SESSION, {"sender": tracker.sender_id}
                ).scalar()
        return list(itertools.islice(tracker.events, stored, None))


# SQLAlchemy 1.4 opens a new SQLite connection for every use (NullPool), which re-reads the
# schema and starts with an empty page cache. Connections are kept instead, as SQLAlchemy 2.0
# does for files.
SQLITE_FILE_ENGINE: Dict[Text, Any] = {
    "poolclass": sa.pool.QueuePool,
    "connect_args": {"check_same_thread": False},
}


def with_time_limits(connect_args: Dict[Text, Any]) -> Dict[Text, Any]:
    """Rasa's PostgreSQL connect arguments (a schema's search path) and the time limits."""
    limits = postgresql_connect_args()
    options = " ".join(
        option for option in (connect_args.get("options"), limits.pop("options")) if option
    )
    return {**connect_args, **limits, "options": options}


def _is_sqlite_file(url: Any) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def _use_write_ahead_log(dbapi_connection: Any, _: Any) -> None:
    """WAL: a commit is one append and one fsync instead of a rollback journal's four
    fsyncs and an unlink, and readers in other processes (WORKERS > 1) do not wait for a
    writer. `synchronous=FULL` keeps every commit durable across a power loss.
    `secure_delete` overwrites what a deleted row held ("forget me", retention)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """An `events` row, with the columns Rasa's SQLTrackerStore fills."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _latest_id_sql(type_names: Tuple[Text, ...], action_param: Optional[Text] = None) -> Text:
    """A scalar subquery: the latest event of these types before :first_turn."""
    types = ", ".join(f"'{name}'" for name in type_names)
    action = f" AND action_name = :{action_param}" if action_param else ""
    return (
        f"(SELECT MAX(id) FROM events WHERE sender_id = :sender AND type_name IN ({types}){action}"
        " AND id < :first_turn)"
    )


class _RecentTurnsQueries:
    """SQL for the rows of a tracker limited to the last turns of the current session.

    Two indexed statements when the session is short, three when it is longer than the
    window, whatever the length of the conversation. Written once as SQL text that SQLite
    and PostgreSQL both run, so no statement is rebuilt per message.
    """

    TURNS = sa.text(
        "SELECT session.start AS session_start,"
        " (SELECT id FROM events WHERE sender_id = :sender AND type_name = 'user'"
        "  AND id > COALESCE(session.start, 0) ORDER BY id DESC LIMIT 1 OFFSET :nth) AS first_turn,"
        " (SELECT id FROM events WHERE sender_id = :sender AND type_name = 'user'"
        "  AND id > COALESCE(session.start, 0) ORDER BY id DESC LIMIT 1 OFFSET :beyond) AS earlier_turn,"
        " (SELECT timestamp FROM events WHERE sender_id = :sender AND type_name = 'user'"
        "  ORDER BY id DESC LIMIT 1) AS last_message_at"
        " FROM (SELECT MAX(id) AS start FROM events"
        "  WHERE sender_id = :sender AND type_name = 'session_started') AS session"
    )
    # The count of Rasa's `SQLTrackerStore._additional_events`, without building an ORM query:
    # the rows timed at or after the latest session start, or all rows when there is none.
    EVENTS_IN_SESSION = sa.text(
        "SELECT COUNT(*) FROM events, (SELECT MAX(timestamp) AS session_start FROM events"
        "  WHERE sender_id = :sender AND type_name = 'session_started') AS latest"
        " WHERE sender_id = :sender AND (timestamp >= latest.session_start OR latest.session_start IS NULL)"
    )
    ROWS_FROM = sa.text(
        "SELECT data FROM events WHERE sender_id = :sender AND id >= :start ORDER BY id"
    )
    ROWS_NAMED_THEN_FROM = sa.text(
        "SELECT id, data FROM events WHERE id IN :ids"
        " UNION ALL SELECT id, data FROM events WHERE sender_id = :sender AND id >= :start ORDER BY id"
    ).bindparams(sa.bindparam("ids", expanding=True))

    def __init__(self, slot_names: Tuple[Text, ...]) -> None:
        self.slot_names = slot_names
        # The action_listen before the first recent turn, the last reset before it, and the
        # latest event setting each slot, the active loop and the paused flag.
        columns = [
            _latest_id_sql((ActionExecuted.type_name,), "listen"),
            _latest_id_sql(_STATE_RESETS),
            *(_latest_id_sql((SlotSet.type_name,), f"slot_{i}") for i in range(len(slot_names))),
            _latest_id_sql((ActiveLoop.type_name,)),
            _latest_id_sql((ConversationPaused.type_name, ConversationResumed.type_name)),
        ]
        self.state = sa.text("SELECT " + ", ".join(columns))
        self.slot_params = {f"slot_{i}": name for i, name in enumerate(slot_names)}

    def rows(
        self, connection: Any, sender_id: Text, recent_turns: int
    ) -> Tuple[List[Text], Optional[float]]:
        """The tracker's rows, and when the conversation's last user message was sent."""
        turns = connection.execute(
            self.TURNS, {"sender": sender_id, "nth": recent_turns - 1, "beyond": recent_turns}
        ).one()
        return self._window_rows(connection, sender_id, turns), turns.last_message_at

    def _window_rows(self, connection: Any, sender_id: Text, turns: Any) -> List[Text]:
        if turns.earlier_turn is None:
            # The whole session fits in the window.
            return self._rows_from(connection, sender_id, turns.session_start)
        listen, last_reset, *latest = connection.execute(
            self.state,
            {
                "sender": sender_id,
                "first_turn": turns.first_turn,
                "listen": ACTION_LISTEN_NAME,
                **self.slot_params,
            },
        ).one()
        start = listen or turns.first_turn
        named = [
            turns.session_start,
            *(i for i in latest if i is not None and i > (last_reset or 0)),
        ]
        earlier = sorted({i for i in named if i is not None and i < start})
        if not earlier:
            return self._rows_from(connection, sender_id, start)
        result = connection.execute(
            self.ROWS_NAMED_THEN_FROM, {"ids": earlier, "sender": sender_id, "start": start}
        )
        return [row.data for row in result]

    def _rows_from(self, connection: Any, sender_id: Text, start: Optional[int]) -> List[Text]:
        return list(
            connection.execute(self.ROWS_FROM, {"sender": sender_id, "start": start or 0}).scalars()
        )


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

    def forget(self, tracker: DialogueStateTracker) -> None:
        self._counts.pop(id(tracker), None)

    def get(self, tracker: DialogueStateTracker) -> Optional[int]:
        entry = self._counts.get(id(tracker))
        return entry[1] if entry is not None and entry[0]() is tracker else None
