"""Fuzzing the Slack, Telegram and socket.io channels of the running assistant: whatever
arrives, never a 5xx, and on socket.io never silence. Deterministic (`derandomize`); counts
and statuses go to results/fuzz/channels.json."""

import json
from collections import Counter
from typing import Any, Dict, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.support.channels import SlackUser, TelegramUser, WidgetUser
from tests.test_rest_fuzz import FUZZ_SETTINGS, json_values, texts

REPORT = ROOT / "results" / "fuzz" / "channels.json"

chat_ids = st.integers(min_value=-(2**52), max_value=2**52) | st.text(max_size=12) | json_values
telegram_updates = st.one_of(
    st.fixed_dictionaries(
        {"update_id": st.integers(min_value=0, max_value=2**31)},
        optional={
            "message": st.fixed_dictionaries(
                {"chat": st.fixed_dictionaries({"id": chat_ids}) | json_values},
                optional={"text": texts | json_values, "message_id": st.integers()},
            ),
            "callback_query": st.fixed_dictionaries(
                {"id": st.text(max_size=10), "data": texts | json_values},
                optional={
                    "message": st.fixed_dictionaries(
                        {"chat": st.fixed_dictionaries({"id": chat_ids})}
                    )
                },
            ),
        },
    ),
    json_values,
).map(lambda body: json.dumps(body).encode()) | st.binary(max_size=200)
slack_events = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited"])
            | st.text(max_size=8)
        },
        optional={
            "event_id": st.text(max_size=12),
            "event": st.fixed_dictionaries(
                {"type": st.sampled_from(["message", "app_mention"]) | st.text(max_size=8)},
                optional={
                    "text": texts | json_values,
                    "user": st.text(max_size=8),
                    "channel": st.text(max_size=8),
                    "channel_type": st.sampled_from(["im", "channel"]),
                    "subtype": st.text(max_size=8),
                },
            )
            | json_values,
            "challenge": json_values,
        },
    ),
    json_values,
).map(lambda body: json.dumps(body).encode()) | st.binary(max_size=200)
slack_content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)
widget_data = st.one_of(
    st.fixed_dictionaries(
        {"message": texts | json_values},
        optional={"customData": json_values | st.text(max_size=20)},
    ),
    json_values,
)


@pytest.fixture(scope="module")
def statuses() -> Iterator[Dict[str, Counter]]:
    seen: Dict[str, Counter] = {"telegram": Counter(), "slack": Counter(), "socketio": Counter()}
    yield seen
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {name: {"cases": sum(c.values()), "outcomes": dict(c)} for name, c in seen.items()},
            indent=2,
        )
    )


def test_telegram_never_fails_with_a_5xx(
    channels_assistant: str, channel_standins, statuses
) -> None:
    telegram = TelegramUser(channels_assistant, channel_standins.telegram_api)

    @settings(max_examples=300, **FUZZ_SETTINGS)
    @given(body=telegram_updates)
    def case(body: bytes) -> None:
        reply = telegram.post(None, raw=body)
        statuses["telegram"][reply.status_code] += 1
        assert reply.status_code < 500, (body[:300], reply.text[:300])

    case()
    assert telegram.say("does xanax help back pain?"), "the channel still answers after the fuzz"


def test_slack_never_fails_with_a_5xx(channels_assistant: str, channel_standins, statuses) -> None:
    slack = SlackUser(channels_assistant, channel_standins.slack_api)

    @settings(max_examples=300, **FUZZ_SETTINGS)
    @given(body=slack_events, content_type=slack_content_types)
    def case(body: bytes, content_type: str) -> None:
        reply = slack.post(None, raw=body, content_type=content_type)
        statuses["slack"][reply.status_code] += 1
        assert reply.status_code < 500, (body[:300], content_type, reply.text[:300])

    case()
    assert slack.say("does xanax help back pain?"), "the channel still answers after the fuzz"


def test_socketio_answers_every_message_even_a_malformed_one(
    channels_assistant: str, statuses
) -> None:
    widget = WidgetUser(channels_assistant)
    try:

        @settings(max_examples=25, **FUZZ_SETTINGS)
        @given(data=widget_data)
        def case(data: Any) -> None:
            if isinstance(data, dict):
                data = {**data, "session_id": widget.session_id}
            turns = widget.emit(data)
            kind = (
                "error"
                if turns and turns[0]["metadata"].get("kind") == "error"
                else "answered"
                if turns
                else "silence"
            )
            statuses["socketio"][kind] += 1
            assert turns, f"no reply to {data!r}"

        case()
    finally:
        widget.close()
