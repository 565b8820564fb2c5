"""Fuzzing the REST webhook of the running assistant: whatever arrives, never a 5xx.

Deterministic (`derandomize`), with a bounded budget: message texts, intent payloads and
metadata inside a well-formed request, then malformed requests of every shape. The count
of cases and the statuses seen go to results/fuzz/rest.json for the README.
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.support import servers

REPORT = ROOT / "results" / "fuzz" / "rest.json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Rasa reads "/intent{entities}" as an intent with entities, skipping NLU: fuzz those too.
payloads = st.sampled_from(
    [
        "/red_flag",
        '/red_flag{"red_flag_category": "nonsense", "red_flag_tier": 3}',
        "/affirm",
        "/restart",
        "/session_start",
        "/nlu_fallback",
        "/action_listen",
        '/ask_effectiveness{"medication": 42}',
        '/ask_comparison{"medication_pair": "xanax_xanax"}',
        "/no_such_intent",
        "/greet{",
        "/",
    ]
)
# Any Unicode (lone surrogates and control characters included), near the length limit, or payloads.
texts = (
    st.text(max_size=300)
    | st.text(min_size=4_990, max_size=5_010)
    | payloads
    | payloads.map(lambda p: p + " hi")
)
well_formed = st.fixed_dictionaries(
    {"sender": st.text(min_size=1, max_size=20), "message": texts},
    optional={"metadata": st.dictionaries(st.text(max_size=10), json_values, max_size=4)},
)
malformed = st.one_of(
    st.fixed_dictionaries(
        {"sender": st.text(max_size=140) | json_values, "message": texts | json_values}
    ),
    json_values,
).map(lambda body: json.dumps(body).encode()) | st.binary(max_size=300)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "",
        "application/x-www-form-urlencoded",
    ]
)
FUZZ_SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture(scope="module")
def statuses() -> Iterator[Dict[str, Counter]]:
    seen: Dict[str, Counter] = {"well_formed": Counter(), "malformed": Counter()}
    yield seen
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {name: {"cases": sum(c.values()), "statuses": dict(c)} for name, c in seen.items()},
            indent=2,
        )
    )


def post(assistant: str, body: bytes, content_type: str, seen: Counter) -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    reply = requests.post(
        f"{assistant}/webhooks/rest/webhook", data=body, headers=headers, timeout=30
    )
    seen[reply.status_code] += 1
    assert reply.status_code < 500, (body[:300], content_type, reply.text[:300])
    return reply


def test_any_message_in_a_well_formed_request_gets_a_reply_or_a_clear_4xx(
    assistant: str, action_url: str, server_dir: Path, statuses: Dict[str, Counter]
) -> None:
    action_log = servers.log_of(server_dir, action_url, "actions")
    logged_before = len(action_log.read_bytes())

    @settings(max_examples=500, **FUZZ_SETTINGS)
    @given(request=well_formed)
    def case(request: Dict[str, Any]) -> None:
        reply = post(
            assistant, json.dumps(request).encode(), "application/json", statuses["well_formed"]
        )
        if reply.status_code == 200:
            assert all(turn["metadata"].get("kind") for turn in reply.json()), reply.json()
        else:
            assert reply.json()["error"]

    case()
    assert statuses["well_formed"][200] > 300, "most fuzzed messages should reach the assistant"
    action_errors = action_log.read_bytes()[logged_before:].count(b"Exception occurred")
    assert action_errors == 0, f"the action server failed {action_errors} times; see {action_log}"


def test_any_malformed_request_gets_a_clear_4xx(
    assistant: str, statuses: Dict[str, Counter]
) -> None:
    @settings(max_examples=300, **FUZZ_SETTINGS)
    @given(body=malformed, content_type=content_types)
    def case(body: bytes, content_type: str) -> None:
        reply = post(assistant, body, content_type, statuses["malformed"])
        if reply.status_code != 200:
            assert reply.json()["error"], "a 4xx must say what is wrong"

    case()
    assert (
        requests.post(
            f"{assistant}/webhooks/rest/webhook",
            json={"sender": "after-fuzz", "message": "does xanax help back pain?"},
            timeout=30,
        ).status_code
        == 200
    )
