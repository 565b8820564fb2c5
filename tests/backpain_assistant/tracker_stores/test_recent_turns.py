"""The recent-turns store must change the cost of a turn, never the conversation."""

import asyncio
import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from backpain_assistant.tracker_stores.recent_turns import RecentTurnsSQLTrackerStore
from backpain_assistant.tracker_stores.unavailable import ConversationStoreUnavailable
from tests.conftest import MODEL, ROOT
from tests.support.long_conversation import SCRIPT

_LOOP = asyncio.new_event_loop()


def run(coroutine: Any) -> Any:
    return _LOOP.run_until_complete(coroutine)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def sqlite(path: Path) -> Dict[str, str]:
    return {"dialect": "sqlite", "db": str(path)}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Dict[str, Any]:
    """Where the store under test keeps its events: a SQLite file, or the test PostgreSQL server."""
    if request.param == "sqlite":
        return sqlite(tmp_path / "recent.db")
    return request.getfixturevalue("postgres")


def new_sender(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex}"


def converse(agent: Agent, sender: str, messages: List[str]) -> List[List[Tuple[Any, ...]]]:
    replies = []
    for message in messages:
        turns = run(agent.handle_text(message, sender_id=sender))
        replies.append(
            [(t.get("text"), json.dumps(t.get("buttons"), sort_keys=True)) for t in turns]
        )
    return replies


def stored_events(store: SQLTrackerStore, sender: str) -> List[Tuple[Any, ...]]:
    """The stored conversation without what differs between two runs (times, ids, model ids)."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT type_name, action_name, intent_name, data FROM events WHERE sender_id = :s ORDER BY id"
            ),
            {"s": sender},
        )
        return [
            (r.type_name, r.action_name, r.intent_name, _stable(json.loads(r.data))) for r in rows
        ]


def _stable(event: Dict[str, Any]) -> str:
    for part in (event, event.get("parse_data", {})):
        for key in ("timestamp", "message_id", "metadata"):
            part.pop(key, None)
    return json.dumps(event, sort_keys=True)


def test_a_long_conversation_goes_exactly_as_with_rasa_s_sql_store(
    tmp_path: Path, domain: Domain, action_url: str, database: Dict[str, Any]
) -> None:
    """Same replies turn by turn, same events stored, with the smallest window allowed."""
    messages = SCRIPT * 4
    sender = new_sender("long")
    stores: Dict[str, SQLTrackerStore] = {
        "rasa": SQLTrackerStore(domain, **sqlite(tmp_path / "rasa.db")),
        "recent": RecentTurnsSQLTrackerStore(domain, recent_turns=2, **database),
    }
    replies = {}
    for name, store in stores.items():
        agent = Agent.load(
            str(MODEL), tracker_store=store, action_endpoint=EndpointConfig(action_url)
        )
        replies[name] = converse(agent, sender, messages)

    for turn, (expected, actual) in enumerate(zip(replies["rasa"], replies["recent"]), start=1):
        assert actual == expected, f"turn {turn}: {messages[turn - 1]!r}"
    expected_events, actual_events = (
        stored_events(stores["rasa"], sender),
        stored_events(stores["recent"], sender),
    )
    for index, (expected, actual) in enumerate(zip(expected_events, actual_events)):
        assert actual == expected, f"stored event {index}"
    assert len(actual_events) == len(expected_events)


def test_the_tracker_it_hands_out_stays_small_and_keeps_the_state(
    domain: Domain, database: Dict[str, Any]
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, recent_turns=3, **database)
    full = SQLTrackerStore(domain, **database)
    agent = Agent.load(str(MODEL), tracker_store=store)
    messages = [m for m in itertools.islice(itertools.cycle(SCRIPT), 60) if "start over" not in m]
    sender = new_sender("s")

    sizes = []
    for message in messages:
        run(agent.handle_text(message, sender_id=sender))
        sizes.append(len(run(store.retrieve(sender)).events))

    recent, whole = run(store.retrieve(sender)), run(full.retrieve(sender))
    assert max(sizes[20:]) <= max(sizes[:10]) + 12, "the tracker grows with the conversation"
    assert recent.current_slot_values() == whole.current_slot_values()
    assert len(whole.events) > 5 * len(recent.events)


def test_save_writes_only_new_events_and_nothing_twice(
    domain: Domain, database: Dict[str, Any]
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, recent_turns=2, **database)
    agent = Agent.load(str(MODEL), tracker_store=store)
    sender = new_sender("s")
    converse(agent, sender, SCRIPT[:6])
    tracker = run(store.retrieve(sender))
    before = len(stored_events(store, sender))

    run(store.save(tracker))
    assert len(stored_events(store, sender)) == before, "saving an unchanged tracker wrote rows"

    converse(agent, sender, ["and trazodone?"])
    user_turns = [e for e in stored_events(store, sender) if e[0] == "user"]
    assert len(user_turns) == 7


def test_conversations_do_not_see_each_other(domain: Domain, database: Dict[str, Any]) -> None:
    store = RecentTurnsSQLTrackerStore(domain, recent_turns=2, **database)
    agent = Agent.load(str(MODEL), tracker_store=store)
    a, b = new_sender("a"), new_sender("b")
    converse(agent, a, ["what are the side effects of xanax", "tell me more", "thanks", "hi"])
    converse(agent, b, ["what are the side effects of trazodone", "tell me more", "thanks", "hi"])
    assert run(store.retrieve(a)).get_slot("medication") == "xanax"
    assert run(store.retrieve(b)).get_slot("medication") == "trazodone"
    assert run(store.retrieve(new_sender("nobody"))) is None


def test_a_window_shorter_than_two_turns_is_refused(tmp_path: Path, domain: Domain) -> None:
    with pytest.raises(ValueError, match="recent_turns"):
        RecentTurnsSQLTrackerStore(domain, recent_turns=1, **sqlite(tmp_path / "t.db"))


def test_forget_after_action_deletes_every_session_of_the_conversation(
    domain: Domain, database: Dict[str, Any]
) -> None:
    store = RecentTurnsSQLTrackerStore(
        domain, recent_turns=2, forget_after_action="utter_conversation_forgotten", **database
    )
    agent = Agent.load(str(MODEL), tracker_store=store)
    person, bystander = new_sender("person"), new_sender("bystander")
    converse(
        agent,
        person,
        ["what are the side effects of xanax", "start over", "does trazodone help back pain?"],
    )
    converse(agent, bystander, ["what are the side effects of trazodone"])
    kept = stored_events(store, bystander)

    converse(agent, person, ["delete my data"])
    assert stored_events(store, person), "asking is not yet confirming"
    converse(agent, person, ["yes"])

    assert stored_events(store, person) == []
    assert stored_events(store, bystander) == kept
    assert run(store.retrieve(person)) is None


def conversation_at(sender: str, timestamp: float) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_session_start", timestamp=timestamp),
            SessionStarted(timestamp=timestamp),
            ActionExecuted("action_listen", timestamp=timestamp),
            UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=timestamp),
        ],
    )


def test_a_conversation_past_its_retention_is_deleted_when_it_comes_back(
    domain: Domain, database: Dict[str, Any]
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, retention_days=1, **database)
    old, recent = new_sender("old"), new_sender("recent")
    run(store.save(conversation_at(old, time.time() - 2 * 86400)))
    run(store.save(conversation_at(recent, time.time() - 3600)))

    assert run(store.retrieve(old)) is None
    assert stored_events(store, old) == []
    assert run(store.retrieve(recent)) is not None


def test_purging_deletes_only_conversations_past_their_retention(
    domain: Domain, database: Dict[str, Any]
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, retention_days=1, **database)
    old, recent = new_sender("old"), new_sender("recent")
    run(store.save(conversation_at(old, time.time() - 2 * 86400)))
    run(store.save(conversation_at(recent, time.time() - 3600)))

    assert store.purge_expired() >= 1
    assert stored_events(store, old) == []
    assert len(stored_events(store, recent)) == 4


def test_without_retention_nothing_expires(domain: Domain, database: Dict[str, Any]) -> None:
    store = RecentTurnsSQLTrackerStore(domain, **database)
    old = new_sender("old")
    run(store.save(conversation_at(old, time.time() - 400 * 86400)))
    assert store.purge_expired() == 0
    assert run(store.retrieve(old)) is not None


def test_a_retention_of_zero_days_is_refused(tmp_path: Path, domain: Domain) -> None:
    with pytest.raises(ValueError, match="retention_days"):
        RecentTurnsSQLTrackerStore(domain, retention_days=0, **sqlite(tmp_path / "t.db"))


def test_an_unreachable_database_is_an_error_rasa_s_fail_safe_wrapper_lets_through(
    tmp_path: Path, domain: Domain
) -> None:
    """Rasa would otherwise answer from an empty in-memory tracker and keep the turn nowhere."""
    store = RecentTurnsSQLTrackerStore(domain, **sqlite(tmp_path / "t.db"))
    store.engine = sa.create_engine(f"sqlite:///{tmp_path}/missing/folder/t.db")
    wrapped = FailSafeTrackerStore(store)
    with pytest.raises(ConversationStoreUnavailable):
        run(wrapped.retrieve("someone"))
    with pytest.raises(ConversationStoreUnavailable):
        run(wrapped.save(conversation_at("someone", time.time())))


def test_a_sqlite_file_is_written_through_a_durable_write_ahead_log(
    tmp_path: Path, domain: Domain
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, **sqlite(tmp_path / "t.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (
            connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        )  # FULL: every commit is fsynced
        first = connection.connection.dbapi_connection
    with store.engine.connect() as connection:
        assert (
            connection.connection.dbapi_connection is first
        ), "a new SQLite connection for each use"


def test_two_processes_sharing_a_sqlite_file_see_each_other_s_turns(
    tmp_path: Path, domain: Domain
) -> None:
    """As `WORKERS=2` runs them: each worker has its own store and pooled connections."""
    one, two = (
        RecentTurnsSQLTrackerStore(domain, recent_turns=2, **sqlite(tmp_path / "t.db"))
        for _ in range(2)
    )
    agents = [Agent.load(str(MODEL), tracker_store=store) for store in (one, two)]
    sender = new_sender("s")
    for number, message in enumerate(
        ["what are the side effects of xanax", "tell me more", "and trazodone?", "thanks"]
    ):
        converse(agents[number % 2], sender, [message])
        assert run(one.retrieve(sender)).events == run(two.retrieve(sender)).events
    assert run(two.retrieve(sender)).get_slot("medication") == "trazodone"
    assert len([e for e in stored_events(one, sender) if e[0] == "user"]) == 4


def test_an_in_memory_sqlite_store_still_works(domain: Domain) -> None:
    store = RecentTurnsSQLTrackerStore(domain, dialect="sqlite")
    agent = Agent.load(str(MODEL), tracker_store=store)
    sender = new_sender("s")
    converse(agent, sender, ["what are the side effects of xanax", "tell me more"])
    assert run(store.retrieve(sender)).get_slot("medication") == "xanax"


def test_a_tracker_it_did_not_hand_out_is_saved_by_rasa_s_rule(
    domain: Domain, database: Dict[str, Any]
) -> None:
    """Rasa counts the rows of the latest session and writes the tracker's events after them."""
    store = RecentTurnsSQLTrackerStore(domain, **database)
    rasa = SQLTrackerStore(domain, **database)
    histories = {
        "new": [],
        "no session start": [ActionExecuted("action_listen"), UserUttered("hi")],
        "two sessions": [
            SessionStarted(),
            UserUttered("hi"),
            SessionStarted(),
            ActionExecuted("action_listen"),
        ],
    }
    for name, stored in histories.items():
        sender = new_sender(name.replace(" ", "-"))
        if stored:
            run(rasa.save(DialogueStateTracker.from_events(sender, stored)))
        tracker = DialogueStateTracker.from_events(sender, [*stored, UserUttered("and trazodone?")])
        with rasa.session_scope() as session:
            expected = list(rasa._additional_events(session, tracker))
        assert store._unsaved_events(tracker) == expected, name


def remembered_rows(store: RecentTurnsSQLTrackerStore) -> str:
    """The stored texts whose decoded events the store keeps in memory."""
    return "".join(store._decoded._decoded)


def test_a_forgotten_conversation_leaves_no_trace_in_the_sqlite_files(
    tmp_path: Path, domain: Domain
) -> None:
    """Neither the database file nor its write-ahead log keeps what the person wrote."""
    store = RecentTurnsSQLTrackerStore(
        domain, forget_after_action="utter_conversation_forgotten", **sqlite(tmp_path / "t.db")
    )
    agent = Agent.load(str(MODEL), tracker_store=store)
    secret = f"zq{uuid.uuid4().hex}"
    person, bystander = new_sender("person"), new_sender("bystander")
    converse(
        agent, person, [f"does trazodone help back pain? {secret}", "what are its side effects?"]
    )
    converse(agent, bystander, ["what are the side effects of trazodone"])
    files = lambda: b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))  # noqa: E731
    assert secret.encode() in files()

    assert secret in remembered_rows(store)

    converse(agent, person, ["delete my data", "yes"])
    assert secret.encode() not in files()
    assert secret not in remembered_rows(store)
    assert stored_events(store, bystander)


def test_purged_conversations_leave_no_trace_in_the_sqlite_files(
    tmp_path: Path, domain: Domain
) -> None:
    store = RecentTurnsSQLTrackerStore(domain, retention_days=1, **sqlite(tmp_path / "t.db"))
    old = conversation_at(new_sender("old"), time.time() - 3 * 86400)
    old.update(
        UserUttered(
            "zqoldsecret", {"name": "greet", "confidence": 1.0}, timestamp=time.time() - 3 * 86400
        )
    )
    run(store.save(old))
    with store.engine.connect() as connection:  # as if it had been read while it was recent
        store._decoded.from_json(connection.exec_driver_sql("SELECT data FROM events").scalars())
    assert "zqoldsecret" in remembered_rows(store)
    assert store.purge_expired() == 1
    assert not any(b"zqoldsecret" in p.read_bytes() for p in tmp_path.glob("t.db*"))
    assert "zqoldsecret" not in remembered_rows(store)
